// On-balance volume (obv()). The NA rule and threading are in indicators.h.
#pragma once

#include <cmath>

#include "quantd/indicators/common.h"

namespace quantd::indicators {

// On-balance volume, TTR convention: OBV starts at the first accepted bar's
// volume (not 0); after that OBV += volume if the close rose, -= volume if it
// fell, unchanged if "equal", where equal means |log c - log c_prev| <
// sqrt(DBL_EPSILON) = 2^-26 (TTR's tolerance). Prices are expected to be
// positive; if either close is <= 0 the plain comparison c vs c_prev decides.
// warmup() = 0. O(1), no allocation (the logarithms are only taken for closes
// within ~1e-7 relative of each other). Value type; not thread-safe.
class Obv {
 public:
  Obv() = default;

  // Feeds the next bar; returns OBV, or NA when close or volume is missing
  // (the bar is skipped, state unchanged).
  double update(double close, double volume) noexcept {
    if (is_missing(close) || is_missing(volume)) return value_ = kNa;
    if (is_na(prev_close_)) {
      obv_ = volume;
    } else {
      obv_ += direction(close, prev_close_) * volume;
    }
    prev_close_ = close;
    return value_ = obv_;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: 0.
  [[nodiscard]] int warmup() const noexcept { return 0; }

 private:
  // +1, -1 or 0 per TTR's rule on the log change from prev to c.
  static double direction(double c, double prev) noexcept {
    if (c > 0.0 && prev > 0.0) {
      const double r = c / prev;
      if (r > 1.0 + 1e-7) return 1.0;  // log r > 9.9e-8 > 2^-26: clearly up
      if (r < 1.0 - 1e-7) return -1.0;
      const double change = std::log(c) - std::log(prev);  // as TTR's ROC
      if (std::fabs(change) < kEqualLogChange) return 0.0;
      return change > 0.0 ? 1.0 : -1.0;
    }
    return c > prev ? 1.0 : (c < prev ? -1.0 : 0.0);
  }

  static constexpr double kEqualLogChange = 0x1p-26;  // sqrt(DBL_EPSILON)

  double prev_close_ = kNa;
  double obv_ = 0.0;
  double value_ = kNa;
};

}  // namespace quantd::indicators
