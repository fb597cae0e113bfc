// Target planning: the one rule that turns a target position (domain::Intent) into a trade, used
// by the backtest's simulated fills and by live sessions alike (LIVE.md D6).
//
// Design note. A symbol's target is the latest intent not acted upon yet ("pending"), plus the
// target last acted upon while a position is open ("in force"). At the symbol's next
// opportunity (the next bar's open in a backtest and in replay parity; the send time live) the
// target is compared with what is held at a reference price:
//   - re-emitting the target in force changes nothing (no drift rebalancing);
//   - a target below the position sells the difference, in the sells phase (sales of every
//     symbol of the run go before purchases, so freed cash is there for the buys);
//   - a target above it buys the difference, as far as cash pays for it including commission,
//     in the buys phase; when not even one share is affordable the buy is rejected;
//   - sizing: shares as given; KRW worth / fraction of equity at the buy price with commission
//     (equity with this symbol valued at that price, others at their latest close).
// docs/backtest.md "Intents and sizing" is the user-facing description. Pure functions; the
// per-symbol state is a value type. Thread-safe as values are.
#pragma once

#include <cstdint>

#include "quantd/core/time.h"
#include "quantd/domain/intent.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/ledger.h"
#include "quantd/execution/costs.h"

namespace quantd::execution {

// The target of one symbol of a run.
struct SymbolTarget {
  bool pending = false;        // `target` waits for the next opportunity
  domain::Intent target;       // the latest intent (valid when pending or acting)
  TimestampMs decided_ts = 0;  // open time of the bar whose close decided `target`
  bool has_in_force = false;   // `in_force` is valid (a position is open)
  domain::Intent in_force;     // the target last acted upon
};

enum class Phase : std::uint8_t { kSells, kBuys };

enum class PlanKind : std::uint8_t {
  kWait,     // nothing to do in this phase; the target stays pending
  kSettled,  // nothing to trade: the target is done
  kSell,     // sell `quantity` at `price`
  kBuy,      // buy `quantity` at `price`
  kNoCash,   // a buy of `quantity` shares is wanted but not one share is affordable: rejected
};

struct Plan {
  PlanKind kind = PlanKind::kWait;
  std::int64_t quantity = 0;
  double price = 0;  // the price the quantity was sized at (the slipped reference)
};

// Plans symbol s's pending target (precondition: target.pending) at reference price `reference`
// (the open it executes at, or the send-time price), traded on `trade_date` in `market`.
Plan plan_target(const SymbolTarget& target, const domain::Ledger& ledger, std::uint32_t s,
                 double reference, domain::Market market, CivilDate trade_date,
                 const CostModel& costs, Phase phase);

// The share count `intent` asks for at `per_share_price` (before commission): the sizing rule
// above. `equity` is the run's equity at that price. 0 for a flat or invalid intent.
std::int64_t target_quantity(const domain::Intent& intent, double per_share_price, double equity,
                             const CostModel& costs);

// After a plan of kind kSettled, kSell or kBuy was carried out and the position is
// `position_after`: the target is done and, while a position is open, in force.
inline void settle(SymbolTarget& t, std::int64_t position_after) {
  t.pending = false;
  if (position_after > 0) {
    t.in_force = t.target;
    t.has_in_force = true;
  } else {
    t.has_in_force = false;
  }
}

}  // namespace quantd::execution
