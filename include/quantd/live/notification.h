// Notifications: which live events a person is told about, and as what type (LIVE.md §3.6).
//
// The order desk, the sessions and the live service publish live events after their journal
// commit: live.order (an order's newest transition: state, was, source, its terms and fills),
// live.fill (a fill as booked), live.session, live.account and live.reconciliation.
// NotificationRules turns each into at most one Notification. It reports only what an event
// says: a fill is announced from live.fill alone, so an order that was rejected, denied or never
// placed is never announced as placed or filled.
//
// The rules remember a little, so a person hears of each thing once: the orders announced as
// unknown or needs_attention (their resolution is announced whatever event settles them), the
// open orders already seen (placed is said once), each account's last trading state and
// reason, and each account's last reconciliation result (only a change is announced). Not
// thread-safe: the Notifier calls it under its lock.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "quantd/config/config.h"

namespace quantd::live {

struct Notification {
  config::NotificationType type = config::NotificationType::kOrderFilled;
  // A follow-up the operator caused or one that ends a problem already announced (a session
  // stopped or resumed, an account active again, a reconciliation clean again): sent silently
  // when its type is on.
  bool follow_up = false;
  std::string event;    // the live event it came from ("live.fill"); empty for the daily summary
  nlohmann::json data;  // that event's data; order_resolved adds "resolved_from" (the old state)
};

class NotificationRules {
 public:
  // An order found open at start: `state` is its orders.state. Unresolved ones (pending_submit,
  // unknown, needs_attention) have their resolution announced; the others are not announced as
  // placed again.
  void seed_open_order(std::int64_t order_id, std::string_view state);

  // The notification `event` with `data` calls for, or nullopt. Events other than live.order,
  // live.fill, live.session, live.account and live.reconciliation never notify, nor do the
  // demo's replays (data "replay": true). Malformed data (a missing field, a wrong type) is read
  // as empty, never thrown.
  std::optional<Notification> translate(std::string_view event, const nlohmann::json& data);

 private:
  std::optional<Notification> order(const nlohmann::json& data);
  std::optional<Notification> session(const nlohmann::json& data);
  std::optional<Notification> account(const nlohmann::json& data);
  std::optional<Notification> reconciliation(const nlohmann::json& data);
  void remember_open(std::int64_t order_id);

  std::map<std::int64_t, std::string> unresolved_;  // order → unknown | needs_attention
  std::set<std::int64_t> open_seen_;                // open orders already announced or seeded
  std::map<std::int64_t, std::pair<std::string, std::string>> account_state_;  // state, reason
  std::map<std::int64_t, std::string> reconciliation_;                         // last result
};

}  // namespace quantd::live
