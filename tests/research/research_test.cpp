// Sweep plans, walk-forward windows and the probability of backtest overfitting.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "quantd/research/overfitting.h"
#include "quantd/research/sweep_plan.h"
#include "quantd/research/walk_forward.h"

using namespace quantd;
using namespace quantd::research;

TEST_CASE("axis_range: inclusive, drift-free, bounded") {
  auto v = axis_range(5, 30, 5, 100);
  REQUIRE(v.ok());
  CHECK(*v == std::vector<double>{5, 10, 15, 20, 25, 30});
  auto tenths = axis_range(0.1, 0.5, 0.1, 100);
  REQUIRE(tenths.ok());
  CHECK(*tenths == std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5});
  CHECK(axis_range(1, 2, 0, 10).status().message().find("step") != std::string::npos);
  CHECK(axis_range(3, 2, 1, 10).status().message().find("below") != std::string::npos);
  CHECK(axis_range(1, 1000, 1, 100).status().message().find("1000 values") != std::string::npos);
}

TEST_CASE("expand: the grid in order, the last axis fastest, fixed params kept") {
  std::vector<ParamAxis> axes{{"fast", {5, 10}}, {"slow", {20, 30, 40}}};
  auto runs = expand(axes, {{"stop_loss", 0.05}}, std::nullopt, 100);
  REQUIRE(runs.ok());
  REQUIRE(runs->size() == 6);
  CHECK((*runs)[0] == strategy::Params{{"fast", 5}, {"slow", 20}, {"stop_loss", 0.05}});
  CHECK((*runs)[1].at("slow") == 30);
  CHECK((*runs)[3].at("fast") == 10);
  CHECK((*runs)[5] == strategy::Params{{"fast", 10}, {"slow", 40}, {"stop_loss", 0.05}});

  auto over = expand(axes, {}, std::nullopt, 5);
  CHECK(over.status().message() == "the grid has 6 runs; the bound is 5 runs");
  CHECK(expand({}, {}, std::nullopt, 5).status().message().find("empty") != std::string::npos);
}

TEST_CASE("expand: random draws are distinct members of the grid and repeat with the seed") {
  std::vector<ParamAxis> axes{{"a", {}}, {"b", {}}};
  for (int i = 0; i < 30; ++i) axes[0].values.push_back(i);
  for (int i = 0; i < 30; ++i) axes[1].values.push_back(100 + i);
  auto one = expand(axes, {}, RandomDraws{50, 7}, 100);
  auto two = expand(axes, {}, RandomDraws{50, 7}, 100);
  auto other = expand(axes, {}, RandomDraws{50, 8}, 100);
  REQUIRE(one.ok());
  CHECK(one->size() == 50);
  CHECK(*one == *two);
  CHECK(*one != *other);
  std::set<std::pair<double, double>> seen;
  for (const auto& p : *one) {
    CHECK(p.at("a") >= 0);
    CHECK(p.at("b") >= 100);
    seen.insert({p.at("a"), p.at("b")});
  }
  CHECK(seen.size() == 50);
  // More draws than the grid holds: the whole grid, once each.
  auto all = expand({{"a", {1, 2, 3}}}, {}, RandomDraws{10, 1}, 100);
  REQUIRE(all.ok());
  CHECK(all->size() == 3);
  CHECK(expand(axes, {}, RandomDraws{500, 1}, 100).status().message().find("500 runs") !=
        std::string::npos);
}

TEST_CASE("windows: rolling and anchored, cut at the data's end, refused when too long") {
  const TimestampMs first = from_seoul({2024, 1, 1}, 9);
  const TimestampMs last = from_seoul({2024, 1, 10}, 15);  // 10 days of data
  auto rolling = windows({4, 2, false}, first, last);
  REQUIRE(rolling.ok());
  // in [1,5) out [5,7); in [3,7) out [7,9); in [5,9) out [9,11)
  REQUIRE(rolling->size() == 3);
  CHECK((*rolling)[0].in_from == from_seoul({2024, 1, 1}));
  CHECK((*rolling)[0].out_from == from_seoul({2024, 1, 5}));
  CHECK((*rolling)[1].in_from == from_seoul({2024, 1, 3}));
  CHECK((*rolling)[2].out_to == from_seoul({2024, 1, 11}));
  auto anchored = windows({4, 4, true}, first, last);
  REQUIRE(anchored.ok());
  REQUIRE(anchored->size() == 2);
  CHECK((*anchored)[1].in_from == from_seoul({2024, 1, 1}));
  CHECK((*anchored)[1].out_from == from_seoul({2024, 1, 9}));
  CHECK((*anchored)[1].out_to == from_seoul({2024, 1, 11}));  // cut short: 2 of 4 days
  auto too_long = windows({10, 5, false}, first, last);
  CHECK(too_long.status().message().find("longer than the data (10 days") != std::string::npos);
}

