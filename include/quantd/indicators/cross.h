// crossover(a, b) / crossunder(a, b) of the strategy language as state
// machines. Threading is described in indicators.h.
#pragma once

#include "quantd/indicators/common.h"

namespace quantd::indicators {

namespace detail {

// Remembers on which side a was of b at the latest bar where a != b.
// kOver = true detects a crossing upwards, false downwards.
template <bool kOver>
class Cross {
 public:
  double update(double a, double b) noexcept {
    if (is_na(a) || is_na(b)) return value_ = kNa;
    const bool had_earlier = seen_;
    seen_ = true;
    bool crossed = false;
    if (a > b) {
      crossed = kOver && side_ < 0;
      side_ = 1;
    } else if (a < b) {
      crossed = !kOver && side_ > 0;
      side_ = -1;
    }  // a == b: neither starts nor ends a cross; the side is kept
    if (!had_earlier) return value_ = kNa;
    return value_ = crossed ? 1.0 : 0.0;
  }
  double value() const noexcept { return value_; }
  bool fired() const noexcept { return value_ > 0.5; }

 private:
  int side_ = 0;       // sign of a - b at the latest bar with a != b; 0: none yet
  bool seen_ = false;  // a bar with both inputs defined was seen
  double value_ = kNa;
};

}  // namespace detail

// crossover(a, b): true (1.0) on a bar where a > b and, at the latest earlier
// bar where a != b, a < b. Bars where a == b neither start nor end a cross
// (a < b, a == b, a > b is a crossover on the third bar). Returns false (0.0)
// otherwise (also while every earlier bar had a == b). NA when a or b is NA,
// and such a bar is skipped: it does not change which side a was on, so an NA
// gap inside a cross still reports it on the bar where a > b. NA also on the
// first bar with both inputs defined, which has no earlier bar to compare
// with: warmup() = 1, so live activation replays the bar a cross needs.
// O(1), no allocation. Value type; not thread-safe.
class Crossover {
 public:
  // Feeds the bar's a and b; returns 1.0 (cross), 0.0 (no cross) or NA.
  double update(double a, double b) noexcept { return impl_.update(a, b); }
  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return impl_.value(); }
  // True if the last update() returned 1.0.
  [[nodiscard]] bool fired() const noexcept { return impl_.fired(); }
  // Bars before the first (boolean) value: 1.
  [[nodiscard]] int warmup() const noexcept { return 1; }

 private:
  detail::Cross<true> impl_;
};

// crossunder(a, b): true (1.0) on a bar where a < b and, at the latest earlier
// bar where a != b, a > b. Mirror image of Crossover, same contract.
class Crossunder {
 public:
  // Feeds the bar's a and b; returns 1.0 (cross), 0.0 (no cross) or NA.
  double update(double a, double b) noexcept { return impl_.update(a, b); }
  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return impl_.value(); }
  // True if the last update() returned 1.0.
  [[nodiscard]] bool fired() const noexcept { return impl_.fired(); }
  // Bars before the first (boolean) value: 1.
  [[nodiscard]] int warmup() const noexcept { return 1; }

 private:
  detail::Cross<false> impl_;
};

}  // namespace quantd::indicators
