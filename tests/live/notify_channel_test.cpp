// The Telegram and webhook channels against a real HTTP server on 127.0.0.1 (quantd's own
// server, with routes that answer what each case scripts): the requests they make and how each
// answer is classified.
#include "quantd/live/notify_channel.h"

#include <doctest/doctest.h>

#include <deque>
#include <mutex>

#include "quantd/http/router.h"
#include "quantd/http/server.h"

namespace quantd::live {
namespace {

using namespace std::chrono_literals;
using config::NotificationType;
using nlohmann::json;

struct Seen {
  std::string path;
  std::string body;
  std::string secret;  // the X-Quantd-Secret header
};

// Answers each POST with the next scripted response (200 {"ok":true} when none is left).
class FakeApi {
 public:
  FakeApi() {
    auto handle = [this](const http::Request& r) {
      std::lock_guard lock(mu_);
      seen_.push_back({r.path, r.body, std::string(r.header("X-Quantd-Secret").value_or(""))});
      if (script_.empty()) return http::json(200, json{{"ok", true}, {"result", json::object()}});
      http::Response out = script_.front();
      script_.pop_front();
      return out;
    };
    router_.add("POST", "/{bot}/sendMessage", handle);
    router_.add("POST", "/hook", handle);
    http::ServerConfig sc;
    sc.port = 0;
    sc.threads = 1;
    server_ = std::make_unique<http::Server>(sc, router_, nullptr);
    REQUIRE(server_->start().ok());
  }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  void then(http::Response r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  void stop() { server_->stop(); }

 private:
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  mutable std::mutex mu_;
  std::deque<http::Response> script_;
  std::vector<Seen> seen_;
};

NotifyMessage message(bool silent) {
  NotifyMessage m;
  m.type = NotificationType::kOrderFilled;
  m.silent = silent;
  m.text = "Bought 10 005930 at 71,200 KRW — session #3 (SMA cross)";
  m.data = json{{"order_id", 7}, {"quantity", 10}, {"price", 71200}};
  m.ts = from_seoul({2026, 7, 9}, 10, 1);
  return m;
}

std::unique_ptr<http::Client> client() {
  auto c = http::Client::create({});
  REQUIRE(c.ok());
  return std::move(c).value();
}

const std::atomic<bool> kNoCancel{false};

}  // namespace

TEST_CASE("telegram: sendMessage with the token in the path only, and each answer classified") {
  FakeApi api;
  auto http_client = client();
  config::TelegramConfig tc;
  tc.enabled = true;
  tc.bot_token = "123456:SECRET-token";
  tc.chat_id = "-10042";
  tc.api_url = api.url("/");  // a trailing slash is fine
  auto made = make_telegram_channel(*http_client, tc);
  REQUIRE(made.ok());
  NotifyChannel& ch = **made;
  CHECK(ch.name() == "telegram");
  CHECK(ch.destination() == api.url());
  CHECK(ch.min_interval() == 1s);

  NotifyResult r = ch.send(message(true), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kSent);
  auto seen = api.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].path == "/bot123456:SECRET-token/sendMessage");
  const json body = json::parse(seen[0].body);
  CHECK(body["chat_id"] == "-10042");
  CHECK(body["text"] == message(true).text);
  CHECK(body["disable_notification"] == true);
  CHECK(seen[0].body.find("SECRET") == std::string::npos);

  api.then(http::json(429, json{{"ok", false},
                                {"error_code", 429},
                                {"description", "Too Many Requests: retry after 3"},
                                {"parameters", {{"retry_after", 3}}}}));
  r = ch.send(message(false), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kRetry);
  REQUIRE(r.retry_after);
  CHECK(*r.retry_after == 3s);
  CHECK(r.error == "HTTP 429: Too Many Requests: retry after 3");

  api.then(http::json(400, json{{"ok", false}, {"description", "Bad Request: chat not found"}}));
  r = ch.send(message(false), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kGiveUp);
  CHECK(r.error == "HTTP 400: Bad Request: chat not found; not retried");

  api.then(http::json(200, json{{"ok", false}}));
  CHECK(ch.send(message(false), 5s, kNoCancel).kind == NotifyResult::Kind::kGiveUp);
  api.then(http::text(502, "bad gateway"));
  r = ch.send(message(false), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kRetry);
  CHECK(r.error == "HTTP 502");
  CHECK_FALSE(r.retry_after);
  json sent = json::parse(api.seen().back().body);
  CHECK(sent["disable_notification"] == false);

  // A long text is cut inside Telegram's limit, on a character boundary.
  NotifyMessage big = message(false);
  big.text.clear();
  for (int i = 0; i < 2000; ++i) big.text += "가";  // 3 bytes each
  CHECK(ch.send(big, 5s, kNoCancel).kind == NotifyResult::Kind::kSent);
  const std::string cut = json::parse(api.seen().back().body)["text"];
  CHECK(cut.size() <= 4003);
  CHECK(cut.size() > 3900);

  api.stop();
  r = ch.send(message(false), 2s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kRetry);
  CHECK(r.error.find("cannot connect") != std::string::npos);
  CHECK(r.error.find("SECRET") == std::string::npos);
}

TEST_CASE("webhook: the payload, the secret header, Retry-After and refusals") {
  FakeApi api;
  auto http_client = client();
  config::WebhookConfig wc;
  wc.enabled = true;
  wc.url = api.url("/hook");
  wc.secret = "shared-secret";
  auto made = make_webhook_channel(*http_client, wc);
  REQUIRE(made.ok());
  NotifyChannel& ch = **made;
  CHECK(ch.destination() == api.url());
  CHECK(ch.min_interval() == 0ms);

  CHECK(ch.send(message(true), 5s, kNoCancel).kind == NotifyResult::Kind::kSent);
  auto seen = api.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].secret == "shared-secret");
  const json p = json::parse(seen[0].body);
  CHECK(p["type"] == "order_filled");
  CHECK(p["level"] == "silent");
  CHECK(p["silent"] == true);
  CHECK(p["text"] == message(true).text);
  CHECK(p["data"]["quantity"] == 10);
  CHECK(p["ts"] == "2026-07-09T01:01:00.000Z");
  CHECK(p["quantd"].is_string());
  CHECK(seen[0].body.find("shared-secret") == std::string::npos);

  http::Response limited = http::text(429, "slow down");
  limited.set_header("Retry-After", "7");
  api.then(limited);
  NotifyResult r = ch.send(message(false), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kRetry);
  REQUIRE(r.retry_after);
  CHECK(*r.retry_after == 7s);
  api.then(http::text(500, "oops"));
  CHECK(ch.send(message(false), 5s, kNoCancel).kind == NotifyResult::Kind::kRetry);
  api.then(http::text(404, "no"));
  r = ch.send(message(false), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kGiveUp);
  CHECK(r.error == "HTTP 404; not retried");
  http::Response moved = http::empty(301);
  moved.set_header("Location", "https://elsewhere.example/");
  api.then(moved);
  r = ch.send(message(false), 5s, kNoCancel);
  CHECK(r.kind == NotifyResult::Kind::kGiveUp);
  CHECK(r.error == "HTTP 301 (redirects are not followed)");

  wc.url = "ftp://example.com/x";
  CHECK_FALSE(make_webhook_channel(*http_client, wc).ok());
}

}  // namespace quantd::live
