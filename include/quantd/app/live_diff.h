// Backtest vs live, per session and trading day (LIVE.md §10.3): the session's stored bars
// replayed through the backtest with its warm-up and trade_from, the backtest's orders of that
// day set against the journal's, and every divergence labelled by its cause.
//
// Computed on demand rather than stored each night: the inputs (stored bars, the pinned script,
// params and settings, the journal) do not change after the day, so the answer is the same
// whenever it is asked, and nothing has to be scheduled or migrated.
#pragma once

#include <nlohmann/json.hpp>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/live/session_store.h"
#include "quantd/storage/database.h"

namespace quantd::app {

// {"session_id", "day", "rows": [{"kind", "cause", "decided_ts", "symbol", "side", "backtest",
// "live"}], "summary": {"backtest_orders", "live_orders", "matched", "diverged"},
// "equity": {"backtest": [{ts, equity}], "live": [{ts, equity}]}} where kind is "match",
// "fill_price", "quantity", "not_filled", "missing_in_live" or "extra_in_live" and cause one of
// LIVE.md §10.3's labels (fill_price, partial_fill, rejected, risk_denied, unknown_delay,
// halted, missing_bar, pending, bar_revision). Errors: kFailedPrecondition when the session has
// not traded yet or the day is before it began; kNotFound when its bars are gone.
Result<nlohmann::json> backtest_vs_live(storage::Database& db, const live::SessionRecord& session,
                                        CivilDate day);

}  // namespace quantd::app
