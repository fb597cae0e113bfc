// `quantd backtest` end to end: the real binary on a temporary CSV and database.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../../integration/test_support.h"

namespace {

namespace fs = std::filesystem;

using quantd::testing::Sandbox;
using Run = quantd::testing::RunResult;
using quantd::testing::read_file;

// The golden bar set of engine_test.cpp as CSV (17 weekdays from 2023-03-02).
std::string golden_csv() {
  const int opens[] = {10000, 9950, 9850, 9750, 9800,  10000, 10300, 10450, 10350,
                       10050, 9750, 9650, 9750, 10050, 10250, 10150, 10350};
  const int closes[] = {10000, 9900, 9800, 9700,  9900,  10200, 10500, 10400, 10100,
                        9800,  9600, 9700, 10000, 10300, 10200, 10400, 9800};
  const char* dates[] = {"2023-03-02", "2023-03-03", "2023-03-06", "2023-03-07", "2023-03-08",
                         "2023-03-09", "2023-03-10", "2023-03-13", "2023-03-14", "2023-03-15",
                         "2023-03-16", "2023-03-17", "2023-03-20", "2023-03-21", "2023-03-22",
                         "2023-03-23", "2023-03-24"};
  std::string s = "ts,open,high,low,close,volume\n";
  for (int i = 0; i < 17; ++i) {
    const int hi = std::max(opens[i], closes[i]) + 100;
    const int lo = std::min(opens[i], closes[i]) - 100;
    s += std::string(dates[i]) + "T00:00:00," + std::to_string(opens[i]) + "," +
         std::to_string(hi) + "," + std::to_string(lo) + "," + std::to_string(closes[i]) +
         ",1000\n";
  }
  return s;
}

const std::string kGolden =
    "--strategy builtin:sma_cross --param fast=2 --param slow=4 --cash 1000000 ";

// The JSON without its "stats" object (timings differ run to run).
std::string without_stats(const std::string& json) {
  const auto p = json.find(",\"stats\":");
  return json.substr(0, p);
}

}  // namespace

TEST_CASE("backtest on a CSV: --json has the metrics and stats, output is deterministic") {
  Sandbox box;
  box.write("005930.csv", golden_csv());
  const Run r = box.quantd("backtest", kGolden + "--data 005930.csv --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* key : {"\"metrics\":{",
                          "\"final_equity\":949362,",
                          "\"total_return\":",
                          "\"cagr\":",
                          "\"annual_volatility\":",
                          "\"sharpe\":",
                          "\"sortino\":",
                          "\"max_drawdown\":",
                          "\"max_drawdown_duration_bars\":10,",
                          "\"calmar\":",
                          "\"trades\":1,",
                          "\"win_rate\":0,",
                          "\"avg_win\":null",
                          "\"avg_loss\":-26494,",
                          "\"profit_factor\":",
                          "\"expectancy\":",
                          "\"exposure\":",
                          "\"total_fees\":439,",
                          "\"total_taxes\":1949,",
                          "\"benchmark_return\":",
                          "\"stats\":{\"bars\":17,",
                          "\"load_seconds\":",
                          "\"run_seconds\":",
                          "\"bars_per_second\":",
                          "\"symbols\":[\"005930\"]",
                          "\"interval\":\"1d\""}) {
    CHECK_MESSAGE(r.out.find(key) != std::string::npos, key);
  }
  CHECK(r.out.back() == '\n');
  const Run again = box.quantd("backtest", kGolden + "--data 005930.csv --json");
  CHECK(without_stats(again.out) == without_stats(r.out));
}

