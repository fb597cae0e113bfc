#include "quantd/app/strategy_loader.h"

#include <exception>

#include "quantd/lang/diagnostic.h"
#include "quantd/lang/program.h"
#include "quantd/lang/rule_strategy.h"
#include "quantd/lang/script.h"

namespace quantd::app {
namespace {

constexpr std::string_view kBuiltinPrefix = "builtin:";

CompiledStrategy compile_builtin(std::string_view name, const strategy::Params& params) {
  CompiledStrategy out;
  out.kind = "builtin";
  for (const auto& info : strategy::native_strategies()) {
    if (info.name != name) continue;
    for (const auto& p : info.params) out.params.push_back({p.name, p.default_value, p.help});
  }
  auto factory = strategy::make_native_strategy(name, params);
  if (!factory.ok()) {
    const std::string& m = factory.status().message();
    const bool unknown_name = m.rfind("unknown strategy", 0) == 0;
    out.problems.push_back({unknown_name ? "script" : "params", 0, 0, 0, m, ""});
    return out;
  }
  out.warmup_bars = (*factory)->warmup_bars();
  out.factory = std::move(factory).value();
  return out;
}

CompiledStrategy compile_script(std::string_view source, const strategy::Params& params) {
  CompiledStrategy out;
  out.kind = "script";
  const lang::Script script = lang::Script::analyze(source);
  for (const lang::ParamInfo& p : script.params()) {
    out.params.push_back({p.name, p.default_value, p.help});
  }
  if (!script.ok()) {
    for (const lang::Diagnostic& d : script.diagnostics()) {
      out.problems.push_back(
          {"script", d.line, d.column, d.length, d.message, lang::caret_snippet(source, d)});
    }
    return out;
  }
  lang::Diagnostic error;
  auto program = lang::compile(script, params, &error);
  if (!program.ok()) {
    // The script checked out, so an override caused this (it names no param, or makes a length
    // or size invalid), or the program is too large; placed in the script when the compiler
    // says where.
    const bool placed = error.line > 0;
    out.problems.push_back({params.empty() ? "script" : "params", placed ? error.line : 0,
                            placed ? error.column : 0, placed ? error.length : 0, error.message,
                            placed ? lang::caret_snippet(source, error) : ""});
    return out;
  }
  out.warmup_bars = (*program)->warmup_bars();
  out.factory = std::make_unique<lang::RuleStrategyFactory>(std::move(program).value(), "script");
  return out;
}

}  // namespace

CompiledStrategy compile_strategy(std::string_view script, const strategy::Params& params) {
  try {
    std::string_view trimmed = script;
    while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n' ||
                                trimmed.front() == '\r' || trimmed.front() == '\t')) {
      trimmed.remove_prefix(1);
    }
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\n' ||
                                trimmed.back() == '\r' || trimmed.back() == '\t')) {
      trimmed.remove_suffix(1);
    }
    if (trimmed.starts_with(kBuiltinPrefix)) {
      return compile_builtin(trimmed.substr(kBuiltinPrefix.size()), params);
    }
    return compile_script(script, params);
  } catch (const std::exception& e) {
    CompiledStrategy out;
    out.problems.push_back({"script", 0, 0, 0, std::string("cannot compile: ") + e.what(), ""});
    return out;
  }
}

std::string describe_problems(const std::vector<StrategyProblem>& problems) {
  std::string out;
  for (const StrategyProblem& p : problems) {
    if (!out.empty()) out += "; ";
    if (p.line > 0) out += std::to_string(p.line) + ":" + std::to_string(p.column) + ": ";
    out += p.message;
  }
  return out;
}

bool scripts_supported() { return true; }

}  // namespace quantd::app
