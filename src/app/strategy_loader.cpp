#include "quantd/app/strategy_loader.h"

#include <charconv>
#include <exception>
#include <tuple>

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

// "5:19: sma: n must be ..." → 5, 19 and the rest; 0, 0 and the whole text without a position.
std::tuple<int, int, std::string> split_position(const std::string& message) {
  int line = 0, column = 0;
  const char* p = message.data();
  const char* end = p + message.size();
  auto [q, ec] = std::from_chars(p, end, line);
  if (ec != std::errc() || q == end || *q != ':') return {0, 0, message};
  auto [r, ec2] = std::from_chars(q + 1, end, column);
  if (ec2 != std::errc() || r == end || *r != ':') return {0, 0, message};
  std::string rest(r + 1, end);
  if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
  return {line, column, rest};
}

CompiledStrategy compile_script(std::string_view source, const strategy::Params& params) {
  CompiledStrategy out;
  out.kind = "script";
  const lang::Script script = lang::Script::analyze(source);
  for (const lang::ParamInfo& p : script.params()) {
    out.params.push_back({p.name, p.default_value, ""});
  }
  if (!script.ok()) {
    for (const lang::Diagnostic& d : script.diagnostics()) {
      out.problems.push_back({"script", d.line, d.column, d.length, d.message,
                              lang::caret_snippet(source, d)});
    }
    return out;
  }
  auto program = lang::compile(script, params);
  if (!program.ok()) {
    // An override that names no param, or makes a length or size invalid: a params problem,
    // placed in the script when the compiler says where.
    auto [line, column, text] = split_position(program.status().message());
    const bool about_params = text.find("param") != std::string::npos;
    lang::Diagnostic where{line, column, 1, text};
    out.problems.push_back({about_params ? "params" : "script", line, column, line > 0 ? 1 : 0,
                            text, line > 0 ? lang::caret_snippet(source, where) : ""});
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
