// Bar history and the functions defined on it: x[n] (History, Lag),
// change(x, n), roc(x, n) (discrete) and the continuous (log) rate of change.
//
// Unlike the stateful indicators, these count bars, not accepted inputs: an NA
// (or inf) input is stored as it is, so x[n] is NA exactly when the value n
// bars ago was NA, and change/roc are NA on that bar and n bars later. For a
// series with leading NAs this gives TTR's result (first value n bars after the
// first non-NA input).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "quantd/indicators/common.h"

namespace quantd::indicators {

// The last depth + 1 values of a series (the current bar and `depth` bars
// before it) in a fixed ring. O(1) push and lookup, no allocation after
// construction. Several x[n] of one series can share one History sized for
// the largest n. Value type; not thread-safe.
class History {
 public:
  // Precondition: 0 <= depth <= kMaxLength (aborts otherwise). Allocates the
  // next power of two >= depth + 1 doubles.
  explicit History(int depth);

  // Appends the current bar's value (NA allowed).
  void push(double x) noexcept {
    ring_[static_cast<std::size_t>(count_) & mask_] = x;
    ++count_;
  }

  // Returns the value k bars before the last pushed one (k = 0: the last
  // pushed). NA if fewer than k + 1 values were pushed, or if k is outside
  // [0, depth()].
  [[nodiscard]] double at(int k) const noexcept {
    if (k < 0 || k > depth_ || k >= count_) return kNa;
    return ring_[static_cast<std::size_t>(count_ - 1 - k) & mask_];
  }

  // The largest k at() answers.
  [[nodiscard]] int depth() const noexcept { return depth_; }
  // Number of values pushed so far.
  [[nodiscard]] std::int64_t size() const noexcept { return count_; }

 private:
  int depth_;
  std::int64_t count_ = 0;
  std::size_t mask_;
  std::vector<double> ring_;
};

// x[n]: the value n bars ago. warmup() = n. Value type; not thread-safe.
class Lag {
 public:
  // Precondition: 0 <= n <= kMaxLength (aborts otherwise).
  explicit Lag(int n) : history_(n), n_(n) {}

  // Feeds the current bar's value (NA allowed); returns the value n bars ago,
  // NA during the first n bars (n = 0 returns x).
  double update(double x) noexcept {
    history_.push(x);
    return value_ = history_.at(n_);
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: n.
  [[nodiscard]] int warmup() const noexcept { return n_; }

 private:
  History history_;
  int n_;
  double value_ = kNa;
};

// change(x, n) = x - x[n]. warmup() = n. Value type; not thread-safe.
class Change {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Change(int n);

  // Feeds the current bar's value; returns x - x[n] (NA if either is NA, and
  // during the first n bars).
  double update(double x) noexcept {
    history_.push(x);
    return value_ = x - history_.at(n_);
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: n.
  [[nodiscard]] int warmup() const noexcept { return n_; }

 private:
  History history_;
  int n_;
  double value_ = kNa;
};

// roc(x, n) = x / x[n] - 1, the discrete rate of change (TTR ROC with
// type = "discrete"), computed as (x - x[n]) / x[n] like Backtrader's ROC:
// for whole-number prices the difference is exact, so the result is the
// correctly rounded rate (105 after 100 gives exactly 0.05, the value of the
// literal 0.05; TTR's x / x[n] - 1 gives 0.050000000000000044).
// warmup() = n. Value type; not thread-safe.
class Roc {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Roc(int n);

  // Feeds the current bar's value; returns (x - x[n]) / x[n] (NA if either
  // is NA, and during the first n bars; +-inf or NA if x[n] == 0).
  double update(double x) noexcept {
    history_.push(x);
    const double base = history_.at(n_);
    return value_ = (x - base) / base;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: n.
  [[nodiscard]] int warmup() const noexcept { return n_; }

 private:
  History history_;
  int n_;
  double value_ = kNa;
};

// Continuous rate of change, log(x) - log(x[n]) (TTR ROC's default type =
// "continuous", computed as a difference of logs like TTR). One log per bar:
// the history keeps log(x). warmup() = n. Value type; not thread-safe.
class RocLog {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit RocLog(int n);

  // Feeds the current bar's value; returns log(x) - log(x[n]) (NA if either
  // is NA or negative, and during the first n bars).
  double update(double x) noexcept {
    const double lx = std::log(x);
    history_.push(lx);
    return value_ = lx - history_.at(n_);
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: n.
  [[nodiscard]] int warmup() const noexcept { return n_; }

 private:
  History history_;
  int n_;
  double value_ = kNa;
};

}  // namespace quantd::indicators
