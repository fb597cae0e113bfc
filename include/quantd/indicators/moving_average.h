// Moving averages: Sma, Ema, Rma (Wilder), Wma. Conventions are TTR's (see
// shared/oracle/README.md); the NA rule and threading are in indicators.h.
#pragma once

#include <cstdint>
#include <vector>

#include "quantd/indicators/common.h"
#include "quantd/indicators/compensated_sum.h"

namespace quantd::indicators {

// Simple moving average: mean of the last n accepted inputs, computed as
// (window sum) / n like TTR (runSum / n) and Backtrader (fsum(window) /
// period). While the inputs are whole numbers (prices in won, see
// as_small_whole) the window sum is a plain running sum, exact because every
// partial sum is a representable integer: the result is the correctly
// rounded mean, bit-identical to both references, and two averages that are
// equal in exact arithmetic compare equal (docs/indicators.md). The first
// other input switches the instance for good to a compensated running sum,
// started from the exact sum, which does not drift over long series. First
// value after n accepted inputs (warmup() = n - 1). O(1) per update, no
// allocation after construction. Value type; not thread-safe.
class Sma {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise). Allocates n doubles.
  explicit Sma(int n);

  // Feeds the next bar's value; returns the SMA, or NA while warming up or
  // when x is missing (x is then skipped: the state does not change).
  double update(double x) noexcept {
    if (is_missing(x)) return value_ = kNa;
    const double old = buf_[static_cast<unsigned>(pos_)];  // 0 while filling
    buf_[static_cast<unsigned>(pos_)] = x;
    if (++pos_ == n_) pos_ = 0;
    double sum;
    std::int64_t k;
    if (whole_ && as_small_whole(x, k)) [[likely]] {
      whole_sum_ += x - old;  // whole numbers (old too): exact, no compensation needed
      sum = whole_sum_;
    } else {
      if (whole_) leave_whole();
      sum_.add_difference(x, old);
      sum = sum_.value();
    }
    if (count_ < n_ && ++count_ < n_) return value_ = kNa;
    // A division, not a multiplication by 1 / n: sum * (1 / n) rounds twice,
    // so two exact ties (30-bar sum / 30 == 10-bar sum / 10) could differ.
    return value_ = sum / n_double_;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return n_ - 1; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return n_; }

 private:
  // Hands the exact sum to sum_ (the compensated path takes over).
  void leave_whole() noexcept {
    whole_ = false;
    sum_.reset(whole_sum_);
  }

  int n_;
  int pos_ = 0;           // next slot of buf_ to overwrite (the oldest value)
  int count_ = 0;         // accepted inputs, saturating at n_
  bool whole_ = true;     // every accepted input so far passed as_small_whole
  double whole_sum_ = 0;  // the window sum while whole_: an exact integer
  double n_double_;
  double value_ = kNa;
  CompensatedSum sum_;  // the window sum once !whole_
  std::vector<double> buf_;
};

// Exponential moving average with smoothing ratio alpha: the seed is the
// simple mean of the first n accepted inputs, computed exactly as Sma computes
// it (compensated sum / n, so ema(x, n) == sma(x, n) on its first bar; this is
// Backtrader's seed, while TTR adds up x_i / n, which can differ in the last
// bits), then E = x * alpha + E_prev * (1 - alpha), TTR's and Backtrader's
// order of operations. First value after n accepted inputs (warmup() =
// n - 1). O(1) per update, no allocation. Value type; not thread-safe.
class Ema {
 public:
  // Ordinary EMA, alpha = 2 / (n + 1). Precondition: 1 <= n <= kMaxLength.
  explicit Ema(int n);
  // EMA with an explicit ratio. Preconditions: 1 <= n <= kMaxLength and
  // 0 < alpha <= 1 (aborts otherwise).
  Ema(int n, double alpha);

  // Feeds the next value; returns the EMA, or NA while warming up or when x
  // is missing (skipped, state unchanged).
  double update(double x) noexcept {
    if (is_missing(x)) return value_ = kNa;
    if (count_ >= n_) {
      state_ = x * alpha_ + state_ * beta_;
      return value_ = state_;
    }
    seed_.add(x);
    if (++count_ < n_) return value_ = kNa;
    state_ = seed_.value() / static_cast<double>(n_);
    return value_ = state_;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return n_ - 1; }
  // The length n.
  [[nodiscard]] int length() const noexcept { return n_; }
  // The smoothing ratio alpha.
  [[nodiscard]] double alpha() const noexcept { return alpha_; }

 private:
  int n_;
  int count_ = 0;  // accepted inputs, saturating at n_
  double alpha_;
  double beta_;  // 1 - alpha_
  double state_ = 0.0;
  double value_ = kNa;
  CompensatedSum seed_;  // sum of the first n accepted inputs
};

// Wilder's moving average (RMA, TTR's EMA with wilder=TRUE): alpha = 1 / n,
// seeded with the SMA of the first n accepted inputs. Same contract as Ema.
class Rma : public Ema {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Rma(int n);
};

// Linearly weighted moving average, TTR's WMA with weights 1..n (the newest
// value weighs n): sum(i * x_i) / (n (n + 1) / 2), a division as TTR's
// num / wtsum (Backtrader multiplies by 2 / (n (n + 1)) instead, which can
// differ in the last bit). O(1) per update (running numerator and sum,
// recomputed from the window every n updates, so rounding cannot accumulate);
// exact for whole-number inputs while n^2 * max|x| stays below 2^53, and then
// bit-identical to TTR. First value after n accepted inputs (warmup() =
// n - 1). Value type; not thread-safe.
class Wma {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise). Allocates n doubles.
  explicit Wma(int n);

  // Feeds the next value; returns the WMA, or NA while warming up or when x
  // is missing (skipped, state unchanged).
  double update(double x) noexcept {
    if (is_missing(x)) return value_ = kNa;
    const double old = buf_[static_cast<unsigned>(pos_)];
    buf_[static_cast<unsigned>(pos_)] = x;
    if (++pos_ == n_) pos_ = 0;
    if (count_ < n_) {
      ++count_;
      num_ += count_ * x;
      sum_ += x;
      if (count_ < n_) return value_ = kNa;
    } else {
      num_ += n_ * x - sum_;  // every weight drops by one, x enters at n
      sum_ += x - old;
      if (pos_ == 0) recompute();
    }
    return value_ = num_ / weight_sum_;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return n_ - 1; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return n_; }

 private:
  // Recomputes num_ and sum_ exactly from buf_; called when pos_ wraps to 0,
  // i.e. when buf_ holds the window oldest-first.
  void recompute() noexcept;

  int n_;
  int pos_ = 0;
  int count_ = 0;
  double weight_sum_;  // n (n + 1) / 2, exact
  double num_ = 0.0;   // sum of (weight * value) over the window
  double sum_ = 0.0;   // sum of the window
  double value_ = kNa;
  std::vector<double> buf_;
};

}  // namespace quantd::indicators
