// TradeBook: turns a run's fills into round trips (analytics::Trade), the same way for a
// backtest and a live session.
//
// A round trip runs from the buy that opens a position (flat → long) to the sale that closes it
// (long → flat); buys and sells in between add to it. Entry and exit prices are the
// quantity-weighted means of the fill prices, P&L is sell notionals − buy notionals − commission
// − tax. Not thread-safe: one run, one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "quantd/analytics/metrics.h"
#include "quantd/core/time.h"
#include "quantd/domain/order.h"

namespace quantd::analytics {

class TradeBook {
 public:
  // `symbols` symbols; `expected_trades` reserves the log up front (address space only).
  explicit TradeBook(std::size_t symbols, std::size_t expected_trades = 0);

  // A buy fill of symbol s; `opening` when it opened the position.
  void on_buy(std::uint32_t s, bool opening, const domain::Fill& fill);
  // A sell fill of symbol s; `closing` when it closed the position (the trade is then logged
  // with `reason` as its exit reason).
  void on_sell(std::uint32_t s, bool closing, const domain::Fill& fill, domain::OrderReason reason);

  const std::vector<Trade>& trades() const { return trades_; }
  std::vector<Trade> take_trades() { return std::move(trades_); }

 private:
  struct Open {
    Trade trade;
    double buy_value = 0;   // Σ quantity × fill price of buys
    double sell_value = 0;  // Σ quantity × fill price of sells
    std::int64_t sold = 0;
    std::int64_t buy_notional = 0;
    std::int64_t sell_notional = 0;
  };
  std::vector<Open> open_;
  std::vector<Trade> trades_;
};

}  // namespace quantd::analytics
