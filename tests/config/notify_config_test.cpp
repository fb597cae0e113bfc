// [notify]: channels, event levels, URLs, secrets from the environment, and describe().
#include <doctest/doctest.h>

#include <cstdlib>

#include "quantd/config/config.h"

using namespace quantd;
using namespace quantd::config;

namespace {

// Sets an environment variable for one scope.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  const char* name_;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("notify: off by default, with the quiet levels documented") {
  const Config c = default_config();
  CHECK_FALSE(c.notify.enabled());
  CHECK(c.notify.level(NotificationType::kOrderPlaced) == NotifyLevel::kOff);
  CHECK(c.notify.level(NotificationType::kOrderFilled) == NotifyLevel::kOn);
  CHECK(c.notify.level(NotificationType::kOrderResolved) == NotifyLevel::kSilent);
  CHECK(c.notify.level(NotificationType::kRiskDenied) == NotifyLevel::kSilent);
  CHECK(c.notify.level(NotificationType::kKillSwitch) == NotifyLevel::kOn);
  CHECK(c.notify.level(NotificationType::kDailySummary) == NotifyLevel::kOn);
  CHECK(c.notify.daily_summary_minute == 15 * 60 + 40);
  CHECK(has(describe(c), "notify=off"));
  // Every type has a name, and the name parses back.
  for (std::size_t i = 0; i < kNotificationTypeCount; ++i) {
    const auto t = static_cast<NotificationType>(i);
    CHECK(parse_notification_type(to_string(t)) == t);
  }
  CHECK(to_string(NotificationType::kReconcileMismatch) == "reconcile_mismatch");
  CHECK_FALSE(parse_notification_type("order_filed"));
}

TEST_CASE("notify: channels, levels and timing are read") {
  auto c = parse_config(R"(
[notify]
queue_capacity = 10
max_attempts = 3
timeout_seconds = 4
daily_summary_at = "16:05"
[notify.telegram]
enabled = true
bot_token = "123456:file-token"
chat_id = "-1001"
api_url = "http://127.0.0.1:9000"
[notify.webhook]
enabled = true
url = "https://hooks.example.com/services/T0/B0/XYZ"
secret = "file-secret"
[notify.events]
order_placed = "silent"
order_filled = "off"
daily_summary = "on"
)",
                        "n.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  const NotifyConfig& n = c->notify;
  CHECK(n.enabled());
  CHECK(n.queue_capacity == 10);
  CHECK(n.max_attempts == 3);
  CHECK(n.timeout_seconds == 4);
  CHECK(n.daily_summary_minute == 16 * 60 + 5);
  CHECK(n.telegram.bot_token == "123456:file-token");
  CHECK(n.telegram.chat_id == "-1001");
  CHECK(n.telegram.api_url == "http://127.0.0.1:9000");
  CHECK(n.webhook.secret_header == "X-Quantd-Secret");
  CHECK(n.level(NotificationType::kOrderPlaced) == NotifyLevel::kSilent);
  CHECK(n.level(NotificationType::kOrderFilled) == NotifyLevel::kOff);
  CHECK(n.level(NotificationType::kOrderRejected) == NotifyLevel::kOn);  // untouched default
  CHECK(validate(*c).ok());
  // Secrets, the chat and the webhook's path are never printed.
  const std::string d = describe(*c);
  CHECK(has(d, "notify=telegram(token=set),webhook(secret=set)"));
  for (const char* secret : {"file-token", "file-secret", "-1001", "XYZ", "services"}) {
    CHECK_FALSE(has(d, secret));
  }
}

