#include "quantd/indicators/stdev.h"

#include <algorithm>

namespace quantd::indicators {

MovingMoments::MovingMoments(int n)
    : n_((check_length(n, 1, "MovingMoments"), n)),
      inv_n_(1.0 / n),
      cancel_limit_(std::min(1e-3, 0.5 / n)),
      buf_(static_cast<unsigned>(n), 0.0) {}

void MovingMoments::rebase(double newest) noexcept {
  // With the shift equal to a window value, |mean - shift| <= sd * sqrt(n - 1)
  // (Samuelson), so E[d^2] <= n * var and the subtraction below loses at most
  // log10(n) digits. A window of equal values gives exactly zero. The sums are
  // compensated here too: a plain sum's rounding error (relative to the large
  // values in the window) would outlive those values when they leave it.
  shift_ = newest;
  s1_.reset();
  s2_.reset();
  for (int i = 0; i < n_; ++i) {
    const double d = buf_[static_cast<unsigned>(i)] - shift_;
    s1_.add(d);
    s2_.add(d * d);
  }
  const double m1 = s1_.value() * inv_n_;
  const double m2 = s2_.value() * inv_n_;
  const double var = m2 - m1 * m1;
  mean_ = shift_ + m1;
  variance_ = var > 0.0 ? var : 0.0;
}

}  // namespace quantd::indicators
