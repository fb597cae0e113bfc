// The Notifier's thread and queues with scripted channels: retries and backoff, retry_after,
// giving up, pacing, a caller that is never blocked, independent channels, a bounded shutdown,
// redaction, levels, and the daily summary driven by a manual clock over a real database.
#include "quantd/live/notifier.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "live_test_support.h"
#include "quantd/live/paper_broker.h"
#include "quantd/live/session_store.h"

namespace quantd::live {
namespace {

using namespace std::chrono_literals;
using config::NotificationType;
using config::NotifyLevel;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

struct Attempt {
  NotifyMessage message;
  SteadyClock::time_point at;
  std::chrono::milliseconds timeout;
};

// A channel that answers with a script (then kSent), records every attempt, and can be held:
// while `hold` is set, send() waits (at most its timeout) until released.
class ScriptedChannel final : public NotifyChannel {
 public:
  explicit ScriptedChannel(std::string name, std::chrono::milliseconds interval = 0ms)
      : name_(std::move(name)), interval_(interval) {}

  std::string_view name() const override { return name_; }
  std::string destination() const override { return "test://" + name_; }
  std::chrono::milliseconds min_interval() const override { return interval_; }

  NotifyResult send(const NotifyMessage& m, std::chrono::milliseconds timeout,
                    const std::atomic<bool>& cancel) override {
    std::unique_lock lock(mu_);
    attempts_.push_back({m, SteadyClock::now(), timeout});
    cv_.notify_all();
    const auto until = SteadyClock::now() + timeout;
    while (hold_ && !cancel.load() && SteadyClock::now() < until) cv_.wait_for(lock, 10ms);
    if (hold_) return NotifyResult::retry(cancel.load() ? "cancelled" : "held past the timeout");
    if (script_.empty()) return NotifyResult::sent();
    NotifyResult r = script_.front();
    script_.pop_front();
    return r;
  }

  void then(NotifyResult r) {
    std::lock_guard lock(mu_);
    script_.push_back(std::move(r));
  }
  void hold(bool on) {
    {
      std::lock_guard lock(mu_);
      hold_ = on;
    }
    cv_.notify_all();
  }
  std::vector<Attempt> attempts() const {
    std::lock_guard lock(mu_);
    return attempts_;
  }
  // Waits until at least `n` attempts were made (or 5 s passed).
  std::vector<Attempt> wait_attempts(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 5s, [&] { return attempts_.size() >= n; });
    return attempts_;
  }

 private:
  const std::string name_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<NotifyResult> script_;
  std::vector<Attempt> attempts_;
  bool hold_ = false;
};

NotifierTuning fast() {
  NotifierTuning t;
  t.backoff_base = 20ms;
  t.backoff_max = 1s;
  t.retry_after_max = 2s;
  t.drain_timeout = 300ms;
  t.summary_poll = 10ms;
  return t;
}

json fill(std::int64_t order, std::int64_t qty) {
  return json{{"order_id", order},
              {"session_id", nullptr},
              {"symbol", "005930"},
              {"side", "buy"},
              {"quantity", qty},
              {"price", 71200},
              {"ts", 0}};
}

struct Harness {
  testing::TempDb tdb;
  ManualClock clock{from_seoul({2026, 7, 9}, 10, 0)};
  scheduler::KrxCalendar calendar{config::default_krx_holidays()};
  config::NotifyConfig config;
  std::vector<ScriptedChannel*> channels;
  std::unique_ptr<Notifier> notifier;

  Harness() { config.max_attempts = 4; }