TEST_CASE("notify: an unknown event type, a bad level, a bad time and unknown keys are named") {
  auto c = parse_config(R"(
[notify]
daily_summary_at = "14:00"
colour = "red"
[notify.telegram]
enable = true
[notify.events]
order_filed = "on"
order_rejected = "loud"
)",
                        "bad.toml");
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  INFO(m);
  CHECK(has(m,
            "bad.toml: key 'notify.events.order_filed': unknown key (did you mean "
            "'order_filled'?)"));
  CHECK(has(m,
            "key 'notify.events.order_rejected': must be \"on\", \"silent\" or \"off\", got "
            "\"loud\""));
  CHECK(has(m, "key 'notify.daily_summary_at': must be a KST time \"HH:MM\" from 15:31"));
  CHECK(has(m, "key 'notify.colour': unknown key"));
  CHECK(has(m, "key 'notify.telegram.enable': unknown key (did you mean 'enabled'?)"));

  auto typed = parse_config("[notify]\ntelegram = 3\n", "t.toml");
  REQUIRE_FALSE(typed.ok());
  CHECK(has(typed.status().message(), "key 'notify.telegram': expected a table [notify.telegram]"));
  CHECK_FALSE(parse_config("[notify.events]\nkill_switch = true\n", "b.toml").ok());
}

TEST_CASE("notify: an enabled channel needs its settings, and URLs are https or loopback http") {
  auto check = [](const char* toml, const char* expected) {
    auto c = parse_config(toml, "v.toml");
    INFO(toml);
    REQUIRE(c.ok());
    const Status st = validate(*c);
    INFO(st.message());
    REQUIRE_FALSE(st.ok());
    CHECK(has(st.message(), expected));
    CHECK_FALSE(has(st.message(), "s3cret"));
  };
  check("[notify.telegram]\nenabled = true\nchat_id = \"1\"\n",
        "notify.telegram.enabled requires notify.telegram.bot_token and chat_id");
  check("[notify.webhook]\nenabled = true\n", "notify.webhook.enabled requires notify.webhook.url");
  check("[notify.webhook]\nenabled = true\nurl = \"ftp://example.com/s3cret\"\n",
        "notify.webhook.url: URL must start with http:// or https://");
  check("[notify.webhook]\nenabled = true\nurl = \"example.com/s3cret\"\n",
        "notify.webhook.url: URL must be absolute");
  check("[notify.webhook]\nenabled = true\nurl = \"http://example.com/s3cret\"\n",
        "notify.webhook.url: http:// is allowed only to loopback (http://example.com:80)");
  check(
      "[notify.telegram]\nenabled = true\nbot_token = \"t\"\nchat_id = \"1\"\napi_url = "
      "\"http://10.0.0.1/s3cret\"\n",
      "notify.telegram.api_url: http:// is allowed only to loopback");
  check(
      "[notify.webhook]\nenabled = true\nurl = \"https://example.com/\"\nsecret = \"s3cret\"\n"
      "secret_header = \"\"\n",
      "notify.webhook.secret needs notify.webhook.secret_header");
  // Not enabled: nothing is checked (a half-written section does not stop the daemon).
  auto off = parse_config("[notify.webhook]\nurl = \"ftp://x\"\n", "off.toml");
  REQUIRE(off.ok());
  CHECK(validate(*off).ok());
}

TEST_CASE("notify: secrets from the environment override the file") {
  ScopedEnv token("QUANTD_TELEGRAM_BOT_TOKEN", "999:env-token");
  ScopedEnv chat("QUANTD_TELEGRAM_CHAT_ID", "42");
  ScopedEnv url("QUANTD_WEBHOOK_URL", "http://127.0.0.1:7/env-hook");
  ScopedEnv secret("QUANTD_WEBHOOK_SECRET", "env-secret");
  auto c = parse_config(R"(
[notify.telegram]
enabled = true
bot_token = "file-token"
[notify.webhook]
enabled = true
secret = "file-secret"
)",
                        "env.toml");
  REQUIRE(c.ok());
  CHECK(c->notify.telegram.bot_token == "999:env-token");
  CHECK(c->notify.telegram.chat_id == "42");
  CHECK(c->notify.webhook.url == "http://127.0.0.1:7/env-hook");
  CHECK(c->notify.webhook.secret == "env-secret");
  CHECK(validate(*c).ok());
  CHECK(default_config().notify.telegram.bot_token == "999:env-token");  // no file at all
  const std::string d = describe(*c);
  for (const char* s : {"env-token", "env-secret", "env-hook", "file-"}) CHECK_FALSE(has(d, s));
}
