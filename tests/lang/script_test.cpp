// Parsing and checking of valid scripts, expressions, and the analyzer's limits.
#include "quantd/lang/script.h"

#include <doctest/doctest.h>
#include <time.h>

#include <algorithm>
#include <string>

#include "quantd/lang/program.h"

namespace quantd::lang {

TEST_CASE("the example of the specification is valid") {
  const Script s = Script::analyze(
      "# Golden cross with an RSI filter and a stop\n"
      "param fast = 20\n"
      "param slow = 60\n"
      "param stop = 7%\n"
      "\n"
      "let f = sma(close, fast)\n"
      "let s = sma(close, slow)\n"
      "\n"
      "buy  when crossover(f, s) and rsi(close, 14) < 70\n"
      "sell when crossunder(f, s) or close < entry_price * (1 - stop)\n"
      "\n"
      "size 20% equity\n");
  CHECK(s.ok());
  REQUIRE(s.params().size() == 3);
  CHECK(s.params()[0].name == "fast");
  CHECK(s.params()[0].default_value == 20);
  CHECK(s.params()[2].name == "stop");
  CHECK(s.params()[2].default_value == doctest::Approx(0.07));
  CHECK(s.params()[2].line == 4);
  CHECK(s.params()[2].column == 7);
  CHECK(s.params()[2].help.empty());

  const Script h = Script::analyze(
      "param fast = 20   # fast SMA length, bars  \nbuy when close > sma(close, fast)\n"
      "sell when close < open\n");
  REQUIRE(h.params().size() == 1);
  CHECK(h.params()[0].help == "fast SMA length, bars");
}

TEST_CASE("every function, operator and statement of the language is accepted") {
  const Script s = Script::analyze(
      "param n = 14\n"
      "param k = 2\n"
      "param neg = -3\n"
      "let a = sma(close, n) + ema(close, n) - wma(close, n) * rma(close, n) / 2\n"
      "let b = rsi(close, n) + macd(close, 12, 26, 9) + macd_signal(close, 12, 26, 9)\n"
      "let c = macd_hist(close, 12, 26, 9) + bb_upper(close, 20, k) + bb_middle(close, 20, 2.5)\n"
      "let d = bb_lower(close, 20, -k) + stdev(close, 20) + tr() + atr(n) + stoch_k(n, 3)\n"
      "let e = stoch_d(n, 3, 3) + obv() + highest(high, 20) + lowest(low, 20) + roc(close, 10)\n"
      "let f = change(close, 10) + abs(open - close) + log(volume + 1) + min(a, b) + max(c, d)\n"
      "let g = -e[1] + f[0] + (close - open)[n] + neg\n"
      "let h = crossover(a, b) or crossunder(c, d) and not (e >= f)\n"
      "buy when h and g > 0 and a < 1 and b <= 2 and c == 3 and d != 4 and .5 < 7%\n"
      "sell when position > 0 and entry_price > 0 and bars_held > 3 and unrealized < -5%\n"
      "size 20% equity\n"
      "stop_loss 5%\n"
      "take_profit 20%\n"
      "trailing_stop 8%\n");
  CHECK(s.diagnostics().empty());
  for (const auto& d : s.diagnostics()) MESSAGE(d.line << ":" << d.column << ": " << d.message);
}

TEST_CASE("size in krw and shares, and params as sizes and exits") {
  CHECK(Script::analyze("buy when close > open\nsell when close < open\nsize 1000000 krw").ok());
  CHECK(Script::analyze("buy when close > open\nsell when close < open\nsize 10 shares").ok());
  CHECK(Script::analyze(
            "param p = 30%\nparam s = 5%\nbuy when close > open\nsize p equity\nstop_loss s")
            .ok());
  // Comments, blank lines, CRLF line ends and trailing spaces are fine.
  CHECK(
      Script::analyze("# x\r\n\r\nbuy when close > open   # y\r\nsell when close < open\r\n").ok());
}

TEST_CASE("expressions for quantd eval") {
  const Script e =
      Script::analyze_expression("crossover(sma(close, fast), sma(close, 30))", {{"fast", 10}});
  CHECK(e.ok());
  CHECK(e.is_expression());
  CHECK(e.is_condition());
  CHECK_FALSE(Script::analyze_expression("sma(close, 5)", {}).is_condition());

  const Script pos = Script::analyze_expression("close / entry_price", {});
  REQUIRE(pos.diagnostics().size() == 1);
  CHECK(pos.diagnostics()[0].message ==
        "'entry_price' is not available here: it depends on the strategy's trades");
  CHECK(pos.diagnostics()[0].column == 9);

  const Script stmt = Script::analyze_expression("buy when close > 1", {});
  REQUIRE(stmt.diagnostics().size() == 1);
  CHECK(stmt.diagnostics()[0].message == "expected an expression, found the keyword 'buy'");

  const Script empty = Script::analyze_expression("", {});
  REQUIRE(empty.diagnostics().size() == 1);
  CHECK(empty.diagnostics()[0].message == "expected an expression, found the end of the script");

  const Script bad_param = Script::analyze_expression("close", {{"close", 1}});
  REQUIRE(bad_param.diagnostics().size() == 1);
  CHECK(bad_param.diagnostics()[0].message.find("param 'close' cannot be used") == 0);
}

TEST_CASE("nesting is bounded: no stack overflow on hostile input") {
  std::string deep = "buy when ";
  for (int i = 0; i < 100000; ++i) deep += "(";
  const Script s = Script::analyze(deep + "close > 1\nsell when close < 1");
  REQUIRE(s.diagnostics().size() == 1);
  CHECK(s.diagnostics()[0].message == "expression is too deeply nested (more than 100 levels)");

  std::string nots = "buy when ";
  for (int i = 0; i < 100000; ++i) nots += "not ";
  CHECK(Script::analyze(nots + "close > 1\nsell when close < 1").diagnostics().size() == 1);

  std::string minus = "buy when ";
  for (int i = 0; i < 100000; ++i) minus += "- ";
  CHECK(Script::analyze(minus + "close > 1\nsell when close < 1").diagnostics().size() == 1);

  // A long flat chain builds a deep tree: bounded too.
  std::string chain = "buy when close";
  for (int i = 0; i < 20000; ++i) chain += " + 1";
  const Script c = Script::analyze(chain + " > 1\nsell when close < 1");
  REQUIRE(c.diagnostics().size() == 1);
  CHECK(c.diagnostics()[0].message == "expression is too deeply nested (more than 200 levels)");

  // Within the limits everything works.
  std::string ok = "buy when ";
  for (int i = 0; i < 90; ++i) ok += "(";
  ok += "close";
  for (int i = 0; i < 90; ++i) ok += ")";
  CHECK(Script::analyze(ok + " > 1\nsell when close < 1").ok());
}

TEST_CASE("source size is bounded") {
  const std::string big(kMaxSourceBytes + 1, '#');
  const Script s = Script::analyze(big);
  REQUIRE(s.diagnostics().size() == 1);
  CHECK(s.diagnostics()[0].message.find("the script is too large") == 0);
}

TEST_CASE("control characters and invalid UTF-8 are errors, inside comments they are fine") {
  const Script s = Script::analyze(std::string("buy when close > 1\x01\nsell when close < 1"));
  REQUIRE(s.diagnostics().size() == 1);
  CHECK(s.diagnostics()[0].message == "unexpected control character U+0001");
  const Script u = Script::analyze(std::string("buy when close > \xff\nsell when close < 1"));
  REQUIRE(u.diagnostics().size() == 1);
  CHECK(u.diagnostics()[0].message == "invalid UTF-8 byte 0xFF");
  CHECK(Script::analyze(std::string("# \xff\x01 \xe2\x82\nbuy when close > 1\nsell when close < 1"))
            .ok());
}

TEST_CASE("parse + check + compile of a 100-line script takes well under a millisecond") {
  std::string script = "param fast = 10\nparam slow = 30\n";
  for (int i = 0; i < 96; ++i) {
    script += "let v" + std::to_string(i) + " = sma(close, fast) - ema(close, " +
              std::to_string(5 + i % 20) + ") + rsi(close, 14) * atr(14) / (v" +
              std::to_string(i > 0 ? i - 1 : 0) + "[1] + 1)\n";
  }
  // v0 refers to itself: use close there instead.
  script.replace(script.find("(v0[1] + 1)"), 11, "(close + 1)");
  script += "buy when crossover(sma(close, fast), sma(close, slow)) and v95 > 0\n";
  script += "sell when crossunder(sma(close, fast), sma(close, slow))\n";
  const Script warm = Script::analyze(script);
  REQUIRE(warm.ok());
  // CPU time of this thread (the machine may be shared), best of several batches.
  auto cpu_seconds = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  double best = 1e9;
  for (int batch = 0; batch < 5; ++batch) {
    const int rounds = 20;
    const double t0 = cpu_seconds();
    for (int i = 0; i < rounds; ++i) {
      const Script s = Script::analyze(script);
      auto p = compile(s);
      REQUIRE(p.ok());
    }
    best = std::min(best, (cpu_seconds() - t0) / rounds);
  }
  MESSAGE("parse + check + compile of a 100-line script: " << best * 1000 << " ms");
  CHECK(best < 1e-3);
}

}  // namespace quantd::lang
