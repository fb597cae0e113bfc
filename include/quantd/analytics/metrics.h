// Backtest statistics. Formulas are written down in docs/metrics.md; compute_metrics is a pure
// function of the equity curve and the trade list, so each formula is tested on hand-computed
// cases. A statistic that is undefined (no trades, zero variance, no losing trade) is NaN, shown
// as null in JSON and "n/a" in text. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/order.h"

namespace quantd::analytics {

// One round trip in one symbol: from flat to flat.
struct Trade {
  std::uint32_t symbol_index = 0;
  TimestampMs entry_ts = 0;   // fill bar of the first buy
  TimestampMs exit_ts = 0;    // fill bar of the last sell
  std::int64_t quantity = 0;  // shares bought in total
  double entry_price = 0;     // quantity-weighted average buy fill price
  double exit_price = 0;      // quantity-weighted average sell fill price
  std::int64_t pnl = 0;       // sell notionals − buy notionals − commission − tax, KRW
  std::int64_t commission = 0;
  std::int64_t tax = 0;
  domain::OrderReason exit_reason = domain::OrderReason::kSignal;
};

struct Metrics {
  std::int64_t initial_cash = 0;
  double final_equity = 0;
  double total_return = 0;
  double cagr = 0;
  double annual_volatility = 0;
  double sharpe = 0;
  double sortino = 0;
  double max_drawdown = 0;  // fraction, >= 0
  std::int64_t max_drawdown_duration_bars = 0;
  double max_drawdown_duration_days = 0;
  double calmar = 0;
  std::int64_t trades = 0;
  double win_rate = 0;
  double avg_win = 0;   // KRW, mean P&L of winning trades
  double avg_loss = 0;  // KRW, mean P&L of losing trades (negative)
  double profit_factor = 0;
  double expectancy = 0;  // KRW, mean P&L per trade
  double exposure = 0;    // fraction of equity-curve points with a position held
  std::int64_t total_fees = 0;
  std::int64_t total_taxes = 0;
  double benchmark_return = 0;  // equal-weight buy and hold of the same symbols, no costs
  double benchmark_cagr = 0;
};

struct MetricsInput {
  std::int64_t initial_cash = 0;
  std::span<const TimestampMs> equity_ts;  // ascending
  std::span<const double> equity;          // same length as equity_ts, >= 1 point
  std::span<const Trade> trades;
  std::int64_t points_in_market = 0;  // equity points with any position held
  std::int64_t total_fees = 0;
  std::int64_t total_taxes = 0;
  // Per symbol: the first bar's open and the last bar's close (benchmark).
  std::span<const double> first_open;
  std::span<const double> last_close;
};

inline constexpr double kTradingDaysPerYear = 252;
inline constexpr double kDaysPerYear = 365.25;

// Drawdown at each equity point: 1 − equity / running peak (the peak starts at initial_cash).
std::vector<double> drawdown_curve(std::int64_t initial_cash, std::span<const double> equity);

// Daily returns: the last equity point of each Asia/Seoul calendar day against the previous
// day's (the first day against initial_cash).
std::vector<double> daily_returns(std::int64_t initial_cash, std::span<const TimestampMs> ts,
                                  std::span<const double> equity);

Metrics compute_metrics(const MetricsInput& input);

}  // namespace quantd::analytics
