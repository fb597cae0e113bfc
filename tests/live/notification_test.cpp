// Which live events notify, and the words: rules, texts and the redactor, without threads or I/O.
#include "quantd/live/notification.h"

#include <doctest/doctest.h>

#include <map>

#include "quantd/live/notification_text.h"

namespace quantd::live {
namespace {

using config::NotificationType;
using nlohmann::json;

json order_event(std::int64_t id, const std::string& state, const json& was,
                 const std::string& side = "buy") {
  return json{{"id", id},
              {"account_id", 1},
              {"session_id", 3},
              {"symbol", "005930"},
              {"side", side},
              {"type", "market"},
              {"quantity", 10},
              {"limit_price", 0},
              {"reason", "signal"},
              {"state", state},
              {"was", was},
              {"source", "broker"},
              {"filled_qty", 0},
              {"avg_price", nullptr},
              {"reject_code", nullptr},
              {"reject_message", nullptr},
              {"detail", json::object()}};
}

json fill_event(std::int64_t order, const std::string& side, std::int64_t qty, double price) {
  return json{{"order_id", order}, {"session_id", 3}, {"symbol", "005930"}, {"side", side},
              {"quantity", qty},   {"price", price},  {"ts", 1783555260000}};
}

json session_event(const std::string& state, const json& was, const std::string& reason = "") {
  return json{{"id", 3}, {"state", state}, {"was", was}, {"reason", reason}};
}

std::optional<NotificationType> type_of(NotificationRules& rules, std::string_view event,
                                        const json& data) {
  auto n = rules.translate(event, data);
  return n ? std::optional<NotificationType>(n->type) : std::nullopt;
}

class FakeLookup final : public NotificationLookup {
 public:
  std::string session_name(std::int64_t id) override { return id == 3 ? "SMA cross" : ""; }
  std::string order_reason(std::int64_t id) override {
    auto it = reasons.find(id);
    return it == reasons.end() ? "" : it->second;
  }
  std::map<std::int64_t, std::string> reasons;
};

std::string words(const Notification& n) {
  FakeLookup lookup;
  return notification_text(n, lookup);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("rules: fills notify from live.fill; an order is placed once, while it rests") {
  NotificationRules rules;
  CHECK(type_of(rules, "live.fill", fill_event(1, "buy", 10, 71200)) ==
        NotificationType::kOrderFilled);
  CHECK_FALSE(type_of(rules, "live.cycle", json{{"minute", 1}}));
  json replayed = fill_event(1, "buy", 10, 71200);
  replayed["replay"] = true;  // the demo's: months in a minute, never announced
  CHECK_FALSE(type_of(rules, "live.fill", replayed));
  CHECK_FALSE(type_of(rules, "backtest.progress", json::object()));

  CHECK(type_of(rules, "live.order", order_event(1, "accepted", "pending_submit")) ==
        NotificationType::kOrderPlaced);
  CHECK_FALSE(type_of(rules, "live.order", order_event(1, "accepted", "pending_submit")));
  CHECK_FALSE(type_of(rules, "live.order", order_event(1, "partially_filled", "accepted")));
  CHECK_FALSE(type_of(rules, "live.order", order_event(1, "filled", "partially_filled")));
  // Filled as the broker took it (the paper broker): its fill says it all.
  CHECK_FALSE(type_of(rules, "live.order", order_event(2, "filled", "accepted")));
  CHECK_FALSE(type_of(rules, "live.order", order_event(4, "pending_submit", "pending_submit")));
}

TEST_CASE("rules: a refused order is rejected or denied, never placed") {
  NotificationRules rules;
  CHECK(type_of(rules, "live.order", order_event(5, "rejected", "pending_submit")) ==
        NotificationType::kOrderRejected);
  CHECK(type_of(rules, "live.order", order_event(6, "denied", nullptr)) ==
        NotificationType::kRiskDenied);
  // Proven not sent after a resend: nothing was ever out, nothing to say.
  CHECK_FALSE(type_of(rules, "live.order", order_event(7, "not_placed", "pending_submit")));
  // An exchange rejection after the acknowledgement: rejected, not a second "placed".
  CHECK(type_of(rules, "live.order", order_event(8, "accepted", "pending_submit")) ==
        NotificationType::kOrderPlaced);
  CHECK(type_of(rules, "live.order", order_event(8, "rejected", "accepted")) ==
        NotificationType::kOrderRejected);
}

TEST_CASE("rules: unknown and needs_attention are said once, and so is their resolution") {
  NotificationRules rules;
  CHECK(type_of(rules, "live.order", order_event(9, "unknown", "pending_submit")) ==
        NotificationType::kOrderUnknown);
  CHECK_FALSE(type_of(rules, "live.order", order_event(9, "unknown", "pending_submit")));
  // Bound and filled in one go: the event's `was` is "accepted", the rules remember.
  auto resolved = rules.translate("live.order", order_event(9, "filled", "accepted"));
  REQUIRE(resolved);
  CHECK(resolved->type == NotificationType::kOrderResolved);
  CHECK(resolved->data["resolved_from"] == "unknown");
  CHECK_FALSE(type_of(rules, "live.order", order_event(9, "filled", "accepted")));

  CHECK(type_of(rules, "live.order", order_event(10, "needs_attention", "unknown")) ==
        NotificationType::kNeedsAttention);
  resolved = rules.translate("live.order", order_event(10, "not_placed", "needs_attention"));
  REQUIRE(resolved);
  CHECK(resolved->type == NotificationType::kOrderResolved);
  CHECK(resolved->data["resolved_from"] == "needs_attention");
  // Resolved into a resting order: not announced as placed afterwards.
  CHECK(type_of(rules, "live.order", order_event(11, "unknown", "pending_submit")) ==
        NotificationType::kOrderUnknown);
  CHECK(type_of(rules, "live.order", order_event(11, "accepted", "unknown")) ==
        NotificationType::kOrderResolved);
  CHECK_FALSE(type_of(rules, "live.order", order_event(11, "partially_filled", "accepted")));
}

TEST_CASE("rules: orders open at a restart are neither placed again nor lose their resolution") {
  NotificationRules rules;
  rules.seed_open_order(20, "pending_submit");
  rules.seed_open_order(21, "accepted");
  auto r = rules.translate("live.order", order_event(20, "filled", "accepted"));
  REQUIRE(r);
  CHECK(r->type == NotificationType::kOrderResolved);
  CHECK(r->data["resolved_from"] == "unknown");
  CHECK_FALSE(type_of(rules, "live.order", order_event(21, "partially_filled", "accepted")));
}

TEST_CASE("rules: sessions, accounts and reconciliations") {
  NotificationRules rules;
  CHECK(type_of(rules, "live.session", session_event("failed", "warming", "needs 20 bars")) ==
        NotificationType::kWarmupFailed);
  CHECK(type_of(rules, "live.session", session_event("failed", "active", "x")) ==
        NotificationType::kSessionState);
  auto halted = rules.translate("live.session", session_event("halted", "active", "3 rejections"));
  REQUIRE(halted);
  CHECK(halted->type == NotificationType::kSessionState);
  CHECK_FALSE(halted->follow_up);
  CHECK_FALSE(type_of(rules, "live.session", session_event("halted", "halted")));
  auto resumed = rules.translate("live.session", session_event("active", "halted", "resumed"));
  REQUIRE(resumed);
  CHECK(resumed->follow_up);
  auto stopped = rules.translate("live.session", session_event("stopped", "active", "deactivated"));
  REQUIRE(stopped);
  CHECK(stopped->follow_up);
  CHECK_FALSE(type_of(rules, "live.session", session_event("active", "warming")));
  CHECK_FALSE(type_of(rules, "live.session", session_event("warming", nullptr)));
  CHECK_FALSE(type_of(rules, "live.session", session_event("stopping", "active")));

  const json kill{{"id", 1}, {"trading_state", "halted"}, {"reason", "kill switch: news"}};
  auto k = rules.translate("live.account", kill);
  REQUIRE(k);
  CHECK(k->type == NotificationType::kKillSwitch);
  CHECK_FALSE(k->follow_up);
  CHECK_FALSE(rules.translate("live.account", kill));  // the same halt again is not news
  auto active = rules.translate(
      "live.account", json{{"id", 1}, {"trading_state", "active"}, {"reason", "resumed"}});
  REQUIRE(active);
  CHECK(active->follow_up);

  // A halt for a dead token and its end are token news (LT-18), with a sentence that says so.
  FakeLookup lookup;
  auto dead = rules.translate(
      "live.account", json{{"id", 2}, {"trading_state", "halted"}, {"reason", "token_invalid"}});
  REQUIRE(dead);
  CHECK(dead->type == NotificationType::kTokenProblem);
  CHECK_FALSE(dead->follow_up);
  CHECK(notification_text(*dead, lookup).find("resumes by itself") != std::string::npos);
  auto back = rules.translate(
      "live.account",
      json{{"id", 2}, {"trading_state", "active"}, {"reason", ""}, {"actor", "reconciliation"}});
  REQUIRE(back);
  CHECK(back->type == NotificationType::kTokenProblem);
  CHECK(back->follow_up);
  CHECK(notification_text(*back, lookup) ==
        "Account #2 trades again: the broker issued a new access token and the reconciliation "
        "is clean.");

  auto recon = [&](const char* result) {
    return rules.translate("live.reconciliation",
                           json{{"account_id", 1}, {"kind", "periodic"}, {"result", result}});
  };
  CHECK_FALSE(recon("ok"));
  auto mismatch = recon("mismatch");
  REQUIRE(mismatch);
  CHECK(mismatch->type == NotificationType::kReconcileMismatch);
  CHECK_FALSE(recon("mismatch"));
  auto clean = recon("ok");
  REQUIRE(clean);
  CHECK(clean->follow_up);
  CHECK(recon("incomplete"));
}

TEST_CASE("rules: malformed data reads as empty and never throws") {
  NotificationRules rules;
  for (const json& bad : {json(nullptr), json::array({1, 2}), json{{"state", 5}, {"id", "x"}},
                          json{{"state", nullptr}, {"was", nullptr}}}) {
    CHECK_NOTHROW((void)rules.translate("live.order", bad));
    CHECK_NOTHROW((void)rules.translate("live.session", bad));
    CHECK_NOTHROW((void)rules.translate("live.account", bad));
    CHECK_NOTHROW((void)rules.translate("live.reconciliation", bad));
    Notification n{NotificationType::kOrderRejected, false, "live.order", bad};
    CHECK_NOTHROW((void)words(n));
  }
}

TEST_CASE("text: fills say what the journal booked, for a phone") {
  FakeLookup lookup;
  lookup.reasons[2] = "stop_loss";
  NotificationRules rules;
  auto fill = rules.translate("live.fill", fill_event(1, "buy", 10, 71200));
  REQUIRE(fill);
  CHECK(notification_text(*fill, lookup) ==
        "Bought 10 005930 at 71,200 KRW — session #3 (SMA cross)");
  fill = rules.translate("live.fill", fill_event(2, "sell", 10, 70000));
  CHECK(notification_text(*fill, lookup) ==
        "Sold 10 005930 at 70,000 KRW (stop loss) — session #3 (SMA cross)");
  json external = fill_event(3, "buy", 1, 1234.5);
  external["session_id"] = nullptr;
  fill = rules.translate("live.fill", external);
  CHECK(notification_text(*fill, lookup) ==
        "Bought 1 005930 at 1,234.5 KRW — no session (an order from outside quantd)");
  CHECK(format_price(71200) == "71,200");
  CHECK(format_price(71200.25) == "71,200.25");
  CHECK(format_price(999.999) == "1,000");
}

TEST_CASE("text: a refused order is never said to be placed or filled") {
  json rejected = order_event(5, "rejected", "pending_submit");
  rejected["reject_code"] = "APBK0952";
  rejected["reject_message"] = "주문가능금액을 초과했습니다";
  const std::string r = words({NotificationType::kOrderRejected, false, "live.order", rejected});
  CHECK(r ==
        "Order rejected by the broker: buy 10 005930 — session #3 (SMA cross): APBK0952 "
        "주문가능금액을 초과했습니다. Nothing was bought.");
  json denied = order_event(6, "denied", nullptr, "sell");
  denied["reject_code"] = "NOTIONAL_EXCEEDS_MAX";
  denied["reject_message"] = "order notional 12,000,000 KRW > max_order_notional 10,000,000 KRW";
  const std::string d = words({NotificationType::kRiskDenied, false, "live.order", denied});
  CHECK(d ==
        "Order not sent, refused by quantd's risk checks: sell 10 005930 — session #3 (SMA "
        "cross): NOTIONAL_EXCEEDS_MAX order notional 12,000,000 KRW > max_order_notional "
        "10,000,000 KRW. Nothing was sold.");
  for (const std::string& t : {r, d}) {
    CHECK_FALSE(has(t, "placed"));
    CHECK_FALSE(has(t, "Bought"));
    CHECK_FALSE(has(t, "filled"));
  }
  json partly = order_event(7, "rejected", "partially_filled");
  partly["filled_qty"] = 3;
  CHECK(has(words({NotificationType::kOrderRejected, false, "live.order", partly}),
            "3 of 10 were bought before that."));
}

TEST_CASE("text: unknown, needs_attention, resolved, placed") {
  json unknown = order_event(9, "unknown", "pending_submit");
  unknown["detail"] = {{"outcome", "unknown"}, {"message", "timeout after 10 s"}};
  CHECK(words({NotificationType::kOrderUnknown, false, "live.order", unknown}) ==
        "Order outcome unknown: order #9, buy 10 005930 — session #3 (SMA cross) (timeout after "
        "10 s). quantd will not send it again; 005930 is frozen until the broker's order book "
        "shows what happened.");
  json attention = order_event(10, "needs_attention", "unknown");
  attention["detail"] = {{"why", "2 unclaimed broker orders match"}};
  CHECK(has(words({NotificationType::kNeedsAttention, false, "live.order", attention}),
            "Needs you: order #10, buy 10 005930 — session #3 (SMA cross): 2 unclaimed broker "
            "orders match. 005930 stays frozen"));
  json resolved = order_event(9, "filled", "accepted");
  resolved["filled_qty"] = 10;
  resolved["avg_price"] = 71200.0;
  resolved["resolved_from"] = "unknown";
  CHECK(words({NotificationType::kOrderResolved, false, "live.order", resolved}) ==
        "Resolved: order #9, buy 10 005930 — session #3 (SMA cross), was unknown: filled, 10 at "
        "71,200 KRW.");
  resolved = order_event(10, "not_placed", "needs_attention");
  resolved["resolved_from"] = "needs_attention";
  CHECK(has(words({NotificationType::kOrderResolved, false, "live.order", resolved}),
            "was needs attention: it was never placed; the target is planned again."));
  json placed = order_event(1, "accepted", "pending_submit");
  placed["type"] = "limit";
  placed["limit_price"] = 71300;
  CHECK(words({NotificationType::kOrderPlaced, false, "live.order", placed}) ==
        "Order placed: buy 10 005930 limit 71,300 KRW — session #3 (SMA cross)");
}

TEST_CASE("text: sessions, the kill switch, reconciliations, the daily summary") {
  auto say = [](NotificationType t, const json& d) { return words({t, false, "", d}); };
  CHECK(say(NotificationType::kSessionState, session_event("halted", "active", "kill switch")) ==
        "Session #3 (SMA cross) halted: kill switch. It keeps evaluating; nothing is sent until "
        "you resume it.");
  CHECK(say(NotificationType::kWarmupFailed, session_event("failed", "warming", "needs 20 bars")) ==
        "Session #3 (SMA cross) could not start: needs 20 bars");
  CHECK(say(NotificationType::kSessionState, session_event("active", "halted", "resumed")) ==
        "Session #3 (SMA cross) resumed");
  CHECK(say(NotificationType::kKillSwitch,
            json{{"id", 1}, {"trading_state", "halted"}, {"reason", "kill switch: news"}}) ==
        "Account #1 halted — kill switch: news. No new orders; sessions keep evaluating. Resume "
        "from the Live page (it reconciles first).");
  CHECK(say(NotificationType::kKillSwitch,
            json{{"id", 1}, {"trading_state", "active"}, {"reason", "resumed"}}) ==
        "Account #1 is active again (resumed)");
  CHECK(has(say(NotificationType::kReconcileMismatch,
                json{{"account_id", 1}, {"kind", "periodic"}, {"result", "mismatch"}}),
            "Reconciliation mismatch on account #1 (periodic check): the sessions trading the "
            "symbol are halted; quantd never trades to repair it."));

  DailySummary s;
  s.day = {2026, 7, 9};
  s.sessions.push_back({3, "SMA cross", "active", 10'000'000, 10'052'300, 8, 9, 1, 2'100});
  s.sessions.push_back({4, "", "halted", 5'000'000, 4'990'000, 0, 0, 0, 0});
  CHECK(daily_summary_text(s) ==
        "Daily summary 2026-07-09:\n"
        "Session #3 (SMA cross): equity 10,052,300 KRW, today +52,300 KRW (+0.52%); 8 fills, 9 "
        "orders (1 denied)\n"
        "Session #4 [halted]: equity 4,990,000 KRW, today -10,000 KRW (-0.20%); 0 fills, 0 "
        "orders\n"
        "Total today: +42,300 KRW over 2 sessions.");
  const json j = to_json(s);
  CHECK(j["day"] == "2026-07-09");
  CHECK(j["pnl"] == 42'300.0);
  CHECK(j["sessions"][0]["fills"] == 8);
}

TEST_CASE("redactor: no secret survives in a text or a payload; accounts are masked") {
  const std::string token = "123456789:AAHk-bot-token_XYZ";
  const std::string secret = "whsec-0123456789";
  const std::string kis_key = "PSkisAppKey0123456789";
  const Redactor redact({token, secret, kis_key, ""}, {"12345678-01"});
  // A secret that slipped into a reason string, as a careless broker message might carry it.
  json halted = session_event("halted", "active",
                              "auth failed for key " + kis_key + " on 12345678-01 via " + token +
                                  " (" + secret + "), CANO 12345678");
  const std::string text =
      redact.apply(words({NotificationType::kSessionState, false, "live.session", halted}));
  INFO(text);
  for (const std::string& s : {token, secret, kis_key, std::string("12345678")}) {
    CHECK_FALSE(has(text, s));
  }
  CHECK(has(text, "key [redacted] on ****5678-01 via [redacted] ([redacted]), CANO ****5678"));
  json data = halted;
  data[token] = json::array({secret, json{{"k", kis_key}}});
  redact.apply(data);
  const std::string dumped = data.dump();
  for (const std::string& s : {token, secret, kis_key, std::string("12345678")}) {
    CHECK_FALSE(has(dumped, s));
  }
  CHECK(mask_account_number("12345678-01") == "****5678-01");
  CHECK(mask_account_number("123") == "***");
}

}  // namespace quantd::live
