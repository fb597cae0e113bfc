#include "quantd/indicators/stdev.h"

#include <algorithm>

namespace quantd::indicators {

MovingMoments::MovingMoments(int n)
    : n_((check_length(n, 1, "MovingMoments"), n)),
      n_double_(n),
      n_squared_(static_cast<double>(n) * n),
      rebase_limit_(std::min(1e-3, 0.5 / n) * n),
      buf_(static_cast<unsigned>(n), 0.0) {}

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
