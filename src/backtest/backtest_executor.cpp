#include "quantd/backtest/backtest_executor.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace quantd::backtest {

using domain::Intent;
using domain::OrderReason;
using domain::Side;
using domain::TargetKind;

namespace {

[[noreturn]] void invariant_broken(const char* what) {
  std::fprintf(stderr, "quantd backtest: broken invariant: %s\n", what);
  std::abort();
}

}  // namespace

BacktestExecutor::BacktestExecutor(std::int64_t initial_cash, const CostSettings& costs,
                                   std::span<const domain::Market> markets,
                                   std::size_t expected_bars)
    : costs_(costs),
      markets_(markets.begin(), markets.end()),
      state_(markets.size()),
      last_close_(markets.size(), 0.0) {
  portfolio_.cash = initial_cash;
  portfolio_.positions.resize(markets.size());
  // Sized and touched now rather than page-faulted in on the simulation loop: 1/16 of the bar
  // count in orders (88 bytes each) is ~5.5 MB for 1M bars. A busier run grows the logs as usual.
  orders_.resize(expected_bars / 16 + 64);
  orders_.clear();
  trades_.resize(expected_bars / 32 + 32);
  trades_.clear();
}

void BacktestExecutor::submit(std::uint32_t s, TimestampMs decided_ts, const Intent& intent) {
  SymbolState& st = state_[s];
  if (!st.pending) ++pending_count_;
  st.pending = true;
  st.target = intent;
  st.decided_ts = decided_ts;
}

double BacktestExecutor::equity() const {
  double e = static_cast<double>(portfolio_.cash);
  for (std::size_t i = 0; i < last_close_.size(); ++i) {
    const std::int64_t q = portfolio_.positions[i].quantity;
    if (q != 0) e += static_cast<double>(q) * last_close_[i];
  }
  return e;
}

std::int64_t BacktestExecutor::target_quantity(std::uint32_t s, const Intent& intent,
                                               double price) const {
  if (!(intent.value > 0) || !(price > 0)) return 0;
  const double per_share = price * (1.0 + costs_.commission_rate());
  switch (intent.kind) {
    case TargetKind::kShares:
      return static_cast<std::int64_t>(std::floor(intent.value));
    case TargetKind::kKrw:
      return static_cast<std::int64_t>(std::floor(intent.value / per_share));
    case TargetKind::kPercentOfEquity: {
      // Equity at this open: the symbol itself is valued at the fill price, the others at their
      // latest close.
      double eq = static_cast<double>(portfolio_.cash);
      for (std::size_t i = 0; i < last_close_.size(); ++i) {
        const std::int64_t q = portfolio_.positions[i].quantity;
        if (q != 0) eq += static_cast<double>(q) * (i == s ? price : last_close_[i]);
      }
      return static_cast<std::int64_t>(std::floor(eq * intent.value / per_share));
    }
  }
  return 0;
}

void BacktestExecutor::fill_pending(std::uint32_t s, const domain::Bar& bar, Phase phase) {
  SymbolState& st = state_[s];
  if (!st.pending) return;
  const domain::Position& pos = portfolio_.positions[s];
  auto done = [&] {
    st.pending = false;
    --pending_count_;
  };
  // Re-emitting the target already in force changes nothing (no drift rebalancing).
  if (pos.quantity > 0 && st.has_target_in_force && st.in_force == st.target) {
    done();
    return;
  }
  const domain::Market market = markets_[s];
  const CivilDate date = to_seoul(bar.ts).date;
  const double buy_price = costs_.slipped_price(bar.open, Side::kBuy, market, date);
  const std::int64_t target = target_quantity(s, st.target, buy_price);
  if (target < pos.quantity) {
    if (phase != Phase::kSells) return;  // cannot happen: sells run first
    const double price = costs_.slipped_price(bar.open, Side::kSell, market, date);
    const Intent target_intent = st.target;
    done();
    sell(s, pos.quantity - target, price, st.decided_ts, bar.ts, OrderReason::kSignal);
    if (portfolio_.positions[s].quantity > 0) {
      st.in_force = target_intent;
      st.has_target_in_force = true;
    }
    return;
  }
  if (phase == Phase::kSells) return;
  done();
  if (target > pos.quantity) {
    const std::int64_t wanted = target - pos.quantity;
    const std::int64_t q = std::min(wanted, costs_.affordable_quantity(portfolio_.cash, buy_price));
    if (q <= 0) {
      reject(s, Side::kBuy, wanted, st.decided_ts, bar.ts);
      return;
    }
    buy(s, q, buy_price, st.decided_ts, bar.ts, OrderReason::kSignal, st.target.exits);
  }
  if (portfolio_.positions[s].quantity > 0) {
    st.in_force = st.target;
    st.has_target_in_force = true;
  }
}

