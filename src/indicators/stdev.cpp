#include "quantd/indicators/stdev.h"

#include <algorithm>
#include <cmath>

namespace quantd::indicators {

MovingMoments::MovingMoments(int n)
    : n_((check_length(n, 1, "MovingMoments"), n)),
      n_double_(n),
      n_squared_(static_cast<double>(n) * n),
      rebase_limit_(std::min(1e-3, 0.5 / n) * n),
      // n^2 * d^2 < 2^63 keeps n * S2 and S1^2 in range: |d| < 2^31.5 / n.
      max_deviation_(static_cast<std::int64_t>(std::floor(0x1.6a09e667f3bcdp31 / n)) - 1),
      buf_(static_cast<unsigned>(n), 0.0) {}

void MovingMoments::leave_whole() noexcept {
  // The integer sums are exact; as doubles they are exact below 2^53, and
  // rounded once otherwise (a window far beyond any price).
  whole_ = false;
  set_shift(static_cast<double>(whole_shift_));
  s1_.reset(static_cast<double>(whole_s1_));
  s2_.reset(static_cast<double>(whole_s2_));
}

void MovingMoments::rebase(double newest) noexcept {
  // With the shift equal to a window value, |mean - shift| <= sd * sqrt(n - 1)
  // (Samuelson), so E[d^2] <= n * var and the subtraction below loses at most
  // log10(n) digits. A window of equal values gives exactly zero. The sums are
  // compensated here too: a plain sum's rounding error (relative to the large
  // values in the window) would outlive those values when they leave it.
  set_shift(newest);
  s1_.reset();
  s2_.reset();
  for (int i = 0; i < n_; ++i) {
    const double d = buf_[static_cast<unsigned>(i)] - shift_;
    s1_.add(d);
    s2_.add(d * d);
  }
  const double s1 = s1_.value();
  const double num = n_double_ * s2_.value() - s1 * s1;  // n^2 var
  variance_ = num > 0.0 ? num / n_squared_ : 0.0;
}

}  // namespace quantd::indicators
