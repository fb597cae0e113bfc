// Protective exits (stop loss, take profit, trailing stop): their price levels and when they
// trigger, shared by the backtest and live sessions.
//
// Levels are set when a buy opens a position, from its average entry price, on the KRX tick grid
// of the entry date: the stop and the trailing stop round down, the take-profit level rounds up.
// The trailing level follows the highest close since entry (it starts at the entry price). On a
// bar, in this order: the bar opens through the stop (or trailing stop, whichever is higher) →
// sold at the open with slippage; opens through the take-profit level → sold at the open; the
// low reaches the stop → sold at the stop with slippage (when both levels are inside one bar the
// stop is assumed to have hit first, conservatively); the high reaches the take-profit level →
// sold at that level. docs/backtest.md describes the same rules for users. Pure functions over
// value types; thread-safe.
#pragma once

#include <cstdint>

#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/intent.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/order.h"
#include "quantd/execution/costs.h"

namespace quantd::execution {

// The price levels of a position's exits; 0 means off.
struct ExitLevels {
  double stop = 0;
  double take = 0;
  double trail = 0;
  double highest_close = 0;  // since entry, for the trailing stop
  bool watching = false;     // some exit is armed
  friend bool operator==(const ExitLevels&, const ExitLevels&) = default;
};

// The levels of `exits` for a position entered at `entry` on `entry_date`.
ExitLevels arm_exits(const domain::ProtectiveExits& exits, double entry, domain::Market market,
                     CivilDate entry_date);

// How a stop or take-profit order executes.
enum class ExitKind : std::uint8_t { kStop, kTake };

struct ExitHit {
  bool hit = false;
  domain::OrderReason reason = domain::OrderReason::kStopLoss;
  ExitKind kind = ExitKind::kStop;
  double level = 0;  // the stop (or trailing) level, or the take-profit level
  double price = 0;  // the fill price by the rules above
};

// Whether `bar` triggers an exit of a position with `levels`.
ExitHit check_bar(const ExitLevels& levels, const domain::Bar& bar, const CostModel& costs,
                  domain::Market market);

// After a bar's close: raises the trailing level when the close is a new high since entry.
// Returns true when the levels changed.
bool on_close(ExitLevels& levels, const domain::ProtectiveExits& exits, const domain::Bar& bar,
              domain::Market market);

}  // namespace quantd::execution
