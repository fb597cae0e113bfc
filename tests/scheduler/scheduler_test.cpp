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

TEST_CASE("a simulated day: one tick per session minute, exactly on boundaries, no drift") {
  const KrxCalendar cal = calendar();
  SessionTicker ticker(cal);
  TimestampMs now = from_seoul(kTuesday, 7, 13, 27);
  std::vector<TimestampMs> minutes;
  std::vector<TimestampMs> wakes;
  // Follow the ticker's own wake times, as the timer does, until the next day begins.
  while (now < from_seoul({2026, 11, 25}, 0, 0)) {
    now = ticker.next_wake(now);
    if (now >= from_seoul({2026, 11, 25}, 0, 0)) break;
    wakes.push_back(now);
    if (auto m = ticker.on_wake(now)) minutes.push_back(*m);
  }
  REQUIRE(minutes.size() == 390);
  CHECK(minutes.front() == from_seoul(kTuesday, 9, 0));
  CHECK(minutes.back() == from_seoul(kTuesday, 15, 29));
  for (std::size_t i = 0; i < wakes.size(); ++i) {
    CHECK(wakes[i] % kMsPerMinute == 0);  // on the boundary
    CHECK(wakes[i] == from_seoul(kTuesday, 9, 1) + static_cast<TimestampMs>(i) * kMsPerMinute);
  }
}

TEST_CASE("nothing outside the session, weekends or holidays") {
  const KrxCalendar cal = calendar();
  SessionTicker ticker(cal);
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 8, 59, 59)));
  CHECK_FALSE(ticker.on_wake(from_seoul(kTuesday, 9, 0, 30)));  // first minute not complete
  CHECK_FALSE(ticker.on_wake(from_seoul({2026, 11, 28}, 10, 0)));
  CHECK_FALSE(ticker.on_wake(from_seoul({2026, 12, 25}, 10, 0)));
  // After the close the next wake is the next trading day's first boundary.
  CHECK(ticker.next_wake(from_seoul(kTuesday, 15, 30)) == from_seoul({2026, 11, 25}, 9, 1));
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

TEST_CASE("the Asio scheduler publishes one message per active strategy at the boundary") {
  ManualClock clock(from_seoul(kTuesday, 10, 4, 59) + 900);  // 100 ms before 10:05
  std::mutex mu;
  std::vector<bus::EvaluateStrategy> got;
  Scheduler s(
      clock, calendar(),
      [] {
        return std::vector<std::int64_t>{3, 5, 8};
      },
      [&](const bus::EvaluateStrategy& m) {
        std::lock_guard lock(mu);
        got.push_back(m);
        return m.strategy_id != 8;  // one refused, as a full channel would
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
