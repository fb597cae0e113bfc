// Notifier: live trading's notifications to Telegram and webhooks (LIVE.md §3.6), from its own
// thread, so a slow or failing channel never delays a cycle.
//
// Design and threading. on_event() runs on whichever thread published the live event (the order
// desk's, a session's, an API handler's), often under the desk's lock, so it does no I/O: it
// translates the event (NotificationRules), drops types configured off, and appends the
// notification to every channel's queue under one short lock. Each queue is bounded
// (notify.queue_capacity): when full, the oldest waiting notification is dropped, counted and
// logged. The notifier's one thread takes the next due notification of each channel in turn,
// words it once (notification_text.h, with the session's name read from SQLite on this thread),
// redacts it, and sends it:
//  - pacing: a channel sends at most once per min_interval (Telegram: 1 s per chat);
//  - retries: a retryable failure puts the notification back at the head of its queue, due
//    after 1, 2, 4, 8, ... s (capped at a minute), or after the server's retry_after (capped at
//    ten minutes); after notify.max_attempts sends it is given up, counted as failed and logged;
//  - order: a channel sends its notifications in the order they were raised; channels are
//    independent (a Telegram rate limit never holds up the webhook).
// The daily summary is raised by the same thread: on each trading day, the first time the
// daemon's clock is past notify.daily_summary_at (KST) while the notifier runs (a day whose
// time had passed when it started is not summarized again, so a restart never repeats it).
//
// Secrets: every text and every webhook payload goes through a Redactor built from the
// configured secrets (LIVE.md I10). Logs name channels and their origins, never a URL's path, a
// token or a header value.
//
// Lifecycle: start() seeds the rules with the orders open in SQLite and starts the thread;
// stop() stops taking events and drains the queues for at most the drain timeout (a send started
// during the drain gets what is left of it; one still in flight at its end is cancelled), then
// joins; what is left is counted as dropped. So stop() returns within the drain timeout plus
// about 100 ms, whatever the channels do. stop() is
// idempotent and also run by the destructor. Shutdown order in the daemon: the live pool and
// service first (no more events), then the notifier, then the database.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "quantd/config/config.h"
#include "quantd/core/clock.h"
#include "quantd/live/notification.h"
#include "quantd/live/notification_text.h"
#include "quantd/live/notify_channel.h"
#include "quantd/scheduler/krx_calendar.h"
#include "quantd/storage/database.h"

namespace quantd::live {

struct NotifierDeps {
  storage::Database& db;  // migrated; read on the notifier's thread (names, summary, seeding)
  const Clock& clock;     // the daemon's: the summary's time and each message's ts
  const scheduler::KrxCalendar& calendar;
  std::vector<std::unique_ptr<NotifyChannel>> channels;
  // Redacted from every message: tokens, keys, secrets; account numbers are masked.
  std::vector<std::string> secrets;
  std::vector<std::string> account_numbers;
};

// Timing a test may shorten; the defaults are production's.
struct NotifierTuning {
  std::chrono::milliseconds backoff_base{std::chrono::seconds(1)};  // 1, 2, 4, 8, ... s
  std::chrono::milliseconds backoff_max{std::chrono::minutes(1)};
  std::chrono::milliseconds retry_after_max{std::chrono::minutes(10)};
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(3)};
  std::chrono::milliseconds summary_poll{std::chrono::milliseconds(500)};
};

class Notifier {
 public:
  Notifier(const config::NotifyConfig& config, NotifierDeps deps, NotifierTuning tuning = {});
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Seeds the rules with the orders open in the journal, then starts the thread. Call once.
  void start();
  // See the lifecycle above. Idempotent; must not be called from on_event.
  void stop();

  // A live event (name and data as SseHub gets them). Never blocks on I/O; thread-safe. After
  // stop() it does nothing.
  void on_event(std::string_view event, const nlohmann::json& data);

  // {"channels": {"telegram": {"destination", "sent", "failed", "dropped", "retries",
  // "queued", "last_error", "last_sent_at"}, ...}}. Thread-safe.
  nlohmann::json stats() const;

 private:
  struct Item;
  struct Pending {
    std::shared_ptr<Item> item;
    int attempts = 0;
  };
  struct ChannelState {
    std::unique_ptr<NotifyChannel> channel;
    std::deque<Pending> queue;  // guarded by mu_
    std::chrono::steady_clock::time_point next_at{};
    std::int64_t sent = 0, failed = 0, dropped = 0, retries = 0;
    std::string last_error;
    TimestampMs last_sent_at = 0;
  };

  void run();
  void enqueue_locked(std::shared_ptr<Item> item);
  void raise_daily_summary();
  const NotifyMessage& message_of(Item& item);
  void finish_send(ChannelState& c, Pending p, const NotifyResult& r,
                   std::chrono::steady_clock::time_point started);

  const config::NotifyConfig config_;
  NotifierDeps deps_;
  const NotifierTuning tuning_;
  const Redactor redactor_;
  std::unique_ptr<NotificationLookup> lookup_;  // used on the notifier's thread only
  std::int64_t last_summary_day_ = 0;           // notifier's thread only

  mutable std::mutex mu_;
  std::condition_variable wake_;
  NotificationRules rules_;             // guarded by mu_
  std::vector<ChannelState> channels_;  // their queues and counters guarded by mu_
  std::size_t next_channel_ = 0;        // guarded by mu_: round robin
  bool stopping_ = false;               // guarded by mu_
  bool finished_ = false;               // guarded by mu_: run() has returned
  std::chrono::steady_clock::time_point drain_deadline_{};  // guarded by mu_
  std::atomic<bool> cancel_{false};  // cuts a send still in flight at the drain deadline
  std::thread thread_;
};

}  // namespace quantd::live
