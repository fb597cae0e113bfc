// RuleStrategy: the rules mapped to intents, position state, and runs over the real engine:
// the script twin of the native sma_cross makes exactly its trades, and announcing the bars
// (block evaluation) changes nothing.
#include "quantd/lang/rule_strategy.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "backtest_support.h"
#include "quantd/backtest/engine.h"
#include "test_support.h"

namespace quantd::lang {

namespace {

using testing::BarByBarFactory;
using testing::check_same_run;
using testing::run;

// A DataContext whose position the test sets by hand.
class FakeContext final : public strategy::DataContext {
 public:
  TimestampMs now() const override { return 0; }
  const domain::Symbol& symbol() const override { return symbol_; }
  std::span<const domain::Bar> bars() const override { return {}; }
  std::int64_t position() const override { return position_; }
  double entry_price() const override { return entry_price_; }
  std::int64_t bars_held() const override { return bars_held_; }
  std::int64_t cash() const override { return 0; }
  double equity() const override { return 0; }

  domain::Symbol symbol_{"TEST"};
  std::int64_t position_ = 0;
  double entry_price_ = 0;
  std::int64_t bars_held_ = 0;
};

std::shared_ptr<const Program> must_compile(const std::string& script, const ParamValues& o = {}) {
  const Script s = Script::analyze(script);
  for (const auto& d : s.diagnostics()) MESSAGE(d.line << ":" << d.column << ": " << d.message);
  REQUIRE(s.ok());
  auto p = compile(s, o);
  REQUIRE(p.ok());
  return std::move(p).value();
}

std::unique_ptr<strategy::StrategyFactory> factory_of(const std::string& script,
                                                      const ParamValues& o = {}) {
  auto f = make_rule_strategy(script, o, "test.qs");
  if (!f.ok()) MESSAGE(f.status().message());
  REQUIRE(f.ok());
  return std::move(f).value();
}

}  // namespace

TEST_CASE("buy when flat, sell when long, the size and exits in the entry intent") {
  auto program = must_compile(
      "buy when close > 10\nsell when close < 5\nsize 7 shares\nstop_loss 5%\ntrailing_stop 10%");
  RuleStrategy s(program);
  FakeContext ctx;
  strategy::IntentSink out;
  auto step = [&](double close) -> std::optional<domain::Intent> {
    domain::Bar b{0, close, close, close, close, 1};
    out.clear();
    s.on_bar(ctx, b, out);
    if (!out.has_intent()) return std::nullopt;
    return out.intent();
  };
  CHECK_FALSE(step(8).has_value());  // flat, no buy
  const auto buy = step(11);         // flat, buy
  REQUIRE(buy.has_value());
  CHECK(*buy == domain::Intent::shares(7, {0.05, 0, 0.10}));
  ctx.position_ = 7;
  ctx.entry_price_ = 11;
  CHECK_FALSE(step(12).has_value());  // long: the buy rule is not looked at
  const auto sell = step(4);          // long, sell
  REQUIRE(sell.has_value());
  CHECK(*sell == domain::Intent::flat());
  ctx.position_ = 0;
  CHECK_FALSE(step(3).has_value());  // flat: the sell rule is not looked at
}

TEST_CASE("NA never fires a rule") {
  RuleStrategy s(must_compile("buy when sma(close, 3) > 0 or close[5] > 0\nsell when close < 0"));
  FakeContext ctx;
  strategy::IntentSink out;
  for (int i = 0; i < 2; ++i) {
    s.on_bar(ctx, domain::Bar{0, 5, 5, 5, 5, 1}, out);
    CHECK_FALSE(out.has_intent());
  }
  s.on_bar(ctx, domain::Bar{0, 5, 5, 5, 5, 1}, out);
  CHECK(out.has_intent());
  CHECK(s.warmup_bars() == 5);
}

TEST_CASE("position state: position, entry_price, bars_held, unrealized") {
  auto program = must_compile(
      "buy when position == 0 and close > 0\n"
      "sell when bars_held >= 4 or unrealized >= 10% or entry_price > 1000 or position > 99");
  FakeContext ctx;
  strategy::IntentSink out;
  for (bool announce : {false, true}) {
    RuleStrategy s(program);
    std::vector<domain::Bar> bars;
    for (int i = 0; i < 6; ++i) bars.push_back({i, 100, 100, 100, 100, 1});
    bars[2].close = 111;  // unrealized +11% on the third bar
    if (announce) s.on_series(bars);
    std::vector<bool> fired;
    ctx.position_ = 0;
    ctx.bars_held_ = 0;
    for (int i = 0; i < 6; ++i) {
      // The script bought at bar 0's close, filled at bar 1's open; sold before bar 5.
      ctx.position_ = (i >= 1 && i < 5) ? 10 : 0;
      ctx.entry_price_ = ctx.position_ != 0 ? 100 : 0;
      ctx.bars_held_ = ctx.position_ != 0 ? i : 0;
      out.clear();
      s.on_bar(ctx, bars[static_cast<std::size_t>(i)], out);
      fired.push_back(out.has_intent());
    }
    // 0: flat -> buy; 1: held 1 -> -; 2: +11% -> sell; 3: held 3 -> -; 4: held 4 -> sell;
    // 5: flat -> buy.
    CHECK(fired == std::vector<bool>{true, false, true, false, true, true});
  }
}

TEST_CASE("unrealized is exact: a gain of exactly 20% is 20%") {
  // close / entry - 1 would give 0.19999999999999996 for 1200 after 1000.
  auto program = must_compile("buy when close > 0\nsell when unrealized >= 20%");
  RuleStrategy s(program);
  FakeContext ctx;
  ctx.position_ = 10;
  ctx.entry_price_ = 1000;
  ctx.bars_held_ = 1;
  strategy::IntentSink out;
  const domain::Bar bar{0, 1000, 1200, 1000, 1200, 1};
  s.on_bar(ctx, bar, out);
  REQUIRE(out.has_intent());
  CHECK(out.intent().is_flat());
}

TEST_CASE("the script twin of the native sma_cross makes exactly its trades") {
  const char* twin =
      "param fast = 10\nparam slow = 30\n"
      "buy when crossover(sma(close, fast), sma(close, slow))\n"
      "sell when crossunder(sma(close, fast), sma(close, slow))\n";
  struct Setup {
    std::vector<domain::Bar> bars;
    strategy::Params params;
  };
  const std::vector<Setup> setups = {
      {testing::ttrc_won_bars(), {{"fast", 10}, {"slow", 30}}},
      {testing::ttrc_won_bars(), {{"fast", 5}, {"slow", 20}}},
      {testing::random_bars(200'000, 1), {{"fast", 10}, {"slow", 30}}},
  };
  for (const Setup& s : setups) {
    auto native = strategy::make_native_strategy("sma_cross", s.params);
    REQUIRE(native.ok());
    const auto script = factory_of(twin, s.params);
    CHECK(script->warmup_bars() == (*native)->warmup_bars());
    const auto a = run(**native, s.bars);
    const auto b = run(*script, s.bars);
    CHECK(a.trades.size() > 10);
    check_same_run(a, b);
  }
}

TEST_CASE("with protective exits too") {
  strategy::Params params{{"fast", 10},
                          {"slow", 30},
                          {"stop_loss", 0.03},
                          {"take_profit", 0.08},
                          {"trailing_stop", 0.05}};
  auto native = strategy::make_native_strategy("sma_cross", params);
  REQUIRE(native.ok());
  const auto script = factory_of(
      "buy when crossover(sma(close, 10), sma(close, 30))\n"
      "sell when crossunder(sma(close, 10), sma(close, 30))\n"
      "stop_loss 3%\ntake_profit 8%\ntrailing_stop 5%\n");
  const auto bars = testing::ttrc_won_bars();
  const auto a = run(**native, bars);
  const auto b = run(*script, bars);
  bool any_exit = false;
  for (const auto& t : a.trades)
    any_exit = any_exit || t.exit_reason != domain::OrderReason::kSignal;
  CHECK(any_exit);
  check_same_run(a, b);
}

TEST_CASE("block evaluation and bar-by-bar evaluation make the same run") {
  const std::vector<std::string> scripts = {
      "buy when crossover(ema(close, 12), ema(close, 26)) and rsi(close, 14) < 70\n"
      "sell when crossunder(ema(close, 12), ema(close, 26)) or unrealized < -5%\n"
      "size 50% equity\n",
      "buy when close > highest(high, 20)[1]\n"
      "sell when close < lowest(low, 10)[1] or bars_held > 30\n"
      "stop_loss 8%\n",
      "let m = macd_hist(close, 12, 26, 9)\n"
      "buy when crossover(m, 0) and stoch_k(14, 3) < 80\n"
      "sell when crossunder(m, 0) or close < entry_price - 2 * atr(14)\n"
      "trailing_stop 10%\nsize 30 shares\n",
  };
  const auto bars = testing::random_bars(50'000, 3);
  for (const std::string& script : scripts) {
    CAPTURE(script);
    const auto f = factory_of(script);
    const BarByBarFactory slow(*f);
    const auto a = run(*f, bars);
    const auto b = run(slow, bars);
    CHECK(a.trades.size() > 5);
    check_same_run(a, b);
  }
}

TEST_CASE("the factory describes the script with its params") {
  const auto f = factory_of(
      "param fast = 10\nparam stop = 5%\nbuy when close > sma(close, fast)\nstop_loss stop",
      {{"fast", 12}});
  CHECK(f->describe() == "script:test.qs(fast=12,stop=0.05)");
  const auto bad = make_rule_strategy("buy when clsoe > 1\nsell when close < 1", {}, "x.qs");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() ==
        "x.qs:1:10: unknown name 'clsoe' — did you mean 'close'?\n"
        "    buy when clsoe > 1\n"
        "             ^^^^^");
}

}  // namespace quantd::lang
