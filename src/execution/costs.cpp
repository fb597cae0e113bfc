#include "quantd/execution/costs.h"

#include <cmath>

namespace quantd::execution {

namespace {

// bps → rate × 1e10 (1 bp = 1e-4 = 1,000,000e-10): exact for rates quoted to 1e-6 bp, such as
// KIS's 0.0140527% (1.40527 bp).
std::int64_t bps_to_e10(double bps) { return std::llround(bps * 1'000'000.0); }

__extension__ typedef __int128 Int128;

std::int64_t apply_rate(std::int64_t notional, std::int64_t rate_e10) {
  // Exact floor(notional × rate) for non-negative values; 128 bits avoid overflow.
  return static_cast<std::int64_t>(static_cast<Int128>(notional) * rate_e10 / 10'000'000'000);
}

}  // namespace

CostModel::CostModel(const CostSettings& settings)
    : settings_(settings),
      commission_e10_(bps_to_e10(settings.commission_bps)),
      // The sizing rate as the all-in formula writes it, bps / 10,000 in floating point, so the
      // quantity matches a hand-written loop bit for bit.
      commission_rate_(settings.commission_bps / 10'000.0) {
  if (settings.tax_bps) tax_override_e10_ = bps_to_e10(*settings.tax_bps);
}

std::int64_t CostModel::notional(std::int64_t quantity, double price) {
  return std::llround(static_cast<double>(quantity) * price);
}

std::int64_t CostModel::commission(std::int64_t notional) const {
  return apply_rate(notional, commission_e10_);
}

std::int64_t CostModel::sell_tax(std::int64_t notional, domain::Market market,
                                 CivilDate trade_date) const {
  if (tax_override_e10_) return apply_rate(notional, *tax_override_e10_);
  const std::int64_t day = days_from_civil(trade_date);
  if (day != cached_day_ || market != cached_market_) {
    cached_day_ = day;
    cached_market_ = market;
    cached_tax_e10_ = bps_to_e10(domain::sell_tax_bps(market, domain::settlement_date(trade_date)));
  }
  return apply_rate(notional, cached_tax_e10_);
}

double CostModel::slipped_price(double price, domain::Side side, domain::Market market,
                                CivilDate trade_date) const {
  if (settings_.slippage_bps == 0 && settings_.slippage_ticks == 0) return price;
  const bool buy = side == domain::Side::kBuy;
  const double sign = buy ? 1.0 : -1.0;
  double p = price * (1.0 + sign * settings_.slippage_bps / 10'000.0);
  if (settings_.slippage_ticks != 0) {
    p += sign * static_cast<double>(settings_.slippage_ticks) *
         static_cast<double>(domain::tick_size(price, market, trade_date));
  }
  if (!(p > 0)) p = static_cast<double>(domain::tick_size(price, market, trade_date));
  return domain::round_to_tick(p, market, trade_date,
                               buy ? domain::TickRounding::kUp : domain::TickRounding::kDown);
}

std::int64_t CostModel::affordable_quantity(std::int64_t cash, double price) const {
  if (cash <= 0 || !(price > 0)) return 0;
  std::int64_t q = static_cast<std::int64_t>(
      std::floor(static_cast<double>(cash) / (price * (1.0 + commission_rate_))));
  while (q > 0) {
    const std::int64_t n = notional(q, price);
    if (n + commission(n) <= cash) break;
    --q;
  }
  return q;
}

}  // namespace quantd::execution
