// The sample data set: deterministic, synthetic daily bars a newcomer loads with one click so a
// first backtest works without finding a CSV. The prices are generated (a seeded random walk with
// regimes), never real: every symbol is named SAMPLE-* and recorded with source "sample".
//
// Pure functions; thread-safe. The same build always produces byte-identical bars.
#pragma once

#include <string>
#include <vector>

#include "quantd/domain/bar.h"

namespace quantd::app {

struct SampleSeries {
  domain::Symbol symbol;          // "SAMPLE-A", ...
  std::string description;        // e.g. "synthetic large cap, steady uptrend"
  std::vector<domain::Bar> bars;  // daily, KRX trading days 2019-01-02 .. 2024-12-30, whole won
};

// Every sample series (1d bars). Deterministic.
std::vector<SampleSeries> sample_series();

}  // namespace quantd::app
