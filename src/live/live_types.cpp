#include "quantd/live/live_types.h"

#include <array>
#include <cmath>
#include <utility>

namespace quantd::live {
namespace {

using nlohmann::json;

template <typename E, std::size_t N>
std::optional<E> parse_enum(std::string_view text, const std::array<E, N>& all) {
  for (E e : all) {
    if (to_string(e) == text) return e;
  }
  return std::nullopt;
}

constexpr std::array kSessionStates = {
    SessionState::kWarming,  SessionState::kActive,  SessionState::kReducing, SessionState::kHalted,
    SessionState::kStopping, SessionState::kStopped, SessionState::kFailed};
constexpr std::array kTradingStates = {TradingState::kActive, TradingState::kReducing,
                                       TradingState::kHalted};
constexpr std::array kOrderStates = {
    OrderState::kDenied,        OrderState::kPendingSubmit,   OrderState::kUnknown,
    OrderState::kAccepted,      OrderState::kPartiallyFilled, OrderState::kFilled,
    OrderState::kCancelPending, OrderState::kCancelled,       OrderState::kExpired,
    OrderState::kRejected,      OrderState::kNotPlaced,       OrderState::kNeedsAttention};

}  // namespace

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::kWarming:
      return "warming";
    case SessionState::kActive:
      return "active";
    case SessionState::kReducing:
      return "reducing";
    case SessionState::kHalted:
      return "halted";
    case SessionState::kStopping:
      return "stopping";
    case SessionState::kStopped:
      return "stopped";
    case SessionState::kFailed:
      return "failed";
  }
  return "?";
}

std::optional<SessionState> parse_session_state(std::string_view text) {
  return parse_enum(text, kSessionStates);
}

std::string_view to_string(TradingState s) {
  switch (s) {
    case TradingState::kActive:
      return "active";
    case TradingState::kReducing:
      return "reducing";
    case TradingState::kHalted:
      return "halted";
  }
  return "?";
}

std::optional<TradingState> parse_trading_state(std::string_view text) {
  return parse_enum(text, kTradingStates);
}

std::string_view to_string(OrderState s) {
  switch (s) {
    case OrderState::kDenied:
      return "denied";
    case OrderState::kPendingSubmit:
      return "pending_submit";
    case OrderState::kUnknown:
      return "unknown";
    case OrderState::kAccepted:
      return "accepted";
    case OrderState::kPartiallyFilled:
      return "partially_filled";
    case OrderState::kFilled:
      return "filled";
    case OrderState::kCancelPending:
      return "cancel_pending";
    case OrderState::kCancelled:
      return "cancelled";
    case OrderState::kExpired:
      return "expired";
    case OrderState::kRejected:
      return "rejected";
    case OrderState::kNotPlaced:
      return "not_placed";
    case OrderState::kNeedsAttention:
      return "needs_attention";
  }
  return "?";
}

std::optional<OrderState> parse_order_state(std::string_view text) {
  return parse_enum(text, kOrderStates);
}

bool is_open(OrderState s) {
  switch (s) {
    case OrderState::kPendingSubmit:
    case OrderState::kUnknown:
    case OrderState::kAccepted:
    case OrderState::kPartiallyFilled:
    case OrderState::kCancelPending:
    case OrderState::kNeedsAttention:
      return true;
    default:
      return false;
  }
}

std::string_view to_string(ActPolicy p) {
  return p == ActPolicy::kAtNextBarOpen ? "next_bar_open" : "immediately";
}

json to_json(const RiskLimits& r) {
  return json{{"max_order_qty", r.max_order_qty},
              {"max_order_notional", r.max_order_notional},
              {"max_position_pct", r.max_position_pct},
              {"max_orders_per_min", r.max_orders_per_min},
              {"max_orders_per_symbol_day", r.max_orders_per_symbol_day},
              {"max_rejects_in_row", r.max_rejects_in_row},
              {"daily_loss_pct", r.daily_loss_pct}};
}

