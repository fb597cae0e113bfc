#include "quantd/workers/worker_pool.h"

#include <doctest/doctest.h>

#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

using namespace quantd;
using namespace std::chrono_literals;

TEST_CASE("a pool handles every message once on its own threads, and survives a throwing handler") {
  bus::Channel<int> ch(16);
  std::mutex mu;
  std::multiset<int> handled;
  std::set<std::thread::id> threads;
  workers::WorkerPool<int> pool("test", ch, 3, [&](int& m, const std::atomic<bool>&) {
    if (m % 10 == 0) throw std::runtime_error("bad job");
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mu);
    handled.insert(m);
    threads.insert(std::this_thread::get_id());
  });
  pool.start();
  pool.start();  // no second set of threads
  for (int i = 1; i <= 200; ++i) REQUIRE(ch.push(i).ok());
  for (int i = 0; i < 500 && pool.handled() < 200; ++i) std::this_thread::sleep_for(10ms);
  pool.stop();
  CHECK(pool.handled() == 200);
  std::lock_guard lock(mu);
  CHECK(handled.size() == 180);  // the 20 multiples of 10 threw
  for (int i = 1; i <= 200; ++i) CHECK(handled.count(i) == (i % 10 == 0 ? 0u : 1u));
  CHECK(threads.size() > 1);
  CHECK(threads.count(std::this_thread::get_id()) == 0);
}

TEST_CASE("stop lets the message in hand finish, tells the handler, and leaves the rest queued") {
  bus::Channel<int> ch(16);
  std::atomic<int> finished{0};
  std::atomic<bool> saw_stopping{false};
  workers::WorkerPool<int> pool("test", ch, 1, [&](int&, const std::atomic<bool>& stopping) {
    for (int i = 0; i < 100 && !stopping; ++i) std::this_thread::sleep_for(5ms);
    saw_stopping = stopping.load();
    finished++;
  });
  pool.start();
  for (int i = 0; i < 5; ++i) REQUIRE(ch.push(i).ok());
  std::this_thread::sleep_for(50ms);
  const auto t0 = std::chrono::steady_clock::now();
  pool.stop();
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
  CHECK(finished == 1);
  CHECK(saw_stopping);
  CHECK(ch.size() == 4);
  pool.stop();  // idempotent
}
