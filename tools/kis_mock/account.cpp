#include "account.h"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>

namespace quantd::kis_mock {

namespace {

std::int64_t settle_day(std::int64_t trade_day, int trading_days) {
  return days_from_civil(domain::settlement_date(civil_from_days(trade_day), trading_days));
}

}  // namespace

Account::Account(std::int64_t cash, const std::vector<InitialHolding>& holdings,
                 double commission_bps, const Market& market)
    : market_(market), initial_cash_(cash), commission_e9_(std::llround(commission_bps * 1e5)) {
  for (const InitialHolding& h : holdings) {
    Holding& held = holdings_[h.symbol];
    held.quantity += h.quantity;
    held.cost += h.quantity * h.avg_price;
    initial_qty_[h.symbol] += h.quantity;
  }
}

std::int64_t Account::commission(std::int64_t notional) const {
  return notional * commission_e9_ / 1'000'000'000;
}

std::int64_t Account::sell_tax(const std::string& symbol, std::int64_t notional,
                               std::int64_t day) const {
  const double bps =
      domain::sell_tax_bps(market_.market_of(symbol), civil_from_days(settle_day(day, 2)));
  const std::int64_t rate_e9 = std::llround(bps * 1e5);
  return notional * rate_e9 / 1'000'000'000;
}

void Account::apply(const Execution& e) {
  Holding& h = holdings_[e.symbol];
  Flow flow;
  flow.trade_day = e.day;
  flow.settle_day = settle_day(e.day, 2);
  if (e.side == domain::Side::kBuy) {
    h.quantity += e.quantity;
    h.cost += e.notional();
    flow.amount = -(e.notional() + e.commission);
  } else {
    if (e.quantity > h.quantity) {
      spdlog::critical("kis-mock: sale of {} {} exceeds the holding {}", e.quantity, e.symbol,
                       h.quantity);
      std::abort();
    }
    // The average price stays: the cost leaves in proportion to the shares sold.
    h.cost -= h.quantity == e.quantity ? h.cost : h.cost * e.quantity / h.quantity;
    h.quantity -= e.quantity;
    flow.amount = e.notional() - e.commission - e.tax;
  }
  flows_.push_back(flow);
  executions_.push_back(e);
}

std::int64_t Account::held(const std::string& symbol) const {
  const auto it = holdings_.find(symbol);
  return it == holdings_.end() ? 0 : it->second.quantity;
}

std::int64_t Account::held_before(const std::string& symbol, std::int64_t day) const {
  std::int64_t qty = 0;
  if (auto it = initial_qty_.find(symbol); it != initial_qty_.end()) qty = it->second;
  for (const Execution& e : executions_) {
    if (e.symbol != symbol || e.day >= day) continue;
    qty += e.side == domain::Side::kBuy ? e.quantity : -e.quantity;
  }
  return qty;
}

CashView Account::cash(std::int64_t today) const {
  const std::int64_t d1 = settle_day(today, 1), d2 = settle_day(today, 2);
  CashView v{initial_cash_, initial_cash_, initial_cash_};
  for (const Flow& f : flows_) {
    if (f.settle_day <= today) v.d0 += f.amount;
    if (f.settle_day <= d1) v.d1 += f.amount;
    if (f.settle_day <= d2) v.d2 += f.amount;
  }
  return v;
}

std::int64_t Account::cash_before(std::int64_t day) const {
  std::int64_t cash = initial_cash_;
  for (const Flow& f : flows_) {
    if (f.trade_day < day) cash += f.amount;
  }
  return cash;
}

std::int64_t Account::unsettled_sale_proceeds(std::int64_t today) const {
  std::int64_t total = 0;
  for (const Flow& f : flows_) {
    if (f.amount > 0 && f.settle_day > today) total += f.amount;
  }
  return total;
}

DayTrades Account::trades(std::int64_t day) const {
  DayTrades t;
  for (const Execution& e : executions_) {
    if (e.day != day) continue;
    (e.side == domain::Side::kBuy ? t.buy_qty : t.sell_qty) += e.quantity;
    (e.side == domain::Side::kBuy ? t.buy_amt : t.sell_amt) += e.notional();
    t.fees += e.commission + e.tax;
  }
  return t;
}

DayTrades Account::trades(const std::string& symbol, std::int64_t day) const {
  DayTrades t;
  for (const Execution& e : executions_) {
    if (e.day != day || e.symbol != symbol) continue;
    (e.side == domain::Side::kBuy ? t.buy_qty : t.sell_qty) += e.quantity;
    (e.side == domain::Side::kBuy ? t.buy_amt : t.sell_amt) += e.notional();
    t.fees += e.commission + e.tax;
  }
  return t;
}

}  // namespace quantd::kis_mock
