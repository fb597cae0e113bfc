// Bar aggregation: 1-minute bars into 5m/15m/30m/60m/1d bars. The one implementation used by the
// backtest (batch, aggregate_bars) and live (incremental, BarAggregator).
//
// Buckets are aligned to Asia/Seoul wall-clock time: intraday buckets start at multiples of the
// interval since Seoul midnight (09:00, 09:05, ...; the KRX session opens on the hour), daily
// buckets are Seoul calendar days stamped at Seoul midnight. A bucket's bar has the first open,
// the highest high, the lowest low, the last close and the summed volume of its input bars, and
// is stamped with the bucket's start (a bar's timestamp is its open time).
//
// KRX session handling (AggregateOptions): by default only input bars of the regular session
// (09:00 ≤ open time ≤ 15:30 Seoul) are used, and bars stamped 15:20–15:30 (the closing call
// auction, whose single price at 15:30 is the official close) are folded into the bucket holding
// 15:19, the last minute of continuous trading, so the last intraday bar of a day closes at the
// official close instead of forming a bucket of its own.
//
// When a bar is complete (bar_complete_at, the one rule backtest replay and live share): a 1m bar
// when its minute has passed; an intraday bucket when its interval has passed, except the bucket
// holding 15:19, which also waits for the 15:30 auction bar and completes at 15:31; a daily bar at
// 15:31 of its day (the session close plus the auction minute), not at the next midnight. So a
// live strategy sees the day's last bar at the 15:31 scheduler tick, as its backtest does.
//
// Not thread-safe (BarAggregator holds state); aggregate_bars is pure.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "quantd/domain/bar.h"

namespace quantd::domain {

// The moment the bar stamped `bar_ts` (its open time; for 1d Seoul midnight) of `interval` is
// complete, as UTC ms: 1m → bar_ts + 1 min; 5m..60m → bar_ts + interval, but 15:31 Seoul of that
// day for the bucket holding 15:19 (5m 15:15, 15m 15:15, 30m 15:00, 60m 15:00); 1d → 15:31 Seoul
// of that day. Assumes the default AggregateOptions (session filter and auction folding on), which
// is what produced the bar. `bar_ts` must be a bucket start of `interval` (as aggregate_bars
// stamps). The one rule for backtests (DataContext::now) and live sessions (when a bar may be
// used). Pure; thread-safe.
TimestampMs bar_complete_at(TimestampMs bar_ts, Interval interval);

struct AggregateOptions {
  bool regular_session_only = true;  // drop input bars outside 09:00–15:30 Seoul
  bool fold_closing_auction = true;  // 15:20–15:30 bars join the bucket holding 15:19
};

// Incremental aggregation of 1-minute bars (in time order) into `target` bars.
class BarAggregator {
 public:
  explicit BarAggregator(Interval target, AggregateOptions options = {});

  // Feeds one input bar (strictly increasing timestamps; a bar with ts <= the previous one is
  // ignored). Returns the completed bar of the previous bucket when `bar` starts a new one.
  std::optional<Bar> add(const Bar& bar);

  // Returns and clears the bucket in progress if it is complete at `now` (live use: the
  // scheduler's minute tick): now >= bar_complete_at(bucket, target) with the default options.
  // Without auction folding an intraday bucket ends after its interval; without the session
  // filter a daily bucket ends at the next Seoul midnight (after-hours bars may still arrive).
  std::optional<Bar> complete_until(TimestampMs now);

  // Returns and clears the bucket in progress, complete or not (end of historical data).
  std::optional<Bar> flush();

  // Start of the bucket `ts` belongs to (after session folding).
  TimestampMs bucket_start(TimestampMs ts) const;

 private:
  Interval target_;
  AggregateOptions options_;
  std::optional<Bar> current_;
  TimestampMs last_input_ts_ = 0;
  bool have_input_ = false;
};

// Aggregates time-ordered 1-minute bars into `target` bars; the last, possibly partial, bucket is
// included (historical data ends there). target == k1m applies only the session filter.
std::vector<Bar> aggregate_bars(std::span<const Bar> one_minute, Interval target,
                                AggregateOptions options = {});

}  // namespace quantd::domain
