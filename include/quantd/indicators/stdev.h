// Windowed mean and population standard deviation (stdev, and the basis of
// the Bollinger bands). The NA rule and threading are in indicators.h.
#pragma once

#include <cmath>
#include <vector>

#include "quantd/indicators/common.h"
#include "quantd/indicators/compensated_sum.h"

namespace quantd::indicators {

// Mean and population variance of the last n accepted inputs, O(1) per update.
//
// Numerics: keeps compensated sums of d = x - shift and d^2 around a shift
// that is a recent input, and takes var = E[d^2] - E[d]^2. That subtraction
// loses digits when the window mean drifts far from the shift compared with
// the spread, so when var < L * E[d^2], L = min(1e-3, 0.5 / n) (more than
// ~3 digits, or log10(2n), would be lost), the shift moves to the newest input
// and both sums are recomputed from the window (O(n)). With the shift inside
// the window, E[d^2] <= n * var (Samuelson's inequality), so a rebase is never
// needed on the next bar; it happens when the level drifts by ~30 standard
// deviations or jumps, i.e. rarely, and the amortised cost stays O(1). Result:
// a variance within ~1e3 ulps of the exact two-pass value (1e-13 relative),
// and exactly zero for a window of equal values. Value type; not thread-safe.
class MovingMoments {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise). Allocates n doubles.
  explicit MovingMoments(int n);

  // Feeds the next value. Returns true if the window is full (mean() and
  // variance() are then those of the current window); false while warming up
  // or when x is missing (x is then skipped and the state does not change;
  // mean() and variance() keep their previous values).
  bool update(double x) noexcept {
    if (is_missing(x)) return false;
    if (count_ == 0) shift_ = x;
    const double old = buf_[static_cast<unsigned>(pos_)];
    buf_[static_cast<unsigned>(pos_)] = x;
    if (++pos_ == n_) pos_ = 0;
    const double d = x - shift_;
    const double od = old - shift_;  // 0 - shift_ while filling: not used
    if (count_ == n_) {
      s1_.add_difference(d, od);
      s2_.add_difference(d * d, od * od);
    } else {
      s1_.add(d);
      s2_.add(d * d);
      if (++count_ < n_) return false;
    }
    const double m1 = s1_.value() * inv_n_;
    const double m2 = s2_.value() * inv_n_;
    const double var = m2 - m1 * m1;
    if (var < cancel_limit_ * m2) {
      rebase(x);
    } else {
      mean_ = shift_ + m1;
      variance_ = var;
    }
    return true;
  }

  // Mean of the current window (meaningful once update() returned true).
  [[nodiscard]] double mean() const noexcept { return mean_; }
  // Population variance (divisor n) of the current window, >= 0.
  [[nodiscard]] double variance() const noexcept { return variance_; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return n_; }

 private:
  // Moves the shift to `newest` and recomputes the sums and the moments from
  // the window. Out of line: the rare slow path.
  void rebase(double newest) noexcept;

  int n_;
  int pos_ = 0;
  int count_ = 0;
  double inv_n_;
  double cancel_limit_;  // rebase when var < cancel_limit_ * E[d^2]
  double shift_ = 0.0;
  double mean_ = kNa;
  double variance_ = kNa;
  CompensatedSum s1_;  // sum of (x - shift_) over the window
  CompensatedSum s2_;  // sum of (x - shift_)^2 over the window
  std::vector<double> buf_;
};

// stdev(x, n): population standard deviation (divisor n, TTR runSD with
// sample = FALSE) of the last n accepted inputs. First value after n accepted
// inputs (warmup() = n - 1). O(1) per update (see MovingMoments). Value type;
// not thread-safe.
class Stdev {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Stdev(int n) : moments_(n) {}

  // Feeds the next value; returns the standard deviation, or NA while warming
  // up or when x is missing (skipped, state unchanged).
  double update(double x) noexcept {
    return value_ = moments_.update(x) ? std::sqrt(moments_.variance()) : kNa;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return moments_.length() - 1; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return moments_.length(); }

 private:
  MovingMoments moments_;
  double value_ = kNa;
};

}  // namespace quantd::indicators
