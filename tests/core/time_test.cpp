#include "quantd/core/time.h"

#include <doctest/doctest.h>

using namespace quantd;

TEST_CASE("civil date round trip and weekdays") {
  CHECK(days_from_civil({1970, 1, 1}) == 0);
  CHECK(days_from_civil({2000, 3, 1}) == 11017);
  for (std::int64_t d = -800000; d <= 800000; d += 997) {
    CHECK(days_from_civil(civil_from_days(d)) == d);
  }
  CHECK(weekday_from_days(0) == 4);                                // 1970-01-01 was a Thursday
  CHECK(weekday_from_days(days_from_civil({2026, 11, 24})) == 2);  // a Tuesday
}

TEST_CASE("parse_timestamp: forms, offsets and Seoul default") {
  const TimestampMs midnight_kst = from_seoul({2024, 1, 2});
  CHECK(parse_timestamp("2024-01-02") == midnight_kst);
  CHECK(parse_timestamp("2024-01-02T09:30") == from_seoul({2024, 1, 2}, 9, 30));
  CHECK(parse_timestamp("2024-01-02 09:30:15") == from_seoul({2024, 1, 2}, 9, 30, 15));
  CHECK(parse_timestamp("2024-01-02T00:30:00Z") == from_seoul({2024, 1, 2}, 9, 30));
  CHECK(parse_timestamp("2024-01-02T09:30:00+09:00") == from_seoul({2024, 1, 2}, 9, 30));
  CHECK(parse_timestamp("2024-01-02T09:30:00.250") == from_seoul({2024, 1, 2}, 9, 30) + 250);
  CHECK_FALSE(parse_timestamp("2024-13-02"));
  CHECK_FALSE(parse_timestamp("2023-02-29"));
  CHECK(parse_timestamp("2024-02-29"));
  CHECK_FALSE(parse_timestamp("2024-01-02T25:00"));
  CHECK_FALSE(parse_timestamp("2024-01-02X"));
  CHECK_FALSE(parse_timestamp("02/01/2024"));
  CHECK_FALSE(parse_timestamp(""));
}

TEST_CASE("format_seoul is the inverse of parse for whole seconds") {
  const TimestampMs t = from_seoul({2025, 12, 31}, 15, 29, 59);
  CHECK(format_seoul(t) == "2025-12-31T15:29:59");
  CHECK(parse_timestamp(format_seoul(t)) == t);
  CHECK(format_seoul_date(t) == "2025-12-31");
  CHECK(format_utc_iso(0) == "1970-01-01T00:00:00.000Z");
  const SeoulTime st = to_seoul(t);
  CHECK(st.hour == 15);
  CHECK(st.weekday == 3);
}
