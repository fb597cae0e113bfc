// Parsing and checking a strategy-language script (../shared/design/STRATEGY_LANGUAGE.md).
//
// Script::analyze runs the hand-written lexer and parser and then the checker, and keeps every
// error it found (up to kMaxDiagnostics): unknown names and functions with "did you mean"
// suggestions, wrong arity, lengths that are not constants or are < 1, type errors (a number where
// a condition is needed and back), names used before their definition or defined twice, rules
// defined twice, and scripts without a `buy when` or without a way out. A Script that is ok() can
// be compiled (program.h).
//
// Limits, so that no input can make analysis crash, loop or allocate without bound (the parser is
// fuzzed): kMaxSourceBytes of source, expressions nested at most kMaxNesting deep.
//
// Script is an immutable value sharing its data; copies are cheap; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/lang/diagnostic.h"
#include "quantd/strategy/registry.h"

namespace quantd::lang {

namespace internal {
struct ScriptData;
}

// Values of `param`s by name: overrides at compile time, or the params of an expression.
using ParamValues = strategy::Params;

inline constexpr std::size_t kMaxSourceBytes = 256 * 1024;
inline constexpr int kMaxNesting = 100;
inline constexpr int kMaxDiagnostics = 50;

// A `param NAME = VALUE` declaration.
struct ParamInfo {
  std::string name;
  double default_value = 0;  // as written; "7%" is 0.07
  int line = 0;
  int column = 0;    // of the name
  std::string help;  // the comment on the param's line, if any: `param fast = 20  # fast MA`
};

class Script {
 public:
  // Parses and checks a script. Never fails as such: problems are in diagnostics(), sorted by
  // position; at most kMaxDiagnostics of them, the last of which then says that more were left
  // out. Takes a copy of `source`.
  static Script analyze(std::string_view source);

  // Parses and checks one expression (what `quantd eval --expr` takes) in which the names of
  // `params` are params with those values. Position state (`position`, `entry_price`,
  // `bars_held`, `unrealized`) is not available. Positions in diagnostics are on line 1.
  static Script analyze_expression(std::string_view expression, const ParamValues& params);

  // True when there are no diagnostics.
  bool ok() const;
  const std::vector<Diagnostic>& diagnostics() const;
  // The params the script declares, in order (for an expression: the given ones, by name).
  const std::vector<ParamInfo>& params() const;
  // The text analyzed.
  std::string_view source() const;
  // True for a Script made by analyze_expression.
  bool is_expression() const;
  // True when the expression of an expression Script is a condition (true/false), not a number.
  bool is_condition() const;

  // For the compiler in this component.
  const internal::ScriptData& data() const { return *data_; }

 private:
  explicit Script(std::shared_ptr<const internal::ScriptData> data) : data_(std::move(data)) {}
  std::shared_ptr<const internal::ScriptData> data_;
};

}  // namespace quantd::lang