namespace {

// The paper's procedure on a T × N matrix of returns, computed directly: every split's train and
// test rows concatenated, Sharpe ratios from the rows, the chosen trial's test rank by sorting.
double reference_pbo(const std::vector<std::vector<double>>& returns, int s) {
  const std::size_t t = returns.front().size();
  const std::size_t n = returns.size();
  int at_or_below = 0, splits = 0;
  for (unsigned mask = 0; mask < (1u << s); ++mask) {
    if (__builtin_popcount(mask) != s / 2) continue;
    ++splits;
    auto sharpe = [&](std::size_t k, bool train) {
      std::vector<double> rows;
      for (std::size_t i = 0; i < t; ++i) {
        const unsigned block = static_cast<unsigned>(i * static_cast<std::size_t>(s) / t);
        if (((mask >> block) & 1u) == (train ? 1u : 0u)) rows.push_back(returns[k][i]);
      }
      double mean = 0;
      for (double r : rows) mean += r;
      mean /= static_cast<double>(rows.size());
      double var = 0;
      for (double r : rows) var += (r - mean) * (r - mean);
      var /= static_cast<double>(rows.size() - 1);
      return mean / std::sqrt(var);
    };
    std::size_t best = 0;
    for (std::size_t k = 1; k < n; ++k) {
      if (sharpe(k, true) > sharpe(best, true)) best = k;
    }
    std::vector<double> test(n);
    for (std::size_t k = 0; k < n; ++k) test[k] = sharpe(k, false);
    std::vector<double> sorted = test;
    std::sort(sorted.begin(), sorted.end());
    const double rank = static_cast<double>(std::find(sorted.begin(), sorted.end(), test[best]) -
                                            sorted.begin() + 1);
    if (std::log((rank / (n + 1)) / (1 - rank / (n + 1))) <= 0) ++at_or_below;
  }
  return static_cast<double>(at_or_below) / splits;
}

}  // namespace

TEST_CASE("PBO from block statistics equals the paper's procedure on the raw returns") {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0005, 0.01);
  for (int trial = 0; trial < 3; ++trial) {
    const std::size_t t = 320, n = 6;
    std::vector<std::vector<double>> returns(n, std::vector<double>(t));
    std::vector<std::vector<BlockStats>> blocks;
    for (std::size_t k = 0; k < n; ++k) {
      std::vector<double> equity;
      double e = 1'000'000;
      for (std::size_t i = 0; i < t; ++i) {
        const double r = noise(rng) + 0.0002 * static_cast<double>(k) * (trial == 2);
        returns[k][i] = r;
        e *= 1 + r;
        equity.push_back(e);
      }
      blocks.push_back(block_stats(equity, 1'000'000, kCscvBlocks));
      // The stats reproduce the returns they came from (up to rounding of e).
      CHECK(blocks.back()[0].n == doctest::Approx(20));
    }
    auto pbo = probability_of_backtest_overfitting(blocks);
    REQUIRE(pbo);
    CHECK(pbo->splits == 12870);
    CHECK(pbo->pbo == doctest::Approx(reference_pbo(returns, kCscvBlocks)).epsilon(1e-9));
  }
}

TEST_CASE("PBO: a run best in every block is never overfit; a reversal always is") {
  // Run 0 beats run 1 everywhere: PBO 0.
  std::vector<std::vector<BlockStats>> dominant(3, std::vector<BlockStats>(kCscvBlocks));
  for (int b = 0; b < kCscvBlocks; ++b) {
    for (int k = 0; k < 3; ++k) {
      const double mean = 0.001 * (3 - k) + 0.0001 * b;
      dominant[k][b] = {10, 10 * mean, 10 * (mean * mean + 1e-4)};
    }
  }
  auto clean = probability_of_backtest_overfitting(dominant);
  REQUIRE(clean);
  CHECK(clean->pbo == 0);
  // Two runs that alternate: whichever wins the training half loses the test half.
  std::vector<std::vector<BlockStats>> reversal(2, std::vector<BlockStats>(kCscvBlocks));
  for (int b = 0; b < kCscvBlocks; ++b) {
    for (int k = 0; k < 2; ++k) {
      const double mean = ((b < 8) == (k == 0)) ? 0.002 : -0.002;
      reversal[k][b] = {10, 10 * mean, 10 * (mean * mean + 1e-4)};
    }
  }
  auto bad = probability_of_backtest_overfitting(reversal);
  REQUIRE(bad);
  CHECK(bad->pbo > 0.5);
  CHECK_FALSE(probability_of_backtest_overfitting(std::span(reversal).first(1)));
}

TEST_CASE("walk-forward efficiency, annualizing and stitching") {
  CHECK(*annualized(0.21, 2 * 365.25) == doctest::Approx(0.1));
  CHECK_FALSE(annualized(-1, 10));
  std::vector<double> is{0.2, 0.3};
  CHECK(*walk_forward_efficiency(0.125, is) == doctest::Approx(0.5));
  std::vector<double> losing{-0.1, 0.05};
  CHECK_FALSE(walk_forward_efficiency(0.1, losing));

  StitchedCurve c;
  std::vector<TimestampMs> t1{1, 2}, t2{3, 4};
  std::vector<double> e1{110, 121}, e2{90, 99};
  c.append(t1, e1, 100, 1000);
  c.append(t2, e2, 100, 1000);
  const std::vector<double> expected{1100, 1210, 1089, 1197.9};
  REQUIRE(c.equity.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(c.equity[i] == doctest::Approx(expected[i]));
  CHECK(c.ts == std::vector<TimestampMs>{1, 2, 3, 4});
  CHECK(objective("max_drawdown")->higher_is_better == false);
  CHECK_FALSE(objective("bogus"));
  const Objective dd = *objective("max_drawdown");
  CHECK(better(dd, 0.1, 0.2));
  CHECK(better(dd, 0.1, std::nullopt));
  CHECK_FALSE(better(dd, std::nullopt, 0.1));
}
