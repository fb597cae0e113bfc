// Every script in examples/strategies/ is valid and backtests: on TTR's ttrc data (scaled to
// won) it trades, and block evaluation makes the same run as bar-by-bar evaluation.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backtest_support.h"
#include "quantd/lang/rule_strategy.h"
#include "test_support.h"

namespace quantd::lang {

namespace {

std::vector<std::filesystem::path> example_files() {
  std::vector<std::filesystem::path> v;
  for (const auto& e : std::filesystem::directory_iterator(std::string(QUANTD_SOURCE_DIR) +
                                                           "/examples/strategies")) {
    if (e.path().extension() == ".qs") v.push_back(e.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the examples: at least six, each commented, valid, and backtested") {
  const auto files = example_files();
  CHECK(files.size() >= 6);
  const auto bars = testing::ttrc_won_bars();
  REQUIRE(bars.size() == 5550);
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    CAPTURE(name);
    const std::string source = read(path);
    CHECK(source.starts_with("# "));  // says what it does
    auto factory = make_rule_strategy(source, {}, name);
    if (!factory.ok()) MESSAGE(factory.status().message());
    REQUIRE(factory.ok());
    const auto result = testing::run(**factory, bars);
    const testing::BarByBarFactory slow(**factory);
    testing::check_same_run(result, testing::run(slow, bars));
    MESSAGE(name << ": " << result.trades.size() << " trades, final equity "
                 << result.metrics.final_equity);
    if (name == "buy_and_hold.qs") {
      CHECK(result.trades.empty());
      CHECK(result.final_portfolio.positions[0].quantity > 0);
    } else {
      CHECK(result.trades.size() >= 3);
    }
  }
}

TEST_CASE("buy_and_hold.qs makes the native buy_and_hold's run") {
  auto native = strategy::make_native_strategy("buy_and_hold", {});
  REQUIRE(native.ok());
  auto script = make_rule_strategy(
      read(std::string(QUANTD_SOURCE_DIR) + "/examples/strategies/buy_and_hold.qs"), {}, "bh");
  REQUIRE(script.ok());
  const auto bars = testing::ttrc_won_bars();
  testing::check_same_run(testing::run(**native, bars), testing::run(**script, bars));
}

TEST_CASE("the examples take param overrides") {
  auto f = make_rule_strategy(
      read(std::string(QUANTD_SOURCE_DIR) + "/examples/strategies/golden_cross.qs"),
      {{"fast", 10}, {"slow", 30}}, "golden_cross.qs");
  REQUIRE(f.ok());
  CHECK((*f)->describe() == "script:golden_cross.qs(fast=10,slow=30,stop=0.08)");
  CHECK((*f)->warmup_bars() == 30);
}

}  // namespace quantd::lang
