#include "quantd/workers/worker_health.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "quantd/workers/keyed_pool.h"
#include "quantd/workers/worker_pool.h"

using namespace quantd;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("worker health: idle workers that turn are healthy; a silent or overlong one is not") {
  workers::WorkerHealth health(2);
  const auto now = Clock::now();
  CHECK(!health.stalled(now, 1s, 1s));
  // No turn for longer than the loop limit.
  const auto later = now + 5s;
  const auto silent = health.stalled(later, 1s, 0s);
  REQUIRE(silent);
  CHECK(silent->find("worker 0 made no loop turn for") == 0);
  health.idle(0);
  health.idle(1);
  CHECK(!health.stalled(Clock::now(), 1s, 1s));

  // A message in hand is not a missing turn; it is judged by the busy limit alone.
  workers::WorkerHealth one(1);
  one.begin(0);
  CHECK(!one.stalled(Clock::now() + 3s, 1s, 0s));
  const auto busy = one.stalled(Clock::now() + 3s, 10s, 1s);
  REQUIRE(busy);
  CHECK(busy->find("worker 0 has been on one message for") == 0);
  one.end(0);
  CHECK(!one.stalled(Clock::now(), 1s, 1s));
}

TEST_CASE("worker health: both pools mark their workers; a blocked handler shows as stalled") {
  bus::Channel<int> ch(4);
  std::atomic<bool> release{false};
  workers::WorkerPool<int> pool("test", ch, 1, [&](int&, const std::atomic<bool>&) {
    while (!release) std::this_thread::sleep_for(1ms);
  });
  workers::KeyedWorkerPool<int> keyed("keyed", 1, 4, [&](std::int64_t, int&, const auto&) {
    while (!release) std::this_thread::sleep_for(1ms);
  });
  pool.start();
  keyed.start();
  std::this_thread::sleep_for(1200ms);  // longer than the keyed pool's idle wait
  // Idle workers keep turning: healthy under a one-second-and-a-bit loop limit.
  CHECK(!pool.health().stalled(Clock::now(), 1100ms, 100ms));
  CHECK(!keyed.health().stalled(Clock::now(), 1100ms, 100ms));
  REQUIRE(ch.push(1).ok());
  REQUIRE(keyed.push(7, 1).ok());
  std::this_thread::sleep_for(300ms);
  CHECK(pool.health().stalled(Clock::now(), 1100ms, 100ms));
  CHECK(keyed.health().stalled(Clock::now(), 1100ms, 100ms));
  CHECK(!pool.health().stalled(Clock::now(), 1100ms, 0ms));  // no busy limit: still fine
  release = true;
  std::this_thread::sleep_for(300ms);
  CHECK(!pool.health().stalled(Clock::now(), 1100ms, 100ms));
  CHECK(!keyed.health().stalled(Clock::now(), 1100ms, 100ms));
  pool.stop();
  keyed.stop();
}
