#include "quantd/execution/target_planner.h"

#include <algorithm>
#include <cmath>

namespace quantd::execution {

using domain::TargetKind;

std::int64_t target_quantity(const domain::Intent& intent, double price, double equity,
                             const CostModel& costs) {
  if (!(intent.value > 0) || !(price > 0)) return 0;
  const double per_share = price * (1.0 + costs.commission_rate());
  switch (intent.kind) {
    case TargetKind::kShares:
      return static_cast<std::int64_t>(std::floor(intent.value));
    case TargetKind::kKrw:
      return static_cast<std::int64_t>(std::floor(intent.value / per_share));
    case TargetKind::kPercentOfEquity:
      return static_cast<std::int64_t>(std::floor(equity * intent.value / per_share));
  }
  return 0;
}

Plan plan_target(const SymbolTarget& t, const domain::Ledger& ledger, std::uint32_t s,
                 double reference, domain::Market market, CivilDate trade_date,
                 const CostModel& costs, Phase phase) {
  const std::int64_t held = ledger.position(s).quantity;
  // Re-emitting the target already in force changes nothing (no drift rebalancing).
  if (held > 0 && t.has_in_force && t.in_force == t.target) return {PlanKind::kSettled, 0, 0};
  const double buy_price = costs.slipped_price(reference, domain::Side::kBuy, market, trade_date);
  const double equity =
      t.target.kind == TargetKind::kPercentOfEquity ? ledger.equity_at(s, buy_price) : 0.0;
  const std::int64_t wanted_total = target_quantity(t.target, buy_price, equity, costs);
  if (wanted_total < held) {
    if (phase != Phase::kSells) return {PlanKind::kWait, 0, 0};
    const double price = costs.slipped_price(reference, domain::Side::kSell, market, trade_date);
    return {PlanKind::kSell, held - wanted_total, price};
  }
  if (phase == Phase::kSells) return {PlanKind::kWait, 0, 0};
  if (wanted_total == held) return {PlanKind::kSettled, 0, 0};
  const std::int64_t wanted = wanted_total - held;
  const std::int64_t q = std::min(wanted, costs.affordable_quantity(ledger.cash(), buy_price));
  if (q <= 0) return {PlanKind::kNoCash, wanted, buy_price};
  return {PlanKind::kBuy, q, buy_price};
}

}  // namespace quantd::execution
