// Shared vocabulary of the indicators library: the NA value and the length
// preconditions every indicator constructor checks.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace quantd::indicators {

// The NA value (warm-up, missing data): a quiet NaN. Compare with is_na(),
// never with ==.
inline constexpr double kNa = std::numeric_limits<double>::quiet_NaN();

// Returns true if x is NA (any NaN).
[[nodiscard]] inline bool is_na(double x) noexcept { return std::isnan(x); }

// Returns true if x cannot enter an indicator's running state: NA or +-inf.
// Stateful indicators treat such an input exactly like NA (see indicators.h),
// so a single inf cannot poison a running sum forever.
[[nodiscard]] inline bool is_missing(double x) noexcept { return !std::isfinite(x); }

// Whole numbers up to kMaxWhole in magnitude (prices in won, volumes) are
// summed exactly by the windowed indicators, without the compensation that
// other inputs need: a window of kMaxLength of them stays below 2^52, so
// every partial sum is an exactly representable integer.
inline constexpr double kMaxWhole = 0x1p32;

// Returns true, with k = x, if x is a whole number with |x| <= kMaxWhole.
[[nodiscard]] inline bool as_small_whole(double x, std::int64_t& k) noexcept {
#if defined(__SSE2__)
  // cvttsd2si truncates and gives INT64_MIN out of range or for NaN, where the
  // C++ conversion would be undefined; so no range test on x is needed first.
  k = _mm_cvttsd_si64(_mm_set_sd(x));
#else
  if (!(std::fabs(x) <= kMaxWhole)) return false;  // also NaN
  k = static_cast<std::int64_t>(x);
#endif
  constexpr std::uint64_t kBound = std::uint64_t{1} << 32;  // kMaxWhole
  return static_cast<double>(k) == x && static_cast<std::uint64_t>(k) + kBound <= 2 * kBound;
}

// Largest window length / lag any indicator accepts. Buffers are allocated
// once at construction, so this bounds the memory one instance can take
// (8 MiB per buffer). The strategy compiler rejects longer lengths before
// constructing anything.
inline constexpr int kMaxLength = 1'000'000;
static_assert(kMaxWhole * kMaxLength < 0x1p52, "an integer window sum must convert exactly");

// Aborts the process (after printing `what` and n to stderr) unless
// min_length <= n <= kMaxLength. Used by constructors: a bad length is a bug
// in the caller (the compiler validates user input first), not a runtime
// error. Thread-safe.
void check_length(int n, int min_length, const char* what) noexcept;

}  // namespace quantd::indicators
