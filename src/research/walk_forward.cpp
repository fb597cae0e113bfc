#include "quantd/research/walk_forward.h"

#include <cmath>
#include <numeric>

#include "quantd/backtest/report.h"

namespace quantd::research {
namespace {

struct Named {
  const char* name;
  bool higher_is_better;
};
constexpr Named kObjectives[] = {
    {"sharpe", true},       {"sortino", true},       {"total_return", true}, {"cagr", true},
    {"calmar", true},       {"profit_factor", true}, {"expectancy", true},   {"win_rate", true},
    {"final_equity", true}, {"max_drawdown", false},
};

}  // namespace

std::optional<Objective> objective(std::string_view metric) {
  for (const Named& n : kObjectives) {
    if (metric == n.name) return Objective{n.name, n.higher_is_better};
  }
  return std::nullopt;
}

std::string objective_names() {
  std::string out;
  for (const Named& n : kObjectives) out += (out.empty() ? "" : ", ") + std::string(n.name);
  return out;
}

std::optional<double> objective_value(const Objective& o, const analytics::Metrics& m) {
  for (const backtest::MetricField& f : backtest::metric_fields(m)) {
    if (o.metric == f.name) {
      if (std::isnan(f.value)) return std::nullopt;
      return f.value;
    }
  }
  return std::nullopt;
}

bool better(const Objective& o, std::optional<double> a, std::optional<double> b) {
  if (!a) return false;
  if (!b) return true;
  return o.higher_is_better ? *a > *b : *a < *b;
}

std::optional<double> annualized(double total_return, double days) {
  if (!(days > 0) || !(total_return > -1)) return std::nullopt;
  return std::pow(1 + total_return, analytics::kDaysPerYear / days) - 1;
}

std::optional<double> walk_forward_efficiency(double out_of_sample_annualized,
                                              std::span<const double> in_sample_annualized) {
  if (in_sample_annualized.empty()) return std::nullopt;
  const double mean =
      std::accumulate(in_sample_annualized.begin(), in_sample_annualized.end(), 0.0) /
      static_cast<double>(in_sample_annualized.size());
  if (!(mean > 0)) return std::nullopt;
  return out_of_sample_annualized / mean;
}

void StitchedCurve::append(std::span<const TimestampMs> piece_ts,
                           std::span<const double> piece_equity, double run_initial, double start) {
  const double from = equity.empty() ? start : equity.back();
  const double scale = run_initial != 0 ? from / run_initial : 1;
  for (std::size_t i = 0; i < piece_ts.size() && i < piece_equity.size(); ++i) {
    ts.push_back(piece_ts[i]);
    equity.push_back(piece_equity[i] * scale);
  }
}

}  // namespace quantd::research
