#include "quantd/backtest/engine.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "quantd/backtest/backtest_executor.h"
#include "quantd/backtest/report.h"
#include "quantd/core/time.h"
#include "quantd/execution/strategy_runner.h"

namespace quantd::backtest {

namespace {

Status validate(const BacktestConfig& config, std::span<const SymbolBars> symbols,
                bool bars_checked) {
  if (symbols.empty()) return Status::invalid_argument("no symbols to backtest");
  if (config.initial_cash <= 0) return Status::invalid_argument("initial cash must be > 0");
  const CostSettings& c = config.costs;
  if (!(c.commission_bps >= 0) || !(c.slippage_bps >= 0) || c.slippage_ticks < 0 ||
      (c.tax_bps && !(*c.tax_bps >= 0))) {
    return Status::invalid_argument("cost settings must be >= 0");
  }
  if (symbols.size() > std::numeric_limits<std::uint32_t>::max()) {
    return Status::invalid_argument("too many symbols");
  }
  for (const SymbolBars& sb : symbols) {
    if (sb.bars.empty()) return Status::invalid_argument("no bars for symbol " + sb.symbol.str());
    for (std::size_t i = 1; !bars_checked && i < sb.bars.size(); ++i) {
      if (sb.bars[i].ts <= sb.bars[i - 1].ts) {
        return Status::invalid_argument("bars of " + sb.symbol.str() +
                                        " are not in strictly increasing time order at " +
                                        format_seoul(sb.bars[i].ts));
      }
    }
  }
  if (config.trade_from) {
    bool any = false;
    for (const SymbolBars& sb : symbols) any = any || sb.bars.back().ts >= *config.trade_from;
    if (!any) {
      return Status::invalid_argument("no bar on or after trade_from " +
                                      format_seoul(*config.trade_from));
    }
  }
  return Status::ok_status();
}

}  // namespace

Result<BacktestResult> run_backtest(const BacktestConfig& config,
                                    std::span<const SymbolBars> symbols,
                                    const strategy::StrategyFactory& factory,
                                    const RunControl& control) {
  if (Status s = validate(config, symbols, control.bars_checked); !s.ok()) return s;
  const std::uint32_t n_symbols = static_cast<std::uint32_t>(symbols.size());

  std::vector<domain::Market> markets;
  std::vector<execution::RunSymbol> run_symbols;
  std::size_t total_bars = 0;
  std::size_t max_bars = 0;
  for (const SymbolBars& sb : symbols) {
    markets.push_back(sb.market);
    run_symbols.push_back({sb.symbol, sb.market});
    total_bars += sb.bars.size();
    max_bars = std::max(max_bars, sb.bars.size());
  }

  domain::Ledger ledger(config.initial_cash, n_symbols);
  const CostModel costs(config.costs);
  BacktestExecutor executor(ledger, costs, markets, total_bars);
  execution::StrategyRunner::Options options;
  options.interval = config.interval;
  if (config.trade_from) options.trade_from = *config.trade_from;
  execution::StrategyRunner runner(factory, std::move(run_symbols), ledger, executor, costs,
                                   options);
  for (std::uint32_t s = 0; s < n_symbols; ++s) runner.announce(s, symbols[s].bars);

  BacktestResult result;
  if (control.reuse != nullptr) {
    result = std::move(*control.reuse);  // its vectors keep their (already touched) capacity
    result.equity_ts.clear();
    result.drawdown.clear();
    result.trades.clear();
    result.orders.clear();
  }
  // One equity point per distinct timestamp: exactly the bar count for one symbol, at most
  // total_bars for several. The vectors are sized (and so their pages touched) before the clock
  // starts, keeping the loop free of allocation and page faults; a single symbol's timestamps are
  // its bars' and are copied after the loop.
  const std::size_t max_points = n_symbols == 1 ? max_bars : total_bars;
  result.equity.resize(max_points);
  if (n_symbols > 1) result.equity_ts.resize(max_points);
  double* equity_out = result.equity.data();
  TimestampMs* ts_out = result.equity_ts.data();
  std::size_t points = 0;

  std::vector<std::size_t> cursor(n_symbols, 0);
  std::vector<std::uint32_t> active;  // symbols with a bar at the current timestamp
  active.reserve(n_symbols);
  std::int64_t points_in_market = 0;
  std::int64_t steps = 0;
  const auto started = std::chrono::steady_clock::now();

  // A run whose trades outgrow kMaxTradeValue stops with this error (checked with progress,
  // so the loop pays nothing per bar; the trades refused meanwhile change nothing that is kept).
  auto overflowed = [&]() -> std::optional<Status> {
    const auto& t = executor.overflow();
    if (!t) return std::nullopt;
    const double value = static_cast<double>(t->quantity) * t->price;
    return Status::resource_exhausted(
        "the simulated account outgrew any real market: on " + format_seoul(t->bar_ts) + " a " +
        std::string(t->side == domain::Side::kBuy ? "buy" : "sell") + " of " +
        std::to_string(t->quantity) + " shares of " + symbols[t->symbol].symbol.str() + " at " +
        format_double(t->price) + " would be worth " + format_double(value) +
        " KRW, past the limit of 1e17. The strategy compounds without bound on this data "
        "(every trade a winner?); check its sizing, its costs or the bars.");
  };

  auto progress = [&]() -> bool {
    if (control.cancel != nullptr && control.cancel->load(std::memory_order_relaxed)) return false;
    if (control.on_progress) {
      std::size_t done = 0;
      for (std::uint32_t s = 0; s < n_symbols; ++s) done += cursor[s];
      control.on_progress(static_cast<double>(done) / static_cast<double>(total_bars));
    }
    return true;
  };

  if (n_symbols == 1) {
    // The common case, kept tight: no timestamp merge, and the bars on which nothing can happen
    // (the strategy lets them pass, nothing pending, no exit armed) are booked a stretch at a
    // time. Stretches end at the progress marks, so those stay every kProgressStride bars.
    const std::span<const domain::Bar> bars = symbols[0].bars;
    const std::size_t n = bars.size();
    std::size_t i = 0;
    while (i < n) {
      const std::size_t mark = std::min(n, (i / kProgressStride + 1) * kProgressStride);
      while (i < mark) {
        const domain::Bar& bar = bars[i];
        if (runner.any_pending()) {
          runner.act_at_open(0, bar, execution::Phase::kSells);
          runner.act_at_open(0, bar, execution::Phase::kBuys);
        }
        runner.on_bar(0, bars.first(i + 1));
        equity_out[i] = ledger.equity();
        points_in_market += ledger.open_positions() > 0 ? 1 : 0;
        ++i;
        const std::size_t k = runner.skip_quiet(0, bars.subspan(i, mark - i));
        if (k == 0) continue;
        // ledger.equity() of one symbol, bar by bar: the cash and position do not change here.
        const double cash = static_cast<double>(ledger.cash());
        const std::int64_t held = ledger.position(0).quantity;
        if (held != 0) {
          const double q = static_cast<double>(held);
          for (std::size_t j = i; j < i + k; ++j) equity_out[j] = cash + q * bars[j].close;
          points_in_market += static_cast<std::int64_t>(k);
        } else {
          std::fill(equity_out + i, equity_out + i + k, cash);
        }
        i += k;
      }
      if (i % kProgressStride == 0) {
        cursor[0] = i;
        if (auto error = overflowed()) return *error;
        if (!progress()) return Status::failed_precondition(std::string(kCancelledMessage));
      }
    }
    cursor[0] = n;
    points = n;
  } else {
    for (;;) {
      TimestampMs t = std::numeric_limits<TimestampMs>::max();
      for (std::uint32_t s = 0; s < n_symbols; ++s) {
        if (cursor[s] < symbols[s].bars.size()) t = std::min(t, symbols[s].bars[cursor[s]].ts);
      }
      if (t == std::numeric_limits<TimestampMs>::max()) break;
      active.clear();
      for (std::uint32_t s = 0; s < n_symbols; ++s) {
        if (cursor[s] < symbols[s].bars.size() && symbols[s].bars[cursor[s]].ts == t) {
          active.push_back(s);
        }
      }
      if (runner.any_pending()) {
        // Sales of every symbol first, so their cash is there for this open's purchases.
        for (std::uint32_t s : active) {
          runner.act_at_open(s, symbols[s].bars[cursor[s]], execution::Phase::kSells);
        }
        for (std::uint32_t s : active) {
          runner.act_at_open(s, symbols[s].bars[cursor[s]], execution::Phase::kBuys);
        }
      }
      for (std::uint32_t s : active) {
        runner.on_bar(s, symbols[s].bars.first(cursor[s] + 1));
        ++cursor[s];
      }
      ts_out[points] = t;
      equity_out[points++] = ledger.equity();
      points_in_market += ledger.open_positions() > 0 ? 1 : 0;
      if ((++steps & (kProgressStride - 1)) == 0) {
        if (auto error = overflowed()) return *error;
        if (!progress()) return Status::failed_precondition(std::string(kCancelledMessage));
      }
    }
  }

  if (config.close_at_end) {
    for (std::uint32_t s = 0; s < n_symbols; ++s) {
      runner.close_at(s, symbols[s].bars.back(), domain::OrderReason::kEndOfData);
    }
    equity_out[points - 1] = ledger.equity();
  }
  if (auto error = overflowed()) return *error;
  result.run_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.equity.resize(points);
  if (n_symbols == 1) {
    result.equity_ts.reserve(points);
    for (const domain::Bar& b : symbols[0].bars) result.equity_ts.push_back(b.ts);
  } else {
    result.equity_ts.resize(points);
  }
  if (control.on_progress) control.on_progress(1.0);

  // Warm-up bars before trade_from are not part of the result.
  if (config.trade_from) {
    const auto first =
        std::lower_bound(result.equity_ts.begin(), result.equity_ts.end(), *config.trade_from);
    const auto k = first - result.equity_ts.begin();
    result.equity_ts.erase(result.equity_ts.begin(), first);
    result.equity.erase(result.equity.begin(), result.equity.begin() + k);
  }

  std::vector<double> first_open;
  std::vector<double> last_close;
  for (const SymbolBars& sb : symbols) {
    const auto from = config.trade_from ? *config.trade_from : sb.bars.front().ts;
    const auto it =
        std::lower_bound(sb.bars.begin(), sb.bars.end(), from,
                         [](const domain::Bar& b, TimestampMs ts) { return b.ts < ts; });
    first_open.push_back(it != sb.bars.end() ? it->open : sb.bars.back().close);
    last_close.push_back(sb.bars.back().close);
  }
  result.bars = static_cast<std::int64_t>(total_bars);
  result.trades = executor.take_trades();
  result.orders = executor.take_orders();
  result.final_portfolio = ledger.portfolio();

  analytics::MetricsInput in;
  in.initial_cash = config.initial_cash;
  in.equity_ts = result.equity_ts;
  in.equity = result.equity;
  in.trades = result.trades;
  in.points_in_market = points_in_market;
  in.total_fees = executor.total_commission();
  in.total_taxes = executor.total_tax();
  in.first_open = first_open;
  in.last_close = last_close;
  result.metrics = analytics::compute_metrics(in);
  if (control.drawdown_curve) {
    result.drawdown = analytics::drawdown_curve(config.initial_cash, result.equity);
  }
  return result;
}

}  // namespace quantd::backtest
