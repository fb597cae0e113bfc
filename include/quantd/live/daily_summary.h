// DailySummary: one trading day of every live session, as SQLite recorded it (equity_snapshots,
// fills, orders, live_sessions of migrations/0005_live.sql), for the notifier's daily_summary.
//
// A session is in the day's summary when it was running at the close (not stopped or failed),
// or was stopped during that day; never a session failed at its start, nor the demo's replays
// (they trade a simulated account on their own clock). Reads only; thread-safe like
// storage::Database (the calling thread's connection).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/storage/database.h"

namespace quantd::live {

struct SessionDay {
  std::int64_t session_id = 0;
  std::string name;   // the strategy's name at activation
  std::string state;  // at the time of reading
  // Equity at the previous day's last recorded bar (the capital before its first bar), and at
  // the day's last recorded bar (the opening value when no bar was recorded that day).
  double equity_open = 0;
  double equity_close = 0;
  int fills = 0;           // fills that executed during the day
  int orders = 0;          // orders created during the day, sent or not
  int denied = 0;          // of which quantd's risk checks refused
  std::int64_t costs = 0;  // commission and tax of the day's fills, KRW
  double pnl() const { return equity_close - equity_open; }
};

struct DailySummary {
  CivilDate day;
  std::vector<SessionDay> sessions;  // by session id
};

// The summary of the Seoul calendar day `day`. Errors: internal naming SQLite's message.
Result<DailySummary> read_daily_summary(storage::Database& db, CivilDate day);

// {"day": "2026-07-09", "sessions": [{"id", "name", "state", "equity_open", "equity_close",
//  "pnl", "fills", "orders", "denied", "costs"}], "pnl": total}: the webhook's data.
nlohmann::json to_json(const DailySummary& summary);

}  // namespace quantd::live
