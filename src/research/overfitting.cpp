#include "quantd/research/overfitting.h"

#include <bit>
#include <cmath>

namespace quantd::research {

std::vector<BlockStats> block_stats(std::span<const double> equity, double initial, int blocks) {
  const std::size_t s = static_cast<std::size_t>(blocks);
  std::vector<BlockStats> out(s);
  const std::size_t n = equity.size();
  // Point i belongs to block floor(i * S / n): block b is [ceil(b n / S), ceil((b + 1) n / S)).
  // One loop per block keeps the per-point work to a division and two sums (a sweep calls this
  // once per run over up to millions of points).
  for (std::size_t b = 0; b < s; ++b) {
    const std::size_t from = (b * n + s - 1) / s;
    const std::size_t to = ((b + 1) * n + s - 1) / s;
    double sum = 0, sum_sq = 0;
    double previous = from == 0 ? initial : equity[from - 1];
    for (std::size_t i = from; i < to; ++i) {
      const double r = previous != 0 ? equity[i] / previous - 1 : 0;
      previous = equity[i];
      sum += r;
      sum_sq += r * r;
    }
    out[b] = {static_cast<double>(to - from), sum, sum_sq};
  }
  return out;
}

double sharpe_of(std::span<const BlockStats> blocks, unsigned mask) {
  double n = 0, sum = 0, sum_sq = 0;
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (!(mask & (1u << b))) continue;
    n += blocks[b].n;
    sum += blocks[b].sum;
    sum_sq += blocks[b].sum_sq;
  }
  if (n < 2) return 0;
  const double mean = sum / n;
  const double var = (sum_sq - n * mean * mean) / (n - 1);
  // A flat stretch has no risk and no return: Sharpe 0, not a division by zero.
  if (!(var > 1e-30)) return 0;
  return mean / std::sqrt(var);
}

std::optional<Overfitting> probability_of_backtest_overfitting(
    std::span<const std::vector<BlockStats>> runs) {
  if (runs.size() < 2) return std::nullopt;
  const std::size_t s = runs.front().size();
  if (s < 2 || s % 2 != 0 || s > 30) return std::nullopt;
  for (const auto& r : runs) {
    if (r.size() != s) return std::nullopt;
    for (const BlockStats& b : r) {
      if (b.n == 0) return std::nullopt;
    }
  }
  const unsigned all = (1u << s) - 1;
  const double n_runs = static_cast<double>(runs.size());
  Overfitting out;
  std::vector<double> test(runs.size());
  std::size_t at_or_below = 0;
  double logit_sum = 0;
  for (unsigned train = 0; train <= all; ++train) {
    if (std::popcount(train) != static_cast<int>(s / 2)) continue;
    const unsigned held_out = all & ~train;
    std::size_t best = 0;
    double best_train = -INFINITY;
    for (std::size_t k = 0; k < runs.size(); ++k) {
      const double is = sharpe_of(runs[k], train);
      if (is > best_train) {  // the first of equals wins: the choice a sorted table shows
        best_train = is;
        best = k;
      }
      test[k] = sharpe_of(runs[k], held_out);
    }
    // The chosen run's out-of-sample rank among all runs, 1 (worst) .. N (best), ties at their
    // mid-rank, as a relative rank ω in (0, 1) and its logit λ = ln(ω / (1 − ω)).
    double below = 0, equal = 0;
    for (double v : test) {
      if (v < test[best])
        below += 1;
      else if (v == test[best])
        equal += 1;
    }
    const double rank = below + (equal + 1) / 2;
    const double omega = rank / (n_runs + 1);
    const double logit = std::log(omega / (1 - omega));
    out.logits.push_back(logit);
    logit_sum += logit;
    if (logit <= 0) ++at_or_below;
  }
  out.splits = out.logits.size();
  out.pbo = static_cast<double>(at_or_below) / static_cast<double>(out.splits);
  out.mean_logit = logit_sum / static_cast<double>(out.splits);
  return out;
}

}  // namespace quantd::research
