#include "quantd/live/notify_channel.h"

#include <cstdlib>

#include "quantd/core/url.h"
#include "quantd/core/version.h"

namespace quantd::live {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// Telegram takes 4,096 characters; cut well inside it, on a UTF-8 character boundary.
constexpr std::size_t kTelegramTextBytes = 4000;

std::string clip_utf8(std::string s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "…";
}

std::string clipped_description(std::string s) { return clip_utf8(std::move(s), 200); }

// The rules of notify_channel.h's header for one answer (or the absence of one).
NotifyResult classify(const Result<http::ClientResponse>& r, bool telegram) {
  if (!r.ok()) return NotifyResult::retry(r.status().message());
  const int status = r->status;
  json body = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  std::string description;
  if (telegram && body.is_object() && body.contains("description") &&
      body["description"].is_string()) {
    description = ": " + clipped_description(body["description"].get<std::string>());
  }
  const std::string what = "HTTP " + std::to_string(status) + description;
  if (status >= 200 && status < 300) {
    const bool ok = body.is_object() && body.contains("ok") && body["ok"].is_boolean() &&
                    body["ok"].get<bool>();
    if (telegram && !ok) {
      return NotifyResult::give_up(what + " without \"ok\": true");
    }
    return NotifyResult::sent();
  }
  if (status == 429) {
    std::optional<std::chrono::milliseconds> after;
    if (telegram && body.is_object() && body.contains("parameters") &&
        body["parameters"].is_object() && body["parameters"].contains("retry_after") &&
        body["parameters"]["retry_after"].is_number()) {
      after = std::chrono::milliseconds(
          static_cast<std::int64_t>(body["parameters"]["retry_after"].get<double>() * 1000));
    } else if (auto header = r->header("Retry-After")) {
      char* end = nullptr;
      const std::string value(*header);
      const long seconds = std::strtol(value.c_str(), &end, 10);
      if (end != value.c_str() && *end == '\0' && seconds >= 0) {
        after = std::chrono::seconds(seconds);
      }
    }
    return NotifyResult::retry(what, after);
  }
  if (status >= 500) return NotifyResult::retry(what);
  return NotifyResult::give_up(
      what + (status >= 300 && status < 400 ? " (redirects are not followed)" : "; not retried"));
}

class TelegramChannel final : public NotifyChannel {
 public:
  TelegramChannel(const http::Client& client, const config::TelegramConfig& config, Url api)
      : client_(client),
        origin_(api.origin()),
        // The token is in the path: this string is never logged, only sent.
        url_([&] {
          std::string base = config.api_url;
          while (!base.empty() && base.back() == '/') base.pop_back();
          return base + "/bot" + config.bot_token + "/sendMessage";
        }()),
        chat_id_(config.chat_id) {}

  std::string_view name() const override { return "telegram"; }
  std::string destination() const override { return origin_; }
  std::chrono::milliseconds min_interval() const override { return 1s; }

  NotifyResult send(const NotifyMessage& m, std::chrono::milliseconds timeout,
                    const std::atomic<bool>& cancel) override {
    const json body{{"chat_id", chat_id_},
                    {"text", clip_utf8(m.text, kTelegramTextBytes)},
                    {"disable_notification", m.silent}};
    http::ClientRequest req;
    req.method = "POST";
    req.url = url_;
    req.headers = {{"Content-Type", "application/json"}};
    req.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    req.timeout = timeout;
    req.cancel = &cancel;
    return classify(client_.send(req), /*telegram=*/true);
  }

 private:
  const http::Client& client_;
  const std::string origin_;
  const std::string url_;
  const std::string chat_id_;
};

class WebhookChannel final : public NotifyChannel {
 public:
  WebhookChannel(const http::Client& client, const config::WebhookConfig& config, Url url)
      : client_(client), origin_(url.origin()), config_(config) {}

  std::string_view name() const override { return "webhook"; }
  std::string destination() const override { return origin_; }
  std::chrono::milliseconds min_interval() const override { return 0ms; }

  NotifyResult send(const NotifyMessage& m, std::chrono::milliseconds timeout,
                    const std::atomic<bool>& cancel) override {
    http::ClientRequest req;
    req.method = "POST";
    req.url = config_.url;
    req.headers = {{"Content-Type", "application/json"}};
    if (!config_.secret.empty()) req.headers.emplace_back(config_.secret_header, config_.secret);
    req.body = webhook_payload(m).dump(-1, ' ', false, json::error_handler_t::replace);
    req.timeout = timeout;
    req.cancel = &cancel;
    return classify(client_.send(req), /*telegram=*/false);
  }

 private:
  const http::Client& client_;
  const std::string origin_;
  const config::WebhookConfig config_;
};

}  // namespace

json webhook_payload(const NotifyMessage& m) {
  return json{{"type", config::to_string(m.type)},
              {"level", m.silent ? "silent" : "on"},
              {"silent", m.silent},
              {"text", m.text},
              {"data", m.data},
              {"ts", format_utc_iso(m.ts)},
              {"quantd", kVersion}};
}

Result<std::unique_ptr<NotifyChannel>> make_telegram_channel(const http::Client& client,
                                                             const config::TelegramConfig& config) {
  auto api = parse_url(config.api_url);
  if (!api.ok())
    return Status::invalid_argument("notify.telegram.api_url: " + api.status().message());
  return std::unique_ptr<NotifyChannel>(std::make_unique<TelegramChannel>(client, config, *api));
}

Result<std::unique_ptr<NotifyChannel>> make_webhook_channel(const http::Client& client,
                                                            const config::WebhookConfig& config) {
  auto url = parse_url(config.url);
  if (!url.ok()) return Status::invalid_argument("notify.webhook.url: " + url.status().message());
  return std::unique_ptr<NotifyChannel>(std::make_unique<WebhookChannel>(client, config, *url));
}

}  // namespace quantd::live
