// How much a sweep's best result is owed to luck: the probability of backtest overfitting (PBO)
// by combinatorially symmetric cross-validation (CSCV), after D. H. Bailey, J. M. Borwein,
// M. López de Prado and Q. J. Zhu, "The Probability of Backtest Overfitting", Journal of
// Computational Finance 20(4), 2017. The formula and how to read it are in docs/metrics.md.
//
// Design note. CSCV needs each run's returns split into S equal blocks; the performance of a run
// on any union of blocks is its Sharpe ratio there, which only needs each block's count, sum and
// sum of squares. So a sweep keeps 16 × 3 numbers per run (block_stats) instead of its curve, and
// the statistic is computed from the stored rows at any time. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace quantd::research {

// The number of blocks S a run's returns are split into: C(16, 8) = 12,870 train/test splits.
inline constexpr int kCscvBlocks = 16;

// Sufficient statistics of one block of per-bar returns.
struct BlockStats {
  double n = 0;
  double sum = 0;
  double sum_sq = 0;
};

// The simple returns of `equity` (the first against `initial`), split into `blocks` consecutive
// blocks of (as nearly as possible) equal length. Fewer points than blocks give empty blocks.
std::vector<BlockStats> block_stats(std::span<const double> equity, double initial,
                                    int blocks = kCscvBlocks);

// The Sharpe ratio (mean / sample standard deviation, not annualized) of the blocks selected by
// `mask` (bit b = block b). A flat series has Sharpe 0.
double sharpe_of(std::span<const BlockStats> blocks, unsigned mask);

struct Overfitting {
  double pbo = 0;              // fraction of splits whose in-sample best ranks at or below the
                               // out-of-sample median (logit <= 0)
  std::size_t splits = 0;      // C(S, S/2)
  std::vector<double> logits;  // λ_c of every split, in split order
  double mean_logit = 0;
};

// PBO of the runs (one vector of kCscvBlocks block stats each). Needs at least 2 runs, each with
// the same number of blocks, all non-empty; nullopt otherwise.
std::optional<Overfitting> probability_of_backtest_overfitting(
    std::span<const std::vector<BlockStats>> runs);

}  // namespace quantd::research
