// A running floating-point sum with error compensation, used by the windowed
// indicators so that adding and removing values for millions of bars does not
// drift away from the exact window sum.
#pragma once

namespace quantd::indicators {

// Neumaier/Knuth compensated sum: the rounding error of every addition is
// computed exactly (branch-free TwoSum) and accumulated separately, so value()
// stays within a few ulps of the exact sum of all added terms regardless of
// how many values were added and removed. Requires IEEE semantics: do not
// compile users with -ffast-math / -fassociative-math, which would optimise
// the compensation away. Inputs must be finite. Value type; not thread-safe.
class CompensatedSum {
 public:
  // Adds x (use a negative x to remove a value). O(1), no allocation.
  void add(double x) noexcept {
    const double t = sum_ + x;
    const double z = t - sum_;
    comp_ += (sum_ - (t - z)) + (x - z);
    sum_ = t;
  }

  // Adds x - y with the rounding error of the difference compensated too. One
  // addition on the running sum's dependency chain instead of two, which is
  // what a sliding window (add the newest, remove the oldest) needs.
  void add_difference(double x, double y) noexcept {
    const double d = x - y;
    const double dz = d - x;
    const double d_err = (x - (d - dz)) + (-y - dz);
    const double t = sum_ + d;
    const double z = t - sum_;
    comp_ += ((sum_ - (t - z)) + (d - z)) + d_err;
    sum_ = t;
  }

  // Returns the compensated sum of everything added since the last reset.
  [[nodiscard]] double value() const noexcept { return sum_ + comp_; }

  // Sets the sum to `start` (default 0) and clears the compensation.
  void reset(double start = 0.0) noexcept {
    sum_ = start;
    comp_ = 0.0;
  }

 private:
  double sum_ = 0.0;
  double comp_ = 0.0;
};

}  // namespace quantd::indicators