json to_json(const SessionSettings& s) {
  json costs{{"commission_bps", s.costs.commission_bps},
             {"slippage_bps", s.costs.slippage_bps},
             {"slippage_ticks", s.costs.slippage_ticks}};
  costs["tax_bps"] = s.costs.tax_bps ? json(*s.costs.tax_bps) : json(nullptr);
  return json{{"costs", costs},
              {"policy", to_string(s.policy)},
              {"order_type", to_string(s.order_type)},
              {"collar_bps", s.collar_bps},
              {"risk", to_json(s.risk)}};
}

Result<RiskLimits> risk_limits_from_json(const json& j, const RiskLimits& base) {
  if (!j.is_object()) return Status::invalid_argument("risk: must be an object");
  RiskLimits r = base;
  struct IntField {
    const char* name;
    std::int64_t min, max;
    std::int64_t* out64;
    int* out32;
  };
  const IntField ints[] = {
      {"max_order_qty", 0, 1'000'000'000, &r.max_order_qty, nullptr},
      {"max_order_notional", 0, 1'000'000'000'000'000, &r.max_order_notional, nullptr},
      {"max_orders_per_min", 1, 1000, nullptr, &r.max_orders_per_min},
      {"max_orders_per_symbol_day", 1, 100'000, nullptr, &r.max_orders_per_symbol_day},
      {"max_rejects_in_row", 1, 1000, nullptr, &r.max_rejects_in_row},
  };
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const IntField& f : ints) {
      if (key != f.name) continue;
      known = true;
      if (!value.is_number_integer() || value.get<std::int64_t>() < f.min ||
          value.get<std::int64_t>() > f.max) {
        return Status::invalid_argument("risk." + key + ": must be an integer between " +
                                        std::to_string(f.min) + " and " + std::to_string(f.max));
      }
      if (f.out64) *f.out64 = value.get<std::int64_t>();
      if (f.out32) *f.out32 = static_cast<int>(value.get<std::int64_t>());
    }
    if (key == "max_position_pct" || key == "daily_loss_pct") {
      known = true;
      const double lo = key == "max_position_pct" ? 0.01 : 0;
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < lo ||
          value.get<double>() > 100) {
        return Status::invalid_argument(
            "risk." + key + ": must be a number between " +
            (key == "max_position_pct" ? std::string("0.01") : std::string("0")) +
            " and 100 (percent)");
      }
      (key == "max_position_pct" ? r.max_position_pct : r.daily_loss_pct) = value.get<double>();
    }
    if (!known) {
      return Status::invalid_argument(
          "risk." + key +
          ": unknown limit (known: max_order_qty, max_order_notional, max_position_pct, "
          "max_orders_per_min, max_orders_per_symbol_day, max_rejects_in_row, daily_loss_pct)");
    }
  }
  return r;
}

Result<SessionSettings> session_settings_from_json(const json& j) {
  try {
    SessionSettings s;
    const json& c = j.at("costs");
    s.costs.commission_bps = c.at("commission_bps").get<double>();
    s.costs.slippage_bps = c.at("slippage_bps").get<double>();
    s.costs.slippage_ticks = c.at("slippage_ticks").get<int>();
    if (c.contains("tax_bps") && !c["tax_bps"].is_null()) {
      s.costs.tax_bps = c["tax_bps"].get<double>();
    }
    const std::string policy = j.at("policy").get<std::string>();
    s.policy = policy == "immediately" ? ActPolicy::kImmediately : ActPolicy::kAtNextBarOpen;
    auto type = parse_order_type(j.at("order_type").get<std::string>());
    if (!type) return Status::invalid_argument("settings: unknown order_type");
    s.order_type = *type;
    s.collar_bps = j.at("collar_bps").get<double>();
    auto risk = risk_limits_from_json(j.at("risk"), RiskLimits{});
    if (!risk.ok()) return risk.status();
    s.risk = *risk;
    return s;
  } catch (const std::exception& e) {
    return Status::invalid_argument(std::string("session settings: ") + e.what());
  }
}

}  // namespace quantd::live
