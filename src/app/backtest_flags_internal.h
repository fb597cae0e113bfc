// The flags `quantd backtest` reads (strategy, data, range, cash, costs) and loading the bars
// they name, shared with `quantd sweep`, which adds its own flags. Not a public contract.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "quantd/app/commands.h"
#include "quantd/backtest/engine.h"
#include "quantd/domain/bar.h"

namespace quantd::app {

struct BacktestFlags {
  std::string strategy;  // the builtin NAME, or the script's path when `script`
  bool script = false;
  strategy::Params params;
  std::vector<std::string> data_files;
  std::optional<std::string> db_path;
  std::vector<std::string> symbols;
  std::optional<domain::Interval> interval;
  std::optional<TimestampMs> from;
  std::optional<TimestampMs> to;
  backtest::BacktestConfig config;
  domain::Market market = domain::Market::kKospi;
  bool json = false;
  std::optional<std::string> trades_csv;
  std::optional<std::string> orders_csv;
  std::optional<std::string> equity_csv;
};

// A flag the caller reads itself: `value(out)` takes the next argument (false when missing).
// Returns an exit code to stop with, or nullopt when the flag was taken.
using ExtraFlag = std::function<std::optional<int>(const std::string& flag,
                                                   const std::function<bool(std::string&)>& value)>;

// Messages name `command` ("quantd sweep: ...") and print `usage` on a usage error.
void use_backtest_flags_for(const char* command, const char* usage);

// Reads `args` into `flags`; an unknown flag goes to `extra` (an error without one). Returns an
// exit code when parsing stopped (2 for a usage error, 0 for --help), nullopt when complete.
std::optional<int> parse_backtest_flags(Args args, BacktestFlags& flags, const ExtraFlag& extra);

struct LoadedSeries {
  std::string symbol;
  std::vector<domain::Bar> bars;
};

// The bars the flags name (CSV files or the database), each symbol non-empty; `interval` set to
// theirs. Returns an exit code on failure (the message printed).
std::optional<int> load_series(const BacktestFlags& flags, std::vector<LoadedSeries>& series,
                               domain::Interval& interval);

}  // namespace quantd::app
