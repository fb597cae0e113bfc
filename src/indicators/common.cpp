#include "quantd/indicators/common.h"

#include <cstdio>
#include <cstdlib>

namespace quantd::indicators {

void check_length(int n, int min_length, const char* what) noexcept {
  if (n >= min_length && n <= kMaxLength) return;
  // A broken precondition is a bug in the caller: report it and abort rather
  // than run with an undefined window (STYLE.md: broken invariants abort).
  std::fprintf(stderr, "quantd::indicators: %s: length %d is outside [%d, %d]\n", what, n,
               min_length, kMaxLength);
  std::abort();
}

}  // namespace quantd::indicators
