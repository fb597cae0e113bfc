// `quantd eval --data FILE.csv --expr EXPR`: prints the series of one strategy-language
// expression over the bars of a CSV file, one `ts,value` row per bar. Users debug scripts with it.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "quantd/app/commands.h"
#include "quantd/core/time.h"
#include "quantd/data/bar_csv.h"
#include "quantd/lang/evaluator.h"
#include "quantd/lang/program.h"
#include "quantd/lang/script.h"

namespace quantd::app {

namespace {

constexpr const char* kUsage =
    R"USAGE(usage: quantd eval --data FILE.csv --expr "EXPR" [--param k=v ...]

Evaluates one strategy-language expression (see docs/language.md) over the bars of FILE.csv and
prints it as CSV: a `ts,value` header, then one row per bar with ts as YYYY-MM-DDTHH:MM:SS in
Asia/Seoul (the bar's open time), the value with enough digits to read back exactly, `true` /
`false` for a condition, and an empty value for NA (warm-up, missing data). Names given with
--param can be used in EXPR like a script's params. Position state (position, entry_price,
bars_held, unrealized) is not available.

  quantd eval --data bars.csv --expr "crossover(sma(close, fast), sma(close, 30))" --param fast=10

exit codes: 0 ok, 2 usage error or invalid expression, 1 unreadable data
)USAGE";

int usage_error(const std::string& message) {
  std::cerr << "quantd eval: " << message << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int run_eval_command(Args args) {
  std::string data_path;
  std::string expr;
  bool have_expr = false;
  lang::ParamValues params;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a != "--data" && a != "--expr" && a != "--param")
      return usage_error("unknown argument '" + a + "'");
    if (i + 1 >= args.size()) return usage_error(a + ": missing value");
    const std::string& v = args[++i];
    if (a == "--data") {
      data_path = v;
    } else if (a == "--expr") {
      expr = v;
      have_expr = true;
    } else {
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0)
        return usage_error("--param: expected k=v, got '" + v + "'");
      const std::string num = v.substr(eq + 1);
      double d = 0;
      const auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), d);
      if (num.empty() || ec != std::errc() || p != num.data() + num.size() || !std::isfinite(d)) {
        return usage_error("--param: '" + v + "': value is not a number");
      }
      params[v.substr(0, eq)] = d;
    }
  }
  if (data_path.empty()) return usage_error("--data: required");
  if (!have_expr) return usage_error("--expr: required");

  const lang::Script script = lang::Script::analyze_expression(expr, params);
  if (!script.ok()) {
    std::cerr << lang::format_diagnostics("--expr", expr, script.diagnostics());
    return 2;
  }
  auto program = lang::compile(script);
  if (!program.ok()) {
    std::cerr << "quantd eval: --expr: " << program.status().message() << "\n";
    return 2;
  }
  auto bars = data::read_bars_csv(data_path);
  if (!bars.ok()) {
    std::cerr << "quantd eval: " << bars.status().message() << "\n";
    return 1;
  }
  auto values = lang::evaluate_series(*program, *bars);
  if (!values.ok()) {
    std::cerr << "quantd eval: " << values.status().message() << "\n";
    return 1;
  }
  const bool condition = (*program)->is_condition();
  std::string out = "ts,value\n";
  out.reserve(64 * bars->size() + 16);
  char buf[64];
  for (std::size_t i = 0; i < bars->size(); ++i) {
    out += format_seoul((*bars)[i].ts);
    out += ',';
    const double v = (*values)[i];
    if (std::isnan(v)) {
      // NA: empty
    } else if (condition) {
      out += v != 0 ? "true" : "false";
    } else {
      const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
      out.append(buf, r.ptr);
    }
    out += '\n';
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace quantd::app
