#include "quantd/core/clock.h"

#include <doctest/doctest.h>

#include <thread>
#include <vector>

using namespace quantd;

TEST_CASE("ManualClock::advance_to moves forward or stays, never backwards, even when raced") {
  ManualClock clock(1'000);
  CHECK(clock.advance_to(5'000));
  CHECK(clock.now() == 5'000);
  CHECK(clock.advance_to(5'000));  // the same time: allowed, nothing changes
  CHECK_FALSE(clock.advance_to(4'999));
  CHECK(clock.now() == 5'000);
  // Movers racing with their own targets: the clock ends at the largest and never went down.
  std::vector<std::thread> movers;
  std::atomic<bool> went_back{false};
  for (int t = 0; t < 4; ++t) {
    movers.emplace_back([&, t] {
      for (TimestampMs i = 0; i < 2'000; ++i) {
        const TimestampMs before = clock.now();
        (void)clock.advance_to(10'000 + i * 4 + t);
        if (clock.now() < before) went_back = true;
      }
    });
  }
  for (auto& m : movers) m.join();
  CHECK_FALSE(went_back);
  CHECK(clock.now() == 10'000 + 1'999 * 4 + 3);
}
