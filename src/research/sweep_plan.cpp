#include "quantd/research/sweep_plan.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "quantd/backtest/report.h"

namespace quantd::research {
namespace {

// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose output is the same everywhere.
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A uniform index in [0, n) without modulo bias.
std::size_t uniform_index(std::uint64_t& state, std::size_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t r = 0;
  do {
    r = next_random(state);
  } while (r >= limit);
  return static_cast<std::size_t>(r % n);
}

strategy::Params combo(const std::vector<ParamAxis>& axes, const strategy::Params& fixed,
                       std::size_t index) {
  strategy::Params p = fixed;
  for (std::size_t a = axes.size(); a-- > 0;) {
    const auto& values = axes[a].values;
    p[axes[a].name] = values[index % values.size()];
    index /= values.size();
  }
  return p;
}

}  // namespace

Result<std::vector<double>> axis_range(double from, double to, double step,
                                       std::size_t max_values) {
  if (!std::isfinite(from) || !std::isfinite(to) || !std::isfinite(step)) {
    return Status::invalid_argument("from, to and step must be finite numbers");
  }
  if (!(step > 0)) return Status::invalid_argument("step must be > 0");
  if (to < from) return Status::invalid_argument("'to' is below 'from'");
  const double count = std::floor((to - from) / step + 1e-9) + 1;
  if (count > static_cast<double>(max_values)) {
    return Status::invalid_argument("the range has " + backtest::format_double(count) +
                                    " values; at most " + std::to_string(max_values) + " allowed");
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    // Multiplying, not accumulating, keeps 0.1-steps free of drift; rounding to 12 significant
    // digits gives 0.3, not 0.30000000000000004, as a parameter value.
    const double v = from + step * static_cast<double>(i);
    const double scale = std::pow(10.0, 12 - std::ceil(std::log10(std::fabs(v) + 1e-300)));
    out.push_back(v == 0 ? 0 : std::round(v * scale) / scale);
  }
  return out;
}

Result<std::vector<strategy::Params>> expand(const std::vector<ParamAxis>& axes,
                                             const strategy::Params& fixed,
                                             const std::optional<RandomDraws>& random,
                                             std::size_t max_runs) {
  if (axes.empty())
    return Status::invalid_argument("the grid is empty: vary at least one parameter");
  double grid = 1;
  for (const ParamAxis& axis : axes) {
    if (axis.values.empty()) {
      return Status::invalid_argument("parameter '" + axis.name + "' has no values");
    }
    grid *= static_cast<double>(axis.values.size());
  }
  const std::string bound = "; the bound is " + std::to_string(max_runs) + " runs";
  if (!random) {
    if (grid > static_cast<double>(max_runs)) {
      return Status::invalid_argument("the grid has " + backtest::format_double(grid) + " runs" +
                                      bound);
    }
    std::vector<strategy::Params> out;
    for (std::size_t i = 0; i < static_cast<std::size_t>(grid); ++i) {
      out.push_back(combo(axes, fixed, i));
    }
    return out;
  }
  if (random->runs == 0) return Status::invalid_argument("random draws: runs must be >= 1");
  if (random->runs > max_runs) {
    return Status::invalid_argument("random draws: " + std::to_string(random->runs) + " runs" +
                                    bound);
  }
  if (grid > 1e15) return Status::invalid_argument("the grid is too large to draw from");
  const std::size_t n = static_cast<std::size_t>(grid);
  std::uint64_t state = random->seed;
  std::vector<std::size_t> picked;
  if (random->runs >= n) {
    picked.resize(n);
    std::iota(picked.begin(), picked.end(), std::size_t{0});
  } else {
    std::set<std::size_t> seen;
    while (picked.size() < random->runs) {
      const std::size_t i = uniform_index(state, n);
      if (seen.insert(i).second) picked.push_back(i);
    }
  }
  std::vector<strategy::Params> out;
  for (std::size_t i : picked) out.push_back(combo(axes, fixed, i));
  return out;
}

Result<std::vector<Window>> windows(const WalkForwardSpec& spec, TimestampMs first,
                                    TimestampMs last) {
  if (spec.in_sample_days <= 0 || spec.out_of_sample_days <= 0) {
    return Status::invalid_argument("in-sample and out-of-sample lengths must be >= 1 day");
  }
  const std::int64_t first_day = seoul_day(first);
  const std::int64_t end_day = seoul_day(last) + 1;  // exclusive
  const std::int64_t span = end_day - first_day;
  const auto day_start = [](std::int64_t day) { return from_seoul(civil_from_days(day)); };
  if (spec.in_sample_days + 1 > span) {
    return Status::invalid_argument(
        "the first window (" + std::to_string(spec.in_sample_days) +
        " in-sample days and at least one out-of-sample day) is longer than the data (" +
        std::to_string(span) + " days, " + format_seoul_date(first) + " to " +
        format_seoul_date(last) + ")");
  }
  std::vector<Window> out;
  for (std::int64_t start = first_day; start + spec.in_sample_days < end_day;
       start += spec.out_of_sample_days) {
    const std::int64_t in_from = spec.anchored ? first_day : start;
    const std::int64_t out_from = start + spec.in_sample_days;
    const std::int64_t out_to = std::min(out_from + spec.out_of_sample_days, end_day);
    out.push_back(
        {day_start(in_from), day_start(out_from), day_start(out_from), day_start(out_to)});
  }
  return out;
}

}  // namespace quantd::research
