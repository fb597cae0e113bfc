// Bollinger bands: bb_middle / bb_upper / bb_lower of the strategy language.
// The NA rule and threading are in indicators.h.
#pragma once

#include <cmath>

#include "quantd/indicators/common.h"
#include "quantd/indicators/stdev.h"

namespace quantd::indicators {

// Bollinger bands on x (TTR BBands on a single series, sd = population):
// middle = SMA_n(x), upper/lower = middle +- k * stdev_n(x). All three become
// available after n accepted inputs (warmup() = n - 1). O(1) per update (see
// MovingMoments for the numerics). Value type; not thread-safe.
class Bollinger {
 public:
  // Preconditions: 1 <= n <= kMaxLength (aborts otherwise); k is any finite
  // multiplier (usually 2).
  Bollinger(int n, double k) : moments_(n), k_(k) {}

  // Feeds the next value; returns the middle band, or NA while warming up or
  // when x is missing (skipped, state unchanged; all bands are NA then).
  double update(double x) noexcept {
    if (!moments_.update(x)) {
      middle_ = upper_ = lower_ = kNa;
      return kNa;
    }
    middle_ = moments_.mean();
    const double width = k_ * std::sqrt(moments_.variance());
    upper_ = middle_ + width;
    lower_ = middle_ - width;
    return middle_;
  }

  // The middle band of the last update() (= value()); NA before the first.
  [[nodiscard]] double value() const noexcept { return middle_; }
  // The middle band (bb_middle) of the last update().
  [[nodiscard]] double middle() const noexcept { return middle_; }
  // The upper band (bb_upper) of the last update().
  [[nodiscard]] double upper() const noexcept { return upper_; }
  // The lower band (bb_lower) of the last update().
  [[nodiscard]] double lower() const noexcept { return lower_; }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return moments_.length() - 1; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return moments_.length(); }
  // The band multiplier k.
  [[nodiscard]] double multiplier() const noexcept { return k_; }

 private:
  MovingMoments moments_;
  double k_;
  double middle_ = kNa;
  double upper_ = kNa;
  double lower_ = kNa;
};

}  // namespace quantd::indicators
