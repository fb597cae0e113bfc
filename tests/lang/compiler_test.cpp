// Compilation: sharing, folding, warm-up, param overrides, the entry intent.
#include <doctest/doctest.h>

#include "quantd/lang/program.h"

namespace quantd::lang {

namespace {

std::shared_ptr<const Program> must_compile(const char* script, const ParamValues& o = {}) {
  const Script s = Script::analyze(script);
  for (const auto& d : s.diagnostics()) MESSAGE(d.line << ":" << d.column << ": " << d.message);
  REQUIRE(s.ok());
  auto p = compile(s, o);
  if (!p.ok()) MESSAGE(p.status().message());
  REQUIRE(p.ok());
  return std::move(p).value();
}

int nodes_of_expression(const char* expr, const ParamValues& params = {}) {
  const Script s = Script::analyze_expression(expr, params);
  REQUIRE(s.ok());
  auto p = compile(s);
  REQUIRE(p.ok());
  return (*p)->node_count();
}

}  // namespace

TEST_CASE("identical sub-expressions share one indicator instance") {
  // close, sma: 2 nodes however the sma is reached.
  CHECK(nodes_of_expression("sma(close, 20)") == 2);
  CHECK(nodes_of_expression("sma(close, 20) + sma(close, 20)") == 3);
  CHECK(nodes_of_expression("sma(close, n) - sma(close, 20)", {{"n", 20}}) == 3);
  // Commutative operations are shared whatever the order of their operands.
  CHECK(nodes_of_expression("(close + open) * (open + close)") == 4);
  // ... non-commutative ones are not.
  CHECK(nodes_of_expression("(close - open) * (open - close)") == 5);
  // The three MACD outputs come from one MACD, the three bands from one Bollinger.
  CHECK(
      nodes_of_expression(
          "macd(close, 12, 26, 9) + macd_signal(close, 12, 26, 9) + macd_hist(close, 12, 26, 9)") ==
      4);
  CHECK(nodes_of_expression(
            "bb_upper(close, 20, 2) - bb_lower(close, 20, 2) + bb_middle(close, 20, 2)") == 4);
  // Different parameters are different instances.
  CHECK(nodes_of_expression("sma(close, 20) + sma(close, 21)") == 4);
  // Through lets.
  auto p = must_compile(
      "let f = sma(close, 10)\nlet s = sma(close, 30)\n"
      "buy when crossover(f, s)\nsell when crossunder(sma(close, 10), sma(close, 30))");
  CHECK(p->node_count() == 5);  // close, sma10, sma30, crossover, crossunder
}

TEST_CASE("arithmetic on constants folds, unused lets cost nothing") {
  CHECK(nodes_of_expression("close * (1 - 7%) + 2 * 3") == 5);  // close, 0.93, *, 6, +
  auto p = must_compile(
      "param stop = 7%\nlet unused = rsi(close, 14) + atr(20)\n"
      "buy when close > open\nsell when close < entry_price * (1 - stop)");
  // close, open, >, entry_price, const, *, <
  CHECK(p->node_count() == 7);
}

TEST_CASE("warm-up: the first bar at which the rules can have a value") {
  CHECK(must_compile("buy when sma(close, 30) > 0\nsell when close < 1")->warmup_bars() == 29);
  CHECK(must_compile("buy when crossover(sma(close, 10), sma(close, 30))\nsell when close < 1")
            ->warmup_bars() == 30);
  CHECK(must_compile("buy when rsi(close, 14) < 30\nsell when close < 1")->warmup_bars() == 14);
  CHECK(must_compile("buy when macd_signal(close, 12, 26, 9) > 0\nsell when close < 1")
            ->warmup_bars() == 33);
  CHECK(must_compile("buy when atr(14) > 0\nsell when close < 1")->warmup_bars() == 14);
  CHECK(must_compile("buy when stoch_d(14, 3, 3) > 0\nsell when close < 1")->warmup_bars() == 17);
  CHECK(must_compile("buy when sma(close[5], 10) > 0\nsell when close < 1")->warmup_bars() == 14);
  CHECK(must_compile("buy when ema(roc(close, 10), 5) > 0\nsell when close < 1")->warmup_bars() ==
        14);
  CHECK(must_compile("buy when close > open\nsell when close < 1")->warmup_bars() == 0);
  CHECK(must_compile("param n = 50\nbuy when close > highest(high, n)[1]\nsell when close < 1")
            ->warmup_bars() == 50);
  CHECK(must_compile("param n = 50\nbuy when close > highest(high, n)[1]\nsell when close < 1",
                     {{"n", 20}})
            ->warmup_bars() == 20);
}

TEST_CASE("param overrides replace defaults and are validated again") {
  const Script s = Script::analyze(
      "param fast = 10\nparam slow = 30\nparam stop = 5%\n"
      "buy when crossover(sma(close, fast), sma(close, slow))\n"
      "sell when crossunder(sma(close, fast), sma(close, slow))\nstop_loss stop");
  REQUIRE(s.ok());
  auto p = compile(s, {{"fast", 5}, {"stop", 0.1}});
  REQUIRE(p.ok());
  CHECK((*p)->param_values() == ParamValues{{"fast", 5}, {"slow", 30}, {"stop", 0.1}});
  CHECK((*p)->entry_intent().exits.stop_loss == 0.1);

  auto unknown = compile(s, {{"fsat", 5}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() == "unknown param 'fsat' — did you mean 'fast'?");

  auto zero = compile(s, {{"fast", 0}});
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.status().message() == "4:31: sma: n must be at least 1, but param 'fast' is 0");

  auto frac = compile(s, {{"slow", 7.5}});
  REQUIRE_FALSE(frac.ok());
  CHECK(frac.status().message() == "4:49: sma: n must be a whole number, but param 'slow' is 7.5");

  auto stop = compile(s, {{"stop", 2}});
  REQUIRE_FALSE(stop.ok());
  CHECK(stop.status().message() ==
        "6:11: stop_loss must be less than 100%, but param 'stop' is 2 (200%)");

  // The same failures as places, for editors.
  Diagnostic where;
  REQUIRE_FALSE(compile(s, {{"fast", 0}}, &where).ok());
  CHECK(where == Diagnostic{4, 31, 4, "sma: n must be at least 1, but param 'fast' is 0"});
  REQUIRE_FALSE(compile(s, {{"fsat", 1}}, &where).ok());
  CHECK(where == Diagnostic{0, 0, 0, "unknown param 'fsat' — did you mean 'fast'?"});
  REQUIRE_FALSE(compile(Script::analyze("buy when x > 1\nsell when close < 1"), {}, &where).ok());
  CHECK(where == Diagnostic{1, 10, 1, "unknown name 'x'"});

  const Script none = Script::analyze("buy when close > open\nsell when close < open");
  auto n = compile(none, {{"x", 1}});
  REQUIRE_FALSE(n.ok());
  CHECK(n.status().message() == "unknown param 'x' (the script declares no params)");
}

TEST_CASE("the entry intent carries the size and the exits") {
  auto d = must_compile("buy when close > open\nsell when close < open");
  CHECK(d->entry_intent() == domain::Intent::percent_of_equity(1.0));
  CHECK(d->has_sell_rule());
  auto e = must_compile(
      "buy when close > open\nsize 20% equity\nstop_loss 7%\ntake_profit 25%\ntrailing_stop 10%");
  CHECK_FALSE(e->has_sell_rule());
  CHECK(e->entry_intent().kind == domain::TargetKind::kPercentOfEquity);
  CHECK(e->entry_intent().value == doctest::Approx(0.2));
  CHECK(e->entry_intent().exits.stop_loss == doctest::Approx(0.07));
  CHECK(e->entry_intent().exits.take_profit == doctest::Approx(0.25));
  CHECK(e->entry_intent().exits.trailing_stop == doctest::Approx(0.10));
  CHECK(must_compile("buy when close > open\nsell when close < open\nsize 5000000 krw")
            ->entry_intent() == domain::Intent::krw(5'000'000));
  CHECK(must_compile("buy when close > open\nsell when close < open\nsize 10 shares")
            ->entry_intent() == domain::Intent::shares(10));
}

TEST_CASE("position state makes an expression position-dependent") {
  CHECK_FALSE(must_compile("buy when close > open\nsell when close < open")->uses_position());
  CHECK(must_compile("buy when close > open\nsell when unrealized > 5%")->uses_position());
}

TEST_CASE("memory per evaluator is bounded") {
  std::string script = "buy when close > 0";
  for (int i = 0; i < 40; ++i) script += " and sma(close, " + std::to_string(999000 + i) + ") > 0";
  const Script s = Script::analyze(script + "\nsell when close < 1");
  REQUIRE(s.ok());
  auto p = compile(s);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message() ==
        "the script's indicators need more than 16777216 values of history; use shorter lengths");
}

}  // namespace quantd::lang
