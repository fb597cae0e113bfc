#include "quantd/workers/keyed_pool.h"

#include <doctest/doctest.h>

#include <array>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace quantd;
using namespace quantd::workers;
using namespace std::chrono_literals;

namespace {

struct Msg {
  int seq = 0;  // a command's sequence number, or a tick's minute
  bool tick = false;
};

// A gate a handler can wait on until the test opens it (or 10 s pass, so a broken pool fails the
// test instead of hanging it).
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  bool wait() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

}  // namespace

TEST_CASE("8 keys x 4 workers: one message per key at a time, keys in parallel, order kept") {
  constexpr int kKeys = 8;
  constexpr int kPerKey = 300;
  std::array<std::atomic<int>, kKeys> in_flight{};
  std::array<std::vector<int>, kKeys> seen;  // written without a lock: the pool serialises a key
  std::atomic<int> overlaps{0};
  KeyedWorkerPool<Msg> pool("test", 4, 32, [&](std::int64_t key, Msg& m, const auto&) {
    const auto k = static_cast<std::size_t>(key);
    if (in_flight[k].fetch_add(1) != 0) overlaps++;
    seen[k].push_back(m.seq);
    std::this_thread::sleep_for(50us);
    in_flight[k].fetch_sub(1);
  });
  pool.start();
  pool.start();  // no second set of threads
  // One producer per key, all at once; a full pool refuses at once and the producer retries.
  std::atomic<bool> over_capacity{false};
  std::vector<std::thread> producers;
  for (int k = 0; k < kKeys; ++k) {
    producers.emplace_back([&, k] {
      for (int i = 0; i < kPerKey; ++i) {
        while (true) {
          const Status st = pool.push(k, Msg{i, false});
          if (st.ok()) break;
          if (st.code() != StatusCode::kResourceExhausted) return;
          std::this_thread::sleep_for(20us);
        }
        if (pool.depth() > pool.capacity()) over_capacity = true;
      }
    });
  }
  for (auto& t : producers) t.join();
  REQUIRE(eventually([&] { return pool.handled() == kKeys * kPerKey; }));
  pool.stop();
  CHECK(overlaps == 0);
  CHECK_FALSE(over_capacity);
  CHECK(pool.depth() == 0);
  CHECK(pool.busy() == 0);
  for (int k = 0; k < kKeys; ++k) {
    const auto& got = seen[static_cast<std::size_t>(k)];
    REQUIRE(got.size() == kPerKey);
    for (int i = 0; i < kPerKey; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
  }
}

TEST_CASE("while one key's message is in hand, another key's messages run") {
  Gate other_ran;
  std::atomic<bool> overlapped{false};
  std::atomic<int> key2_handled{0};
  KeyedWorkerPool<Msg> pool("test", 2, 8, [&](std::int64_t key, Msg&, const auto&) {
    if (key == 1) {
      // Held until key 2 has been handled: only possible if the two run at the same time.
      overlapped = other_ran.wait() && key2_handled.load() > 0;
    } else {
      key2_handled++;
      other_ran.open();
    }
  });
  pool.start();
  REQUIRE(pool.push(1, Msg{}).ok());
  REQUIRE(pool.push(1, Msg{}).ok());  // queued behind the first: key 1 stays one at a time
  REQUIRE(pool.push(2, Msg{}).ok());
  REQUIRE(eventually([&] { return pool.handled() == 3; }));
  pool.stop();
  CHECK(overlapped);
  CHECK(key2_handled == 1);
}

TEST_CASE("a newer tick replaces a queued tick of its key; commands are never dropped") {
  Gate gate;
  std::mutex mu;
  std::vector<std::pair<std::int64_t, Msg>> seen;
  KeyedWorkerPool<Msg> pool("test", 2, 4, [&](std::int64_t key, Msg& m, const auto&) {
    if (m.seq == -1) (void)gate.wait();  // the blocker holds key 1
    std::lock_guard lock(mu);
    seen.emplace_back(key, m);
  });
  pool.start();
  REQUIRE(pool.push(1, Msg{-1, false}).ok());
  REQUIRE(eventually([&] { return pool.busy() == 1; }));
  // Key 1 is in hand: everything below queues behind the blocker.
  REQUIRE(pool.push(1, Msg{101, true}, Delivery::kLatest).ok());  // [t101]
  REQUIRE(pool.push(1, Msg{1, false}).ok());                      // [t101 c1]
  REQUIRE(pool.push(1, Msg{102, true}, Delivery::kLatest).ok());  // [c1 t102]
  REQUIRE(pool.push(1, Msg{103, true}, Delivery::kLatest).ok());  // [c1 t103]
  REQUIRE(pool.push(1, Msg{2, false}).ok());                      // [c1 t103 c2]
  CHECK(pool.depth() == 3);
  CHECK(pool.coalesced() == 2);
  // Room for one more message in the whole pool.
  REQUIRE(pool.push(1, Msg{3, false}).ok());  // [c1 t103 c2 c3]
  const Status full = pool.push(1, Msg{4, false});
  CHECK(full.code() == StatusCode::kResourceExhausted);
  CHECK(full.message().find("full") != std::string::npos);
  CHECK(pool.push(2, Msg{200, true}, Delivery::kLatest).code() == StatusCode::kResourceExhausted);
  // A tick that replaces a queued one needs no room.
  REQUIRE(pool.push(1, Msg{104, true}, Delivery::kLatest).ok());  // [c1 c2 c3 t104]
  CHECK(pool.depth() == 4);
  CHECK(pool.coalesced() == 3);
  gate.open();
  REQUIRE(eventually([&] { return pool.handled() == 5; }));
  pool.stop();
  std::lock_guard lock(mu);
  REQUIRE(seen.size() == 5);
  const std::vector<int> order{-1, 1, 2, 3, 104};
  for (std::size_t i = 0; i < order.size(); ++i) {
    CHECK(seen[i].first == 1);
    CHECK(seen[i].second.seq == order[i]);
  }
}

TEST_CASE("under load: every command once and in order, ticks only ever newer, the last one run") {
  constexpr int kKeys = 8;
  constexpr int kPerKey = 400;
  std::array<std::vector<Msg>, kKeys> seen;  // per key, serialised by the pool
  std::array<std::atomic<int>, kKeys> in_flight{};
  std::atomic<int> overlaps{0};
  KeyedWorkerPool<Msg> pool("test", 4, 64, [&](std::int64_t key, Msg& m, const auto&) {
    const auto k = static_cast<std::size_t>(key);
    if (in_flight[k].fetch_add(1) != 0) overlaps++;
    seen[k].push_back(m);
    if (m.tick) std::this_thread::sleep_for(100us);  // evaluations are slower than commands
    in_flight[k].fetch_sub(1);
  });
  pool.start();
  std::vector<std::thread> producers;
  std::array<int, kKeys> ticks_pushed{};
  for (int k = 0; k < kKeys; ++k) {
    producers.emplace_back([&, k] {
      for (int i = 0; i < kPerKey; ++i) {
        const bool tick = i % 4 != 0;  // three ticks per command
        const Delivery d = tick ? Delivery::kLatest : Delivery::kEvery;
        while (!pool.push(k, Msg{i, tick}, d).ok()) std::this_thread::sleep_for(20us);
        if (tick) ticks_pushed[static_cast<std::size_t>(k)]++;
      }
    });
  }
  for (auto& t : producers) t.join();
  REQUIRE(eventually([&] { return pool.depth() == 0 && pool.busy() == 0; }));
  pool.stop();
  CHECK(overlaps == 0);
  std::uint64_t ticks_run = 0;
  std::uint64_t ticks_total = 0;
  for (int k = 0; k < kKeys; ++k) {
    const auto& got = seen[static_cast<std::size_t>(k)];
    int last_seq = -1;
    int commands = 0;
    for (const Msg& m : got) {
      CHECK(m.seq > last_seq);  // a subsequence of what was pushed, in order
      last_seq = m.seq;
      if (m.tick) {
        ++ticks_run;
      } else {
        CHECK(m.seq == 4 * commands);  // no command missing
        ++commands;
      }
    }
    CHECK(commands == kPerKey / 4);
    CHECK(got.back().seq == kPerKey - 1);  // the newest tick is never dropped
    ticks_total += static_cast<std::uint64_t>(ticks_pushed[static_cast<std::size_t>(k)]);
  }
  CHECK(ticks_run + pool.coalesced() == ticks_total);
  CHECK(pool.handled() == ticks_run + kKeys * kPerKey / 4);
}

TEST_CASE("stop finishes the message in hand, keeps the rest queued, refuses pushes") {
  std::atomic<int> finished{0};
  std::atomic<bool> saw_stopping{false};
  KeyedWorkerPool<Msg> pool("test", 1, 16, [&](std::int64_t, Msg&, const std::atomic<bool>& s) {
    for (int i = 0; i < 200 && !s; ++i) std::this_thread::sleep_for(5ms);
    saw_stopping = s.load();
    finished++;
  });
  // Pushed before start: waits for the workers.
  for (int i = 0; i < 5; ++i) REQUIRE(pool.push(7, Msg{i, false}).ok());
  CHECK(pool.depth() == 5);
  pool.start();
  REQUIRE(eventually([&] { return pool.busy() == 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  pool.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 500ms);  // the handler watched `stopping`
  CHECK(finished == 1);
  CHECK(saw_stopping);
  CHECK(pool.handled() == 1);
  CHECK(pool.busy() == 0);
  CHECK(pool.depth() == 4);
  CHECK(pool.push(7, Msg{9, false}).code() == StatusCode::kUnavailable);
  pool.stop();  // idempotent
  // Started again, it handles what stayed queued.
  pool.start();
  REQUIRE(eventually([&] { return pool.handled() == 5; }));
  pool.stop();
  CHECK(pool.depth() == 0);
  KeyedWorkerPool<Msg> never("never", 2, 1, [](std::int64_t, Msg&, const auto&) {});
  never.stop();  // stopping a pool that never started is fine
}

TEST_CASE("a throwing handler is logged and swallowed; the key goes on with its next message") {
  std::mutex mu;
  std::vector<int> seen;
  KeyedWorkerPool<Msg> pool("test", 2, 64, [&](std::int64_t, Msg& m, const auto&) {
    if (m.seq % 3 == 0) throw std::runtime_error("bad message");
    if (m.seq == 4) throw 42;  // not even an exception type
    std::lock_guard lock(mu);
    seen.push_back(m.seq);
  });
  pool.start();
  for (int i = 1; i <= 10; ++i) REQUIRE(pool.push(3, Msg{i, false}).ok());
  REQUIRE(eventually([&] { return pool.handled() == 10; }));
  pool.stop();
  std::lock_guard lock(mu);
  CHECK(seen == std::vector<int>{1, 2, 5, 7, 8, 10});
}
