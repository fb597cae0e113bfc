#include "quantd/live/notification.h"

#include "notify_json_internal.h"
#include "quantd/live/broker.h"

namespace quantd::live {
namespace {

using config::NotificationType;
using nlohmann::json;
using notify_json::integer;
using notify_json::text;

// Open orders remembered at most; the oldest ids go first (an order whose end was never
// published must not grow the set for ever).
constexpr std::size_t kMaxRemembered = 4096;

Notification make(NotificationType type, std::string_view event, const json& data,
                  bool follow_up = false) {
  return Notification{type, follow_up, std::string(event), data};
}

bool is_unresolved_state(std::string_view s) {
  return s == "pending_submit" || s == "unknown" || s == "needs_attention";
}

bool is_resting_state(std::string_view s) {
  return s == "accepted" || s == "partially_filled" || s == "cancel_pending";
}

}  // namespace

void NotificationRules::remember_open(std::int64_t order_id) {
  open_seen_.insert(order_id);
  while (open_seen_.size() > kMaxRemembered) open_seen_.erase(open_seen_.begin());
}

void NotificationRules::seed_open_order(std::int64_t order_id, std::string_view state) {
  if (is_unresolved_state(state)) {
    // A restart turns an order that was being sent into unknown (the bytes may have left).
    unresolved_[order_id] = state == "pending_submit" ? "unknown" : std::string(state);
  } else {
    remember_open(order_id);
  }
}

std::optional<Notification> NotificationRules::translate(std::string_view event, const json& data) {
  // The demo's replays (ReplayDemo tags their events) trade a simulated account on their own
  // clock: months in a minute that nobody should be woken for.
  if (data.is_object() && data.contains("replay") && data["replay"] == true) return std::nullopt;
  if (event == "live.fill") return make(NotificationType::kOrderFilled, event, data);
  if (event == "live.order") return order(data);
  if (event == "live.session") return session(data);
  if (event == "live.account") return account(data);
  if (event == "live.reconciliation") return reconciliation(data);
  return std::nullopt;
}

std::optional<Notification> NotificationRules::order(const json& data) {
  const std::int64_t id = integer(data, "id");
  const std::string state = text(data, "state");
  const std::string was = text(data, "was");
  if (state == "unknown" || state == "needs_attention") {
    auto [it, fresh] = unresolved_.try_emplace(id, state);
    if (!fresh && it->second == state) return std::nullopt;  // said already
    it->second = state;
    return make(
        state == "unknown" ? NotificationType::kOrderUnknown : NotificationType::kNeedsAttention,
        "live.order", data);
  }
  if (state == "pending_submit") return std::nullopt;  // being sent (again): nothing settled
  // Settled after it was unknown: whatever the new state (bound, filled, never placed).
  auto it = unresolved_.find(id);
  if (it != unresolved_.end() || was == "unknown" || was == "needs_attention") {
    json out = data;
    out["resolved_from"] = it != unresolved_.end() ? it->second : was;
    if (it != unresolved_.end()) unresolved_.erase(it);
    if (is_resting_state(state)) remember_open(id);
    return make(NotificationType::kOrderResolved, "live.order", out);
  }
  if (state == "rejected") {
    open_seen_.erase(id);
    return make(NotificationType::kOrderRejected, "live.order", data);
  }
  if (state == "denied") return make(NotificationType::kRiskDenied, "live.order", data);
  if (is_resting_state(state)) {
    // Placed: the broker took it and it rests (an order filled as it was taken is announced by
    // its fill alone, so a phone does not ring twice, out of order, for one trade).
    if (open_seen_.count(id) > 0) return std::nullopt;
    remember_open(id);
    return make(NotificationType::kOrderPlaced, "live.order", data);
  }
  open_seen_.erase(id);  // filled, cancelled, expired, not_placed: its end (fills say the rest)
  return std::nullopt;
}

std::optional<Notification> NotificationRules::session(const json& data) {
  const std::string state = text(data, "state");
  const std::string was = text(data, "was");
  if (state == was) return std::nullopt;
  if (state == "failed") {
    return make(
        was == "warming" ? NotificationType::kWarmupFailed : NotificationType::kSessionState,
        "live.session", data);
  }
  if (state == "halted" || state == "reducing") {
    return make(NotificationType::kSessionState, "live.session", data);
  }
  // The operator's own actions: a stop, and a resume out of a halt.
  if (state == "stopped" || (state == "active" && (was == "halted" || was == "reducing"))) {
    return make(NotificationType::kSessionState, "live.session", data, /*follow_up=*/true);
  }
  return std::nullopt;  // warming, active after warming, stopping
}

std::optional<Notification> NotificationRules::account(const json& data) {
  const std::int64_t id = integer(data, "id");
  std::pair<std::string, std::string> now{text(data, "trading_state"), text(data, "reason")};
  auto it = account_state_.find(id);
  // The same halt for the same reason again (a journal that stays unreadable) is not news.
  if (it != account_state_.end() && it->second == now) return std::nullopt;
  const bool broker_halt_over = it != account_state_.end() && it->second.first == "halted" &&
                                is_broker_block(it->second.second) && now.first == "active";
  account_state_[id] = now;
  // A halt the broker caused (a dead token) and its end are the token's news, not a kill switch.
  if ((now.first == "halted" && is_broker_block(now.second)) || broker_halt_over) {
    json d = data;
    if (broker_halt_over) d["was_reason"] = it->second.second;
    return make(NotificationType::kTokenProblem, "live.account", d,
                /*follow_up=*/broker_halt_over);
  }
  return make(NotificationType::kKillSwitch, "live.account", data,
              /*follow_up=*/now.first == "active");
}

std::optional<Notification> NotificationRules::reconciliation(const json& data) {
  const std::int64_t id = integer(data, "account_id");
  const std::string result = text(data, "result");
  auto [it, fresh] = reconciliation_.try_emplace(id, "ok");
  if (it->second == result) return std::nullopt;  // only a change is news
  it->second = result;
  return make(NotificationType::kReconcileMismatch, "live.reconciliation", data,
              /*follow_up=*/result == "ok");
}

}  // namespace quantd::live
