// True range and Wilder's average true range (tr(), atr(n)). The NA rule and
// threading are in indicators.h.
#pragma once

#include <algorithm>

#include "quantd/indicators/common.h"
#include "quantd/indicators/moving_average.h"

namespace quantd::indicators {

// True range, TTR convention: TR = max(high, prev_close) - min(low,
// prev_close). NA on the first accepted bar (there is no previous close; not
// high - low). warmup() = 1. O(1), no allocation. Value type; not thread-safe.
class TrueRange {
 public:
  TrueRange() = default;

  // Feeds the next bar; returns TR, or NA on the first bar or when any input
  // is missing (the bar is skipped: the previous close is kept).
  double update(double high, double low, double close) noexcept {
    if (is_missing(high) || is_missing(low) || is_missing(close)) {
      return value_ = kNa;
    }
    const double prev = prev_close_;
    prev_close_ = close;
    if (is_na(prev)) return value_ = kNa;
    return value_ = std::max(high, prev) - std::min(low, prev);
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: 1.
  [[nodiscard]] int warmup() const noexcept { return 1; }

 private:
  double prev_close_ = kNa;
  double value_ = kNa;
};

// Average true range: Rma(n) of TrueRange (TTR ATR). The first TR is on the
// second bar, so the seed is the mean of TR_1..TR_n and the first value is at
// bar n (warmup() = n). O(1), no allocation. Value type; not thread-safe.
class Atr {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Atr(int n) : rma_(n) {}

  // Feeds the next bar; returns ATR, or NA while warming up or when any input
  // is missing (the bar is skipped, state unchanged).
  double update(double high, double low, double close) noexcept {
    const double tr = tr_.update(high, low, close);
    if (is_na(tr)) return value_ = kNa;
    return value_ = rma_.update(tr);
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // The true range of the last update().
  [[nodiscard]] double true_range() const noexcept { return tr_.value(); }
  // Bars before the first value: n.
  [[nodiscard]] int warmup() const noexcept { return rma_.length(); }
  // The length n.
  [[nodiscard]] int length() const noexcept { return rma_.length(); }

 private:
  TrueRange tr_;
  Rma rma_;
  double value_ = kNa;
};

}  // namespace quantd::indicators
