#include "quantd/indicators/stochastic.h"

namespace quantd::indicators {

StochK::StochK(int n, int smooth, StochSmoothing mode)
    : highest_(n),
      lowest_(n),
      smooth_((check_length(smooth, 1, "StochK smooth"), smooth)),
      mode_(mode),
      sma_a_(smooth),
      // Only kRatioOfSums smooths the denominator; a length-1 Sma otherwise
      // keeps the object small.
      sma_b_(mode == StochSmoothing::kRatioOfSums ? smooth : 1) {}

}  // namespace quantd::indicators
