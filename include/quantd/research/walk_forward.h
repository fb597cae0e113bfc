// Walk-forward analysis: choosing a run by a metric, chaining out-of-sample curves, and the
// walk-forward efficiency (R. Pardo, "The Evaluation and Optimization of Trading Strategies",
// 2nd ed., Wiley 2008, ch. 11): the annualized out-of-sample return over the annualized
// in-sample return of the parameters chosen. Formulas in docs/metrics.md. Pure; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/analytics/metrics.h"
#include "quantd/core/time.h"

namespace quantd::research {

// The metrics a sweep may rank runs by, e.g. "sharpe", and whether more is better.
struct Objective {
  std::string metric;
  bool higher_is_better = true;
};
// The objective named `metric`; nullopt for a name that is not rankable.
std::optional<Objective> objective(std::string_view metric);
// "sharpe, sortino, ..." for error messages.
std::string objective_names();
// The value of the objective's metric in `m`; nullopt when it is undefined (NaN).
std::optional<double> objective_value(const Objective& o, const analytics::Metrics& m);
// True when a beats b under `o` (an undefined value never beats a defined one).
bool better(const Objective& o, std::optional<double> a, std::optional<double> b);

// A total return annualized over `days` calendar days; nullopt for days <= 0 or a loss of 100%.
std::optional<double> annualized(double total_return, double days);

// Pardo's walk-forward efficiency: out-of-sample annualized return / mean in-sample annualized
// return; nullopt when the in-sample mean is not positive (the ratio means nothing then).
std::optional<double> walk_forward_efficiency(double out_of_sample_annualized,
                                              std::span<const double> in_sample_annualized);

// A curve made of pieces, each rebased to start where the previous one ended.
struct StitchedCurve {
  std::vector<TimestampMs> ts;
  std::vector<double> equity;
  // Appends a run's curve (which started from `run_initial`), scaled so that it continues from
  // the current end (or from `start` for the first piece).
  void append(std::span<const TimestampMs> piece_ts, std::span<const double> piece_equity,
              double run_initial, double start);
};

}  // namespace quantd::research
