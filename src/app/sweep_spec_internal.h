// A sweep's spec: what the API and `quantd sweep` accept, what the `sweeps.spec` column stores,
// and the plan of runs derived from it. Not a public contract; the format is in docs/api.md.
//
// Stored spec: {"axes": [{"name", "values"}], "fixed": {params}, "random": {"runs", "seed"} | null,
//   "walk_forward": {"in_sample_days", "out_of_sample_days", "anchored"} | null,
//   "windows": [[in_from, in_to, out_from, out_to], ...] (UTC ms), "metric": "sharpe"}.
// The windows are fixed when the sweep is submitted, from the stored data's span, so the plan
// never changes under a sweep that resumes after a restart.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/research/sweep_plan.h"
#include "quantd/research/walk_forward.h"
#include "quantd/strategy/registry.h"

namespace quantd::app {

// The hard bound on runs per sweep whatever max_runs asks; the default bound is kDefaultMaxRuns.
inline constexpr std::size_t kSweepRunLimit = 10'000;
inline constexpr std::size_t kDefaultMaxRuns = 500;
// Values one parameter's range may expand to.
inline constexpr std::size_t kMaxAxisValues = 1'000;

enum class SweepPhase : std::uint8_t { kFull, kInSample, kOutOfSample };
std::string_view to_string(SweepPhase phase);  // "full", "in_sample", "out_of_sample"

// One run of the plan. Tasks are numbered: the full-period runs (one per parameter set), then
// for each window its in-sample runs, then each window's out-of-sample run (whose parameters are
// the in-sample winner's, known only once those ran).
struct SweepTask {
  std::int64_t index = 0;
  SweepPhase phase = SweepPhase::kFull;
  int window = -1;
  std::int64_t combo = 0;  // -1 for an out-of-sample task until its winner is chosen
};

struct SweepPlan {
  std::vector<research::ParamAxis> axes;
  strategy::Params fixed;
  std::vector<strategy::Params> combos;
  std::vector<research::Window> windows;  // empty unless walk-forward
  research::Objective objective;
  std::size_t tasks() const { return combos.size() * (1 + windows.size()) + windows.size(); }
  // Tasks run in parallel (all but the out-of-sample ones).
  std::size_t parallel_tasks() const { return combos.size() * (1 + windows.size()); }
  SweepTask task(std::int64_t index) const;
  bool walk_forward() const { return !windows.empty(); }
};

// One thing wrong with a sweep request: the field (e.g. "grid.fast") and what is wrong.
using SpecError = std::pair<std::string, std::string>;

// What the request's sweep fields ("grid", "random", "walk_forward", "metric", "max_runs") ask,
// as the stored spec. `declared`: the strategy's parameters (the grid may vary only these);
// `fixed`: every parameter's value for the runs (defaults and overrides); `span`: the first and
// last bar stored for the run's range (needed for walk-forward). Every problem is added to
// `errors`; the spec is returned only when there is none.
std::optional<nlohmann::json> build_sweep_spec(
    const nlohmann::json& request, const std::vector<std::string>& declared,
    const strategy::Params& fixed, std::optional<std::pair<TimestampMs, TimestampMs>> span,
    std::vector<SpecError>& errors);

// The plan of a stored spec. Errors: invalid_argument (a damaged spec).
Result<SweepPlan> plan_from_spec(const nlohmann::json& spec);

// The kind stored in sweeps.kind: "walk_forward", "random" or "grid".
std::string sweep_kind(const nlohmann::json& spec);

}  // namespace quantd::app
