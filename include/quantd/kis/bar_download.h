// download_bars: history from KIS into storage (`quantd download-bars`, the Data page's
// "Download from KIS"), recorded as source "kis".
//
// Daily bars come from inquire-daily-itemchartprice (unadjusted prices, as KIS reports them and
// as live trading sees them), fetched oldest window first, 140 calendar days a window (at most
// 100 trading days, one call); 1-minute bars are what KIS offers: today's minutes from
// inquire-time-itemchartprice (both environments; past days need the real-only
// inquire-time-dailychartprice, not offered by KIS paper, so a paper download of past minutes
// stops with a sentence saying so). Each window is stored as it arrives (upsert: a rerun changes
// nothing), so an interrupted download keeps what it stored, and a rerun with `resume` starts
// from the last day already stored from KIS instead of the beginning.
#pragma once

#include <functional>
#include <string>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/kis/kis_rest.h"
#include "quantd/storage/database.h"

namespace quantd::kis {

struct DownloadRequest {
  domain::Symbol symbol;
  domain::Interval interval = domain::Interval::k1d;  // 1d or 1m
  CivilDate from;
  CivilDate to;        // inclusive; at most today
  bool resume = true;  // start from the last day stored from KIS in [from, to]
};

struct DownloadProgress {
  CivilDate reached;          // the last day covered so far
  double fraction = 0;        // 0..1 of the calendar range
  std::int64_t bars = 0;      // received so far
  std::int64_t inserted = 0;  // of them new to storage
  int calls = 0;              // chart calls so far
};

// Called after each stored window; return false to stop (what is stored stays).
using DownloadListener = std::function<bool(const DownloadProgress&)>;

// The checks download_bars makes before its first call, and the first day it will fetch (after
// the last stored day when resuming). The same errors as download_bars' up-front ones.
Result<CivilDate> download_start(const KisRest& rest, storage::Database& db,
                                 const DownloadRequest& request, TimestampMs now);

// `now` is the clock's time (today is its Seoul date). Errors: invalid_argument (an interval other
// than 1d/1m, from after to, a 6-digit KRX code expected), failed_precondition (past minutes on KIS
// paper), the query's errors (unavailable,
// ...), internal (storage). On an error, the windows stored before it stay stored.
Result<DownloadProgress> download_bars(KisRest& rest, storage::Database& db,
                                       const DownloadRequest& request, TimestampMs now,
                                       const DownloadListener& listener = {});

}  // namespace quantd::kis
