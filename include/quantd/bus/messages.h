// The messages carried on the bus. Small value types holding ids, never pointers or handles.
// Commands are imperative; the row in SQLite is the record, a message only says "look at row N".
#pragma once

#include <cstdint>

#include "quantd/core/time.h"

namespace quantd::bus {

// Run backtest row `backtest_id` (status queued in the backtests table), or, when sweep_id is
// set, take part in sweep `sweep_id` (a sweeps row): the first taker coordinates it, `helper`
// messages ask an idle worker to share its runs.
struct RunBacktest {
  std::int64_t backtest_id = 0;
  std::int64_t sweep_id = 0;
  bool helper = false;
};

// Evaluate active strategy `strategy_id` for the session minute starting at `minute` (UTC ms).
struct EvaluateStrategy {
  std::int64_t strategy_id = 0;
  TimestampMs minute = 0;
};

// Evaluate live session `session_id` (a live_sessions row) for the session minute starting at
// `minute` (UTC ms): the scheduler's tick. Late ticks of one session coalesce (the latest wins).
struct EvaluateSession {
  std::int64_t session_id = 0;
  TimestampMs minute = 0;
};

// Activate or deactivate live trading of a strategy.
struct StrategyCommand {
  enum class Kind : std::uint8_t { kActivate, kDeactivate };
  std::int64_t strategy_id = 0;
  Kind kind = Kind::kActivate;
};

}  // namespace quantd::bus
