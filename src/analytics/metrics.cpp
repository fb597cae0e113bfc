#include "quantd/analytics/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace quantd::analytics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(double num, double den) { return den != 0 ? num / den : kNaN; }

double cagr_of(double growth, double days) {
  if (!(days > 0) || !(growth > 0)) return kNaN;
  return std::pow(growth, kDaysPerYear / days) - 1.0;
}

}  // namespace

std::vector<double> drawdown_curve(std::int64_t initial_cash, std::span<const double> equity) {
  std::vector<double> dd;
  dd.reserve(equity.size());
  double peak = static_cast<double>(initial_cash);
  for (double e : equity) {
    peak = std::max(peak, e);
    dd.push_back(peak > 0 ? 1.0 - e / peak : 0.0);
  }
  return dd;
}

std::vector<double> daily_returns(std::int64_t initial_cash, std::span<const TimestampMs> ts,
                                  std::span<const double> equity) {
  std::vector<double> r;
  double prev = static_cast<double>(initial_cash);
  for (std::size_t i = 0; i < equity.size(); ++i) {
    const bool last_of_day = i + 1 == equity.size() || seoul_day(ts[i + 1]) != seoul_day(ts[i]);
    if (!last_of_day) continue;
    r.push_back(prev != 0 ? equity[i] / prev - 1.0 : 0.0);
    prev = equity[i];
  }
  return r;
}

Metrics compute_metrics(const MetricsInput& in) {
  Metrics m;
  const double initial = static_cast<double>(in.initial_cash);
  m.initial_cash = in.initial_cash;
  m.total_fees = in.total_fees;
  m.total_taxes = in.total_taxes;
  const std::size_t n = in.equity.size();
  m.final_equity = n > 0 ? in.equity.back() : initial;
  m.total_return = m.final_equity / initial - 1.0;
  const double days =
      n > 0 ? static_cast<double>(in.equity_ts.back() - in.equity_ts.front()) / kMsPerDay : 0.0;
  m.cagr = cagr_of(m.final_equity / initial, days);

  // Daily returns → volatility, Sharpe, Sortino (risk-free 0, 252 days a year).
  const std::vector<double> r = daily_returns(in.initial_cash, in.equity_ts, in.equity);
  const double annual = std::sqrt(kTradingDaysPerYear);
  if (r.size() >= 2) {
    double sum = 0;
    for (double x : r) sum += x;
    const double mean = sum / static_cast<double>(r.size());
    double ss = 0;
    double down = 0;
    for (double x : r) {
      ss += (x - mean) * (x - mean);
      if (x < 0) down += x * x;
    }
    const double sd = std::sqrt(ss / static_cast<double>(r.size() - 1));
    const double dd = std::sqrt(down / static_cast<double>(r.size()));
    m.annual_volatility = sd * annual;
    m.sharpe = sd > 0 ? mean / sd * annual : kNaN;
    m.sortino = dd > 0 ? mean / dd * annual : kNaN;
  } else {
    m.annual_volatility = kNaN;
    m.sharpe = kNaN;
    m.sortino = kNaN;
  }

  // Drawdown depth and the longest time under a previous peak.
  double peak = initial;
  std::size_t peak_index = 0;
  bool under = false;
  for (std::size_t i = 0; i < n; ++i) {
    const double e = in.equity[i];
    if (e >= peak) {
      if (under) {
        m.max_drawdown_duration_bars = std::max<std::int64_t>(
            m.max_drawdown_duration_bars, static_cast<std::int64_t>(i - peak_index));
        m.max_drawdown_duration_days =
            std::max(m.max_drawdown_duration_days,
                     static_cast<double>(in.equity_ts[i] - in.equity_ts[peak_index]) / kMsPerDay);
      }
      under = false;
      peak = e;
      peak_index = i;
    } else {
      under = true;
      m.max_drawdown = std::max(m.max_drawdown, 1.0 - e / peak);
    }
  }
  if (under) {  // still under water at the end: the drawdown lasts until the last point
    m.max_drawdown_duration_bars = std::max<std::int64_t>(
        m.max_drawdown_duration_bars, static_cast<std::int64_t>(n - 1 - peak_index));
    m.max_drawdown_duration_days =
        std::max(m.max_drawdown_duration_days,
                 static_cast<double>(in.equity_ts[n - 1] - in.equity_ts[peak_index]) / kMsPerDay);
  }
  m.calmar = m.max_drawdown > 0 ? m.cagr / m.max_drawdown : kNaN;

  // Trades.
  m.trades = static_cast<std::int64_t>(in.trades.size());
  std::int64_t wins = 0;
  std::int64_t losses = 0;
  double gross_win = 0;
  double gross_loss = 0;
  for (const Trade& t : in.trades) {
    if (t.pnl > 0) {
      ++wins;
      gross_win += static_cast<double>(t.pnl);
    } else if (t.pnl < 0) {
      ++losses;
      gross_loss += static_cast<double>(t.pnl);
    }
  }
  m.win_rate = ratio_or_nan(static_cast<double>(wins), static_cast<double>(m.trades));
  m.avg_win = ratio_or_nan(gross_win, static_cast<double>(wins));
  m.avg_loss = ratio_or_nan(gross_loss, static_cast<double>(losses));
  m.profit_factor = gross_loss < 0 ? gross_win / -gross_loss : kNaN;
  m.expectancy = ratio_or_nan(gross_win + gross_loss, static_cast<double>(m.trades));
  m.exposure = n > 0 ? static_cast<double>(in.points_in_market) / static_cast<double>(n) : 0.0;

  // Benchmark: equal weights at the first open, held to the last close, no costs.
  if (!in.first_open.empty()) {
    double g = 0;
    for (std::size_t i = 0; i < in.first_open.size(); ++i) {
      g += in.last_close[i] / in.first_open[i];
    }
    g /= static_cast<double>(in.first_open.size());
    m.benchmark_return = g - 1.0;
    m.benchmark_cagr = cagr_of(g, days);
  } else {
    m.benchmark_return = kNaN;
    m.benchmark_cagr = kNaN;
  }
  return m;
}

}  // namespace quantd::analytics
