// Turning a stored strategy (a script or "builtin:NAME", plus parameter values) into a
// StrategyFactory, or into precise problems a person can fix.
//
// One function serves the API (validate as you type, reject an invalid strategy or parameter
// override with 422) and the backtest worker (build the factory the engine runs), so what the
// editor accepts is exactly what runs. Pure apart from allocation; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/strategy/registry.h"

namespace quantd::app {

// One thing wrong with a strategy. Script errors carry a 1-based line and column (0 when the
// problem is not at a place in the script, e.g. an unknown builtin parameter).
struct StrategyProblem {
  std::string field;  // "script" or "params"
  int line = 0;
  int column = 0;
  int length = 0;       // characters to underline from `column` (0: just the position)
  std::string message;  // e.g. "unknown function 'smaa' — did you mean 'sma'?"
  std::string snippet;  // the source line with a caret under the column; may be empty
};

// A parameter the strategy accepts, with its default.
struct StrategyParam {
  std::string name;
  double default_value = 0;
  std::string help;
};

struct CompiledStrategy {
  std::string kind;                                    // "builtin" or "script"
  std::unique_ptr<strategy::StrategyFactory> factory;  // null when `problems` is non-empty
  std::vector<StrategyProblem> problems;
  std::vector<StrategyParam> params;  // declared params (script) or accepted params (builtin)
  int warmup_bars = 0;                // when compiled
  bool ok() const { return problems.empty() && factory != nullptr; }
};

// Compiles `script` ("builtin:NAME" or strategy-language source) with `params` overriding the
// defaults. Never throws; every failure is a problem in the result.
CompiledStrategy compile_strategy(std::string_view script, const strategy::Params& params);

// The problems as one line each ("3:10: unknown function ..."), joined by "; ".
std::string describe_problems(const std::vector<StrategyProblem>& problems);

// True when this build can compile strategy-language scripts (not only builtins).
bool scripts_supported();

}  // namespace quantd::app
