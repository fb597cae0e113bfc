// Rolling maximum / minimum over a window that includes the current bar
// (highest/lowest, Donchian channels). The NA rule and threading are in
// indicators.h.
#pragma once

#include <cstdint>
#include <vector>

#include "quantd/indicators/common.h"

namespace quantd::indicators {

namespace detail {

// Monotonic deque over a fixed-capacity ring: amortised O(1) per update, no
// allocation after construction. kMax selects max (true) or min (false).
template <bool kMax>
class WindowExtreme {
 public:
  explicit WindowExtreme(int n, const char* what);

  double update(double x) noexcept {
    if (is_missing(x)) return value_ = kNa;
    // Expire the front if it left the window; at most one per update. Done
    // before the push so the ring never holds more than n entries.
    if (head_ != tail_ && at(head_).index <= t_ - n_) ++head_;
    // Drop values the newcomer dominates (ties too: the newer value outlives
    // the older one, so the older one can never be the answer again).
    while (head_ != tail_ && !beats(at(tail_ - 1).value, x)) --tail_;
    at(tail_) = Entry{x, t_};
    ++tail_;
    ++t_;
    if (t_ < n_) return value_ = kNa;
    return value_ = at(head_).value;
  }

  double value() const noexcept { return value_; }
  int length() const noexcept { return n_; }

 private:
  struct Entry {
    double value;
    std::int64_t index;  // position in the accepted-input sequence
  };

  static bool beats(double kept, double x) noexcept {
    if constexpr (kMax) {
      return kept > x;
    } else {
      return kept < x;
    }
  }
  Entry& at(std::uint64_t i) noexcept { return ring_[i & mask_]; }

  int n_;
  std::int64_t t_ = 0;      // accepted inputs so far
  std::uint64_t head_ = 0;  // deque front (oldest, the extreme), unmasked
  std::uint64_t tail_ = 0;  // one past the deque back, unmasked
  std::uint64_t mask_;      // ring_.size() - 1, a power of two minus one
  double value_ = kNa;
  std::vector<Entry> ring_;
};

extern template class WindowExtreme<true>;
extern template class WindowExtreme<false>;

}  // namespace detail

// highest(x, n): the maximum of the last n accepted inputs, the current one
// included (TTR runMax; Donchian upper band with include.lag = FALSE). First
// value after n accepted inputs (warmup() = n - 1). Amortised O(1) per
// update, no allocation after construction. Value type; not thread-safe.
class Highest {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise). Allocates a ring
  // of the next power of two >= n entries.
  explicit Highest(int n) : impl_(n, "Highest") {}
  // Feeds the next value; returns the window max, or NA while warming up or
  // when x is missing (skipped, state unchanged).
  double update(double x) noexcept { return impl_.update(x); }
  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return impl_.value(); }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return impl_.length() - 1; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return impl_.length(); }

 private:
  detail::WindowExtreme<true> impl_;
};

// lowest(x, n): the minimum of the last n accepted inputs, the current one
// included (TTR runMin; Donchian lower band). Same contract as Highest.
class Lowest {
 public:
  // Precondition: 1 <= n <= kMaxLength (aborts otherwise).
  explicit Lowest(int n) : impl_(n, "Lowest") {}
  // Feeds the next value; returns the window min, or NA while warming up or
  // when x is missing (skipped, state unchanged).
  double update(double x) noexcept { return impl_.update(x); }
  // Returns the result of the last update() (NA before the first).
  [[nodiscard]] double value() const noexcept { return impl_.value(); }
  // Bars before the first value for an input without NAs: n - 1.
  [[nodiscard]] int warmup() const noexcept { return impl_.length() - 1; }
  // The window length n.
  [[nodiscard]] int length() const noexcept { return impl_.length(); }

 private:
  detail::WindowExtreme<false> impl_;
};

}  // namespace quantd::indicators
