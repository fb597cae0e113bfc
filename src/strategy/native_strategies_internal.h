// Registry plumbing shared by registry.cpp and native_strategies.cpp; not part of the API.
#pragma once

#include <functional>
#include <vector>

#include "quantd/strategy/registry.h"

namespace quantd::strategy::internal {

struct NativeStrategyEntry {
  NativeStrategyInfo info;
  // Called with a complete, validated parameter map (defaults filled in, ranges checked).
  std::function<Result<std::unique_ptr<StrategyFactory>>(const Params&)> make;
};

// The built-in strategies, sorted by name.
std::vector<NativeStrategyEntry> make_entries();

}  // namespace quantd::strategy::internal
