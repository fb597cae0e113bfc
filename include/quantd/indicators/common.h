// Shared vocabulary of the indicators library: the NA value and the length
// preconditions every indicator constructor checks.
#pragma once

#include <cmath>
#include <limits>

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

// Largest window length / lag any indicator accepts. Buffers are allocated
// once at construction, so this bounds the memory one instance can take
// (8 MiB per buffer). The strategy compiler rejects longer lengths before
// constructing anything.
inline constexpr int kMaxLength = 1'000'000;

// Aborts the process (after printing `what` and n to stderr) unless
// min_length <= n <= kMaxLength. Used by constructors: a bad length is a bug
// in the caller (the compiler validates user input first), not a runtime
// error. Thread-safe.
void check_length(int n, int min_length, const char* what) noexcept;

}  // namespace quantd::indicators
