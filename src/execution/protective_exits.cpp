#include "quantd/execution/protective_exits.h"

namespace quantd::execution {

using domain::OrderReason;
using domain::TickRounding;

ExitLevels arm_exits(const domain::ProtectiveExits& exits, double entry, domain::Market m,
                     CivilDate date) {
  ExitLevels l;
  if (!exits.any()) return l;
  l.stop = exits.stop_loss > 0 ? domain::round_to_tick(entry * (1.0 - exits.stop_loss), m, date,
                                                       TickRounding::kDown)
                               : 0;
  l.take = exits.take_profit > 0 ? domain::round_to_tick(entry * (1.0 + exits.take_profit), m, date,
                                                         TickRounding::kUp)
                                 : 0;
  l.highest_close = entry;
  l.trail = exits.trailing_stop > 0 ? domain::round_to_tick(entry * (1.0 - exits.trailing_stop), m,
                                                            date, TickRounding::kDown)
                                    : 0;
  l.watching = true;
  return l;
}

ExitHit check_bar(const ExitLevels& l, const domain::Bar& bar, const CostModel& costs,
                  domain::Market m) {
  const bool trailing_higher = l.trail > l.stop;
  const double stop = trailing_higher ? l.trail : l.stop;
  const OrderReason stop_reason =
      trailing_higher ? OrderReason::kTrailingStop : OrderReason::kStopLoss;
  const double take = l.take;
  auto date = [&] { return to_seoul(bar.ts).date; };
  if (stop > 0 && bar.open <= stop) {
    return {true, stop_reason, ExitKind::kStop, stop,
            costs.slipped_price(bar.open, domain::Side::kSell, m, date())};
  }
  if (take > 0 && bar.open >= take) {
    return {true, OrderReason::kTakeProfit, ExitKind::kTake, take, bar.open};
  }
  if (stop > 0 && bar.low <= stop) {
    // Both levels inside one bar: the stop is assumed to have hit first (conservative).
    return {true, stop_reason, ExitKind::kStop, stop,
            costs.slipped_price(stop, domain::Side::kSell, m, date())};
  }
  if (take > 0 && bar.high >= take) {
    return {true, OrderReason::kTakeProfit, ExitKind::kTake, take, take};
  }
  return {};
}

bool on_close(ExitLevels& l, const domain::ProtectiveExits& exits, const domain::Bar& bar,
              domain::Market m) {
  if (!l.watching || exits.trailing_stop <= 0 || bar.close <= l.highest_close) return false;
  l.highest_close = bar.close;
  l.trail = domain::round_to_tick(bar.close * (1.0 - exits.trailing_stop), m, to_seoul(bar.ts).date,
                                  TickRounding::kDown);
  return true;
}

}  // namespace quantd::execution
