#include "quantd/indicators/moving_average.h"

#include <cstdio>
#include <cstdlib>

namespace quantd::indicators {

Sma::Sma(int n)
    : n_((check_length(n, 1, "Sma"), n)), n_double_(n), buf_(static_cast<unsigned>(n), 0.0) {}

Ema::Ema(int n) : Ema(n, 2.0 / (n + 1.0)) {}

Ema::Ema(int n, double alpha)
    : n_((check_length(n, 1, "Ema"), n)), alpha_(alpha), beta_(1.0 - alpha) {
  if (!(alpha > 0.0 && alpha <= 1.0)) {
    std::fprintf(stderr, "quantd::indicators: Ema: alpha %g is outside (0, 1]\n", alpha);
    std::abort();
  }
}

Rma::Rma(int n) : Ema((check_length(n, 1, "Rma"), n), 1.0 / n) {}

Wma::Wma(int n)
    : n_((check_length(n, 1, "Wma"), n)),
      weight_sum_(static_cast<double>(n) * (n + 1.0) / 2.0),
      buf_(static_cast<unsigned>(n), 0.0) {}

void Wma::recompute() noexcept {
  // The running numerator picks up one rounding error of size ~ n * |x| per
  // update; recomputing every n updates keeps the error bounded at O(n) ulps
  // of the window instead of growing with the length of the series. The cost
  // is one extra multiply-add per update, amortised.
  double num = 0.0;
  double sum = 0.0;
  for (int i = 0; i < n_; ++i) {
    const double v = buf_[static_cast<unsigned>(i)];
    num += (i + 1) * v;
    sum += v;
  }
  num_ = num;
  sum_ = sum;
}

}  // namespace quantd::indicators
