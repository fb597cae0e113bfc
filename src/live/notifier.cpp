#include "quantd/live/notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>

#include "quantd/live/daily_summary.h"
#include "quantd/live/order_journal.h"
#include "quantd/live/session_store.h"

namespace quantd::live {

using config::NotificationType;
using config::NotifyLevel;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Notifier::Item {
  Notification n;
  bool silent = false;
  TimestampMs ts = 0;
  std::string text;  // worded already (the daily summary); else worded when sent
  std::optional<NotifyMessage> message;  // worded and redacted, on the notifier's thread
};

namespace {

// Names and reasons from SQLite, on the notifier's thread (its own connection).
class StoredLookup final : public NotificationLookup {
 public:
  explicit StoredLookup(storage::Database& db) : store_(db), journal_(db) {}

  std::string session_name(std::int64_t id) override {
    if (auto it = names_.find(id); it != names_.end()) return it->second;
    auto s = store_.get(domain::SessionId(id));
    if (!s.ok()) return "";
    return names_[id] = s->strategy_name;  // a session's name never changes
  }

  std::string order_reason(std::int64_t id) override {
    auto o = journal_.get(domain::OrderId(id));
    if (!o.ok()) return "";
    return o->external ? "external" : std::string(domain::to_string(o->reason));
  }

 private:
  SessionStore store_;
  OrderJournal journal_;
  std::map<std::int64_t, std::string> names_;
};

}  // namespace

Notifier::Notifier(const config::NotifyConfig& config, NotifierDeps deps, NotifierTuning tuning)
    : config_(config),
      deps_(std::move(deps)),
      tuning_(tuning),
      redactor_(deps_.secrets, deps_.account_numbers),
      lookup_(std::make_unique<StoredLookup>(deps_.db)) {
  for (auto& c : deps_.channels) channels_.push_back(ChannelState{std::move(c), {}, {}});
  deps_.channels.clear();
}

Notifier::~Notifier() { stop(); }

void Notifier::start() {
  {
    // Orders open in the journal: their resolution is still news, their placement is not.
    std::lock_guard lock(mu_);
    OrderJournal journal(deps_.db);
    for (OrderState state :
         {OrderState::kPendingSubmit, OrderState::kUnknown, OrderState::kNeedsAttention,
          OrderState::kAccepted, OrderState::kPartiallyFilled, OrderState::kCancelPending}) {
      auto orders = journal.orders_in_state(state, 10'000);
      if (!orders.ok()) {
        spdlog::warn("notify: cannot read open orders: {}", orders.status().message());
        continue;
      }
      for (const JournalOrder& o : *orders)
        rules_.seed_open_order(o.id.value(), to_string(o.state));
    }
  }
  // A summary whose time has passed today was due before this start: never sent twice.
  const TimestampMs now = deps_.clock.now();
  const SeoulTime t = to_seoul(now);
  last_summary_day_ =
      seoul_day(now) - (t.hour * 60 + t.minute >= config_.daily_summary_minute ? 0 : 1);
  std::string names;
  for (const ChannelState& c : channels_) {
    names += (names.empty() ? "" : ", ") + std::string(c.channel->name()) + " (" +
             c.channel->destination() + ")";
  }
  spdlog::info("notify: sending to {}", names);
  thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      drain_deadline_ = SteadyClock::now() + tuning_.drain_timeout;
    }
  }
  wake_.notify_all();
  if (!thread_.joinable()) return;
  {
    // The thread ends by itself when the queues are empty or the drain time is up; a send still
    // in flight then (started with its full timeout) is cancelled.
    std::unique_lock lock(mu_);
    wake_.wait_until(lock, drain_deadline_, [&] { return finished_; });
  }
  cancel_.store(true);
  thread_.join();
}

void Notifier::on_event(std::string_view event, const json& data) {
  if (event == "live.cycle") return;  // every minute, never news
  std::lock_guard lock(mu_);
  if (stopping_) return;
  std::optional<Notification> n = rules_.translate(event, data);
  if (!n) return;
  NotifyLevel level = config_.level(n->type);
  if (n->follow_up && level == NotifyLevel::kOn) level = NotifyLevel::kSilent;
  if (level == NotifyLevel::kOff) return;
  auto item = std::make_shared<Item>();
  item->n = std::move(*n);
  item->silent = level == NotifyLevel::kSilent;
  item->ts = deps_.clock.now();
  enqueue_locked(std::move(item));
}

void Notifier::enqueue_locked(std::shared_ptr<Item> item) {
  const std::size_t capacity = static_cast<std::size_t>(config_.queue_capacity);
  for (ChannelState& c : channels_) {
    c.queue.push_back(Pending{item, 0});
    if (c.queue.size() <= capacity) continue;
    const NotificationType gone = c.queue.front().item->n.type;
    c.queue.pop_front();
    ++c.dropped;
    // The first drop and then every hundredth: a flood must not flood the log too.
    if (c.dropped == 1 || c.dropped % 100 == 0) {
      spdlog::warn(
          "notify: {}: the queue is full ({}); dropped the oldest notification ({}), {} "
          "dropped so far",
          c.channel->name(), capacity, config::to_string(gone), c.dropped);
    }
  }
  wake_.notify_one();
}

