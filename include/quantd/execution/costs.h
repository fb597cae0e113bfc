// The backtest's cost model: commission, sell-side transaction tax and slippage, in integral KRW.
//
// Every fee is computed per fill on the fill's notional (round(quantity × price) won) and rounded
// down to the won, as brokers do. Rates are held as integers in units of 1e-10 (1 bp = 1e6), so
// the rounding is exact. Pure functions and value types; thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "quantd/core/time.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/order.h"

namespace quantd::execution {

struct CostSettings {
  double commission_bps = 1.5;    // per side, on the notional
  std::optional<double> tax_bps;  // sell side; unset: domain::sell_tax_bps by settlement date
  double slippage_bps = 0;        // adverse, on the reference price (the open or the stop level)
  int slippage_ticks = 0;         // adverse, whole KRX ticks at the reference price
};

class CostModel {
 public:
  explicit CostModel(const CostSettings& settings);

  // round(quantity × price) in KRW.
  static std::int64_t notional(std::int64_t quantity, double price);
  // floor(notional × commission rate).
  std::int64_t commission(std::int64_t notional) const;
  // floor(notional × tax rate) for a sale executed on `trade_date` (settling T+2) in `market`.
  // Caches the last day's rate, so a CostModel must not be shared between threads.
  std::int64_t sell_tax(std::int64_t notional, domain::Market market, CivilDate trade_date) const;
  // The price a market order of `side` gets at reference price `price`: moved against the trader
  // by the slippage settings and, when slippage is set, rounded onto the tick grid of
  // `trade_date` (buys up, sells down). Without slippage the price is returned unchanged.
  double slipped_price(double price, domain::Side side, domain::Market market,
                       CivilDate trade_date) const;
  // The largest quantity q with notional(q, price) + commission(notional) <= cash: start from
  // floor(cash / (price × (1 + commission rate))) and step down while the fee would overdraw.
  std::int64_t affordable_quantity(std::int64_t cash, double price) const;

  double commission_rate() const { return commission_rate_; }

 private:
  CostSettings settings_;
  std::int64_t commission_e10_;  // commission rate × 1e10
  std::optional<std::int64_t> tax_override_e10_;
  double commission_rate_;
  // The last sale's trade day and rate: sales cluster on few days, settlement lookups are costly.
  mutable std::int64_t cached_day_ = -1'000'000'000;
  mutable domain::Market cached_market_ = domain::Market::kKospi;
  mutable std::int64_t cached_tax_e10_ = 0;
};

}  // namespace quantd::execution
