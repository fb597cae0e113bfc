#include "quantd/backtest/engine.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>

#include "quantd/backtest/backtest_executor.h"

namespace quantd::backtest {

namespace {

// What the strategy may know at the close of the current bar: nothing past it.
class BacktestDataContext final : public strategy::DataContext {
 public:
  BacktestDataContext(const BacktestExecutor& executor, std::span<const SymbolBars> symbols,
                      std::int64_t interval_ms)
      : executor_(executor), symbols_(symbols), interval_ms_(interval_ms) {}

  void set(std::uint32_t symbol, std::size_t index) {
    symbol_ = symbol;
    index_ = index;
  }

  TimestampMs now() const override { return symbols_[symbol_].bars[index_].ts + interval_ms_; }
  const domain::Symbol& symbol() const override { return symbols_[symbol_].symbol; }
  std::span<const domain::Bar> bars() const override {
    return symbols_[symbol_].bars.first(index_ + 1);
  }
  std::int64_t position() const override {
    return executor_.portfolio().positions[symbol_].quantity;
  }
  double entry_price() const override {
    return executor_.portfolio().positions[symbol_].entry_price;
  }
  std::int64_t bars_held() const override {
    const domain::Position& p = executor_.portfolio().positions[symbol_];
    if (p.quantity == 0) return 0;
    const auto bars = symbols_[symbol_].bars.first(index_ + 1);
    const auto entry =
        std::lower_bound(bars.begin(), bars.end(), p.entry_ts,
                         [](const domain::Bar& b, TimestampMs ts) { return b.ts < ts; });
    return static_cast<std::int64_t>(bars.end() - entry);
  }
  std::int64_t cash() const override { return executor_.portfolio().cash; }
  double equity() const override { return executor_.equity(); }

 private:
  const BacktestExecutor& executor_;
  std::span<const SymbolBars> symbols_;
  std::int64_t interval_ms_;
  std::uint32_t symbol_ = 0;
  std::size_t index_ = 0;
};

Status validate(const BacktestConfig& config, std::span<const SymbolBars> symbols) {
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
    for (std::size_t i = 1; i < sb.bars.size(); ++i) {
      if (sb.bars[i].ts <= sb.bars[i - 1].ts) {
        return Status::invalid_argument("bars of " + sb.symbol.str() +
                                        " are not in strictly increasing time order at " +
                                        format_seoul(sb.bars[i].ts));
      }
    }
  }
  return Status::ok_status();
}

}  // namespace

Result<BacktestResult> run_backtest(const BacktestConfig& config,
                                    std::span<const SymbolBars> symbols,
                                    const strategy::StrategyFactory& factory,
                                    const RunControl& control) {
  if (Status s = validate(config, symbols); !s.ok()) return s;
  const std::uint32_t n_symbols = static_cast<std::uint32_t>(symbols.size());

  std::vector<domain::Market> markets;
  std::vector<std::unique_ptr<strategy::Strategy>> strategies;
  std::size_t total_bars = 0;
  std::size_t max_bars = 0;
  for (const SymbolBars& sb : symbols) {
    markets.push_back(sb.market);
    strategies.push_back(factory.create(sb.symbol));
    strategies.back()->on_series(sb.bars);
    total_bars += sb.bars.size();
    max_bars = std::max(max_bars, sb.bars.size());
  }

  BacktestExecutor executor(config.initial_cash, config.costs, markets, total_bars);
  BacktestDataContext ctx(executor, symbols, domain::interval_ms(config.interval));
  strategy::IntentSink sink;

  BacktestResult result;
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

  auto step_symbol = [&](std::uint32_t s, std::size_t i) {
    const domain::Bar& bar = symbols[s].bars[i];
    if (executor.watching_exits(s)) executor.check_exits(s, bar);
    executor.mark(s, bar.close);
    ctx.set(s, i);
    strategies[s]->on_bar(ctx, bar, sink);
    if (sink.has_intent()) {
      executor.submit(s, bar.ts, sink.intent());
      sink.clear();
    }
    if (executor.watching_exits(s)) executor.on_close(s, bar);
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
    // The common case, kept tight: no timestamp merge.
    const std::span<const domain::Bar> bars = symbols[0].bars;
    const std::size_t n = bars.size();
    for (std::size_t i = 0; i < n; ++i) {
      const domain::Bar& bar = bars[i];
      if (executor.any_pending()) {
        executor.fill_pending(0, bar, BacktestExecutor::Phase::kSells);
        executor.fill_pending(0, bar, BacktestExecutor::Phase::kBuys);
      }
      step_symbol(0, i);
      equity_out[i] = executor.equity();
      points_in_market += executor.in_market() ? 1 : 0;
      if ((++steps & (kProgressStride - 1)) == 0) {
        cursor[0] = i + 1;
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
      if (executor.any_pending()) {
        // Sales of every symbol first, so their cash is there for this open's purchases.
        for (std::uint32_t s : active) {
          executor.fill_pending(s, symbols[s].bars[cursor[s]], BacktestExecutor::Phase::kSells);
        }
        for (std::uint32_t s : active) {
          executor.fill_pending(s, symbols[s].bars[cursor[s]], BacktestExecutor::Phase::kBuys);
        }
      }
      for (std::uint32_t s : active) step_symbol(s, cursor[s]++);
      ts_out[points] = t;
      equity_out[points++] = executor.equity();
      points_in_market += executor.in_market() ? 1 : 0;
      if ((++steps & (kProgressStride - 1)) == 0 && !progress()) {
        return Status::failed_precondition(std::string(kCancelledMessage));
      }
    }
  }

  if (config.close_at_end) {
    for (std::uint32_t s = 0; s < n_symbols; ++s) {
      executor.close_at(s, symbols[s].bars.back(), domain::OrderReason::kEndOfData);
    }
    equity_out[points - 1] = executor.equity();
  }
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

  std::vector<double> first_open;
  std::vector<double> last_close;
  for (const SymbolBars& sb : symbols) {
    first_open.push_back(sb.bars.front().open);
    last_close.push_back(sb.bars.back().close);
  }
  result.bars = static_cast<std::int64_t>(total_bars);
  result.trades = executor.take_trades();
  result.orders = executor.take_orders();
  result.final_portfolio = executor.portfolio();

  MetricsInput in;
  in.initial_cash = config.initial_cash;
  in.equity_ts = result.equity_ts;
  in.equity = result.equity;
  in.trades = result.trades;
  in.points_in_market = points_in_market;
  in.total_fees = executor.total_commission();
  in.total_taxes = executor.total_tax();
  in.first_open = first_open;
  in.last_close = last_close;
  result.metrics = compute_metrics(in);
  result.drawdown = drawdown_curve(config.initial_cash, result.equity);
  return result;
}

}  // namespace quantd::backtest
