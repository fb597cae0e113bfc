// Time in quantd: UTC epoch milliseconds everywhere; Asia/Seoul (UTC+9, no DST) for display and
// for timestamps written without an offset.
//
// All functions are pure, thread-safe and allocation-free except the string formatters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace quantd {

// Milliseconds since 1970-01-01T00:00:00Z.
using TimestampMs = std::int64_t;

inline constexpr std::int64_t kMsPerSecond = 1000;
inline constexpr std::int64_t kMsPerMinute = 60 * kMsPerSecond;
inline constexpr std::int64_t kMsPerHour = 60 * kMsPerMinute;
inline constexpr std::int64_t kMsPerDay = 24 * kMsPerHour;
// Korea Standard Time has been UTC+9 without daylight saving since 1988.
inline constexpr std::int64_t kSeoulOffsetMs = 9 * kMsPerHour;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
  friend auto operator<=>(const CivilDate&, const CivilDate&) = default;
};

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(CivilDate d) {
  const int y = d.year - (d.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(d.month + (d.month > 2 ? -3 : 9));
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(d.day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Inverse of days_from_civil.
constexpr CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
  return {y, m, d};
}

// 0 = Sunday .. 6 = Saturday.
constexpr int weekday_from_days(std::int64_t z) {
  return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

// A wall-clock moment in Asia/Seoul.
struct SeoulTime {
  CivilDate date;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  int weekday = 4;  // 0 = Sunday
};

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

constexpr SeoulTime to_seoul(TimestampMs ts) {
  const std::int64_t local = ts + kSeoulOffsetMs;
  const std::int64_t days = floor_div(local, kMsPerDay);
  std::int64_t rem = local - days * kMsPerDay;
  SeoulTime t;
  t.date = civil_from_days(days);
  t.weekday = weekday_from_days(days);
  t.hour = static_cast<int>(rem / kMsPerHour);
  rem %= kMsPerHour;
  t.minute = static_cast<int>(rem / kMsPerMinute);
  rem %= kMsPerMinute;
  t.second = static_cast<int>(rem / kMsPerSecond);
  t.millisecond = static_cast<int>(rem % kMsPerSecond);
  return t;
}

constexpr TimestampMs from_seoul(CivilDate d, int hour = 0, int minute = 0, int second = 0) {
  return days_from_civil(d) * kMsPerDay + hour * kMsPerHour + minute * kMsPerMinute +
         second * kMsPerSecond - kSeoulOffsetMs;
}

// The Seoul calendar day (days since epoch) a timestamp falls on.
constexpr std::int64_t seoul_day(TimestampMs ts) {
  return floor_div(ts + kSeoulOffsetMs, kMsPerDay);
}

// "YYYY-MM-DDTHH:MM:SS" in Asia/Seoul (no offset suffix): the form CSV input and output use.
std::string format_seoul(TimestampMs ts);
// "YYYY-MM-DD" in Asia/Seoul.
std::string format_seoul_date(TimestampMs ts);
// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_utc_iso(TimestampMs ts);

// Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" or with 'T', optionally followed by 'Z' or
// "+HH:MM"/"-HH:MM". Without an offset the time is Asia/Seoul. Returns nullopt on any malformed or
// out-of-range field. Allocation-free; this is on the CSV import hot path.
std::optional<TimestampMs> parse_timestamp(std::string_view text);

// Parses "YYYY-MM-DD" strictly.
std::optional<CivilDate> parse_civil_date(std::string_view text);

}  // namespace quantd
