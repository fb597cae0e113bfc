// The native strategy registry: C++ strategies by name, created per symbol from numeric params.
//
// Built in: "sma_cross" (fast, slow, plus optional stop_loss/take_profit/trailing_stop) and
// "buy_and_hold". Errors for unknown names or params list the valid ones.
// All functions are thread-safe; a StrategyFactory is immutable and may create instances from
// any thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/strategy/strategy.h"

namespace quantd::strategy {

using Params = std::map<std::string, double>;

// Creates one Strategy instance per symbol of a run, all with the same parameters.
class StrategyFactory {
 public:
  virtual ~StrategyFactory() = default;
  // A fresh instance (own state) for `symbol`. Never null.
  virtual std::unique_ptr<Strategy> create(const domain::Symbol& symbol) const = 0;
  // The same as create(...)->warmup_bars().
  virtual int warmup_bars() const = 0;
  // "builtin:NAME" with its effective parameters, e.g. "builtin:sma_cross(fast=10,slow=30)".
  virtual std::string describe() const = 0;
};

struct ParamSpec {
  std::string name;
  double default_value = 0;
  double min = 0;
  double max = 0;
  bool integer = false;
  std::string help;
  // The value must stay below max (a stop of 100% never triggers; scripts refuse it too).
  bool below_max = false;
};

struct NativeStrategyInfo {
  std::string name;
  std::string help;
  std::vector<ParamSpec> params;
};

// Every registered native strategy, sorted by name.
const std::vector<NativeStrategyInfo>& native_strategies();

// A factory for the native strategy `name` with `params` (missing ones take their defaults).
// Errors (kInvalidArgument): unknown name ("unknown strategy 'x'; known: buy_and_hold, sma_cross"),
// unknown param (listing the valid ones), a value out of range or not an integer where one is
// required, or an inconsistent combination (sma_cross: fast must be < slow).
Result<std::unique_ptr<StrategyFactory>> make_native_strategy(std::string_view name,
                                                              const Params& params);

}  // namespace quantd::strategy
