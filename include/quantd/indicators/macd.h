// MACD line, signal and histogram (macd / macd_signal / macd_hist). The NA
// rule and threading are in indicators.h.
#pragma once

#include <algorithm>

#include "quantd/indicators/common.h"
#include "quantd/indicators/moving_average.h"

namespace quantd::indicators {

// MACD in price units (TTR MACD with percent = FALSE): line = Ema_fast(x) -
// Ema_slow(x); signal = Ema_signal(line), seeded with the mean of the first
// `signal` line values (leading-NA rule); histogram = line - signal.
// The line starts at bar max(fast, slow) - 1 (warmup()), the signal and the
// histogram at warmup() + signal - 1 (signal_warmup()). O(1), no allocation.
// Value type; not thread-safe.
class Macd {
 public:
  // Preconditions: 1 <= fast, slow, signal <= kMaxLength (aborts otherwise).
  // fast < slow is usual but not required.
  Macd(int fast, int slow, int signal) : fast_(fast), slow_(slow), signal_(signal) {}

  // Feeds the next value; returns the MACD line, or NA while warming up or
  // when x is missing (skipped, state unchanged; all three outputs are NA).
  double update(double x) noexcept {
    if (is_missing(x)) {
      line_ = signal_value_ = hist_ = kNa;
      return kNa;
    }
    const double f = fast_.update(x);
    const double s = slow_.update(x);
    line_ = f - s;  // NA while either is warming up
    signal_value_ = signal_.update(line_);
    hist_ = line_ - signal_value_;
    return line_;
  }

  // The MACD line of the last update() (= line()); NA before the first.
  [[nodiscard]] double value() const noexcept { return line_; }
  // The MACD line (macd) of the last update().
  [[nodiscard]] double line() const noexcept { return line_; }
  // The signal line (macd_signal) of the last update().
  [[nodiscard]] double signal() const noexcept { return signal_value_; }
  // line - signal (macd_hist) of the last update().
  [[nodiscard]] double histogram() const noexcept { return hist_; }
  // Bars before the first line value: max(fast, slow) - 1.
  [[nodiscard]] int warmup() const noexcept { return std::max(fast_.length(), slow_.length()) - 1; }
  // Bars before the first signal / histogram value.
  [[nodiscard]] int signal_warmup() const noexcept { return warmup() + signal_.length() - 1; }

 private:
  Ema fast_;
  Ema slow_;
  Ema signal_;
  double line_ = kNa;
  double signal_value_ = kNa;
  double hist_ = kNa;
};

}  // namespace quantd::indicators