TEST_CASE("backtest --trades-csv and --equity-csv") {
  Sandbox box;
  box.write("005930.csv", golden_csv());
  const Run r = box.quantd("backtest", kGolden +
                                           "--data 005930.csv --close-at-end --trades-csv t.csv "
                                           "--equity-csv e.csv");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("final_equity") != std::string::npos);
  CHECK(read_file(box.dir / "t.csv") ==
        "entry_ts,exit_ts,symbol,qty,entry_price,exit_price,pnl,fees,exit_reason\n"
        "2023-03-10T00:00:00,2023-03-15T00:00:00,005930,97,10300,10050,-26494,2244,signal\n"
        "2023-03-21T00:00:00,2023-03-24T00:00:00,005930,96,10050,9800,-26166,2166,end_of_data\n");
  const std::string eq = read_file(box.dir / "e.csv");
  CHECK(eq.starts_with("ts,equity,drawdown\n2023-03-02T00:00:00,1000000,0\n"));
  CHECK(eq.ends_with("2023-03-24T00:00:00,947340,0.0705527882729573\n"));
}

TEST_CASE("backtest on imported bars, with aggregation from 1m") {
  Sandbox box;
  box.write("005930.csv", golden_csv());
  const Run imp = box.quantd("import-bars", "--db q.db --symbol 005930 --interval 1d 005930.csv");
  INFO(imp.err);
  REQUIRE(imp.exit_code == 0);
  const Run r = box.quantd("backtest", kGolden + "--db q.db --symbol 005930 --interval 1d --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"final_equity\":949362,") != std::string::npos);
  const Run ranged = box.quantd(
      "backtest",
      kGolden + "--db q.db --symbol 005930 --interval 1d --from 2023-03-06 --to 2023-03-10 --json");
  REQUIRE(ranged.exit_code == 0);
  CHECK(ranged.out.find("\"bars\":5,") != std::string::npos);

  std::string minutes = "ts,open,high,low,close,volume\n";
  for (int m = 0; m < 30; ++m) {
    char line[96];
    std::snprintf(line, sizeof line, "2024-03-04T09:%02d:00,%d,%d,%d,%d,10\n", m, 1000 + m,
                  1001 + m, 999 + m, 1000 + m);
    minutes += line;
  }
  box.write("m.csv", minutes);
  REQUIRE(box.quantd("import-bars", "--db q.db --symbol M --interval 1m m.csv").exit_code == 0);
  const Run agg = box.quantd(
      "backtest", "--strategy builtin:buy_and_hold --db q.db --symbol M --interval 5m --json");
  INFO(agg.err);
  REQUIRE(agg.exit_code == 0);
  CHECK(agg.out.find("\"bars\":6,") != std::string::npos);
  CHECK(agg.out.find("\"interval\":\"5m\"") != std::string::npos);
}

TEST_CASE("backtest usage errors exit 2 and name the flag") {
  Sandbox box;
  box.write("a.csv", golden_csv());
  struct Case {
    std::string args;
    std::string flag;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"--data a.csv", "--strategy"},
           {"--strategy sma_cross --data a.csv", "--strategy"},
           {"--strategy builtin:nope --data a.csv", "--strategy"},
           {"--strategy builtin:sma_cross --param fats=3 --data a.csv", "--param"},
           {"--strategy builtin:sma_cross --param fast --data a.csv", "--param"},
           {"--strategy builtin:sma_cross", "--data"},
           {"--strategy builtin:sma_cross --data a.csv --cash -5", "--cash"},
           {"--strategy builtin:sma_cross --data a.csv --commission-bps x", "--commission-bps"},
           {"--strategy builtin:sma_cross --data a.csv --slippage-bps -1", "--slippage-bps"},
           {"--strategy builtin:sma_cross --data a.csv --interval 2h", "--interval"},
           {"--strategy builtin:sma_cross --data a.csv --from 2023-13-01", "--from"},
           {"--strategy builtin:sma_cross --db q.db --interval 1d", "--symbol"},
           {"--strategy builtin:sma_cross --data a.csv --bogus", "--bogus"},
           {"--strategy builtin:sma_cross --data a.csv --trades-csv", "--trades-csv"},
       }) {
    const Run r = box.quantd("backtest", c.args);
    INFO(c.args, " → ", r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(c.flag) != std::string::npos);
  }
  const Run missing = box.quantd("backtest", "--strategy builtin:sma_cross --data nope.csv");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("nope.csv") != std::string::npos);
}
