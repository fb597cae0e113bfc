// BacktestExecutor: the simulated Executor. Intents decided at a bar's close fill at the symbol's
// next bar's open with slippage, commission and sell-side tax; protective exits are watched
// against each bar's low/high. See docs/backtest.md for the full fill and cost model.
//
// Driven by run_backtest (engine.h), which calls, per timestamp and symbol with a bar there:
// fill_pending(kSells) for all, fill_pending(kBuys) for all, then check_exits, on_close.
// Not thread-safe: one run, one thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "quantd/backtest/costs.h"
#include "quantd/backtest/metrics.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/order.h"
#include "quantd/domain/portfolio.h"
#include "quantd/strategy/executor.h"

namespace quantd::backtest {

class BacktestExecutor final : public strategy::Executor {
 public:
  enum class Phase : std::uint8_t { kSells, kBuys };

  // `markets` gives each symbol's market (tick and tax tables); its size is the symbol count.
  // `expected_bars` sizes the order and trade logs up front (address space only: untouched
  // capacity costs no memory), so recording a fill does not copy the log.
  BacktestExecutor(std::int64_t initial_cash, const CostSettings& costs,
                   std::span<const domain::Market> markets, std::size_t expected_bars = 0);

  // strategy::Executor: remembers the latest target of the symbol until its next bar's open.
  void submit(std::uint32_t symbol_index, TimestampMs decided_ts,
              const domain::Intent& intent) override;

  // True when some symbol has a target waiting for its next open. Cheap (hot path).
  bool any_pending() const { return pending_count_ > 0; }
  bool has_pending(std::uint32_t s) const { return state_[s].pending; }
  // True when the symbol's position has protective exits to watch. Cheap (hot path).
  bool watching_exits(std::uint32_t s) const { return state_[s].watching; }

  // At the open of `bar` (the symbol's next bar): executes the pending target if it is a sale
  // (Phase::kSells) or anything else (Phase::kBuys, which also clears targets needing no trade).
  void fill_pending(std::uint32_t s, const domain::Bar& bar, Phase phase);
  // Checks the symbol's protective exits against `bar` and sells the whole position when one
  // triggers: a gap through a level fills at the open; when stop and take-profit could both have
  // hit inside the bar the stop is assumed first.
  void check_exits(std::uint32_t s, const domain::Bar& bar);
  // After the bar's close: updates the trailing stop's highest close.
  void on_close(std::uint32_t s, const domain::Bar& bar);
  // Sells the symbol's whole position at `bar`'s close (BacktestConfig::close_at_end).
  void close_at(std::uint32_t s, const domain::Bar& bar, domain::OrderReason reason);

  // Records the latest close of a symbol (for equity); call for every bar.
  void mark(std::uint32_t s, double close) { last_close_[s] = close; }
  // Cash plus every position at its latest mark.
  double equity() const;
  // True when any position is open.
  bool in_market() const { return open_positions_ > 0; }

  const domain::Portfolio& portfolio() const { return portfolio_; }
  const std::vector<domain::Order>& orders() const { return orders_; }
  const std::vector<Trade>& trades() const { return trades_; }
  std::vector<domain::Order> take_orders() { return std::move(orders_); }
  std::vector<Trade> take_trades() { return std::move(trades_); }
  std::int64_t total_commission() const { return total_commission_; }
  std::int64_t total_tax() const { return total_tax_; }
  const CostModel& costs() const { return costs_; }

 private:
  struct SymbolState {
    bool pending = false;
    bool watching = false;
    domain::Intent target;
    TimestampMs decided_ts = 0;
    bool has_target_in_force = false;  // the intent last acted upon, while a position is open
    domain::Intent in_force;
    // Protective levels (0 = off), on the tick grid of the entry date.
    double stop_level = 0;
    double take_level = 0;
    double trail_level = 0;
    // Open round trip.
    Trade trade;
    double buy_value = 0;   // Σ quantity × fill price of buys
    double sell_value = 0;  // Σ quantity × fill price of sells
    std::int64_t sold = 0;
    std::int64_t buy_notional = 0;
    std::int64_t sell_notional = 0;
  };

  std::int64_t target_quantity(std::uint32_t s, const domain::Intent& intent, double price) const;
  void buy(std::uint32_t s, std::int64_t quantity, double price, TimestampMs decided_ts,
           TimestampMs fill_ts, domain::OrderReason reason, const domain::ProtectiveExits& exits);
  void sell(std::uint32_t s, std::int64_t quantity, double price, TimestampMs decided_ts,
            TimestampMs fill_ts, domain::OrderReason reason);
  void reject(std::uint32_t s, domain::Side side, std::int64_t quantity, TimestampMs decided_ts,
              TimestampMs ts);
  void arm_exits(std::uint32_t s, TimestampMs ts);

  CostModel costs_;
  std::vector<domain::Market> markets_;
  domain::Portfolio portfolio_;
  std::vector<SymbolState> state_;
  std::vector<double> last_close_;
  std::vector<domain::Order> orders_;
  std::vector<Trade> trades_;
  int pending_count_ = 0;
  int open_positions_ = 0;
  std::int64_t next_order_id_ = 1;
  std::int64_t total_commission_ = 0;
  std::int64_t total_tax_ = 0;
};

}  // namespace quantd::backtest
