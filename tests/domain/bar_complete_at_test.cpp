// bar_complete_at: the session-aware completion rule that backtests (DataContext::now) and live
// market data share.
#include <doctest/doctest.h>

#include <vector>

#include "quantd/domain/aggregate.h"

using namespace quantd;
using namespace quantd::domain;

TEST_CASE("bar_complete_at: 1m after a minute, buckets after their interval, the close at 15:31") {
  const CivilDate d{2024, 3, 4};
  const TimestampMs close_done = from_seoul(d, 15, 31);
  CHECK(bar_complete_at(from_seoul(d, 9, 0), Interval::k1m) == from_seoul(d, 9, 1));
  CHECK(bar_complete_at(from_seoul(d, 15, 30), Interval::k1m) == close_done);
  CHECK(bar_complete_at(from_seoul(d, 9, 0), Interval::k5m) == from_seoul(d, 9, 5));
  CHECK(bar_complete_at(from_seoul(d, 15, 10), Interval::k5m) == from_seoul(d, 15, 15));
  CHECK(bar_complete_at(from_seoul(d, 15, 15), Interval::k5m) == close_done);
  CHECK(bar_complete_at(from_seoul(d, 15, 0), Interval::k15m) == from_seoul(d, 15, 15));
  CHECK(bar_complete_at(from_seoul(d, 15, 15), Interval::k15m) == close_done);
  CHECK(bar_complete_at(from_seoul(d, 15, 0), Interval::k30m) == close_done);
  CHECK(bar_complete_at(from_seoul(d, 14, 0), Interval::k60m) == from_seoul(d, 15, 0));
  CHECK(bar_complete_at(from_seoul(d, 15, 0), Interval::k60m) == close_done);
  CHECK(bar_complete_at(from_seoul(d), Interval::k1d) == close_done);

  // Every bucket completes no earlier than the last 1m bar it can hold, and the day's last one of
  // each interval completes exactly at 15:31.
  for (Interval iv :
       {Interval::k5m, Interval::k15m, Interval::k30m, Interval::k60m, Interval::k1d}) {
    CAPTURE(to_string(iv));
    const BarAggregator agg(iv);
    TimestampMs last_bucket = 0;
    for (TimestampMs t = from_seoul(d, 9, 0); t <= from_seoul(d, 15, 30); t += kMsPerMinute) {
      last_bucket = agg.bucket_start(t);
      CHECK(bar_complete_at(t, Interval::k1m) <= bar_complete_at(last_bucket, iv));
    }
    CHECK(bar_complete_at(last_bucket, iv) == close_done);
  }
}
