#include "quantd/domain/bar.h"

namespace quantd::domain {

std::string_view to_string(Interval interval) {
  switch (interval) {
    case Interval::k1m:
      return "1m";
    case Interval::k5m:
      return "5m";
    case Interval::k15m:
      return "15m";
    case Interval::k30m:
      return "30m";
    case Interval::k60m:
      return "60m";
    case Interval::k1d:
      return "1d";
  }
  return "?";
}

std::optional<Interval> parse_interval(std::string_view text) {
  for (Interval i : {Interval::k1m, Interval::k5m, Interval::k15m, Interval::k30m, Interval::k60m,
                     Interval::k1d}) {
    if (to_string(i) == text) return i;
  }
  return std::nullopt;
}

std::int64_t interval_ms(Interval interval) {
  switch (interval) {
    case Interval::k1m:
      return kMsPerMinute;
    case Interval::k5m:
      return 5 * kMsPerMinute;
    case Interval::k15m:
      return 15 * kMsPerMinute;
    case Interval::k30m:
      return 30 * kMsPerMinute;
    case Interval::k60m:
      return 60 * kMsPerMinute;
    case Interval::k1d:
      return kMsPerDay;
  }
  return kMsPerMinute;
}

bool is_valid_symbol(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace quantd::domain
