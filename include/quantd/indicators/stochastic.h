// Stochastic oscillator %K and %D (stoch_k, stoch_d), in percent 0..100.
// The NA rule and threading are in indicators.h.
#pragma once

#include "quantd/indicators/common.h"
#include "quantd/indicators/moving_average.h"
#include "quantd/indicators/window_extremes.h"

namespace quantd::indicators {

// How StochK applies its `smooth` length.
enum class StochSmoothing {
  // The strategy language's stoch_k(n, smooth): the SMA over `smooth` bars of
  // the raw %K in percent (as Backtrader's slow %K, an SMA of percentages).
  // With smooth = 3 this is the usual "slow %K" (the oracle's stoch_fastd), so
  // stoch_d(n, 3, 3) is the usual "slow %D".
  kSmaOfK,
  // TTR stoch(..., smooth = s): SMA_s(close - LL) / SMA_s(HH - LL), i.e. the
  // numerator and denominator are smoothed separately before dividing (times
  // 100 on the numerator, as for the raw value).
  kRatioOfSums,
};

// Stochastic %K in percent: raw = 100 (close - LL) / (HH - LL) with
// HH = highest(high, n), LL = lowest(low, n), current bar included (TTR
// bounded = TRUE), and 50 when HH == LL (TTR's 0.5 rule); then smoothed over
// `smooth` bars (1 = raw, see StochSmoothing). The raw value is computed as
// (100 * (close - LL)) / (HH - LL), one rounding: for whole-number prices it
// is the correctly rounded percentage, so a close at exactly 29% of the range
// gives exactly 29 (TTR's fraction times 100 and Backtrader's
// 100 * (num / den) round twice: 100 * (29 / 100) is 28.999999999999996). First value at bar n +
// smooth - 2 (warmup()). O(1) amortised, no allocation after construction. Value type; not
// thread-safe.
class StochK {
 public:
  // Preconditions: 1 <= n, smooth <= kMaxLength (aborts otherwise).
  explicit StochK(int n, int smooth = 1, StochSmoothing mode = StochSmoothing::kSmaOfK);

  // Feeds the next bar; returns %K in 0..100 (for bars whose close lies
  // within [low, high]), or NA while warming up or when any input is missing
  // (the bar is skipped, state unchanged).
  double update(double high, double low, double close) noexcept {
    if (is_missing(high) || is_missing(low) || is_missing(close)) {
      return value_ = kNa;
    }
    const double hh = highest_.update(high);
    const double ll = lowest_.update(low);
    if (is_na(hh)) return value_ = kNa;  // hh and ll warm up together
    const double num = close - ll;
    const double den = hh - ll;
    if (smooth_ == 1) return value_ = percent(num, den);
    if (mode_ == StochSmoothing::kSmaOfK) return value_ = sma_a_.update(percent(num, den));
    return value_ = percent(sma_a_.update(num), sma_b_.update(den));  // NA while warming up
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: n - 1 + smooth - 1.
  [[nodiscard]] int warmup() const noexcept { return highest_.length() - 1 + smooth_ - 1; }

 private:
  static double percent(double num, double den) noexcept {
    // den == 0 only when HH == LL; TTR maps the resulting 0/0 to 0.5. An NA
    // den (smoothing still warming up) compares unequal and yields NA.
    return den != 0.0 ? (100.0 * num) / den : 50.0;
  }

  Highest highest_;
  Lowest lowest_;
  int smooth_;
  StochSmoothing mode_;
  Sma sma_a_;  // kSmaOfK: of raw %K; kRatioOfSums: of close - LL
  Sma sma_b_;  // kRatioOfSums only: of HH - LL
  double value_ = kNa;
};

// Stochastic %D: Sma_d of StochK(n, smooth, mode), in 0..100. First value at
// bar n + smooth + d - 3 (warmup()). Same cost and contract as StochK.
class StochD {
 public:
  // Preconditions: 1 <= n, smooth, d <= kMaxLength (aborts otherwise).
  StochD(int n, int smooth, int d, StochSmoothing mode = StochSmoothing::kSmaOfK)
      : k_(n, smooth, mode), d_(d) {}

  // Feeds the next bar; returns %D, or NA while warming up or when any input
  // is missing (the bar is skipped, state unchanged).
  double update(double high, double low, double close) noexcept {
    return value_ = d_.update(k_.update(high, low, close));
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // The %K of the last update().
  [[nodiscard]] double k() const noexcept { return k_.value(); }
  // Bars before the first value: n + smooth + d - 3.
  [[nodiscard]] int warmup() const noexcept { return k_.warmup() + d_.warmup(); }

 private:
  StochK k_;
  Sma d_;
  double value_ = kNa;
};

}  // namespace quantd::indicators