void Notifier::raise_daily_summary() {
  const TimestampMs now = deps_.clock.now();
  const std::int64_t day = seoul_day(now);
  if (day <= last_summary_day_) return;
  const SeoulTime t = to_seoul(now);
  if (t.hour * 60 + t.minute < config_.daily_summary_minute) return;
  last_summary_day_ = day;
  const NotifyLevel level = config_.level(NotificationType::kDailySummary);
  if (level == NotifyLevel::kOff || !deps_.calendar.is_trading_day(t.date)) return;
  auto summary = read_daily_summary(deps_.db, t.date);
  if (!summary.ok()) {
    spdlog::error("notify: no daily summary: {}", summary.status().message());
    return;
  }
  if (summary->sessions.empty()) return;  // nothing was live that day
  auto item = std::make_shared<Item>();
  item->n = Notification{NotificationType::kDailySummary, false, "", to_json(*summary)};
  item->silent = level == NotifyLevel::kSilent;
  item->ts = now;
  item->text = daily_summary_text(*summary);
  std::lock_guard lock(mu_);
  if (!stopping_) enqueue_locked(std::move(item));
}

const NotifyMessage& Notifier::message_of(Item& item) {
  if (!item.message) {
    NotifyMessage m;
    m.type = item.n.type;
    m.silent = item.silent;
    m.text = redactor_.apply(item.text.empty() ? notification_text(item.n, *lookup_) : item.text);
    m.data = item.n.data;
    redactor_.apply(m.data);
    m.ts = item.ts;
    item.message = std::move(m);
  }
  return *item.message;
}

void Notifier::run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!stopping_) {
      lock.unlock();
      raise_daily_summary();
      lock.lock();
    }
    const auto now = SteadyClock::now();
    const bool empty = std::all_of(channels_.begin(), channels_.end(),
                                   [](const ChannelState& c) { return c.queue.empty(); });
    if (stopping_ && (empty || now >= drain_deadline_)) break;
    ChannelState* due = nullptr;
    auto wake_at = stopping_ ? drain_deadline_ : now + tuning_.summary_poll;
    for (std::size_t k = 0; k < channels_.size(); ++k) {
      const std::size_t i = (next_channel_ + k) % channels_.size();
      ChannelState& c = channels_[i];
      if (c.queue.empty()) continue;
      if (c.next_at <= now) {
        due = &c;
        next_channel_ = (i + 1) % channels_.size();
        break;
      }
      wake_at = std::min(wake_at, c.next_at);
    }
    if (due == nullptr) {
      wake_.wait_until(lock, wake_at);
      continue;
    }
    Pending p = std::move(due->queue.front());
    due->queue.pop_front();
    milliseconds timeout = std::chrono::seconds(config_.timeout_seconds);
    if (stopping_) {
      timeout = std::clamp(std::chrono::duration_cast<milliseconds>(drain_deadline_ - now),
                           milliseconds(1), timeout);
    }
    lock.unlock();
    // The item is touched on this thread only, so it is worded and sent without the lock.
    const NotifyMessage& message = message_of(*p.item);
    const auto started = SteadyClock::now();
    const NotifyResult result = due->channel->send(message, timeout, cancel_);
    lock.lock();
    finish_send(*due, std::move(p), result, started);
  }
  for (ChannelState& c : channels_) {
    if (c.queue.empty()) continue;
    c.dropped += static_cast<std::int64_t>(c.queue.size());
    spdlog::warn("notify: {}: {} notification(s) not sent before shutdown", c.channel->name(),
                 c.queue.size());
    c.queue.clear();
  }
  finished_ = true;
  wake_.notify_all();
}

void Notifier::finish_send(ChannelState& c, Pending p, const NotifyResult& r,
                           SteadyClock::time_point started) {
  const auto paced = started + c.channel->min_interval();
  const std::string_view type = config::to_string(p.item->n.type);
  if (r.kind == NotifyResult::Kind::kSent) {
    ++c.sent;
    c.last_sent_at = deps_.clock.now();
    c.next_at = paced;
    spdlog::debug("notify: {}: sent {}", c.channel->name(), type);
    return;
  }
  c.last_error = redactor_.apply(r.error);
  ++p.attempts;
  if (r.kind == NotifyResult::Kind::kGiveUp || p.attempts >= config_.max_attempts) {
    ++c.failed;
    c.next_at = paced;
    spdlog::warn("notify: {}: {} not sent after {} attempt(s): {}", c.channel->name(), type,
                 p.attempts, c.last_error);
    return;
  }
  ++c.retries;
  milliseconds delay = tuning_.backoff_base * (std::int64_t{1} << std::min(p.attempts - 1, 20));
  delay = std::min(delay, tuning_.backoff_max);
  if (r.retry_after) delay = std::min(*r.retry_after, tuning_.retry_after_max);
  c.next_at = std::max(paced, SteadyClock::now() + delay);
  spdlog::info("notify: {}: {} not sent ({}); attempt {} of {} in {} ms", c.channel->name(), type,
               c.last_error, p.attempts + 1, config_.max_attempts, delay.count());
  // Back at the head: a channel keeps its notifications in order.
  c.queue.push_front(std::move(p));
  if (c.queue.size() > static_cast<std::size_t>(config_.queue_capacity)) {
    c.queue.pop_front();
    ++c.dropped;
  }
}

json Notifier::stats() const {
  std::lock_guard lock(mu_);
  json channels = json::object();
  for (const ChannelState& c : channels_) {
    channels[std::string(c.channel->name())] = {
        {"destination", c.channel->destination()},
        {"sent", c.sent},
        {"failed", c.failed},
        {"dropped", c.dropped},
        {"retries", c.retries},
        {"queued", c.queue.size()},
        {"last_error", c.last_error.empty() ? json(nullptr) : json(c.last_error)},
        {"last_sent_at",
         c.last_sent_at == 0 ? json(nullptr) : json(format_utc_iso(c.last_sent_at))}};
  }
  return {{"channels", channels}};
}

}  // namespace quantd::live
