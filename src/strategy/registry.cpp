#include "quantd/strategy/registry.h"

#include <cmath>
#include <sstream>

#include "native_strategies_internal.h"

namespace quantd::strategy {

namespace {

const std::vector<internal::NativeStrategyEntry>& entries() {
  static const std::vector<internal::NativeStrategyEntry> kEntries = internal::make_entries();
  return kEntries;
}

std::string format_number(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

const std::vector<NativeStrategyInfo>& native_strategies() {
  static const std::vector<NativeStrategyInfo> kInfos = [] {
    std::vector<NativeStrategyInfo> v;
    for (const auto& e : entries()) v.push_back(e.info);
    return v;
  }();
  return kInfos;
}

Result<std::unique_ptr<StrategyFactory>> make_native_strategy(std::string_view name,
                                                              const Params& params) {
  const internal::NativeStrategyEntry* entry = nullptr;
  std::string known;
  for (const auto& e : entries()) {
    if (e.info.name == name) entry = &e;
    known += (known.empty() ? "" : ", ") + e.info.name;
  }
  if (entry == nullptr) {
    return Status::invalid_argument("unknown strategy '" + std::string(name) +
                                    "'; known: " + known);
  }
  Params full;
  for (const ParamSpec& spec : entry->info.params) full[spec.name] = spec.default_value;
  for (const auto& [key, value] : params) {
    auto it = full.find(key);
    if (it == full.end()) {
      std::string valid;
      for (const ParamSpec& spec : entry->info.params) {
        valid += (valid.empty() ? "" : ", ") + spec.name;
      }
      return Status::invalid_argument("unknown parameter '" + key + "' for " + std::string(name) +
                                      "; valid: " + valid);
    }
    it->second = value;
  }
  for (const ParamSpec& spec : entry->info.params) {
    const double v = full[spec.name];
    if (!std::isfinite(v) || v < spec.min || v > spec.max) {
      return Status::invalid_argument(
          std::string(name) + ": parameter '" + spec.name + "' = " + format_number(v) +
          " is out of range [" + format_number(spec.min) + ", " + format_number(spec.max) + "]");
    }
    if (spec.below_max && v >= spec.max) {
      return Status::invalid_argument(std::string(name) + ": parameter '" + spec.name +
                                      "' must be less than " + format_number(spec.max) + " (" +
                                      format_number(spec.max * 100) + "%), got " +
                                      format_number(v));
    }
    if (spec.integer && v != std::floor(v)) {
      return Status::invalid_argument(std::string(name) + ": parameter '" + spec.name +
                                      "' must be a whole number, got " + format_number(v));
    }
  }
  return entry->make(full);
}

}  // namespace quantd::strategy
