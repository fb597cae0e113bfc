// What a parameter sweep runs: the parameter sets of a grid (or random draws from it) and, for a
// walk-forward analysis, its windows. Pure functions over values; thread-safe.
//
// Design note. A sweep is fixed before anything runs: expand() turns the axes into the complete,
// ordered list of parameter sets, and windows() turns the data's span into in-sample/out-of-sample
// windows, so a restarted sweep re-derives exactly the same runs from its stored spec and resumes
// where it stopped. Random draws are sampled without replacement from the grid with a seeded
// generator of our own (std::mt19937_64's output is standard; the distributions' are not), so the
// same seed names the same runs on every compiler.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/strategy/registry.h"

namespace quantd::research {

// One parameter that varies, with every value it takes (in order, distinct).
struct ParamAxis {
  std::string name;
  std::vector<double> values;
};

// The values from..to (inclusive, within a rounding tolerance) in steps of `step` (> 0).
// Errors: invalid_argument naming the problem (to < from, step <= 0, more than `max_values`).
Result<std::vector<double>> axis_range(double from, double to, double step, std::size_t max_values);

// N parameter sets drawn at random from the grid, without replacement.
struct RandomDraws {
  std::size_t runs = 0;
  std::uint64_t seed = 1;
};

// The parameter sets of the sweep, each `fixed` with one value per axis, in grid order (the last
// axis varies fastest) or in draw order. The grid is the product of the axes; with `random`, that
// many sets sampled from it (all of it when it is smaller).
// Errors (invalid_argument): no axes, an axis without values, a grid or draw count over
// `max_runs` (the message names the count and the bound).
Result<std::vector<strategy::Params>> expand(const std::vector<ParamAxis>& axes,
                                             const strategy::Params& fixed,
                                             const std::optional<RandomDraws>& random,
                                             std::size_t max_runs);

// Walk-forward windows, in calendar days of Asia/Seoul.
struct WalkForwardSpec {
  int in_sample_days = 0;      // > 0
  int out_of_sample_days = 0;  // > 0
  bool anchored = false;       // in-sample windows all start at the data's first day
};

// Half-open [from, to) spans in UTC ms, boundaries at Seoul midnight.
struct Window {
  TimestampMs in_from = 0;
  TimestampMs in_to = 0;
  TimestampMs out_from = 0;  // == in_to
  TimestampMs out_to = 0;
};

// The windows covering [first, last] (the data's first and last bar): the first in-sample window
// starts on first's day; each out-of-sample window follows its in-sample one; windows step by
// out_of_sample_days; the last out-of-sample window may be cut short by the data's end but holds
// at least one day. Errors (invalid_argument): non-positive lengths, or a first window longer
// than the data (the message gives both lengths).
Result<std::vector<Window>> windows(const WalkForwardSpec& spec, TimestampMs first,
                                    TimestampMs last);

}  // namespace quantd::research
