// The vocabulary of live trading: session, order and trading states, the order policy and the
// risk limits a session runs with (LIVE.md §4, §9). Value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "quantd/core/status.h"
#include "quantd/execution/costs.h"
#include "quantd/live/broker.h"

namespace quantd::live {

// live_sessions.state (LIVE.md §4.4).
enum class SessionState : std::uint8_t {
  kWarming,   // activated; history is being fed; nothing trades yet
  kActive,    // evaluates every bar and trades
  kReducing,  // evaluates; only sales that reduce a position are sent
  kHalted,    // evaluates in shadow (targets recorded, nothing sent); the operator resumes it
  kStopping,  // deactivated with "flatten": selling out, then stopped
  kStopped,   // deactivated (terminal)
  kFailed,    // could not start: the reason says why (terminal)
};
std::string_view to_string(SessionState state);
std::optional<SessionState> parse_session_state(std::string_view text);
inline bool is_terminal(SessionState s) {
  return s == SessionState::kStopped || s == SessionState::kFailed;
}

// broker_accounts.trading_state; also a session's trading permission (LIVE.md §4.5, §9).
enum class TradingState : std::uint8_t { kActive, kReducing, kHalted };
std::string_view to_string(TradingState state);
std::optional<TradingState> parse_trading_state(std::string_view text);

// orders.state (LIVE.md §4.1).
enum class OrderState : std::uint8_t {
  kDenied,         // refused by quantd's risk checks; never sent (terminal)
  kPendingSubmit,  // journaled; being sent (after a restart: the bytes may have left)
  kUnknown,        // sent, outcome unknown: the symbol is frozen until resolved
  kAccepted,       // the broker has it
  kPartiallyFilled,
  kFilled,  // terminal
  kCancelPending,
  kCancelled,       // terminal (the remainder)
  kExpired,         // terminal: the day ended with a remainder
  kRejected,        // the broker refused it (terminal)
  kNotPlaced,       // proven never placed (terminal; the target is planned again)
  kNeedsAttention,  // ambiguous: the operator binds it or marks it not placed
};
std::string_view to_string(OrderState state);
std::optional<OrderState> parse_order_state(std::string_view text);
// Not terminal: the order may still change the account (it freezes its symbol).
bool is_open(OrderState state);

// When a session's targets execute.
enum class ActPolicy : std::uint8_t {
  // At the next bar's open, by the backtest's rules, through a broker that simulates bars (the
  // paper broker in `next_open` mode): what makes a paper session equal its backtest (LIVE.md
  // §10.1). Bars fed late are still executed at their own open: a simulation, not the market.
  kAtNextBarOpen,
  // At once when decided, at the latest price (a live broker, or paper `last_price`).
  kImmediately,
};
std::string_view to_string(ActPolicy policy);

// Risk limits of one session (LIVE.md §9). 0 means "off" where noted.
struct RiskLimits {
  std::int64_t max_order_qty = 0;       // shares per order; 0 = off
  std::int64_t max_order_notional = 0;  // KRW per order; 0 = the session's capital
  double max_position_pct = 100;        // position value after a buy, % of session equity
  int max_orders_per_min = 6;           // per session, by the daemon's clock minute
  int max_orders_per_symbol_day = 40;   // per session and symbol, by trading day
  int max_rejects_in_row = 3;           // broker rejections in a row halt the session
  double daily_loss_pct = 0;            // below the day's opening equity → reducing; 0 = off
  friend bool operator==(const RiskLimits&, const RiskLimits&) = default;
};

// How a session trades: costs (the paper broker's, so the ledger matches its book), when
// targets execute, how orders are priced, and its risk limits. Frozen at activation.
struct SessionSettings {
  execution::CostSettings costs;
  ActPolicy policy = ActPolicy::kAtNextBarOpen;
  OrderType order_type = OrderType::kMarket;  // kImmediately: kMarket or a marketable kLimit
  double collar_bps = 50;  // a marketable limit's distance from the reference price
  RiskLimits risk;
};

nlohmann::json to_json(const RiskLimits& limits);
nlohmann::json to_json(const SessionSettings& settings);
// Reads limits over `base` (absent keys keep base's values). Errors name the field:
// invalid_argument "risk.max_orders_per_min: must be an integer between 1 and 1000".
Result<RiskLimits> risk_limits_from_json(const nlohmann::json& j, const RiskLimits& base);
Result<SessionSettings> session_settings_from_json(const nlohmann::json& j);

}  // namespace quantd::live
