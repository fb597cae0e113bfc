// Engine tests: the golden run, fills at the next open, protective exits, multi-symbol cash.
#include "quantd/backtest/engine.h"

#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <string>

#include "quantd/backtest/report.h"
#include "test_bars.h"

using namespace quantd;
using namespace quantd::backtest;
using namespace quantd::analytics;
using namespace quantd::backtest::testing;
using domain::OrderReason;

namespace {

std::unique_ptr<strategy::StrategyFactory> native(const char* name, strategy::Params p = {}) {
  auto f = strategy::make_native_strategy(name, p);
  REQUIRE(f.ok());
  return std::move(*f);
}

BacktestResult run(const BacktestConfig& c, std::vector<SymbolBars> symbols,
                   const strategy::StrategyFactory& f) {
  auto r = run_backtest(c, symbols, f);
  REQUIRE(r.ok());
  return std::move(*r);
}

// The golden bar set: 17 weekdays from 2023-03-02, sma_cross(2, 4) crosses up at bar 5, down at
// bar 8, up at bar 12 and down on the last bar (16), which is not filled.
const std::vector<double> kGoldenOpens = {10000, 9950,  9850,  9750,  9800, 10000,
                                          10300, 10450, 10350, 10050, 9750, 9650,
                                          9750,  10050, 10250, 10150, 10350};
const std::vector<double> kGoldenCloses = {10000, 9900,  9800,  9700,  9900, 10200,
                                           10500, 10400, 10100, 9800,  9600, 9700,
                                           10000, 10300, 10200, 10400, 9800};

BacktestConfig golden_config() {
  BacktestConfig c;
  c.initial_cash = 1'000'000;
  c.costs.commission_bps = 1.5;  // tax from the table: 2023 settlement, KOSPI 0.20%
  return c;
}

}  // namespace

