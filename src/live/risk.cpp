#include "quantd/live/risk.h"

#include <cmath>

namespace quantd::live {
namespace {

RiskDecision defer(std::string check, std::string detail) {
  return {RiskVerdict::kDefer, std::move(check), std::move(detail)};
}

RiskDecision deny(std::string check, std::string detail) {
  return {RiskVerdict::kDeny, std::move(check), std::move(detail)};
}

}  // namespace

std::string format_krw(double amount) {
  const long long v = std::llround(amount);
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

RiskDecision check_order(const PlannedOrder& order, const RiskContext& c) {
  const OrderRequest& r = order.request;
  const bool buy = r.side == domain::Side::kBuy;
  // 1. Trading state: halted pauses everything (the target waits); reducing lets sales through.
  if (c.account_state == TradingState::kHalted) {
    return defer("ACCOUNT_HALTED", "the account is halted (kill switch or a problem to resolve)");
  }
  if (c.session_state == SessionState::kHalted) {
    return defer("SESSION_HALTED", "the session is halted; it evaluates in shadow until resumed");
  }
  if (buy &&
      (c.account_state == TradingState::kReducing || c.session_state == SessionState::kReducing ||
       c.session_state == SessionState::kStopping)) {
    return deny("REDUCING_ONLY", "only sales that reduce a position are allowed now");
  }
  // 2. Market phase, for orders sent to the market as it is now.
  if (r.bar_ts == 0 && !c.market_open) {
    return defer("MARKET_CLOSED", "the KRX regular session is closed; sent at the next open");
  }
  if (c.duplicate) {
    return deny("DUPLICATE", "the same order was already journaled for this minute");
  }
  // 5. Quantity and notional.
  const double price = order.ref_price > 0 ? order.ref_price : r.limit_price;
  const RiskLimits& l = c.limits;
  if (l.max_order_qty > 0 && r.quantity > l.max_order_qty) {
    return deny("QTY_EXCEEDS_MAX", std::to_string(r.quantity) + " shares > max_order_qty " +
                                       std::to_string(l.max_order_qty));
  }
  const double notional = price * static_cast<double>(r.quantity);
  if (l.max_order_notional > 0 && notional > static_cast<double>(l.max_order_notional)) {
    return deny("NOTIONAL_EXCEEDS_MAX", "order notional " + format_krw(notional) +
                                            " KRW > max_order_notional " +
                                            format_krw(static_cast<double>(l.max_order_notional)));
  }
  if (buy && c.session_equity > 0) {
    const double after = price * static_cast<double>(c.position + r.quantity);
    if (after > c.session_equity * l.max_position_pct / 100.0 + 1e-6) {
      return deny("POSITION_EXCEEDS_MAX",
                  "position after the buy " + format_krw(after) + " KRW > " +
                      format_krw(c.session_equity * l.max_position_pct / 100.0) + " KRW (" +
                      std::to_string(l.max_position_pct) + "% of the session's equity)");
    }
  }
  // 7. Rates.
  if (r.bar_ts == 0 && c.orders_last_minute >= l.max_orders_per_min) {
    return deny("RATE_PER_MINUTE", std::to_string(c.orders_last_minute) +
                                       " orders this minute (max_orders_per_min " +
                                       std::to_string(l.max_orders_per_min) + ")");
  }
  if (c.orders_symbol_today >= l.max_orders_per_symbol_day) {
    return deny("RATE_PER_SYMBOL_DAY", std::to_string(c.orders_symbol_today) + " orders of " +
                                           r.symbol.str() + " today (max_orders_per_symbol_day " +
                                           std::to_string(l.max_orders_per_symbol_day) + ")");
  }
  return {};
}

}  // namespace quantd::live
