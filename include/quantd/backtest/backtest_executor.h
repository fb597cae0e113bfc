// BacktestExecutor: the backtest's simulated fill venue. It carries out each trade the
// StrategyRunner decides at once, at the price the runner's plan gives by the backtest's rules
// (the next bar's open with slippage for targets, the level or the open for protective exits;
// docs/backtest.md), books it into the run's Ledger with commission and the sell-side tax of the
// settlement date, and keeps the run's order log and round trips.
//
// Not thread-safe: one run, one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "quantd/analytics/metrics.h"
#include "quantd/analytics/trade_book.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/ledger.h"
#include "quantd/domain/order.h"
#include "quantd/execution/costs.h"
#include "quantd/execution/strategy_runner.h"

namespace quantd::backtest {

class BacktestExecutor final : public execution::Venue {
 public:
  // The largest trade value (KRW) a run may book: 10^17, ten thousand times the largest cash a
  // backtest may start with and far beyond any real market, yet 90x below where the ledger's
  // int64 won would overflow. A strategy that compounds without bound on some data (every trade
  // a winner) gets there; its run is stopped with an error instead (engine.h), never a wrapped
  // number and never an abort of the daemon.
  static constexpr double kMaxTradeValue = 1e17;

  // `ledger` and `costs` are not owned and must outlive the executor. `markets` gives each
  // symbol's market. `expected_bars` sizes the order and trade logs up front (address space
  // only: untouched capacity costs no memory), so recording a fill does not copy the log.
  BacktestExecutor(domain::Ledger& ledger, const execution::CostModel& costs,
                   std::span<const domain::Market> markets, std::size_t expected_bars = 0);

  // Fills the whole ticket at ticket.price in ticket.bar_ts. Always kDone. A ticket worth more
  // than kMaxTradeValue is logged as rejected instead and remembered in overflow().
  execution::VenueResult execute(const execution::Ticket& ticket) override;
  // Logs a rejected order of ticket.quantity shares.
  void reject(const execution::Ticket& ticket) override;

  const std::vector<domain::Order>& orders() const { return orders_; }
  const std::vector<analytics::Trade>& trades() const { return book_.trades(); }
  std::vector<domain::Order> take_orders() { return std::move(orders_); }
  std::vector<analytics::Trade> take_trades() { return book_.take_trades(); }
  std::int64_t total_commission() const { return total_commission_; }
  std::int64_t total_tax() const { return total_tax_; }
  // The first ticket refused for exceeding kMaxTradeValue, if any: the run cannot go on.
  const std::optional<execution::Ticket>& overflow() const { return overflow_; }

 private:
  domain::Ledger& ledger_;
  const execution::CostModel& costs_;
  std::vector<domain::Market> markets_;
  analytics::TradeBook book_;
  std::vector<domain::Order> orders_;
  std::int64_t next_order_id_ = 1;
  std::int64_t total_commission_ = 0;
  std::int64_t total_tax_ = 0;
  std::optional<execution::Ticket> overflow_;
};

}  // namespace quantd::backtest