void BacktestExecutor::buy(std::uint32_t s, std::int64_t quantity, double price,
                           TimestampMs decided_ts, TimestampMs fill_ts, OrderReason reason,
                           const domain::ProtectiveExits& exits) {
  SymbolState& st = state_[s];
  domain::Position& pos = portfolio_.positions[s];
  const std::int64_t n = CostModel::notional(quantity, price);
  const std::int64_t c = costs_.commission(n);
  portfolio_.cash -= n + c;
  if (portfolio_.cash < 0) invariant_broken("cash went negative on a buy");
  total_commission_ += c;
  const bool opening = pos.quantity == 0;
  if (opening) {
    ++open_positions_;
    st.trade = Trade{};
    st.trade.symbol_index = s;
    st.trade.entry_ts = fill_ts;
    st.buy_value = st.sell_value = 0;
    st.sold = st.buy_notional = st.sell_notional = 0;
    pos.entry_ts = fill_ts;
    pos.entry_price = 0;
  }
  pos.entry_price = (pos.entry_price * static_cast<double>(pos.quantity) +
                     price * static_cast<double>(quantity)) /
                    static_cast<double>(pos.quantity + quantity);
  pos.quantity += quantity;
  st.trade.quantity += quantity;
  st.trade.commission += c;
  st.buy_value += price * static_cast<double>(quantity);
  st.buy_notional += n;
  if (opening) {
    pos.exits = exits;
    arm_exits(s, fill_ts);
  }
  domain::Order o;
  o.id = domain::OrderId(next_order_id_++);
  o.symbol_index = s;
  o.side = Side::kBuy;
  o.reason = reason;
  o.status = domain::OrderStatus::kFilled;
  o.decided_ts = decided_ts;
  o.quantity = quantity;
  o.fill = domain::Fill{fill_ts, quantity, price, n, c, 0};
  orders_.push_back(o);
}

void BacktestExecutor::sell(std::uint32_t s, std::int64_t quantity, double price,
                            TimestampMs decided_ts, TimestampMs fill_ts, OrderReason reason) {
  SymbolState& st = state_[s];
  domain::Position& pos = portfolio_.positions[s];
  if (quantity <= 0 || quantity > pos.quantity) invariant_broken("sell of more than is held");
  const std::int64_t n = CostModel::notional(quantity, price);
  const std::int64_t c = costs_.commission(n);
  const std::int64_t tax = costs_.sell_tax(n, markets_[s], to_seoul(fill_ts).date);
  portfolio_.cash += n - c - tax;
  total_commission_ += c;
  total_tax_ += tax;
  pos.quantity -= quantity;
  st.trade.commission += c;
  st.trade.tax += tax;
  st.sell_value += price * static_cast<double>(quantity);
  st.sold += quantity;
  st.sell_notional += n;

  domain::Order o;
  o.id = domain::OrderId(next_order_id_++);
  o.symbol_index = s;
  o.side = Side::kSell;
  o.reason = reason;
  o.status = domain::OrderStatus::kFilled;
  o.decided_ts = decided_ts;
  o.quantity = quantity;
  o.fill = domain::Fill{fill_ts, quantity, price, n, c, tax};
  orders_.push_back(o);

  if (pos.quantity == 0) {
    Trade t = st.trade;
    t.exit_ts = fill_ts;
    t.entry_price = st.buy_value / static_cast<double>(t.quantity);
    t.exit_price = st.sell_value / static_cast<double>(st.sold);
    t.pnl = st.sell_notional - st.buy_notional - t.commission - t.tax;
    t.exit_reason = reason;
    trades_.push_back(t);
    pos = domain::Position{};
    st.watching = false;
    st.has_target_in_force = false;
    st.stop_level = st.take_level = st.trail_level = 0;
    --open_positions_;
  }
}

