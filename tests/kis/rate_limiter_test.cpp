// The KIS rate limiter on real threads and the real steady clock: spacing, priority order,
// deadlines and the throttle backoff.
#include "quantd/kis/rate_limiter.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

using namespace quantd::kis;
using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST_CASE("rate limiter: calls are spaced at least 1/rate apart") {
  RateLimiter limiter(50);  // 20 ms apart
  const auto start = Clock::now();
  for (int i = 0; i < 11; ++i) REQUIRE(limiter.acquire(Priority::kBars, start + 5s));
  // Ten gaps of 20 ms: never faster than the rate, whatever the scheduler does.
  CHECK(Clock::now() - start >= 200ms);
  CHECK(limiter.granted() == 11);
}

TEST_CASE("rate limiter: an order goes before the queries already waiting") {
  RateLimiter limiter(20);                                         // 50 ms apart
  REQUIRE(limiter.acquire(Priority::kVerify, Clock::now() + 1s));  // the slot is now taken
  std::mutex mu;
  std::vector<Priority> order;
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      REQUIRE(limiter.acquire(Priority::kBackfill, Clock::now() + 5s));
      std::lock_guard lock(mu);
      order.push_back(Priority::kBackfill);
    });
  }
  std::this_thread::sleep_for(10ms);  // the three queue up behind the first slot
  threads.emplace_back([&] {
    REQUIRE(limiter.acquire(Priority::kOrder, Clock::now() + 5s));
    std::lock_guard lock(mu);
    order.push_back(Priority::kOrder);
  });
  for (auto& t : threads) t.join();
  REQUIRE(order.size() == 4);
  // At most one backfill got its slot before the order arrived (the first slot was 50 ms off).
  const auto pos = std::find(order.begin(), order.end(), Priority::kOrder) - order.begin();
  CHECK(pos <= 1);
}

TEST_CASE("rate limiter: a caller whose deadline passes gets no slot and blocks nobody") {
  RateLimiter limiter(2);  // 500 ms apart
  REQUIRE(limiter.acquire(Priority::kBars, Clock::now() + 1s));
  const auto t0 = Clock::now();
  CHECK_FALSE(limiter.acquire(Priority::kBars, t0 + 50ms));
  CHECK(Clock::now() - t0 < 400ms);
  CHECK(limiter.granted() == 1);
  // The order waiting behind a timed-out query still gets the next slot.
  CHECK(limiter.acquire(Priority::kOrder, Clock::now() + 2s));
}

TEST_CASE("rate limiter: a throttle answer backs off and halves the rate; success resets it") {
  RateLimiter limiter(100);  // 10 ms apart
  REQUIRE(limiter.acquire(Priority::kBars, Clock::now() + 1s));
  limiter.throttled();
  CHECK(limiter.rate() == doctest::Approx(50));
  CHECK(limiter.throttles() == 1);
  auto t0 = Clock::now();
  REQUIRE(limiter.acquire(Priority::kOrder, t0 + 2s));
  CHECK(Clock::now() - t0 >= 240ms);  // the first backoff
  limiter.throttled();
  t0 = Clock::now();
  REQUIRE(limiter.acquire(Priority::kOrder, t0 + 2s));
  CHECK(Clock::now() - t0 >= 490ms);  // doubled
  limiter.succeeded();
  limiter.throttled();
  t0 = Clock::now();
  REQUIRE(limiter.acquire(Priority::kOrder, t0 + 2s));
  CHECK(Clock::now() - t0 < 490ms);  // from 250 ms again
}
