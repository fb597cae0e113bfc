#include "quantd/bus/channel.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace quantd::bus;
using namespace std::chrono_literals;

TEST_CASE("push and pop in order, fail fast when full") {
  Channel<int> ch(2);
  REQUIRE(ch.push(1).ok());
  REQUIRE(ch.push(2).ok());
  const auto full = ch.push(3, PushMode::kFailFast);
  CHECK(full.code() == quantd::StatusCode::kResourceExhausted);
  int v = 0;
  CHECK(ch.pop(v, 10ms) == PopResult::kItem);
  CHECK(v == 1);
  CHECK(ch.pop(v, 10ms) == PopResult::kItem);
  CHECK(v == 2);
  CHECK(ch.pop(v, 10ms) == PopResult::kTimeout);
}

TEST_CASE("close wakes a blocked consumer and a blocked producer") {
  Channel<int> ch(1);
  std::atomic<int> woke{0};
  std::thread consumer([&] {
    int v;
    // Waits far longer than the test takes unless close() wakes it.
    if (ch.pop(v, 60s) == PopResult::kItem && v == 7) woke++;
    if (ch.pop(v, 60s) == PopResult::kClosed) woke++;
  });
  REQUIRE(ch.push(7).ok());
  std::this_thread::sleep_for(20ms);
  Channel<int> full(1);
  REQUIRE(full.push(1).ok());
  std::thread producer([&] {
    if (full.push(2).code() == quantd::StatusCode::kUnavailable) woke++;
  });
  std::this_thread::sleep_for(20ms);
  const auto start = std::chrono::steady_clock::now();
  ch.close();
  full.close();
  consumer.join();
  producer.join();
  CHECK(woke == 3);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(ch.push(1).code() == quantd::StatusCode::kUnavailable);
}

TEST_CASE("close lets consumers drain what was queued") {
  Channel<int> ch(8);
  for (int i = 0; i < 5; ++i) REQUIRE(ch.push(i).ok());
  ch.close();
  int v, n = 0;
  while (ch.pop(v, 10ms) == PopResult::kItem) ++n;
  CHECK(n == 5);
}

TEST_CASE("many producers and consumers: every item delivered exactly once") {
  constexpr int kProducers = 6, kConsumers = 5, kPerProducer = 20000;
  Channel<int> ch(64);
  std::vector<std::atomic<int>> seen(kProducers * kPerProducer);
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        const int item = p * kPerProducer + i;
        // Half the producers fail fast and retry, exercising both push modes.
        if (p % 2 == 0) {
          REQUIRE(ch.push(item).ok());
        } else {
          while (!ch.push(item, PushMode::kFailFast).ok()) {
            refused++;
            std::this_thread::yield();
          }
        }
      }
    });
  }
  std::vector<std::thread> consumers;
  for (int c = 0; c < kConsumers; ++c) {
    consumers.emplace_back([&] {
      int v;
      for (;;) {
        const auto r = ch.pop(v, 1s);
        if (r == PopResult::kClosed) return;
        if (r == PopResult::kItem) seen[v].fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  ch.close();
  for (auto& t : consumers) t.join();
  int missing = 0, twice = 0;
  for (auto& s : seen) {
    if (s.load() == 0) ++missing;
    if (s.load() > 1) ++twice;
  }
  CHECK(missing == 0);
  CHECK(twice == 0);
  CHECK(ch.size() == 0);
}