void BacktestExecutor::reject(std::uint32_t s, Side side, std::int64_t quantity,
                              TimestampMs decided_ts, TimestampMs ts) {
  domain::Order o;
  o.id = domain::OrderId(next_order_id_++);
  o.symbol_index = s;
  o.side = side;
  o.reason = OrderReason::kSignal;
  o.status = domain::OrderStatus::kRejected;
  o.decided_ts = decided_ts;
  o.quantity = quantity;
  o.fill.ts = ts;
  orders_.push_back(o);
}

void BacktestExecutor::arm_exits(std::uint32_t s, TimestampMs ts) {
  SymbolState& st = state_[s];
  domain::Position& pos = portfolio_.positions[s];
  if (!pos.exits.any()) {
    st.watching = false;
    return;
  }
  const domain::Market m = markets_[s];
  const CivilDate date = to_seoul(ts).date;
  const double entry = pos.entry_price;
  st.stop_level = pos.exits.stop_loss > 0
                      ? domain::round_to_tick(entry * (1.0 - pos.exits.stop_loss), m, date,
                                              domain::TickRounding::kDown)
                      : 0;
  st.take_level = pos.exits.take_profit > 0
                      ? domain::round_to_tick(entry * (1.0 + pos.exits.take_profit), m, date,
                                              domain::TickRounding::kUp)
                      : 0;
  pos.highest_close = entry;
  st.trail_level = pos.exits.trailing_stop > 0
                       ? domain::round_to_tick(entry * (1.0 - pos.exits.trailing_stop), m, date,
                                               domain::TickRounding::kDown)
                       : 0;
  st.watching = pos.exits.any();
}

void BacktestExecutor::check_exits(std::uint32_t s, const domain::Bar& bar) {
  SymbolState& st = state_[s];
  const domain::Position& pos = portfolio_.positions[s];
  if (!st.watching || pos.quantity == 0) return;
  const bool trailing_higher = st.trail_level > st.stop_level;
  const double stop = trailing_higher ? st.trail_level : st.stop_level;
  const OrderReason stop_reason =
      trailing_higher ? OrderReason::kTrailingStop : OrderReason::kStopLoss;
  const double take = st.take_level;
  const domain::Market m = markets_[s];
  auto date = [&] { return to_seoul(bar.ts).date; };
  if (stop > 0 && bar.open <= stop) {
    sell(s, pos.quantity, costs_.slipped_price(bar.open, Side::kSell, m, date()), bar.ts, bar.ts,
         stop_reason);
  } else if (take > 0 && bar.open >= take) {
    sell(s, pos.quantity, bar.open, bar.ts, bar.ts, OrderReason::kTakeProfit);
  } else if (stop > 0 && bar.low <= stop) {
    // Both levels inside one bar: the stop is assumed to have hit first (conservative).
    sell(s, pos.quantity, costs_.slipped_price(stop, Side::kSell, m, date()), bar.ts, bar.ts,
         stop_reason);
  } else if (take > 0 && bar.high >= take) {
    sell(s, pos.quantity, take, bar.ts, bar.ts, OrderReason::kTakeProfit);
  }
}

void BacktestExecutor::on_close(std::uint32_t s, const domain::Bar& bar) {
  SymbolState& st = state_[s];
  domain::Position& pos = portfolio_.positions[s];
  if (!st.watching || pos.exits.trailing_stop <= 0 || bar.close <= pos.highest_close) return;
  pos.highest_close = bar.close;
  st.trail_level = domain::round_to_tick(bar.close * (1.0 - pos.exits.trailing_stop), markets_[s],
                                         to_seoul(bar.ts).date, domain::TickRounding::kDown);
}

void BacktestExecutor::close_at(std::uint32_t s, const domain::Bar& bar, OrderReason reason) {
  const domain::Position& pos = portfolio_.positions[s];
  if (pos.quantity == 0) return;
  const double price =
      costs_.slipped_price(bar.close, Side::kSell, markets_[s], to_seoul(bar.ts).date);
  sell(s, pos.quantity, price, bar.ts, bar.ts, reason);
}

}  // namespace quantd::backtest
