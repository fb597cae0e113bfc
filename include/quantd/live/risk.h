// Pre-trade risk checks (LIVE.md §9): the last step before an order is journaled and sent.
//
// A check either allows an order, defers it (nothing is recorded; the target stays pending and
// acts at the next opportunity: a halted account or session, the market closed), or denies it
// (recorded as a `denied` order with the check's code and a sentence; the target is dropped,
// as a backtest drops a target it cannot fill). Cancels are never checked. Pure function over
// values gathered by the order desk; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "quantd/live/live_types.h"
#include "quantd/live/order_journal.h"

namespace quantd::live {

enum class RiskVerdict : std::uint8_t { kAllow, kDefer, kDeny };

struct RiskDecision {
  RiskVerdict verdict = RiskVerdict::kAllow;
  std::string check;   // e.g. "NOTIONAL_EXCEEDS_MAX"; empty when allowed
  std::string detail;  // a sentence: "order notional 12,000,000 KRW > max_order_notional ..."
};

// What the checks look at besides the order.
struct RiskContext {
  TradingState account_state = TradingState::kActive;
  SessionState session_state = SessionState::kActive;
  RiskLimits limits;
  double session_equity = 0;    // at the reference price
  std::int64_t position = 0;    // the session's shares of the symbol now
  bool market_open = true;      // the KRX regular session is on now (live sends only)
  int orders_last_minute = 0;   // the session's orders in the last minute
  int orders_symbol_today = 0;  // the session's orders of this symbol today
  bool duplicate = false;       // the same order was journaled for the same minute/bar
};

RiskDecision check_order(const PlannedOrder& order, const RiskContext& ctx);

// "12,345,678".
std::string format_krw(double amount);

}  // namespace quantd::live
