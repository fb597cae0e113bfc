#include "quantd/domain/aggregate.h"

#include <doctest/doctest.h>

#include <vector>

using namespace quantd;
using namespace quantd::domain;

namespace {

// One 1-minute bar at Seoul hh:mm on `day`; prices derived from the minute index so every bucket
// has known values.
Bar minute(CivilDate day, int hh, int mm, double base) {
  const double p = base + hh * 100 + mm;
  return Bar{from_seoul(day, hh, mm), p, p + 0.5, p - 0.5, p + 0.25, 10};
}

std::vector<Bar> session_day(CivilDate day, double base) {
  std::vector<Bar> v;
  v.push_back(minute(day, 8, 45, base));  // pre-market: dropped
  for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
    if (m > 15 * 60 + 20 && m < 15 * 60 + 30) continue;  // closing auction: no trades until 15:30
    v.push_back(minute(day, m / 60, m % 60, base));
  }
  v.push_back(minute(day, 16, 10, base));  // after-hours single price: dropped
  return v;
}

}  // namespace

TEST_CASE("1m to 5m: buckets from 09:00, closing auction folded into the last bucket") {
  const CivilDate d{2024, 3, 4};
  const std::vector<Bar> in = session_day(d, 10'000);
  const std::vector<Bar> out = aggregate_bars(in, Interval::k5m);
  // 09:00 .. 15:15 are 76 buckets; the 15:20 and 15:30 bars join the 15:15 bucket.
  REQUIRE(out.size() == 76);
  CHECK(out[0].ts == from_seoul(d, 9, 0));
  CHECK(out[0].open == 10'900);
  CHECK(out[0].high == 10'904.5);
  CHECK(out[0].low == 10'899.5);
  CHECK(out[0].close == 10'904.25);
  CHECK(out[0].volume == 50);
  const Bar& last = out.back();
  CHECK(last.ts == from_seoul(d, 15, 15));
  CHECK(last.open == 11'515);
  CHECK(last.close == 11'530.25);  // the 15:30 official close
  CHECK(last.high == 11'530.5);
  CHECK(last.volume == 70);
}

TEST_CASE("1m to 1d: one bar per Seoul day stamped at midnight, session bars only") {
  std::vector<Bar> in = session_day({2024, 3, 4}, 10'000);
  const std::vector<Bar> day2 = session_day({2024, 3, 5}, 20'000);
  in.insert(in.end(), day2.begin(), day2.end());
  const std::vector<Bar> out = aggregate_bars(in, Interval::k1d);
  REQUIRE(out.size() == 2);
  CHECK(out[0].ts == from_seoul({2024, 3, 4}));
  CHECK(out[0].open == 10'900);
  CHECK(out[0].close == 11'530.25);
  CHECK(out[0].high == 11'530.5);
  CHECK(out[0].low == 10'899.5);
  CHECK(out[0].volume == 10 * (6 * 60 + 20 + 1 + 1));
  CHECK(out[1].ts == from_seoul({2024, 3, 5}));
  CHECK(out[1].open == 20'900);
}

TEST_CASE("60m buckets keep the hour; options can keep everything") {
  const CivilDate d{2024, 3, 4};
  const std::vector<Bar> in = session_day(d, 0);
  const auto hours = aggregate_bars(in, Interval::k60m);
  REQUIRE(hours.size() == 7);  // 09 .. 15
  CHECK(hours.back().ts == from_seoul(d, 15, 0));
  CHECK(hours.back().close == 1'530.25);
  AggregateOptions all{false, false};
  const auto raw = aggregate_bars(in, Interval::k60m, all);
  REQUIRE(raw.size() == 9);  // 08, 09 .. 15, 16
  CHECK(raw.front().ts == from_seoul(d, 8, 0));
}

TEST_CASE("BarAggregator emits a bucket when the next one starts, or when its time has passed") {
  const CivilDate d{2024, 3, 4};
  BarAggregator agg(Interval::k5m);
  CHECK_FALSE(agg.add(minute(d, 9, 0, 0)).has_value());
  CHECK_FALSE(agg.add(minute(d, 9, 4, 0)).has_value());
  CHECK_FALSE(agg.complete_until(from_seoul(d, 9, 4, 59)).has_value());
  auto done = agg.complete_until(from_seoul(d, 9, 5));
  REQUIRE(done.has_value());
  CHECK(done->ts == from_seoul(d, 9, 0));
  CHECK(done->volume == 20);
  CHECK_FALSE(agg.add(minute(d, 9, 7, 0)).has_value());
  CHECK_FALSE(agg.add(minute(d, 9, 7, 0)).has_value());  // duplicate: ignored
  auto next = agg.add(minute(d, 9, 10, 0));
  REQUIRE(next.has_value());
  CHECK(next->ts == from_seoul(d, 9, 5));
  CHECK(next->volume == 10);
  // The 15:15 bucket waits for the 15:30 auction bar.
  BarAggregator late(Interval::k5m);
  (void)late.add(minute(d, 15, 19, 0));
  CHECK_FALSE(late.complete_until(from_seoul(d, 15, 25)).has_value());
  CHECK_FALSE(late.add(minute(d, 15, 30, 0)).has_value());
  auto closing = late.complete_until(from_seoul(d, 15, 31));
  REQUIRE(closing.has_value());
  CHECK(closing->ts == from_seoul(d, 15, 15));
  CHECK(closing->volume == 20);
}

TEST_CASE("bar_complete_at: one interval later, but the last bucket and the day at 15:31") {
  const CivilDate d{2024, 3, 4};
  const TimestampMs close_done = from_seoul(d, 15, 31);
  // 1m: always one minute later, including the auction minutes and the 15:30 closing print.
  CHECK(bar_complete_at(from_seoul(d, 9, 0), Interval::k1m) == from_seoul(d, 9, 1));
  CHECK(bar_complete_at(from_seoul(d, 15, 19), Interval::k1m) == from_seoul(d, 15, 20));
  CHECK(bar_complete_at(from_seoul(d, 15, 30), Interval::k1m) == close_done);
  // 5m: the 15:15 bucket holds 15:19 and the folded auction bars.
  CHECK(bar_complete_at(from_seoul(d, 9, 0), Interval::k5m) == from_seoul(d, 9, 5));
  CHECK(bar_complete_at(from_seoul(d, 15, 10), Interval::k5m) == from_seoul(d, 15, 15));
  CHECK(bar_complete_at(from_seoul(d, 15, 15), Interval::k5m) == close_done);
  // 15m: 15:15 likewise; 15:00 does not hold 15:19.
  CHECK(bar_complete_at(from_seoul(d, 15, 0), Interval::k15m) == from_seoul(d, 15, 15));
  CHECK(bar_complete_at(from_seoul(d, 15, 15), Interval::k15m) == close_done);
  // 30m and 60m: the 15:00 bucket.
  CHECK(bar_complete_at(from_seoul(d, 14, 30), Interval::k30m) == from_seoul(d, 15, 0));
  CHECK(bar_complete_at(from_seoul(d, 15, 0), Interval::k30m) == close_done);
  CHECK(bar_complete_at(from_seoul(d, 9, 0), Interval::k60m) == from_seoul(d, 10, 0));
  CHECK(bar_complete_at(from_seoul(d, 14, 0), Interval::k60m) == from_seoul(d, 15, 0));
  CHECK(bar_complete_at(from_seoul(d, 15, 0), Interval::k60m) == close_done);
  // 1d: stamped at Seoul midnight, complete at the close plus the auction minute, not at midnight.
  CHECK(bar_complete_at(from_seoul(d), Interval::k1d) == close_done);
  CHECK(bar_complete_at(from_seoul({2024, 12, 31}), Interval::k1d) ==
        from_seoul({2024, 12, 31}, 15, 31));
  // No bucket completes before every 1m bar it can receive has completed, and the day's last
  // bucket of every interval completes at 15:31.
  for (Interval iv : {Interval::k1m, Interval::k5m, Interval::k15m, Interval::k30m, Interval::k60m,
                      Interval::k1d}) {
    CAPTURE(to_string(iv));
    const BarAggregator agg(iv);
    for (TimestampMs t = from_seoul(d, 9, 0); t <= from_seoul(d, 15, 30); t += kMsPerMinute) {
      const TimestampMs bucket = agg.bucket_start(t);
      CHECK(bar_complete_at(t, Interval::k1m) <= bar_complete_at(bucket, iv));
      CHECK(bar_complete_at(bucket, iv) <= close_done);
    }
    const std::vector<Bar> out = aggregate_bars(session_day(d, 0), iv);
    REQUIRE(!out.empty());
    CHECK(bar_complete_at(out.back().ts, iv) == close_done);
  }
}

TEST_CASE("BarAggregator completes a daily bar at 15:31, and each interval's last bucket there") {
  const CivilDate d{2024, 3, 4};
  const std::vector<Bar> day = session_day(d, 0);
  for (Interval iv :
       {Interval::k5m, Interval::k15m, Interval::k30m, Interval::k60m, Interval::k1d}) {
    CAPTURE(to_string(iv));
    BarAggregator agg(iv);
    for (const Bar& b : day) {
      if (b.ts > from_seoul(d, 15, 30)) break;  // the session ends with the 15:30 print
      (void)agg.add(b);
    }
    CHECK_FALSE(agg.complete_until(from_seoul(d, 15, 30, 59)).has_value());
    auto last = agg.complete_until(from_seoul(d, 15, 31));
    REQUIRE(last.has_value());
    CHECK(last->close == 1'530.25);                                         // the official close
    CHECK_FALSE(agg.complete_until(from_seoul({2024, 3, 5})).has_value());  // nothing left
  }
  // Options that keep after-hours bars keep the daily bucket open until midnight.
  BarAggregator all(Interval::k1d, AggregateOptions{false, false});
  (void)all.add(minute(d, 15, 30, 0));
  CHECK_FALSE(all.complete_until(from_seoul(d, 15, 31)).has_value());
  CHECK(all.complete_until(from_seoul({2024, 3, 5})).has_value());
}
