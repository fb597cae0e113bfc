// Windowed mean and population standard deviation (stdev, and the basis of
// the Bollinger bands). The NA rule and threading are in indicators.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "quantd/indicators/common.h"
#include "quantd/indicators/compensated_sum.h"

namespace quantd::indicators {

// Mean and population variance of the last n accepted inputs, O(1) per update.
//
// Whole numbers (prices in won, see as_small_whole) are summed exactly in
// 64-bit integers around a shift (the first input): S1 = sum of d = x - shift
// and S2 = sum of d^2, as long as every |d| stays within a bound that keeps
// n^2 * max d^2 below 2^63. Then the mean is (S1 + n * shift) / n, the exact
// window sum divided once, so mean() is bit-identical to Sma(n) fed the same
// inputs (bb_middle(x, n, k) == sma(x, n)), and the variance is
// (n * S2 - S1^2) / n^2, one division of an exact integer: the correctly
// rounded population variance while that numerator is below 2^53. TTR's
// two-pass runSD (mean as a sum of x_i / n) and Backtrader's
// sqrt(E[x^2] - E[x]^2) round along the way and can differ from it in the
// last bits.
//
// The first other input (a fraction, or a deviation beyond the bound)
// switches the instance for good to compensated floating-point sums of the
// same S1 and S2, started from the exact integers, with the same formulas.
// Their subtraction loses digits when the window mean drifts far from the
// shift compared with the spread, so when var < L * E[d^2],
// L = min(1e-3, 0.5 / n) (more than ~3 digits, or log10(2n), would be lost),
// the shift moves to the newest input and both sums are recomputed from the
// window (O(n)). With the shift inside the window, E[d^2] <= n * var
// (Samuelson's inequality), so a rebase is never needed on the next bar; it
// happens when the level drifts by ~30 standard deviations or jumps, i.e.
// rarely, and the amortised cost stays O(1). Result: a variance within ~1e3
// ulps of the exact two-pass value (1e-13 relative), exactly zero for a
// window of equal values, and a mean within a few ulps of Sma's (up to ~10
// while the shift lags a jump in level). Value type; not thread-safe.
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
    const double old = buf_[static_cast<unsigned>(pos_)];
    buf_[static_cast<unsigned>(pos_)] = x;
    if (++pos_ == n_) pos_ = 0;
    std::int64_t k;
    if (whole_ && as_small_whole(x, k)) [[likely]] {
      if (count_ == 0) whole_shift_ = k;
      const std::int64_t d = k - whole_shift_;
      if (d <= max_deviation_ && d >= -max_deviation_) [[likely]] {
        return update_whole(d, old);
      }
    }
    if (whole_) leave_whole();
    return update_compensated(x, old);
  }

  // Mean of the current window (meaningful once update() returned true),
  // bit-identical to Sma(n) fed the same whole-number inputs. Computed on
  // demand (one division), so Stdev, which never asks, does not pay for it.
  [[nodiscard]] double mean() const noexcept {
    if (whole_) return static_cast<double>(whole_s1_ + n_ * whole_shift_) / n_double_;
    return (s1_.value() + n_shift_) / n_double_;
  }
  // Population variance (divisor n) of the current window, >= 0.
  [[nodiscard]] double variance() const noexcept { return variance_; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return n_; }

 private:
  bool update_whole(std::int64_t d, double old) noexcept {
    if (count_ == n_) {
      const std::int64_t od =
          static_cast<std::int64_t>(old) - whole_shift_;  // within the bound too
      whole_s1_ += d - od;
      whole_s2_ += d * d - od * od;
    } else {
      whole_s1_ += d;
      whole_s2_ += d * d;
      if (++count_ < n_) return false;
    }
    const std::int64_t num = n_ * whole_s2_ - whole_s1_ * whole_s1_;  // n^2 var, exact
    variance_ = static_cast<double>(num) / n_squared_;
    return true;
  }

  bool update_compensated(double x, double old) noexcept {
    if (count_ == 0) set_shift(x);
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

  // Moves the exact integer sums into the compensated ones, same shift.
  // Out of line: happens at most once.
  void leave_whole() noexcept;

  // Moves the shift to `newest` and recomputes S1, S2 and the variance from
  // the window. Out of line: the rare slow path.
  void rebase(double newest) noexcept;

  void set_shift(double shift) noexcept {
    shift_ = shift;
    n_shift_ = n_double_ * shift;
  }

  int n_;
  int pos_ = 0;
  int count_ = 0;
  double n_double_;
  double n_squared_;     // n * n, exact
  double rebase_limit_;  // L * n: rebase when n^2 var < L * n * S2, i.e. var < L * E[d^2]
  double variance_ = kNa;
  // Whole-number mode: exact sums around whole_shift_.
  bool whole_ = true;
  std::int64_t max_deviation_;  // |d| bound: n^2 * d^2 < 2^63
  std::int64_t whole_shift_ = 0;
  std::int64_t whole_s1_ = 0;  // sum of d over the window
  std::int64_t whole_s2_ = 0;  // sum of d^2 over the window
  // Compensated mode.
  double shift_ = 0.0;
  double n_shift_ = 0.0;  // n * shift_
  CompensatedSum s1_;     // sum of (x - shift_) over the window
  CompensatedSum s2_;     // sum of (x - shift_)^2 over the window
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