TEST_CASE("golden: sma_cross(2,4) on 17 fixed bars gives exact trades, equity and statistics") {
  const auto bars = bars_from({2023, 3, 2}, kGoldenOpens, kGoldenCloses);
  const auto f = native("sma_cross", {{"fast", 2}, {"slow", 4}});
  const BacktestResult r =
      run(golden_config(), {{domain::Symbol("005930"), domain::Market::kKospi, bars}}, *f);

  // Hand-checked: buy at bar 6's open 10300: floor(1,000,000 / (10300 × 1.00015)) = 97 shares,
  // notional 999,100, commission floor(149.865) = 149, cash left 751. Sell at bar 9's open 10050:
  // notional 974,850, commission 146, tax floor(0.002 × 974,850) = 1,949 (settles 2023-03-17),
  // cash 973,506. Buy at bar 13's open 10050: 96 shares, 964,800 + 144, cash 8,562.
  REQUIRE(r.trades.size() == 1);
  const Trade& t = r.trades[0];
  CHECK(format_seoul(t.entry_ts) == "2023-03-10T00:00:00");
  CHECK(format_seoul(t.exit_ts) == "2023-03-15T00:00:00");
  CHECK(t.quantity == 97);
  CHECK(t.entry_price == 10300);
  CHECK(t.exit_price == 10050);
  CHECK(t.commission == 149 + 146);
  CHECK(t.tax == 1949);
  CHECK(t.pnl == 974'850 - 999'100 - 149 - 146 - 1949);
  CHECK(t.exit_reason == OrderReason::kSignal);

  REQUIRE(r.orders.size() == 3);  // the last bar's crossunder is not filled
  CHECK(r.orders[0].side == domain::Side::kBuy);
  CHECK(format_seoul(r.orders[0].decided_ts) == "2023-03-09T00:00:00");
  CHECK(r.orders[0].fill.commission == 149);
  CHECK(r.orders[1].fill.tax == 1949);
  CHECK(r.orders[2].quantity == 96);
  CHECK(r.orders[2].fill.commission == 144);
  CHECK(r.final_portfolio.cash == 8'562);
  CHECK(r.final_portfolio.positions[0].quantity == 96);

  const std::vector<double> expected_equity = {1000000, 1000000, 1000000, 1000000, 1000000, 1000000,
                                               1019251, 1009551, 980451,  973506,  973506,  973506,
                                               973506,  997362,  987762,  1006962, 949362};
  CHECK(r.equity == expected_equity);

  const Metrics& m = r.metrics;
  CHECK(m.final_equity == 949'362);
  CHECK(m.total_return == doctest::Approx(-0.050638).epsilon(1e-12));
  CHECK(m.trades == 1);
  CHECK(m.win_rate == 0);
  CHECK(std::isnan(m.avg_win));
  CHECK(m.avg_loss == -26'494);
  CHECK(m.profit_factor == 0);
  CHECK(m.expectancy == -26'494);
  CHECK(m.exposure == doctest::Approx(7.0 / 17.0));
  CHECK(m.total_fees == 149 + 146 + 144);
  CHECK(m.total_taxes == 1949);
  CHECK(m.max_drawdown == doctest::Approx(1.0 - 949'362.0 / 1'019'251.0));
  CHECK(m.max_drawdown_duration_bars == 10);
  CHECK(m.max_drawdown_duration_days == 14);
  CHECK(m.benchmark_return == doctest::Approx(9800.0 / 10000.0 - 1.0));
  CHECK(m.cagr == doctest::Approx(std::pow(949'362.0 / 1e6, 365.25 / 22.0) - 1.0));
  CHECK(r.bars == 17);
  CHECK(r.drawdown.size() == 17);
}

TEST_CASE("--close-at-end sells at the last close with costs") {
  const auto bars = bars_from({2023, 3, 2}, kGoldenOpens, kGoldenCloses);
  const auto f = native("sma_cross", {{"fast", 2}, {"slow", 4}});
  BacktestConfig c = golden_config();
  c.close_at_end = true;
  const BacktestResult r = run(c, {{domain::Symbol("005930"), domain::Market::kKospi, bars}}, *f);
  REQUIRE(r.trades.size() == 2);
  const Trade& t = r.trades[1];
  CHECK(format_seoul(t.entry_ts) == "2023-03-21T00:00:00");
  CHECK(format_seoul(t.exit_ts) == "2023-03-24T00:00:00");
  CHECK(t.exit_price == 9800);
  CHECK(t.exit_reason == OrderReason::kEndOfData);
  // 96 × 9800 = 940,800; commission 141; tax 1,881.
  CHECK(t.pnl == 940'800 - 964'800 - 144 - 141 - 1881);
  CHECK(r.metrics.final_equity == 947'340);
  CHECK(r.equity.back() == 947'340);
  CHECK(r.metrics.total_taxes == 1949 + 1881);
}

TEST_CASE("a signal on the last bar is not filled") {
  const auto bars = bars_from({2023, 3, 2}, {10000}, {10000});
  const auto f = native("buy_and_hold");
  const BacktestResult r =
      run(golden_config(), {{domain::Symbol("A"), domain::Market::kKospi, bars}}, *f);
  CHECK(r.orders.empty());
  CHECK(r.trades.empty());
  CHECK(r.metrics.final_equity == 1'000'000);
  CHECK(r.metrics.exposure == 0);
}

TEST_CASE("all-in sizing never leaves cash negative, whatever the price") {
  for (double price : {1.0, 7.0, 999.0, 10'050.0, 333'333.0, 999'999.0}) {
    const auto bars = bars_from({2024, 1, 2}, {price, price, price}, {price, price, price});
    const auto f = native("buy_and_hold");
    BacktestConfig c;
    c.initial_cash = 1'234'567;
    c.costs.commission_bps = 25;
    const BacktestResult r = run(c, {{domain::Symbol("A"), domain::Market::kKosdaq, bars}}, *f);
    CHECK(r.final_portfolio.cash >= 0);
    const std::int64_t q = r.final_portfolio.positions[0].quantity;
    const auto n = static_cast<std::int64_t>(q * price);
    CHECK(n + n * 25 / 10'000 <= 1'234'567);
  }
}

namespace {

// buy_and_hold entered at bar 1's open (10,000, 100 shares with 1,000,000 and no costs), then
// bars from `after`.
BacktestResult protective(strategy::Params p, std::vector<Ohlc> after, double slippage_bps = 0) {
  std::vector<Ohlc> o = {{10000, 10000, 10000, 10000}, {10000, 10100, 9900, 10000}};
  o.insert(o.end(), after.begin(), after.end());
  const auto bars = daily_bars({2023, 6, 1}, o);
  BacktestConfig c;
  c.initial_cash = 1'000'000;
  c.costs.commission_bps = 0;
  c.costs.tax_bps = 0;
  c.costs.slippage_bps = slippage_bps;
  const auto f = native("buy_and_hold", p);
  auto r = run(c, {{domain::Symbol("A"), domain::Market::kKospi, bars}}, *f);
  return r;
}

}  // namespace

TEST_CASE("stops: a gap through the level fills at the open") {
  auto r = protective({{"stop_loss", 0.05}, {"take_profit", 0.1}}, {{9400, 9600, 9300, 9500}});
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].exit_price == 9400);
  CHECK(r.trades[0].exit_reason == OrderReason::kStopLoss);
  CHECK(r.trades[0].pnl == -60'000);
  auto up = protective({{"stop_loss", 0.05}, {"take_profit", 0.1}}, {{11500, 11600, 11400, 11500}});
  REQUIRE(up.trades.size() == 1);
  CHECK(up.trades[0].exit_price == 11500);
  CHECK(up.trades[0].exit_reason == OrderReason::kTakeProfit);
}

TEST_CASE("stops: when both levels are inside one bar the stop is assumed first") {
  auto r = protective({{"stop_loss", 0.05}, {"take_profit", 0.1}}, {{10000, 11500, 9400, 10500}});
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].exit_price == 9500);
  CHECK(r.trades[0].exit_reason == OrderReason::kStopLoss);
  CHECK(format_seoul(r.trades[0].exit_ts) == "2023-06-05T00:00:00");
  auto tp = protective({{"stop_loss", 0.05}, {"take_profit", 0.1}}, {{10000, 11200, 9900, 10500}});
  REQUIRE(tp.trades.size() == 1);
  CHECK(tp.trades[0].exit_price == 11000);
  CHECK(tp.trades[0].exit_reason == OrderReason::kTakeProfit);
  // A stop fill is a market order: slippage applies, rounded down to the tick (9,490.5 → 9,490).
  auto slip = protective({{"stop_loss", 0.05}}, {{10000, 11500, 9400, 10500}}, 10);
  REQUIRE(slip.trades.size() == 1);
  CHECK(slip.trades[0].exit_price == 9490);
}

TEST_CASE("stops: the trailing stop follows the highest close") {
  auto r = protective(
      {{"trailing_stop", 0.1}},
      {{10000, 12100, 9950, 12000}, {11500, 11600, 10700, 11000}, {11000, 11000, 11000, 11000}});
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].exit_price == 10800);  // 12,000 × 0.9
  CHECK(r.trades[0].exit_reason == OrderReason::kTrailingStop);
  CHECK(format_seoul(r.trades[0].exit_ts) == "2023-06-06T00:00:00");
  // The stop loss wins over a lower trailing level.
  auto s = protective({{"trailing_stop", 0.2}, {"stop_loss", 0.05}}, {{10000, 10000, 9000, 9500}});
  REQUIRE(s.trades.size() == 1);
  CHECK(s.trades[0].exit_price == 9500);
  CHECK(s.trades[0].exit_reason == OrderReason::kStopLoss);
}

TEST_CASE("stops are levels on the tick grid and are watched from the entry bar on") {
  std::vector<Ohlc> o = {{10000, 10000, 10000, 10000}, {10070, 10100, 9400, 10000}};
  const auto bars = daily_bars({2023, 6, 1}, o);
  BacktestConfig c;
  c.initial_cash = 1'007'000;
  c.costs.commission_bps = 0;
  const auto f = native("buy_and_hold", {{"stop_loss", 0.05}});
  auto r = run(c, {{domain::Symbol("A"), domain::Market::kKospi, bars}}, *f);
  REQUIRE(r.trades.size() == 1);
  // 10,070 × 0.95 = 9,566.5 → 9,560 (tick 10, rounded down).
  CHECK(r.trades[0].exit_price == 9560);
  CHECK(r.trades[0].entry_ts == r.trades[0].exit_ts);
}

namespace {

// Emits scripted intents: script[bar index] per symbol.
class Scripted final : public strategy::Strategy {
 public:
  explicit Scripted(std::map<std::size_t, domain::Intent> script) : script_(std::move(script)) {}
  int warmup_bars() const override { return 0; }
  void on_bar(const strategy::DataContext& ctx, const domain::Bar&,
              strategy::IntentSink& out) override {
    auto it = script_.find(ctx.bars().size() - 1);
    if (it != script_.end()) out.emit(it->second);
  }

 private:
  std::map<std::size_t, domain::Intent> script_;
};

class ScriptedFactory final : public strategy::StrategyFactory {
 public:
  std::map<std::string, std::map<std::size_t, domain::Intent>> scripts;
  std::unique_ptr<strategy::Strategy> create(const domain::Symbol& s) const override {
    auto it = scripts.find(s.str());
    return std::make_unique<Scripted>(it == scripts.end() ? std::map<std::size_t, domain::Intent>{}
                                                          : it->second);
  }
  int warmup_bars() const override { return 0; }
  std::string describe() const override { return "scripted"; }
};

BacktestConfig no_costs(std::int64_t cash) {
  BacktestConfig c;
  c.initial_cash = cash;
  c.costs.commission_bps = 0;
  c.costs.tax_bps = 0;
  return c;
}

}  // namespace

TEST_CASE("multi-symbol: one cash balance; a second all-in target finds no cash") {
  const auto a = bars_from({2024, 1, 2}, {1000, 1000, 1000}, {1000, 1000, 1000});
  const auto b = bars_from({2024, 1, 2}, {500, 500, 500}, {500, 500, 500});
  ScriptedFactory f;
  f.scripts["A"] = {{0, domain::Intent::percent_of_equity(1.0)}};
  f.scripts["B"] = {{0, domain::Intent::percent_of_equity(1.0)}};
  const auto r = run(no_costs(100'000),
                     {{domain::Symbol("A"), domain::Market::kKospi, a},
                      {domain::Symbol("B"), domain::Market::kKospi, b}},
                     f);
  REQUIRE(r.orders.size() == 2);
  CHECK(r.orders[0].status == domain::OrderStatus::kFilled);
  CHECK(r.orders[0].quantity == 100);
  CHECK(r.orders[1].status == domain::OrderStatus::kRejected);
  CHECK(r.final_portfolio.cash == 0);
  CHECK(r.equity.size() == 3);
}

TEST_CASE("multi-symbol: sales fill before purchases at the same open; KRW targets per symbol") {
  const auto a = bars_from({2024, 1, 2}, {1000, 1000, 1200, 1200}, {1000, 1000, 1200, 1200});
  const auto b = bars_from({2024, 1, 2}, {500, 500, 600, 600}, {500, 500, 600, 600});
  ScriptedFactory f;
  f.scripts["A"] = {{0, domain::Intent::krw(60'000)}, {1, domain::Intent::flat()}};
  f.scripts["B"] = {{0, domain::Intent::krw(40'000)}, {1, domain::Intent::percent_of_equity(1.0)}};
  const auto r = run(no_costs(100'000),
                     {{domain::Symbol("A"), domain::Market::kKospi, a},
                      {domain::Symbol("B"), domain::Market::kKospi, b}},
                     f);
  // Bar 1: A buys 60, B buys 80 (cash 0). Bar 2: A sells 60 × 1200 = 72,000 first, then B tops up
  // to all of equity 72,000 + 80 × 600 = 120,000 → 200 shares: buys 120.
  REQUIRE(r.orders.size() == 4);
  CHECK(r.orders[0].quantity == 60);
  CHECK(r.orders[1].quantity == 80);
  CHECK(r.orders[2].side == domain::Side::kSell);
  CHECK(r.orders[2].symbol_index == 0);
  CHECK(r.orders[3].side == domain::Side::kBuy);
  CHECK(r.orders[3].quantity == 120);
  CHECK(r.final_portfolio.cash == 0);
  CHECK(r.final_portfolio.positions[1].quantity == 200);
  REQUIRE(r.trades.size() == 1);
  CHECK(r.trades[0].pnl == 12'000);
}

TEST_CASE("multi-symbol: the equity curve covers the union of the timestamps") {
  const auto a = bars_from({2024, 1, 2}, {100, 100, 100}, {100, 100, 100});  // Tue..Thu
  const auto b = bars_from({2024, 1, 3}, {200, 200, 200}, {200, 200, 200});  // Wed..Fri
  ScriptedFactory f;
  const auto r = run(no_costs(1000),
                     {{domain::Symbol("A"), domain::Market::kKospi, a},
                      {domain::Symbol("B"), domain::Market::kKospi, b}},
                     f);
  CHECK(r.equity.size() == 4);
  CHECK(r.bars == 6);
}

TEST_CASE("re-emitting the target in force does not rebalance; a rejected target is retried") {
  const auto a =
      bars_from({2024, 1, 2}, {1000, 1100, 1200, 900, 900}, {1000, 1100, 1200, 900, 900});
  ScriptedFactory f;
  f.scripts["A"] = {{0, domain::Intent::percent_of_equity(0.5)},
                    {1, domain::Intent::percent_of_equity(0.5)},
                    {2, domain::Intent::percent_of_equity(0.5)}};
  const auto r = run(no_costs(100'000), {{domain::Symbol("A"), domain::Market::kKospi, a}}, f);
  REQUIRE(r.orders.size() == 1);
  CHECK(r.orders[0].quantity == 45);  // floor(50,000 / 1,100)
}

TEST_CASE("invalid input is rejected; cancel stops the run; progress reaches 1") {
  ScriptedFactory f;
  std::vector<domain::Bar> unsorted = bars_from({2024, 1, 2}, {1, 1}, {1, 1});
  std::swap(unsorted[0], unsorted[1]);
  const std::vector<SymbolBars> bad = {{domain::Symbol("A"), domain::Market::kKospi, unsorted}};
  auto r = run_backtest(no_costs(1000), bad, f);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("strictly increasing") != std::string::npos);
  CHECK_FALSE(run_backtest(no_costs(0), {}, f).ok());

  std::vector<domain::Bar> many(200'000);
  for (std::size_t i = 0; i < many.size(); ++i) {
    many[i] = {static_cast<TimestampMs>(i) * kMsPerMinute, 100, 101, 99, 100, 1};
  }
  const std::vector<SymbolBars> in = {{domain::Symbol("A"), domain::Market::kKospi, many}};
  std::vector<double> seen;
  RunControl control;
  control.on_progress = [&](double x) { seen.push_back(x); };
  auto ok = run_backtest(no_costs(1000), in, f, control);
  REQUIRE(ok.ok());
  REQUIRE(seen.size() == 4);  // 3 × 65,536 and the end
  CHECK(seen[0] == doctest::Approx(65536.0 / 200'000));
  CHECK(seen.back() == 1.0);
  std::atomic<bool> cancel{true};
  control.cancel = &cancel;
  auto cancelled = run_backtest(no_costs(1000), in, f, control);
  REQUIRE_FALSE(cancelled.ok());
  CHECK(cancelled.status().message() == kCancelledMessage);
}

TEST_CASE("same inputs give byte-identical reports") {
  const auto bars = bars_from({2023, 3, 2}, kGoldenOpens, kGoldenCloses);
  const auto f = native("sma_cross", {{"fast", 2}, {"slow", 4}});
  auto a = run(golden_config(), {{domain::Symbol("X"), domain::Market::kKospi, bars}}, *f);
  auto b = run(golden_config(), {{domain::Symbol("X"), domain::Market::kKospi, bars}}, *f);
  a.run_seconds = b.run_seconds = 0;
  ReportInfo info;
  info.strategy = f->describe();
  info.symbols = {"X"};
  info.config = golden_config();
  CHECK(to_json(a, info) == to_json(b, info));
  CHECK(to_json(a, info).find("\"final_equity\":949362,") != std::string::npos);
  CHECK(to_json(a, info).find("\"avg_win\":null") != std::string::npos);
}

namespace {

// Records what the DataContext shows at each bar.
struct Seen {
  std::size_t bars = 0;
  TimestampMs last_ts = 0, bar_ts = 0, now = 0;
  std::int64_t position = 0, cash = 0, held = 0;
  double entry = 0, equity = 0;
};

class Recorder final : public strategy::Strategy {
 public:
  explicit Recorder(std::vector<Seen>* out) : out_(out) {}
  int warmup_bars() const override { return 0; }
  void on_bar(const strategy::DataContext& ctx, const domain::Bar& bar,
              strategy::IntentSink& sink) override {
    out_->push_back({ctx.bars().size(), ctx.bars().back().ts, bar.ts, ctx.now(), ctx.position(),
                     ctx.cash(), ctx.bars_held(), ctx.entry_price(), ctx.equity()});
    if (out_->size() == 1) sink.emit(domain::Intent::shares(10));
  }

 private:
  std::vector<Seen>* out_;
};

class RecorderFactory final : public strategy::StrategyFactory {
 public:
  mutable std::vector<Seen> seen;
  std::unique_ptr<strategy::Strategy> create(const domain::Symbol&) const override {
    return std::make_unique<Recorder>(&seen);
  }
  int warmup_bars() const override { return 0; }
  std::string describe() const override { return "recorder"; }
};

}  // namespace

TEST_CASE("DataContext shows completed bars only, and the run's own position and cash") {
  const auto a = bars_from({2024, 1, 2}, {1000, 1010, 1020, 1030}, {1005, 1015, 1025, 1035});
  RecorderFactory f;
  BacktestConfig c = no_costs(100'000);
  run(c, {{domain::Symbol("A"), domain::Market::kKospi, a}}, f);
  REQUIRE(f.seen.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(f.seen[i].bars == i + 1);  // never a future bar
    CHECK(f.seen[i].last_ts == a[i].ts);
    CHECK(f.seen[i].bar_ts == a[i].ts);
    CHECK(f.seen[i].now == a[i].ts + 15 * kMsPerHour + 31 * kMsPerMinute);
  }
  CHECK(f.seen[0].position == 0);
  CHECK(f.seen[0].held == 0);
  CHECK(f.seen[1].position == 10);  // bought at bar 1's open
  CHECK(f.seen[1].entry == 1010);
  CHECK(f.seen[1].cash == 100'000 - 10'100);
  CHECK(f.seen[1].held == 1);
  CHECK(f.seen[3].held == 3);
  CHECK(f.seen[3].equity == 100'000 - 10'100 + 10 * 1035);
}

TEST_CASE("a strategy compounding past any real market stops with an error, never an abort") {
  // Closes alternate high and low, so sma_cross(1, 2) buys at every low open (1,000) and sells
  // at every high open (2,000): the account doubles every two bars, past 1e17 KRW in about 60.
  std::vector<double> opens;
  std::vector<double> closes;
  for (int i = 0; i < 200; ++i) {
    opens.push_back(i % 2 == 0 ? 2000 : 1000);
    closes.push_back(i % 2 == 0 ? 1900 : 1100);
  }
  const auto bars = bars_from({2023, 3, 2}, opens, closes);
  const auto f = native("sma_cross", {{"fast", 1}, {"slow", 2}});
  BacktestConfig c;
  c.initial_cash = 100'000'000;
  c.costs.tax_bps = 0;
  const std::vector<SymbolBars> symbols = {
      {domain::Symbol("005930"), domain::Market::kKospi, bars}};
  auto r = run_backtest(c, symbols, *f);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kResourceExhausted);
  CHECK(r.status().message().find("outgrew any real market") != std::string::npos);
  CHECK(r.status().message().find("005930") != std::string::npos);
  CHECK(r.status().message().find("past the limit of 1e17") != std::string::npos);
}

namespace {

// Hides from the strategy what a backtest offers for speed: `announce` false hides on_series
// too (bar by bar, as live), true only skip_quiet (every bar through on_bar).
class HidingFactory final : public strategy::StrategyFactory {
 public:
  HidingFactory(const strategy::StrategyFactory& inner, bool announce)
      : inner_(inner), announce_(announce) {}
  std::unique_ptr<strategy::Strategy> create(const domain::Symbol& s) const override {
    struct Wrapper final : strategy::Strategy {
      std::unique_ptr<strategy::Strategy> inner;
      bool announce = false;
      int warmup_bars() const override { return inner->warmup_bars(); }
      void on_series(std::span<const domain::Bar> bars) override {
        if (announce) inner->on_series(bars);
      }
      void on_bar(const strategy::DataContext& ctx, const domain::Bar& bar,
                  strategy::IntentSink& out) override {
        inner->on_bar(ctx, bar, out);
      }
    };
    auto w = std::make_unique<Wrapper>();
    w->inner = inner_.create(s);
    w->announce = announce_;
    return w;
  }
  int warmup_bars() const override { return inner_.warmup_bars(); }
  std::string describe() const override { return inner_.describe(); }

 private:
  const strategy::StrategyFactory& inner_;
  bool announce_;
};

// A mean-reverting random walk of 1-minute bars (xorshift), whole won unless `fractional`.
std::vector<domain::Bar> walk(std::size_t n, bool fractional) {
  std::vector<domain::Bar> v(n);
  std::uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  double price = 50'000;
  const TimestampMs t0 = from_seoul({2023, 1, 2}, 9, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double open = price;
    const double pull = price < 45'000 ? 100 : price > 55'000 ? -100 : 0;
    price += static_cast<double>(static_cast<int>(next() % 7) - 3) * 100 + pull;
    // From bar 10,000 on (past sma_cross's first blocks, which then sum whole won exactly).
    if (fractional && i >= 10'000 && i % 1000 == 500) price += 0.25;
    const double hi = std::max(open, price) + static_cast<double>(next() % 3) * 100;
    const double lo = std::min(open, price) - static_cast<double>(next() % 3) * 100;
    v[i] = {t0 + static_cast<TimestampMs>(i) * kMsPerMinute, open, hi, lo, price, 1000};
  }
  return v;
}

void check_same(const BacktestResult& a, const BacktestResult& b) {
  REQUIRE(a.trades.size() == b.trades.size());
  for (std::size_t i = 0; i < a.trades.size(); ++i) {
    CAPTURE(i);
    CHECK(a.trades[i].entry_ts == b.trades[i].entry_ts);
    CHECK(a.trades[i].exit_ts == b.trades[i].exit_ts);
    CHECK(a.trades[i].quantity == b.trades[i].quantity);
    CHECK(a.trades[i].pnl == b.trades[i].pnl);
    CHECK(a.trades[i].exit_reason == b.trades[i].exit_reason);
  }
  REQUIRE(a.orders.size() == b.orders.size());
  for (std::size_t i = 0; i < a.orders.size(); ++i) {
    CHECK(a.orders[i].decided_ts == b.orders[i].decided_ts);
    CHECK(a.orders[i].quantity == b.orders[i].quantity);
    CHECK(a.orders[i].status == b.orders[i].status);
  }
  CHECK(a.equity_ts == b.equity_ts);
  CHECK(a.equity == b.equity);  // bit for bit
  CHECK(a.drawdown == b.drawdown);
  CHECK(a.metrics.exposure == b.metrics.exposure);
  CHECK(a.final_portfolio.cash == b.final_portfolio.cash);
}

}  // namespace

TEST_CASE("bars the strategy lets pass (skip_quiet) give the very run of bar by bar") {
  struct Case {
    const char* name;
    strategy::Params params;
    bool fractional = false;
    bool trade_from = false;
    bool close_at_end = false;
    const char* strategy = "sma_cross";
  };
  const std::vector<Case> cases = {
      {"10/30", {{"fast", 10}, {"slow", 30}}},
      {"2/4 fractional closes", {{"fast", 2}, {"slow", 4}}, true},
      {"10/30 stop and trailing stop",
       {{"fast", 10}, {"slow", 30}, {"stop_loss", 0.01}, {"trailing_stop", 0.02}}},
      {"5/60 take profit, trade_from, close at end",
       {{"fast", 5}, {"slow", 60}, {"take_profit", 0.01}},
       false,
       true,
       true},
      {"buy_and_hold, close at end", {}, false, false, true, "buy_and_hold"},
      {"buy_and_hold, trailing stop",
       {{"trailing_stop", 0.05}},
       false,
       false,
       false,
       "buy_and_hold"},
  };
  // Longer than kProgressStride, so stretches meet the progress marks.
  for (const Case& k : cases) {
    const std::string name = k.name;
    CAPTURE(name);
    const auto bars = walk(150'000, k.fractional);
    BacktestConfig c;
    c.initial_cash = 100'000'000;
    c.costs.tax_bps = 0;
    c.interval = domain::Interval::k1m;
    c.close_at_end = k.close_at_end;
    if (k.trade_from) c.trade_from = bars[70'000].ts;
    const auto f = native(k.strategy, k.params);
    const HidingFactory announced(*f, true);
    const HidingFactory bar_by_bar(*f, false);
    const std::vector<SymbolBars> in = {{domain::Symbol("A"), domain::Market::kKospi, bars}};
    int progress_calls = 0;
    RunControl control;
    control.on_progress = [&](double) { ++progress_calls; };
    auto fast = run_backtest(c, in, *f, control);
    REQUIRE(fast.ok());
    CHECK(progress_calls == 3);  // at 65,536 and 131,072 bars, and at the end
    CHECK(fast->trades.size() > (k.strategy == std::string("sma_cross") ? 100 : 0));
    check_same(*fast, run(c, in, announced));
    check_same(*fast, run(c, in, bar_by_bar));
  }
}
