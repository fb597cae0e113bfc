#include "quantd/core/time.h"

#include <cstdio>

namespace quantd {
namespace {

// Reads exactly n digits at p; false if any is not a digit.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

constexpr bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr int days_in_month(int y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<CivilDate> parse_civil_date(std::string_view s) {
  CivilDate d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s, 0, 4, d.year) || !digits(s, 5, 2, d.month) || !digits(s, 8, 2, d.day)) {
    return std::nullopt;
  }
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month)) {
    return std::nullopt;
  }
  return d;
}

std::optional<TimestampMs> parse_timestamp(std::string_view s) {
  auto date = parse_civil_date(s.substr(0, 10));
  if (!date) return std::nullopt;
  std::int64_t ms = days_from_civil(*date) * kMsPerDay;
  std::size_t pos = 10;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == ' ')) {
    int h = 0, m = 0, sec = 0;
    if (!digits(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, m)) {
      return std::nullopt;
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {
        ++pos;
        int frac = 0, n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          if (n < 3) frac = frac * 10 + (s[pos] - '0');
          ++n;
          ++pos;
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n) frac *= 10;
        ms += frac;
      }
    }
    if (h > 23 || m > 59 || sec > 60) return std::nullopt;
    ms += h * kMsPerHour + m * kMsPerMinute + sec * kMsPerSecond;
  }
  if (pos == s.size()) return ms - kSeoulOffsetMs;
  if (s[pos] == 'Z' && pos + 1 == s.size()) return ms;
  if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    const std::int64_t off = oh * kMsPerHour + om * kMsPerMinute;
    return s[pos] == '+' ? ms - off : ms + off;
  }
  return std::nullopt;
}

std::string format_seoul(TimestampMs ts) {
  const SeoulTime t = to_seoul(ts);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.date.year, t.date.month,
                t.date.day, t.hour, t.minute, t.second);
  return buf;
}

std::string format_seoul_date(TimestampMs ts) {
  const SeoulTime t = to_seoul(ts);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.date.year, t.date.month, t.date.day);
  return buf;
}

std::string format_utc_iso(TimestampMs ts) {
  const std::int64_t days = floor_div(ts, kMsPerDay);
  const std::int64_t rem = ts - days * kMsPerDay;
  const CivilDate d = civil_from_days(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                static_cast<int>(rem / kMsPerHour), static_cast<int>(rem / kMsPerMinute % 60),
                static_cast<int>(rem / kMsPerSecond % 60), static_cast<int>(rem % 1000));
  return buf;
}

}  // namespace quantd
