// Helpers for backtest tests: daily bars on consecutive weekdays.
#pragma once

#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/bar.h"

namespace quantd::backtest::testing {

// Weekdays from `start` (inclusive), as many as `n`.
inline std::vector<TimestampMs> weekdays(CivilDate start, std::size_t n) {
  std::vector<TimestampMs> v;
  for (std::int64_t d = days_from_civil(start); v.size() < n; ++d) {
    const int wd = weekday_from_days(d);
    if (wd != 0 && wd != 6) v.push_back(from_seoul(civil_from_days(d)));
  }
  return v;
}

struct Ohlc {
  double open, high, low, close;
};

inline std::vector<domain::Bar> daily_bars(CivilDate start, const std::vector<Ohlc>& ohlc) {
  const auto ts = weekdays(start, ohlc.size());
  std::vector<domain::Bar> v;
  for (std::size_t i = 0; i < ohlc.size(); ++i) {
    v.push_back({ts[i], ohlc[i].open, ohlc[i].high, ohlc[i].low, ohlc[i].close, 1000});
  }
  return v;
}

// Bars with high/low 100 beyond the open and close.
inline std::vector<domain::Bar> bars_from(CivilDate start, const std::vector<double>& opens,
                                          const std::vector<double>& closes) {
  std::vector<Ohlc> o;
  for (std::size_t i = 0; i < closes.size(); ++i) {
    o.push_back({opens[i], std::max(opens[i], closes[i]) + 100, std::min(opens[i], closes[i]) - 100,
                 closes[i]});
  }
  return daily_bars(start, o);
}

}  // namespace quantd::backtest::testing