  ScriptedChannel& start(std::vector<std::unique_ptr<ScriptedChannel>> cs,
                         std::vector<std::string> secrets = {}) {
    NotifierDeps deps{*tdb.db, clock, calendar, {}, std::move(secrets), {"12345678-01"}};
    for (auto& c : cs) {
      channels.push_back(c.get());
      deps.channels.push_back(std::move(c));
    }
    notifier = std::make_unique<Notifier>(config, std::move(deps), fast());
    notifier->start();
    return *channels.front();
  }
  ScriptedChannel& start_one(std::chrono::milliseconds interval = 0ms) {
    std::vector<std::unique_ptr<ScriptedChannel>> cs;
    cs.push_back(std::make_unique<ScriptedChannel>("fake", interval));
    return start(std::move(cs));
  }
  json channel_stats(const std::string& name) { return notifier->stats()["channels"][name]; }
};

double ms_between(SteadyClock::time_point a, SteadyClock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

TEST_CASE("notifier: a channel failing three times is retried after 1, 2, 4 backoff units") {
  Harness h;
  ScriptedChannel& c = h.start_one();
  for (int i = 0; i < 3; ++i) c.then(NotifyResult::retry("HTTP 502"));
  h.notifier->on_event("live.fill", fill(1, 10));
  const auto a = c.wait_attempts(4);
  REQUIRE(a.size() == 4);
  CHECK(ms_between(a[0].at, a[1].at) >= 19);
  CHECK(ms_between(a[1].at, a[2].at) >= 39);
  CHECK(ms_between(a[2].at, a[3].at) >= 79);
  for (const Attempt& x : a)
    CHECK(x.message.text ==
          "Bought 10 005930 at 71,200 KRW — no session (an order from outside quantd)");
  h.notifier->stop();
  const json s = h.channel_stats("fake");
  CHECK(s["sent"] == 1);
  CHECK(s["retries"] == 3);
  CHECK(s["failed"] == 0);
  CHECK(s["last_error"] == "HTTP 502");
  CHECK(c.attempts().size() == 4);
}

TEST_CASE("notifier: attempts are capped; a give-up is not retried; retry_after is honoured") {
  Harness h;
  h.config.max_attempts = 3;
  ScriptedChannel& c = h.start_one();
  for (int i = 0; i < 3; ++i) c.then(NotifyResult::retry("timed out"));
  c.then(NotifyResult::give_up("HTTP 400: Bad Request: chat not found; not retried"));
  c.then(NotifyResult::retry("HTTP 429", 150ms));
  h.notifier->on_event("live.fill", fill(1, 10));  // 3 attempts, given up
  h.notifier->on_event("live.fill", fill(2, 20));  // 1 attempt, given up
  h.notifier->on_event("live.fill", fill(3, 30));  // 429, then sent 150 ms later
  const auto a = c.wait_attempts(6);
  REQUIRE(a.size() == 6);
  CHECK(a[2].message.text.find("Bought 10 ") == 0);
  CHECK(a[3].message.text.find("Bought 20 ") == 0);
  CHECK(a[4].message.text.find("Bought 30 ") == 0);
  CHECK(a[5].message.text.find("Bought 30 ") == 0);
  CHECK(ms_between(a[4].at, a[5].at) >= 149);
  h.notifier->stop();
  const json s = h.channel_stats("fake");
  CHECK(s["failed"] == 2);
  CHECK(s["sent"] == 1);
  CHECK(c.attempts().size() == 6);
}

TEST_CASE("notifier: pacing keeps a channel to one send per interval, in order") {
  Harness h;
  ScriptedChannel& c = h.start_one(100ms);
  for (int i = 1; i <= 3; ++i) h.notifier->on_event("live.fill", fill(i, i));
  const auto a = c.wait_attempts(3);
  REQUIRE(a.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(a[i].message.text.find("Bought " + std::to_string(i + 1) + " ") == 0);
  }
  CHECK(ms_between(a[0].at, a[1].at) >= 99);
  CHECK(ms_between(a[1].at, a[2].at) >= 99);
}

TEST_CASE("notifier: the caller never waits; a full queue drops the oldest, counted") {
  Harness h;
  h.config.queue_capacity = 8;
  ScriptedChannel& c = h.start_one();
  c.hold(true);
  h.notifier->on_event("live.fill", fill(0, 1000));
  REQUIRE(c.wait_attempts(1).size() == 1);  // the first is in flight, held
  const auto t0 = SteadyClock::now();
  for (int i = 1; i <= 1000; ++i) h.notifier->on_event("live.fill", fill(i, i));
  CHECK(ms_between(t0, SteadyClock::now()) < 500);  // a thousand events, no I/O waited for
  json s = h.channel_stats("fake");
  CHECK(s["queued"] == 8);
  CHECK(s["dropped"] == 1000 - 8);
  c.hold(false);
  const auto a = c.wait_attempts(9);
  REQUIRE(a.size() == 9);
  // The held one went out, then the newest eight, in order.
  CHECK(a[0].message.text.find("Bought 1000 ") == 0);
  for (int i = 0; i < 8; ++i) {
    CHECK(a[static_cast<std::size_t>(i + 1)].message.text.find("Bought " + std::to_string(993 + i) +
                                                               " ") == 0);
  }
  h.notifier->stop();
  s = h.channel_stats("fake");
  CHECK(s["sent"] == 9);
}

TEST_CASE("notifier: a rate-limited channel does not hold up the other") {
  Harness h;
  std::vector<std::unique_ptr<ScriptedChannel>> cs;
  cs.push_back(std::make_unique<ScriptedChannel>("slow"));
  cs.push_back(std::make_unique<ScriptedChannel>("quick"));
  h.start(std::move(cs));
  ScriptedChannel& slow = *h.channels[0];
  ScriptedChannel& quick = *h.channels[1];
  slow.then(NotifyResult::retry("HTTP 429", 1500ms));
  for (int i = 1; i <= 5; ++i) h.notifier->on_event("live.fill", fill(i, i));
  const auto t0 = SteadyClock::now();
  CHECK(quick.wait_attempts(5).size() == 5);
  CHECK(ms_between(t0, SteadyClock::now()) < 1000);
  CHECK(slow.attempts().size() == 1);  // waiting out its retry_after
  CHECK(slow.wait_attempts(6).size() == 6);
}

TEST_CASE("notifier: stop drains within its deadline and counts what is left") {
  Harness h;
  ScriptedChannel& c = h.start_one();
  c.hold(true);
  for (int i = 1; i <= 3; ++i) h.notifier->on_event("live.fill", fill(i, i));
  REQUIRE(c.wait_attempts(1).size() == 1);
  const auto t0 = SteadyClock::now();
  h.notifier->stop();  // the send held with a 10 s timeout is cancelled when the drain ends
  const double took = ms_between(t0, SteadyClock::now());
  CHECK(took >= 290);
  CHECK(took < 1500);
  REQUIRE(c.attempts().size() == 1);
  CHECK(c.attempts()[0].timeout == 10s);
  h.notifier->on_event("live.fill", fill(9, 9));  // after stop: ignored
  const json s = h.channel_stats("fake");
  CHECK(s["sent"] == 0);
  CHECK(s["queued"] == 0);
  CHECK(s["dropped"] == 3);  // the cancelled one, back at the head, and the two behind it
  h.notifier->stop();        // idempotent
}

TEST_CASE("notifier: levels, follow-ups and redaction") {
  Harness h;
  h.config.levels[static_cast<std::size_t>(NotificationType::kOrderFilled)] = NotifyLevel::kOff;
  h.config.levels[static_cast<std::size_t>(NotificationType::kRiskDenied)] = NotifyLevel::kSilent;
  std::vector<std::unique_ptr<ScriptedChannel>> cs;
  cs.push_back(std::make_unique<ScriptedChannel>("fake"));
  ScriptedChannel& c = h.start(std::move(cs), {"123:bot-token", "hook-secret"});
  h.notifier->on_event("live.fill", fill(1, 10));  // off
  h.notifier->on_event("live.order", json{{"id", 5},
                                          {"session_id", nullptr},
                                          {"symbol", "005930"},
                                          {"side", "buy"},
                                          {"quantity", 1},
                                          {"state", "denied"},
                                          {"was", nullptr},
                                          {"reject_code", "X"},
                                          {"reject_message", "token 123:bot-token"}});
  h.notifier->on_event("live.account",
                       json{{"id", 1}, {"trading_state", "halted"}, {"reason", "hook-secret"}});
  h.notifier->on_event("live.account",
                       json{{"id", 1}, {"trading_state", "active"}, {"reason", "12345678-01"}});
  const auto a = c.wait_attempts(3);
  REQUIRE(a.size() == 3);
  CHECK(a[0].message.type == NotificationType::kRiskDenied);
  CHECK(a[0].message.silent);
  CHECK(a[1].message.type == NotificationType::kKillSwitch);
  CHECK_FALSE(a[1].message.silent);
  CHECK(a[2].message.silent);  // a resume is a follow-up: silent though kill_switch is on
  for (const Attempt& x : a) {
    for (const char* s : {"123:bot-token", "hook-secret", "12345678"}) {
      CHECK(x.message.text.find(s) == std::string::npos);
      CHECK(x.message.data.dump().find(s) == std::string::npos);
    }
  }
  CHECK(a[2].message.text == "Account #1 is active again (****5678-01)");
  h.notifier->stop();
  CHECK(c.attempts().size() == 3);
}

TEST_CASE("notifier: the daily summary comes once per trading day after its time, from SQLite") {
  Harness h;
  h.clock.set(from_seoul({2026, 7, 9}, 15, 39));  // a Thursday
  auto account = PaperBroker::ensure_account(*h.tdb.db, 100'000'000, h.clock.now());
  REQUIRE(account.ok());
  SessionStore store(*h.tdb.db);
  SessionRecord r;
  r.strategy_name = "SMA cross";
  r.script = "builtin:buy_and_hold";
  r.symbols.emplace_back("005930");
  r.account_id = *account;
  r.capital = 10'000'000;
  r.state = SessionState::kActive;
  h.clock.set(from_seoul({2026, 7, 8}, 9, 0));
  auto id = store.create(r, h.clock.now());
  REQUIRE(id.ok());
  // A demo replay running meanwhile, on its own simulated account: never in a summary.
  auto replay_account =
      PaperBroker::ensure_account(*h.tdb.db, 100'000'000, h.clock.now(), kReplayLabel);
  REQUIRE(replay_account.ok());
  SessionRecord demo = r;
  demo.strategy_name = "demo";
  demo.account_id = *replay_account;
  REQUIRE(store.create(demo, h.clock.now()).ok());
  {
    SQLite::Database& db = h.tdb.db->connection();
    const auto at = [](int d, int hh, int mm) { return from_seoul({2026, 7, d}, hh, mm); };
    auto equity = [&](TimestampMs ts, double value) {
      SQLite::Statement q(db,
                          "INSERT INTO equity_snapshots(session_id, ts, cash, positions_value, "
                          "equity) VALUES(?, ?, 0, 0, ?)");
      q.bind(1, id->value());
      q.bind(2, ts);
      q.bind(3, value);
      q.exec();
    };
    equity(at(8, 15, 30), 10'010'000);  // the previous day's close
    equity(at(9, 10, 0), 10'020'000);
    equity(at(9, 15, 30), 10'062'300);
    auto order = [&](TimestampMs ts, const char* state) {
      SQLite::Statement q(db,
                          "INSERT INTO orders(account_id, session_id, symbol, side, reason, "
                          "order_type, quantity, state, created_at, updated_at) VALUES(?, ?, "
                          "'005930', 'buy', 'signal', 'market', 10, ?, ?, ?)");
      q.bind(1, account->value());
      q.bind(2, id->value());
      q.bind(3, state);
      q.bind(4, ts);
      q.bind(5, ts);
      q.exec();
      return db.getLastInsertRowid();
    };
    auto fill_row = [&](std::int64_t order_id, TimestampMs ts) {
      SQLite::Statement q(db,
                          "INSERT INTO fills(order_id, session_id, symbol, side, quantity, price, "
                          "notional, commission, tax, cum_qty, fill_ts, observed_at, source) "
                          "VALUES(?, ?, '005930', 'buy', 10, 71200, 712000, 107, 0, 10, ?, ?, "
                          "'paper')");
      q.bind(1, order_id);
      q.bind(2, id->value());
      q.bind(3, ts);
      q.bind(4, ts);
      q.exec();
    };
    fill_row(order(at(8, 10, 0), "filled"), at(8, 10, 1));  // the day before: not counted
    fill_row(order(at(9, 10, 0), "filled"), at(9, 10, 1));
    fill_row(order(at(9, 11, 0), "filled"), at(9, 11, 1));
    order(at(9, 12, 0), "denied");
  }
  h.clock.set(from_seoul({2026, 7, 9}, 15, 39));
  ScriptedChannel& c = h.start_one();
  std::this_thread::sleep_for(50ms);
  CHECK(c.attempts().empty());  // not yet its time
  h.clock.set(from_seoul({2026, 7, 9}, 15, 41));
  auto a = c.wait_attempts(1);
  REQUIRE(a.size() == 1);
  CHECK(a[0].message.type == NotificationType::kDailySummary);
  CHECK(a[0].message.text ==
        "Daily summary 2026-07-09:\n"
        "Session #1 (SMA cross): equity 10,062,300 KRW, today +52,300 KRW (+0.52%); 2 fills, 3 "
        "orders (1 denied)\n"
        "Total today: +52,300 KRW over 1 session.");
  CHECK(a[0].message.data["sessions"][0]["costs"] == 214);
  h.clock.set(from_seoul({2026, 7, 9}, 18, 0));
  std::this_thread::sleep_for(50ms);
  CHECK(c.attempts().size() == 1);                // once a day
  h.clock.set(from_seoul({2026, 7, 11}, 16, 0));  // a Saturday: no summary
  std::this_thread::sleep_for(50ms);
  CHECK(c.attempts().size() == 1);
  h.clock.set(from_seoul({2026, 7, 13}, 15, 45));  // Monday
  a = c.wait_attempts(2);
  REQUIRE(a.size() == 2);
  CHECK(a[1].message.text.find("Daily summary 2026-07-13:\nSession #1 (SMA cross): equity "
                               "10,062,300 KRW, today +0 KRW (+0.00%); 0 fills, 0 orders") == 0);
  h.notifier->stop();

  // A start after the day's summary time does not summarize that day again.
  Harness later;
  later.clock.set(from_seoul({2026, 7, 9}, 16, 0));
  ScriptedChannel& d = later.start_one();
  std::this_thread::sleep_for(50ms);
  CHECK(d.attempts().empty());
}

}  // namespace quantd::live
