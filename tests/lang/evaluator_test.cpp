// Evaluation: NA and three-valued logic, bit-identical results for every block size, the same
// values as the indicator library used directly, and the TTR oracle (in-process; cli_test checks
// the same through `quantd eval`).
#include "quantd/lang/evaluator.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "quantd/indicators/indicators.h"
#include "test_support.h"

namespace quantd::lang {

namespace {

using testing::same;

std::vector<double> eval(const std::string& expr, std::span<const domain::Bar> bars,
                         int block_rows = 0, const ParamValues& params = {}) {
  const Script s = Script::analyze_expression(expr, params);
  for (const auto& d : s.diagnostics()) MESSAGE(expr << " " << d.column << ": " << d.message);
  REQUIRE(s.ok());
  auto p = compile(s);
  REQUIRE(p.ok());
  auto v = evaluate_series(*p, bars, block_rows);
  REQUIRE(v.ok());
  return std::move(v).value();
}

std::vector<domain::Bar> bars_with_closes(const std::vector<double>& closes) {
  std::vector<domain::Bar> bars;
  for (std::size_t i = 0; i < closes.size(); ++i) {
    domain::Bar b;
    b.ts = static_cast<std::int64_t>(i) * 60'000;
    b.open = b.high = b.low = b.close = closes[i];
    b.volume = 100;
    bars.push_back(b);
  }
  return bars;
}

const double kNa = std::nan("");

}  // namespace

TEST_CASE("three-valued logic: false and NA = false, true or NA = true, not NA = NA") {
  // close[1] is NA on the first bar; `close > 0` is true everywhere, `close < 0` false.
  const auto bars = bars_with_closes({1, 2});
  auto first = [&](const std::string& e) { return eval(e, bars)[0]; };
  CHECK(first("close < 0 and close[1] > 0") == 0.0);
  CHECK(std::isnan(first("close > 0 and close[1] > 0")));
  CHECK(first("close > 0 or close[1] > 0") == 1.0);
  CHECK(std::isnan(first("close < 0 or close[1] > 0")));
  CHECK(std::isnan(first("not (close[1] > 0)")));
  CHECK(first("not (close < 0)") == 1.0);
  // Arithmetic and comparisons with NA are NA.
  CHECK(std::isnan(first("close + close[1]")));
  CHECK(std::isnan(first("close[1] == close[1]")));
  CHECK(std::isnan(first("min(close, close[1])")));
  // The second bar has both values.
  CHECK(eval("close > 0 and close[1] > 0", bars)[1] == 1.0);
  CHECK(eval("max(close, close[1])", bars)[1] == 2.0);
}

TEST_CASE("division by zero and the logarithm of a non-positive number are NA") {
  const auto bars = bars_with_closes({0, 1});
  const auto d = eval("1 / close", bars);
  CHECK(std::isnan(d[0]));
  CHECK(d[1] == 1.0);
  CHECK(std::isnan(eval("log(close)", bars)[0]));
  CHECK(std::isnan(eval("log(close - 5)", bars)[1]));
  CHECK(eval("abs(close - 5)", bars)[1] == 4.0);
  CHECK(eval("-close", bars)[1] == -1.0);
  CHECK(std::isnan(eval("1 / 0", bars)[0]));  // folded at compile time with the same rule
}

TEST_CASE("crossover and crossunder follow the language's definition") {
  // a - b: -1, 0, +1 (a cross on the third bar: equality neither starts nor ends one), +1, -1.
  const auto bars = bars_with_closes({-1, 0, 1, 1, -1});
  const auto up = eval("crossover(close, 0)", bars);
  const auto down = eval("crossunder(close, 0)", bars);
  CHECK(std::isnan(up[0]));
  CHECK(up[1] == 0.0);
  CHECK(up[2] == 1.0);
  CHECK(up[3] == 0.0);
  CHECK(up[4] == 0.0);
  CHECK(down[4] == 1.0);
}

TEST_CASE("a percentage is its decimal written out, rounded once") {
  // 0.7 / 100 is 0.006999999999999999: parsing N and dividing by 100 rounds twice.
  const auto bars = bars_with_closes({1, 2});
  CHECK(eval("0.7%", bars)[1] == 0.007);
  CHECK(eval("1.1%", bars)[1] == 0.011);
  CHECK(eval("7%", bars)[1] == 0.07);
  CHECK(eval("12.5%", bars)[1] == 0.125);
  CHECK(eval("0.7% == 0.007", bars)[1] == 1.0);
}

TEST_CASE("x[n] is the value n bars ago") {
  const auto bars = bars_with_closes({1, 2, 3, 4});
  const auto v = eval("close[2]", bars);
  CHECK(std::isnan(v[0]));
  CHECK(std::isnan(v[1]));
  CHECK(v[2] == 1.0);
  CHECK(v[3] == 2.0);
  CHECK(eval("close[0]", bars)[3] == 4.0);
  CHECK(eval("(close * 2)[1] + close", bars)[3] == 10.0);
  CHECK(eval("close[k]", bars, 0, {{"k", 3}})[3] == 1.0);
}

TEST_CASE("every block size gives bit-identical values, with and without gaps in the data") {
  const std::vector<std::string> exprs = {
      "sma(close, 20)",
      "ema(close, 12) - rma(close, 14)",
      "wma(close, 9)",
      "rsi(close, 14)",
      "macd(close, 12, 26, 9)",
      "macd_signal(close, 12, 26, 9)",
      "macd_hist(close, 5, 13, 4)",
      "bb_upper(close, 20, 2)",
      "bb_middle(close, 20, 2)",
      "bb_lower(close, 10, 1.5)",
      "stdev(close, 20)",
      "tr()",
      "atr(14)",
      "stoch_k(14, 1)",
      "stoch_k(14, 3)",
      "stoch_d(14, 3, 3)",
      "obv()",
      "highest(high, 20)",
      "lowest(low, 20)",
      "roc(close, 10)",
      "change(close, 10)",
      "crossover(sma(close, 10), sma(close, 30))",
      "crossunder(ema(close, 10), sma(close, 30))",
      "abs(close - open) / max(high - low, 1)",
      "log(close) - log(close[10])",
      "min(sma(close, 5)[3], lowest(close, 7))",
      "(rsi(close, 14) < 30 or close > bb_upper(close, 20, 2)) and not (volume < 1000)",
      "sma(rsi(close, 7), 5)",
      "highest(stoch_k(14, 3), 10)",
      // Price fields read in place by indicators, and also as columns by other operations.
      "close - sma(close, 20) + ema(open, 5) - rsi(high, 7)",
      "sma(close, 10) - sma(close, 30) + lowest(low, 5) - highest(high, 5)",
      "crossover(sma(close, 10), close) or crossunder(wma(low, 9), rma(high, 9))",
      "sma(volume, 10) + stdev(close, 5) * change(open, 3)",
  };
  for (bool gaps : {false, true}) {
    const auto bars = testing::random_bars(3000, 42, gaps);
    for (const std::string& e : exprs) {
      CAPTURE(e);
      CAPTURE(gaps);
      const auto ref = eval(e, bars, 1);
      for (int block : {2, 7, 64, 1000, 0}) {
        const auto v = eval(e, bars, block);
        REQUIRE(v.size() == ref.size());
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < v.size(); ++i) mismatches += same(v[i], ref[i]) ? 0 : 1;
        CHECK(mismatches == 0);
      }
    }
  }
}

