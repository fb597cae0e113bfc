// The strategy language through the real binary: `quantd eval` against the TTR oracle (one run
// per column), `quantd check`, and `quantd backtest --strategy FILE.qs`.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../integration/test_support.h"

namespace {

namespace fs = std::filesystem;

using Output = quantd::testing::RunResult;
using quantd::testing::read_file;

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// A temporary folder; quantd runs with absolute paths into it.
class Scratch : public quantd::testing::Sandbox {
 public:
  fs::path path(const std::string& name) const { return dir / name; }
  Output quantd(const std::string& args) const { return Sandbox::quantd("", args + " </dev/null"); }
};

std::vector<std::string> split(const std::string& line, char sep = ',') {
  std::vector<std::string> v;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = line.find(sep, start);
    v.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return v;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) v.push_back(l);
  return v;
}

const std::string kShared = QUANTD_SHARED_DIR;
const std::string kExamples = std::string(QUANTD_SOURCE_DIR) + "/examples/strategies";

}  // namespace

TEST_CASE("quantd eval: every indicator function matches the TTR oracle, NA positions included") {
  const Scratch s;
  const std::string data = quote(kShared + "/oracle/ttrc.csv");
  const auto oracle = lines(read_file(kShared + "/oracle/ttrc_indicators.csv"));
  REQUIRE(oracle.size() == 5551);
  const auto header = split(oracle[0]);
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
    std::size_t col = 0;
    while (col < header.size() && header[col] != c.name) ++col;
    REQUIRE(col < header.size());
    const Output o = s.quantd("eval --data " + data + " --expr " + quote(c.expr));
    REQUIRE(o.exit_code == 0);
    const auto got = lines(o.out);
    REQUIRE(got.size() == oracle.size());
    CHECK(got[0] == "ts,value");
    int bad = 0;
    for (std::size_t i = 1; i < got.size(); ++i) {
      const auto g = split(got[i]);
      const auto w = split(oracle[i]);
      REQUIRE(g.size() == 2);
      // Same bar: the oracle's date is the bar's (Seoul) day.
      if (g[0] != w[0] + "T00:00:00") ++bad;
      const std::string& want = w[col];
      if (want.empty() || g[1].empty()) {
        if (want.empty() != g[1].empty()) ++bad;
        continue;
      }
      const double x = std::strtod(g[1].c_str(), nullptr);
      const double y = std::strtod(want.c_str(), nullptr) * c.scale;
      if (!(std::fabs(x - y) <= 1e-9 * std::max(1.0, std::fabs(y)))) ++bad;
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("quantd eval: conditions print true/false, numbers read back exactly, params work") {
  const Scratch s;
  const fs::path csv = s.write("bars.csv",
                               "ts,open,high,low,close,volume\n"
                               "2024-01-02T09:00:00,100,110,90,100,10\n"
                               "2024-01-02T09:01:00,100,110,90,101,10\n"
                               "2024-01-02T09:02:00,101,110,90,99,10\n");
  Output o = s.quantd("eval --data " + quote(csv.string()) + " --expr " +
                      quote("close > close[k]") + " --param k=1");
  REQUIRE(o.exit_code == 0);
  CHECK(o.out ==
        "ts,value\n2024-01-02T09:00:00,\n2024-01-02T09:01:00,true\n2024-01-02T09:02:00,false\n");
  o = s.quantd("eval --data " + quote(csv.string()) + " --expr " + quote("close / 3"));
  REQUIRE(o.exit_code == 0);
  const auto l = lines(o.out);
  REQUIRE(l.size() == 4);
  CHECK(std::strtod(split(l[1])[1].c_str(), nullptr) == 100.0 / 3);
  CHECK(split(l[1])[1] == "33.333333333333336");

  o = s.quantd("eval --data " + quote(csv.string()) + " --expr " + quote("smaa(close, 2)"));
  CHECK(o.exit_code == 2);
  CHECK(o.err ==
        "--expr:1:1: unknown function 'smaa' — did you mean 'sma'?\n"
        "    smaa(close, 2)\n"
        "    ^^^^\n");
  o = s.quantd("eval --data " + quote(csv.string()) + " --expr " + quote("position > 0"));
  CHECK(o.exit_code == 2);
  CHECK(o.err.find("'position' is not available here") != std::string::npos);
  o = s.quantd("eval --expr close");
  CHECK(o.exit_code == 2);
  CHECK(o.err.find("--data: required") != std::string::npos);
  o = s.quantd("eval --data " + quote(s.path("missing.csv").string()) + " --expr close");
  CHECK(o.exit_code == 1);
}

TEST_CASE("quantd check: exit 0 when clean, 1 with every error and its caret, 2 on usage") {
  const Scratch s;
  Output o = s.quantd("check " + quote(kExamples + "/golden_cross.qs") + " " +
                      quote(kExamples + "/macd_trend.qs"));
  CHECK(o.exit_code == 0);
  CHECK(o.out.find("golden_cross.qs: ok (warm-up 60 bars; params fast=20, slow=60, stop=0.08)") !=
        std::string::npos);

  const fs::path bad = s.write("bad.qs",
                               "# two mistakes\n"
                               "param fast = 10\n"
                               "let f = smaa(close, fast)\n"
                               "buy when f > 1 and clsoe > 2\n"
                               "sell when f < 1\n");
  o = s.quantd("check " + quote(bad.string()));
  CHECK(o.exit_code == 1);
  const std::string name = bad.string();
  CHECK(o.err == name +
                     ":3:9: unknown function 'smaa' — did you mean 'sma'?\n"
                     "    let f = smaa(close, fast)\n"
                     "            ^^^^\n" +
                     name +
                     ":4:20: unknown name 'clsoe' — did you mean 'close'?\n"
                     "    buy when f > 1 and clsoe > 2\n"
                     "                       ^^^^^\n");

  o = s.quantd("check --param fast=0 " + quote(kExamples + "/golden_cross.qs"));
  CHECK(o.exit_code == 1);
  CHECK(o.err.find("golden_cross.qs:14:20: sma: n must be at least 1, but param 'fast' is 0") !=
        std::string::npos);

  CHECK(s.quantd("check").exit_code == 2);
  CHECK(s.quantd("check " + quote(s.path("nope.qs").string())).exit_code == 2);
  CHECK(s.quantd("check --bogus x.qs").exit_code == 2);
}

TEST_CASE("quantd backtest --strategy FILE.qs: the sma_cross twin makes the builtin's trades") {
  const Scratch s;
  // ttrc in whole won, so the KRX tick grid and integral cash see realistic prices.
  std::string csv = "ts,open,high,low,close,volume\n";
  const auto rows = lines(read_file(kShared + "/oracle/ttrc.csv"));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i]);
    auto won = [](const std::string& v) {
      return std::to_string(std::llround(std::strtod(v.c_str(), nullptr) * 1000));
    };
    csv += f[0] + "," + won(f[1]) + "," + won(f[2]) + "," + won(f[3]) + "," + won(f[4]) + "," +
           f[5] + "\n";
  }
  const fs::path data = s.write("ttrc_won.csv", csv);
  const fs::path twin = s.write("twin.qs",
                                "param fast = 10\nparam slow = 30\n"
                                "buy when crossover(sma(close, fast), sma(close, slow))\n"
                                "sell when crossunder(sma(close, fast), sma(close, slow))\n");
  const std::string common =
      " --data " + quote(data.string()) + " --symbol TTRC --param fast=5 --param slow=20";
  Output a = s.quantd("backtest --strategy builtin:sma_cross" + common + " --trades-csv " +
                      quote(s.path("a.csv").string()));
  REQUIRE(a.exit_code == 0);
  Output b = s.quantd("backtest --strategy " + quote(twin.string()) + common + " --trades-csv " +
                      quote(s.path("b.csv").string()));
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  const std::string ta = read_file(s.path("a.csv"));
  CHECK(lines(ta).size() > 20);
  CHECK(ta == read_file(s.path("b.csv")));
  CHECK(b.out.find("script:") != std::string::npos);

  // Every example runs from the command line.
  for (const auto& e : fs::directory_iterator(kExamples)) {
    CAPTURE(e.path().string());
    const Output r = s.quantd("backtest --strategy " + quote(e.path().string()) + " --data " +
                              quote(data.string()) + " --json");
    CHECK(r.exit_code == 0);
  }

  // Script errors and bad overrides are reported with their position, exit 2.
  const fs::path bad = s.write("bad.qs", "buy when clsoe > 1\nsell when close < 1\n");
  Output c =
      s.quantd("backtest --strategy " + quote(bad.string()) + " --data " + quote(data.string()));
  CHECK(c.exit_code == 2);
  CHECK(c.err.find(bad.string() + ":1:10: unknown name 'clsoe' — did you mean 'close'?") !=
        std::string::npos);
  Output d = s.quantd("backtest --strategy " + quote(twin.string()) + " --data " +
                      quote(data.string()) + " --param fsat=3");
  CHECK(d.exit_code == 2);
  CHECK(d.err.find("unknown param 'fsat' — did you mean 'fast'?") != std::string::npos);
}
