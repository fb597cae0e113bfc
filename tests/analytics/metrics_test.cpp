// Metrics on hand-computed cases; the formulas are in docs/metrics.md.
#include "quantd/analytics/metrics.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace quantd;
using namespace quantd::analytics;

namespace {

// Five equity points, initial 100: 100, 110, 99, 121, 110 on days 0, 1, 2, 3 and 730.5.
struct Case {
  std::vector<TimestampMs> ts;
  std::vector<double> equity = {100, 110, 99, 121, 110};
  std::vector<Trade> trades;
  std::vector<double> first_open = {10, 20};
  std::vector<double> last_close = {15, 18};
  Case() {
    const TimestampMs t0 = from_seoul({2020, 1, 6}, 9, 0);
    for (double d : {0.0, 1.0, 2.0, 3.0, 730.5}) {
      ts.push_back(t0 + static_cast<TimestampMs>(d * kMsPerDay));
    }
    for (std::int64_t pnl : {300, -100, 200, 0, -200}) {
      Trade t;
      t.pnl = pnl;
      trades.push_back(t);
    }
  }
  Metrics compute() const {
    MetricsInput in;
    in.initial_cash = 100;
    in.equity_ts = ts;
    in.equity = equity;
    in.trades = trades;
    in.points_in_market = 3;
    in.total_fees = 7;
    in.total_taxes = 5;
    in.first_open = first_open;
    in.last_close = last_close;
    return compute_metrics(in);
  }
};

}  // namespace

TEST_CASE("returns, CAGR and benchmark") {
  const Metrics m = Case().compute();
  CHECK(m.final_equity == 110);
  CHECK(m.total_return == doctest::Approx(0.10));
  // 730.5 calendar days = 2 years of 365.25 days: (1.1)^(1/2) − 1.
  CHECK(m.cagr == doctest::Approx(std::sqrt(1.1) - 1.0));
  // Equal weights: (15/10 + 18/20) / 2 − 1 = 0.2.
  CHECK(m.benchmark_return == doctest::Approx(0.2));
  CHECK(m.benchmark_cagr == doctest::Approx(std::sqrt(1.2) - 1.0));
  CHECK(m.total_fees == 7);
  CHECK(m.total_taxes == 5);
  CHECK(m.exposure == doctest::Approx(0.6));
}

TEST_CASE("daily returns, volatility, Sharpe and Sortino") {
  const Case c;
  const auto r = daily_returns(100, c.ts, c.equity);
  REQUIRE(r.size() == 5);
  const double r1 = 0.0, r2 = 0.1, r3 = 99.0 / 110 - 1, r4 = 121.0 / 99 - 1, r5 = 110.0 / 121 - 1;
  CHECK(r[0] == r1);
  CHECK(r[2] == doctest::Approx(r3));
  const double mean = (r1 + r2 + r3 + r4 + r5) / 5;
  const double var =
      ((r1 - mean) * (r1 - mean) + (r2 - mean) * (r2 - mean) + (r3 - mean) * (r3 - mean) +
       (r4 - mean) * (r4 - mean) + (r5 - mean) * (r5 - mean)) /
      4;
  const double downside = std::sqrt((r3 * r3 + r5 * r5) / 5);
  const Metrics m = c.compute();
  CHECK(m.annual_volatility == doctest::Approx(std::sqrt(var) * std::sqrt(252.0)));
  CHECK(m.sharpe == doctest::Approx(mean / std::sqrt(var) * std::sqrt(252.0)));
  CHECK(m.sortino == doctest::Approx(mean / downside * std::sqrt(252.0)));
  // Numerically: mean 0.0262626, sample stdev 0.1361971, so Sharpe = 0.19283 × √252 ≈ 3.0611.
  CHECK(m.sharpe == doctest::Approx(3.0611).epsilon(1e-4));
}

TEST_CASE("several points on one day count as one daily return") {
  const TimestampMs d0 = from_seoul({2024, 1, 2}, 9, 0);
  const std::vector<TimestampMs> ts = {d0, d0 + kMsPerHour, d0 + kMsPerDay,
                                       d0 + kMsPerDay + 60'000};
  const std::vector<double> eq = {100, 104, 90, 99};
  const auto r = daily_returns(100, ts, eq);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == doctest::Approx(0.04));
  CHECK(r[1] == doctest::Approx(99.0 / 104 - 1));
}

TEST_CASE("max drawdown, its longest duration and Calmar") {
  const Metrics m = Case().compute();
  // Peaks 110 → 99 (10%), 121 → 110 (9.09%).
  CHECK(m.max_drawdown == doctest::Approx(0.1));
  // 110 (point 1) is regained at point 3: 2 bars, 2 days. 121 (point 3) is never regained: 1 bar
  // but 727.5 days. Each duration is the longest of its own unit.
  CHECK(m.max_drawdown_duration_bars == 2);
  CHECK(m.max_drawdown_duration_days == doctest::Approx(727.5));
  CHECK(m.calmar == doctest::Approx((std::sqrt(1.1) - 1.0) / 0.1));
  const auto dd = drawdown_curve(100, Case().equity);
  REQUIRE(dd.size() == 5);
  CHECK(dd[0] == 0);
  CHECK(dd[2] == doctest::Approx(0.1));
  CHECK(dd[3] == 0);
  CHECK(dd[4] == doctest::Approx(11.0 / 121));
}

TEST_CASE("trade statistics") {
  const Metrics m = Case().compute();
  CHECK(m.trades == 5);
  CHECK(m.win_rate == doctest::Approx(0.4));   // 2 of 5 (a 0 P&L trade is no win)
  CHECK(m.avg_win == doctest::Approx(250));    // (300 + 200) / 2
  CHECK(m.avg_loss == doctest::Approx(-150));  // (−100 − 200) / 2
  CHECK(m.profit_factor == doctest::Approx(500.0 / 300.0));
  CHECK(m.expectancy == doctest::Approx(40));  // 200 / 5
}

TEST_CASE("undefined statistics are NaN") {
  MetricsInput in;
  in.initial_cash = 1000;
  const std::vector<TimestampMs> ts = {0};
  const std::vector<double> eq = {1000};
  in.equity_ts = ts;
  in.equity = eq;
  const Metrics m = compute_metrics(in);
  CHECK(m.total_return == 0);
  CHECK(std::isnan(m.cagr));  // zero days
  CHECK(std::isnan(m.sharpe));
  CHECK(std::isnan(m.win_rate));
  CHECK(std::isnan(m.profit_factor));
  CHECK(std::isnan(m.calmar));
  CHECK(m.max_drawdown == 0);
  CHECK(m.trades == 0);
}