TEST_CASE("values are those of the indicator library used directly") {
  const auto bars = testing::random_bars(2000, 7, true);
  indicators::Sma sma(20);
  indicators::Rsi rsi(14);
  indicators::Atr atr(14);
  indicators::Macd macd(12, 26, 9);
  const auto s = eval("sma(close, 20)", bars);
  const auto r = eval("rsi(close, 14)", bars);
  const auto a = eval("atr(14)", bars);
  const auto m = eval("macd_signal(close, 12, 26, 9)", bars);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    CHECK(same(s[i], sma.update(bars[i].close)));
    CHECK(same(r[i], rsi.update(bars[i].close)));
    CHECK(same(a[i], atr.update(bars[i].high, bars[i].low, bars[i].close)));
    macd.update(bars[i].close);
    CHECK(same(m[i], macd.signal()));
  }
}

TEST_CASE("every indicator function matches the TTR oracle (in-process)") {
  const auto bars = testing::ttrc_bars();
  REQUIRE(bars.size() == 5550);
  std::ifstream f(std::string(QUANTD_SHARED_DIR) + "/oracle/ttrc_indicators.csv");
  REQUIRE(f);
  std::string header;
  std::getline(f, header);
  std::vector<std::string> names;
  {
    std::stringstream ss(header);
    std::string c;
    while (std::getline(ss, c, ',')) names.push_back(c);
  }
  std::vector<std::vector<double>> cols(names.size());
  for (std::string line; std::getline(f, line);) {
    std::size_t start = 0;
    for (std::size_t c = 0; c < names.size(); ++c) {
      const std::size_t end = std::min(line.find(',', start), line.size());
      const std::string cell = line.substr(start, end - start);
      cols[c].push_back(cell.empty() ? kNa : std::strtod(cell.c_str(), nullptr));
      start = end + 1;
    }
  }
  struct Column {
    const char* name;
    const char* expr;
    double scale;  // ours = oracle * scale
  };
  const Column columns[] = {
      {"sma20", "sma(close, 20)", 1},
      {"ema20", "ema(close, 20)", 1},
      {"rsi14", "rsi(close, 14)", 1},
      {"macd", "macd(close, 12, 26, 9)", 1},
      {"macd_signal", "macd_signal(close, 12, 26, 9)", 1},
      {"bb_dn", "bb_lower(close, 20, 2)", 1},
      {"bb_mavg", "bb_middle(close, 20, 2)", 1},
      {"bb_up", "bb_upper(close, 20, 2)", 1},
      {"tr", "tr()", 1},
      {"atr14", "atr(14)", 1},
      {"stoch_fastk", "stoch_k(14, 1)", 100},
      {"stoch_fastd", "stoch_k(14, 3)", 100},
      {"stoch_slowd", "stoch_d(14, 3, 3)", 100},
      {"dc_high", "highest(high, 20)", 1},
      {"dc_mid", "(highest(high, 20) + lowest(low, 20)) / 2", 1},
      {"dc_low", "lowest(low, 20)", 1},
      {"roc10", "log(close) - log(close[10])", 1},
      {"roc10_disc", "roc(close, 10)", 1},
      {"obv", "obv()", 1},
  };
  for (const Column& c : columns) {
    CAPTURE(c.name);
    const auto it = std::find(names.begin(), names.end(), c.name);
    REQUIRE(it != names.end());
    const std::vector<double>& want = cols[static_cast<std::size_t>(it - names.begin())];
    const auto got = eval(c.expr, bars);
    REQUIRE(got.size() == want.size());
    int bad = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (std::isnan(want[i]) != std::isnan(got[i])) {
        ++bad;
      } else if (!std::isnan(want[i])) {
        const double w = want[i] * c.scale;
        if (std::fabs(got[i] - w) > 1e-9 * std::max(1.0, std::fabs(w))) ++bad;
      }
    }
    CHECK(bad == 0);
  }
  // The MACD histogram is line - signal.
  const auto hist = eval("macd_hist(close, 12, 26, 9)", bars);
  const auto line = eval("macd(close, 12, 26, 9)", bars);
  const auto sig = eval("macd_signal(close, 12, 26, 9)", bars);
  for (std::size_t i = 0; i < hist.size(); ++i) CHECK(same(hist[i], line[i] - sig[i]));
}

}  // namespace quantd::lang
