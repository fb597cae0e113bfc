#include "quantd/scheduler/scheduler.h"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>

#include "quantd/config/config.h"
#include "quantd/scheduler/session_ticker.h"

using namespace quantd;
using namespace quantd::scheduler;
using namespace std::chrono_literals;

namespace {
// 2026-11-24 is a Tuesday; 2026-11-28/29 a weekend; 2026-12-25 a holiday (Friday).
constexpr CivilDate kTuesday{2026, 11, 24};
KrxCalendar calendar() { return KrxCalendar(config::default_krx_holidays()); }
}  // namespace

TEST_CASE("calendar: weekends, holidays, first day of the year opens at 10:00") {
  const KrxCalendar cal = calendar();
  CHECK(cal.is_trading_day(kTuesday));
  CHECK_FALSE(cal.is_trading_day({2026, 11, 28}));
  CHECK_FALSE(cal.is_trading_day({2026, 12, 25}));
  CHECK(cal.next_trading_day({2026, 12, 24}) == CivilDate{2026, 12, 28});
  CHECK(cal.session_open(kTuesday) == from_seoul(kTuesday, 9, 0));
  CHECK(cal.session_open({2026, 1, 2}) == from_seoul({2026, 1, 2}, 10, 0));
  CHECK(cal.session_close(kTuesday) == from_seoul(kTuesday, 15, 30));
}

// Follows the ticker's own wake times from 07:13:27 on `day`, as the timer does, until the next
// day begins; returns every wake and every minute fired.
struct SimulatedDay {
  std::vector<TimestampMs> wakes;
  std::vector<TimestampMs> minutes;
};
SimulatedDay simulate_day(const KrxCalendar& cal, CivilDate day) {
  SessionTicker ticker(cal);
  const TimestampMs end = from_seoul(civil_from_days(days_from_civil(day) + 1), 0, 0);
  SimulatedDay out;
  TimestampMs now = from_seoul(day, 7, 13, 27);
  while (now < end) {
    now = ticker.next_wake(now);
    if (now >= end) break;
    out.wakes.push_back(now);
    if (auto m = ticker.on_wake(now)) out.minutes.push_back(*m);
  }
  return out;
}

TEST_CASE("a simulated day: one tick per session minute and the 15:31 tick, no drift") {
  const KrxCalendar cal = calendar();
  const SimulatedDay sim = simulate_day(cal, kTuesday);
  // 09:00 .. 15:30: 391 minutes, the last being the closing-auction bar evaluated at 15:31.
  REQUIRE(sim.minutes.size() == 391);
  REQUIRE(sim.wakes.size() == 391);
  CHECK(sim.minutes.front() == from_seoul(kTuesday, 9, 0));
  CHECK(sim.minutes[sim.minutes.size() - 2] == from_seoul(kTuesday, 15, 29));
  CHECK(sim.minutes.back() == from_seoul(kTuesday, 15, 30));
  CHECK(sim.wakes.back() == from_seoul(kTuesday, 15, 31));
  for (std::size_t i = 0; i < sim.wakes.size(); ++i) {
    CHECK(sim.wakes[i] % kMsPerMinute == 0);  // on the boundary
    CHECK(sim.wakes[i] == from_seoul(kTuesday, 9, 1) + static_cast<TimestampMs>(i) * kMsPerMinute);
    CHECK(sim.minutes[i] == sim.wakes[i] - kMsPerMinute);  // the minute that just completed
  }
}

TEST_CASE("the first trading day of the year opens at 10:00 and still ends with the 15:31 tick") {
  const KrxCalendar cal = calendar();
  const CivilDate first{2026, 1, 2};  // 2026-01-01 is a holiday
  const SimulatedDay sim = simulate_day(cal, first);
  REQUIRE(sim.minutes.size() == 331);  // 10:00 .. 15:30
  CHECK(sim.wakes.front() == from_seoul(first, 10, 1));
  CHECK(sim.minutes.front() == from_seoul(first, 10, 0));
  CHECK(sim.minutes.back() == from_seoul(first, 15, 30));
  CHECK(sim.wakes.back() == from_seoul(first, 15, 31));
  SessionTicker ticker(cal);
  CHECK_FALSE(ticker.on_wake(from_seoul(first, 9, 30)));  // no 09:xx minutes that day
  CHECK(ticker.next_wake(from_seoul(first, 9, 30)) == from_seoul(first, 10, 1));
}

TEST_CASE("nothing outside the session, weekends or holidays") {
  const KrxCalendar cal = calendar();
  SessionTicker ticker(cal);
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 8, 59, 59)));
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 9, 0, 30)));  // first minute not complete
  CHECK_FALSE(ticker.on_wake(from_seoul({2026, 11, 28}, 10, 0)));
  CHECK_FALSE(ticker.on_wake(from_seoul({2026, 12, 25}, 10, 0)));
  // The close is followed by the 15:31 tick; after it the next wake is the next trading day's
  // first boundary.
  CHECK(ticker.next_wake(from_seoul(kTuesday, 15, 29, 30)) == from_seoul(kTuesday, 15, 30));
  CHECK(ticker.next_wake(from_seoul(kTuesday, 15, 30)) == from_seoul(kTuesday, 15, 31));
  CHECK(ticker.next_wake(from_seoul(kTuesday, 15, 30, 59)) == from_seoul(kTuesday, 15, 31));
  CHECK(ticker.next_wake(from_seoul(kTuesday, 15, 31)) == from_seoul({2026, 11, 25}, 9, 1));
  CHECK(ticker.next_wake(from_seoul({2026, 11, 27}, 16, 0)) == from_seoul({2026, 11, 30}, 9, 1));
  CHECK(ticker.next_wake(from_seoul({2026, 12, 24}, 16, 0)) == from_seoul({2026, 12, 28}, 9, 1));
}

