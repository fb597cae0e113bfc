// NotifyChannel: where notifications go (LIVE.md §3.6): a Telegram chat through the Bot API, or
// a JSON webhook. One send() is one attempt; the Notifier owns pacing, retries and backoff.
//
// How an answer is classified (the same for both):
//  - 2xx: sent (Telegram also needs "ok": true);
//  - 429: try again, after the server's retry_after (Telegram's parameters.retry_after, an HTTP
//    Retry-After in seconds) when it gives one;
//  - 5xx, or no answer at all (a refused connection, a timeout, a reset): try again. A timeout
//    after the request was written means a rare notification may arrive twice; it is never
//    dropped without being counted;
//  - any other status (a 4xx: a wrong token, a chat that does not exist, a rejected payload; a
//    redirect, which is not followed): give up, it would fail again.
// Error texts name the status and the server's description, never the URL's path (the bot
// token) or a header value (the webhook secret). Called from the notifier's thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "quantd/config/config.h"
#include "quantd/core/time.h"
#include "quantd/http/client.h"

namespace quantd::live {

// One notification as a channel sends it (already redacted).
struct NotifyMessage {
  config::NotificationType type = config::NotificationType::kOrderFilled;
  bool silent = false;  // Telegram's disable_notification; the webhook's "silent"
  std::string text;
  nlohmann::json data;  // the event's data (webhook only)
  TimestampMs ts = 0;   // when it was raised, on the daemon's clock
};

struct NotifyResult {
  enum class Kind { kSent, kRetry, kGiveUp };
  Kind kind = Kind::kSent;
  std::string error;                                     // why it was not sent; safe to log
  std::optional<std::chrono::milliseconds> retry_after;  // the server said when to come back

  static NotifyResult sent() { return {}; }
  static NotifyResult retry(std::string why,
                            std::optional<std::chrono::milliseconds> after = std::nullopt) {
    return {Kind::kRetry, std::move(why), after};
  }
  static NotifyResult give_up(std::string why) { return {Kind::kGiveUp, std::move(why), {}}; }
};

class NotifyChannel {
 public:
  virtual ~NotifyChannel() = default;
  virtual std::string_view name() const = 0;  // "telegram", "webhook"
  // Where it sends, safe to log: the URL's origin only ("https://api.telegram.org:443").
  virtual std::string destination() const = 0;
  // The shortest time between two sends (Telegram: one message a second per chat).
  virtual std::chrono::milliseconds min_interval() const = 0;
  // One attempt, blocking for at most `timeout`, or until `cancel` turns true (a shutdown whose
  // drain time ran out).
  virtual NotifyResult send(const NotifyMessage& message, std::chrono::milliseconds timeout,
                            const std::atomic<bool>& cancel) = 0;
};

// POST {api_url}/bot{token}/sendMessage {chat_id, text, disable_notification}. `client` must
// outlive the channel. Errors: invalid_argument when api_url is not an http(s) URL.
Result<std::unique_ptr<NotifyChannel>> make_telegram_channel(const http::Client& client,
                                                             const config::TelegramConfig& config);

// POST url {type, level, silent, text, data, ts, quantd}, with the secret in secret_header when
// set. `client` must outlive the channel. Errors: invalid_argument for a URL that is not http(s).
Result<std::unique_ptr<NotifyChannel>> make_webhook_channel(const http::Client& client,
                                                            const config::WebhookConfig& config);

// The webhook's JSON body for `message`.
nlohmann::json webhook_payload(const NotifyMessage& message);

}  // namespace quantd::live
