// Wilder's relative strength index (rsi(x, n)). The NA rule and threading are
// in indicators.h.
#pragma once

#include "quantd/indicators/common.h"
#include "quantd/indicators/moving_average.h"

namespace quantd::indicators {

// RSI, TTR convention: for each accepted input after the first, d = x - prev,
// U = max(d, 0), D = max(-d, 0); AU = Rma_n(U), AD = Rma_n(D) (seeded with the
// mean of the first n changes); RSI = 100 * AU / (AU + AD), in 0..100. First
// value at bar n (warmup() = n). When AU + AD == 0 (n flat bars at the seed)
// the result is 50, where TTR would produce NaN. O(1), no allocation. Value
// type; not thread-safe.
class Rsi {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Rsi(int n) : up_(n), down_(n) {}

  // Feeds the next value; returns RSI, or NA while warming up or when x is
  // missing (skipped: the next change is taken from the last accepted value).
  double update(double x) noexcept {
    if (is_missing(x)) return value_ = kNa;
    const double prev = prev_;
    prev_ = x;
    if (is_na(prev)) return value_ = kNa;
    const double d = x - prev;
    const double au = up_.update(d > 0.0 ? d : 0.0);
    const double ad = down_.update(d < 0.0 ? -d : 0.0);
    if (is_na(au)) return value_ = kNa;
    const double total = au + ad;
    return value_ = total > 0.0 ? 100.0 * au / total : 50.0;
  }

  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return value_; }
  // Bars before the first value: n.
  [[nodiscard]] int warmup() const noexcept { return up_.length(); }
  // The length n.
  [[nodiscard]] int length() const noexcept { return up_.length(); }

 private:
  Rma up_;
  Rma down_;
  double prev_ = kNa;
  double value_ = kNa;
};

}  // namespace quantd::indicators