TEST_CASE("after a stall the missed minutes coalesce into one tick") {
  const KrxCalendar cal = calendar();
  SessionTicker ticker(cal);
  CHECK(ticker.on_wake(from_seoul(kTuesday, 10, 0)) == from_seoul(kTuesday, 9, 59));
  // The process stalls for 17 minutes and wakes mid-minute.
  CHECK(ticker.on_wake(from_seoul(kTuesday, 10, 17, 20)) == from_seoul(kTuesday, 10, 16));
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 10, 17, 40)));  // same minute: no second tick
  CHECK(ticker.on_wake(from_seoul(kTuesday, 10, 18)) == from_seoul(kTuesday, 10, 17));
  // Waking long after the close does not fire a stale tick.
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 18, 0)));
}

TEST_CASE("a stall across the close coalesces into the 15:30 minute, unless it is stale") {
  const KrxCalendar cal = calendar();
  SessionTicker ticker(cal);
  CHECK(ticker.on_wake(from_seoul(kTuesday, 15, 20)) == from_seoul(kTuesday, 15, 19));
  // Woken at 15:40 after a stall: the latest session minute is the 15:30 closing print.
  CHECK(ticker.on_wake(from_seoul(kTuesday, 15, 40)) == from_seoul(kTuesday, 15, 30));
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 15, 41)));  // fired once only
  // 15 minutes after the 15:31 boundary the 15:30 minute is stale.
  SessionTicker late(cal);
  CHECK(late.on_wake(from_seoul(kTuesday, 15, 45, 59)) == from_seoul(kTuesday, 15, 30));
  SessionTicker stale(cal);
  CHECK_FALSE(stale.on_wake(from_seoul(kTuesday, 15, 46)));
  CHECK(stale.latest_completed_minute(from_seoul(kTuesday, 23, 0)) == from_seoul(kTuesday, 15, 30));
}

TEST_CASE("the Asio scheduler publishes one message per id at the boundary") {
  ManualClock clock(from_seoul(kTuesday, 10, 4, 59) + 900);  // 100 ms before 10:05
  std::mutex mu;
  std::vector<bus::EvaluateSession> got;
  Scheduler s(
      clock, calendar(),
      [] {
        return std::vector<std::int64_t>{3, 5, 8};
      },
      [&](const bus::EvaluateSession& m) {
        std::lock_guard lock(mu);
        got.push_back(m);
        return m.session_id != 8;  // one refused, as a full channel would
      });
  s.start();
  std::this_thread::sleep_for(30ms);
  {
    std::lock_guard lock(mu);
    CHECK(got.empty());  // not yet 10:05 on the injected clock
  }
  CHECK(s.next_wake() == from_seoul(kTuesday, 10, 5));
  clock.set(from_seoul(kTuesday, 10, 5));
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      if (got.size() >= 3) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  std::this_thread::sleep_for(50ms);  // a second tick for the same minute would show up here
  s.stop();
  s.stop();  // idempotent
  std::lock_guard lock(mu);
  REQUIRE(got.size() == 3);
  for (const auto& m : got) CHECK(m.minute == from_seoul(kTuesday, 10, 4));
  CHECK(s.ticks() == 1);
  CHECK(s.published() == 2);
}

TEST_CASE("wake(): a test steps a ManualClock through a whole day, one tick per step, quickly") {
  ManualClock clock(from_seoul(kTuesday, 8, 59, 30));
  std::mutex mu;
  std::vector<bus::EvaluateSession> got;
  Scheduler s(
      clock, calendar(), [] { return std::vector<std::int64_t>{42}; },
      [&](const bus::EvaluateSession& m) {
        std::lock_guard lock(mu);
        got.push_back(m);
        return true;
      });
  s.wake();  // not running yet: nothing happens, nothing breaks
  s.start();
  // start() returns once the scheduler has read the clock, so the first step below is a move.
  REQUIRE(s.next_wake() == from_seoul(kTuesday, 9, 1));
  auto wait_for_ticks = [&](std::uint64_t n) {
    for (int i = 0; i < 500 && s.ticks() < n; ++i) std::this_thread::sleep_for(10ms);
    return s.ticks() == n;
  };
  const auto t0 = std::chrono::steady_clock::now();
  // Without wake() each step would wait for the scheduler's next poll (up to 1 s): ~200 s a day.
  std::uint64_t expected = 0;
  for (TimestampMs b = from_seoul(kTuesday, 9, 1); b <= from_seoul(kTuesday, 15, 31);
       b += kMsPerMinute) {
    clock.set(b);
    s.wake();
    REQUIRE(wait_for_ticks(++expected));
  }
  CHECK(std::chrono::steady_clock::now() - t0 < 60s);
  // A jump of several minutes coalesces into one tick for the latest minute; past the 15:31
  // tick nothing more fires today.
  clock.set(from_seoul(kTuesday, 16, 0));
  s.wake();
  std::this_thread::sleep_for(50ms);
  CHECK(s.ticks() == expected);
  clock.set(from_seoul({2026, 11, 25}, 9, 10, 5));
  s.wake();
  REQUIRE(wait_for_ticks(++expected));
  s.stop();
  s.wake();  // stopped: nothing happens
  std::lock_guard lock(mu);
  REQUIRE(got.size() == 392);
  for (std::size_t i = 0; i < 391; ++i) {
    CHECK(got[i].session_id == 42);
    CHECK(got[i].minute == from_seoul(kTuesday, 9, 0) + static_cast<TimestampMs>(i) * kMsPerMinute);
  }
  CHECK(got.back().minute == from_seoul({2026, 11, 25}, 9, 9));
}
