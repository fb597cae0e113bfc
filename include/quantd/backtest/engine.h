// The backtest engine: one strategy over one or more symbols' bars, one shared cash balance.
//
// Design note. run_backtest walks the union of the symbols' bar timestamps in order. At each
// timestamp, for the symbols that have a bar there, it runs execution::StrategyRunner's per-bar
// sequence (the same one live sessions run) over BacktestExecutor, the simulated fill venue:
// (1) orders decided at the previous bar's close
// fill at this bar's open, sells of all symbols before buys so freed cash can be reused;
// (2) protective exits are checked against this bar's low/high; (3) the strategy instance of the
// symbol sees the completed bar and may emit an intent; then one equity point is recorded. A
// decision on a symbol's last bar is never filled, and nothing is closed at the end unless
// BacktestConfig::close_at_end. The fill and cost model is in docs/backtest.md.
//
// Performance: the per-bar path allocates nothing, looks nothing up in maps and makes one virtual
// call (Strategy::on_bar); equity goes into a vector reserved up front; orders exist only when
// something trades. With one symbol, bars on which nothing can happen (no target pending, no exit
// armed, and the strategy says it decides nothing there: Strategy::skip_quiet) are booked a
// stretch at a time, cash + position × close per bar, with no call per bar at all.
//
// Threading: run_backtest is reentrant; one call runs on the calling thread. `cancel` may be set
// from another thread; it is read every kProgressStride timestamps.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "quantd/analytics/metrics.h"
#include "quantd/core/status.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/order.h"
#include "quantd/domain/portfolio.h"
#include "quantd/execution/costs.h"
#include "quantd/strategy/registry.h"

namespace quantd::backtest {

using execution::CostModel;
using execution::CostSettings;

struct BacktestConfig {
  std::int64_t initial_cash = 100'000'000;  // KRW, > 0
  CostSettings costs;
  bool close_at_end = false;  // sell every position at the last bar's close (reason end_of_data)
  // Of the bars; DataContext::now = domain::bar_complete_at(ts, interval).
  domain::Interval interval = domain::Interval::k1d;
  // Bars stamped before trade_from only warm the strategy up: their decisions are discarded, the
  // run stays flat, and the equity curve and statistics start at the first bar on or after it
  // (comparing a backtest with a live session activated that day). Unset: every bar trades.
  std::optional<TimestampMs> trade_from;
};

// One symbol's bars, strictly increasing timestamps. The bars must outlive the run.
struct SymbolBars {
  domain::Symbol symbol;
  domain::Market market = domain::Market::kKospi;
  std::span<const domain::Bar> bars;
};

inline constexpr std::int64_t kProgressStride = 65536;
inline constexpr std::string_view kCancelledMessage = "backtest cancelled";

struct BacktestResult;

struct RunControl {
  // Called with the fraction done (0..1) every kProgressStride timestamps and once with 1.0 at the
  // end, on the running thread. May be empty.
  std::function<void(double)> on_progress;
  // When it becomes true the run stops at the next check and returns kCancelledMessage.
  const std::atomic<bool>* cancel = nullptr;

  // For a sweep's runs (thousands per thread over the same bars), which keep metrics only. Fresh
  // 8 MB curves page-faulted in for every run cost more than a quiet run's simulation, so:
  // `reuse` lends a previous result whose buffers this run writes into (it is moved into the
  // returned result; move that back to lend it again); without `drawdown_curve`,
  // result.drawdown stays empty; `bars_checked` skips the check of every bar's time order when
  // the caller checked the same bars already. None of them changes a number of the result.
  BacktestResult* reuse = nullptr;
  bool drawdown_curve = true;
  bool bars_checked = false;
};

struct BacktestResult {
  analytics::Metrics metrics;
  std::vector<TimestampMs> equity_ts;    // one point per distinct bar timestamp (from trade_from)
  std::vector<double> equity;            // cash + positions at their latest close, KRW
  std::vector<double> drawdown;          // fraction below the running peak
  std::vector<analytics::Trade> trades;  // closed round trips, in exit order
  std::vector<domain::Order> orders;     // every order, in submission order
  domain::Portfolio final_portfolio;
  std::int64_t bars = 0;   // bars processed over all symbols
  double run_seconds = 0;  // the simulation loop alone
};

// Runs `factory`'s strategy (one instance per symbol) over `symbols`.
// Errors (kInvalidArgument): no symbols, a symbol without bars, timestamps not strictly
// increasing, initial cash <= 0, negative cost settings, no bar on or after trade_from.
// kFailedPrecondition with kCancelledMessage when cancelled.
Result<BacktestResult> run_backtest(const BacktestConfig& config,
                                    std::span<const SymbolBars> symbols,
                                    const strategy::StrategyFactory& factory,
                                    const RunControl& control = {});

}  // namespace quantd::backtest
