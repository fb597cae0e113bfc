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
// The mean is (S1 + n * shift) / n, one division of the window sum rebuilt
// from the sums below. For whole-number inputs that sum is exact (while it
// stays below 2^53), so mean() is then bit-identical to Sma(n) fed the same
// inputs: bb_middle(x, n, k) == sma(x, n). For fractional inputs it is within
// a few ulps of it (each x - shift, n * shift and the addition round; up to
// ~10 ulps while the shift lags a jump in level); keeping a third compensated
// sum just for the mean would cost Bollinger ~25% of its speed.
//
// The variance keeps compensated sums S1 of d = x - shift and S2 of d^2
// around a shift that is a recent input, and takes
// var = (n * S2 - S1^2) / n^2 (one division, no reciprocal). For whole-number
// inputs every term is an exact integer while n * S2 < 2^53 (S1^2 <= n * S2),
// so the variance is the correctly rounded population variance (TTR's
// two-pass runSD and Backtrader's sqrt(E[x^2] - E[x]^2) round along the way
// and can differ from it in the last bits). The subtraction loses digits when the window mean
// drifts far from the shift compared with the spread, so when
// var < L * E[d^2], L = min(1e-3, 0.5 / n) (more than ~3 digits, or
// log10(2n), would be lost), the shift moves to the newest input and both
// sums are recomputed from the window (O(n)). With the shift inside the
// window, E[d^2] <= n * var (Samuelson's inequality), so a rebase is never
// needed on the next bar; it happens when the level drifts by ~30 standard
// deviations or jumps, i.e. rarely, and the amortised cost stays O(1).
// Result for fractional inputs: a variance within ~1e3 ulps of the exact
// two-pass value (1e-13 relative), and exactly zero for a window of equal
// values. Value type; not thread-safe.
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
    if (count_ == 0) set_shift(x);
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
    const double s1 = s1_.value();
    const double s2 = s2_.value();
    const double num = n_double_ * s2 - s1 * s1;  // n^2 var
    if (num < rebase_limit_ * s2) {               // var < L * E[d^2]
      rebase(x);
    } else {
      variance_ = num / n_squared_;
    }
    return true;
  }

  // Mean of the current window (meaningful once update() returned true),
  // bit-identical to Sma(n) fed the same whole-number inputs. Computed on
  // demand (one division), so Stdev, which never asks, does not pay for it.
  [[nodiscard]] double mean() const noexcept { return (s1_.value() + n_shift_) / n_double_; }
  // Population variance (divisor n) of the current window, >= 0.
  [[nodiscard]] double variance() const noexcept { return variance_; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return n_; }

 private:
  // Moves the shift to `newest` and recomputes S1, S2 and the variance from
  // the window. Out of line: the rare slow path.
  void rebase(double newest) noexcept;

  void set_shift(double shift) noexcept {
    shift_ = shift;
    n_shift_ = n_double_ * shift;  // exact for a whole-number shift below 2^53 / n
  }

  int n_;
  int pos_ = 0;
  int count_ = 0;
  double n_double_;
  double n_squared_;     // n * n, exact
  double rebase_limit_;  // L * n: rebase when n^2 var < L * n * S2, i.e. var < L * E[d^2]
  double shift_ = 0.0;
  double n_shift_ = 0.0;  // n * shift_
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
