// `quantd sweep`: a parameter sweep or walk-forward analysis over bars from CSV files or the
// database, on N threads, printing the ranked runs and the summary (or JSON, or CSV). The same
// plan, runs and statistics as POST /api/sweeps (docs/api.md); nothing is stored.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "backtest_flags_internal.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/backtest/report.h"
#include "sweep_execution_internal.h"

namespace quantd::app {
namespace {

using nlohmann::json;

constexpr const char* kUsage =
    R"(usage: quantd sweep --strategy builtin:NAME|FILE.qs --grid NAME=VALUES [--grid ...]
                    (--data FILE.csv ... | --db PATH --symbol SYM ... --interval I)
                    [--random N [--seed S]] [--walk-forward IN_DAYS:OUT_DAYS [--anchored]]
                    [--metric NAME] [--max-runs N] [--threads N] [--top N] [--json | --csv]
                    [every other flag of quantd backtest: --param, --from, --to, --cash, costs]

  --grid NAME=VALUES   a parameter to vary: a list (fast=5,10,20) or a range from:to:step
                       (slow=20:60:10); repeat for each parameter
  --random N           N parameter sets drawn from the grid instead of all of it (--seed S)
  --walk-forward I:O   windows of I in-sample days, then O out-of-sample days, rolling
                       (--anchored: every in-sample window starts on the first day)
  --metric NAME        what ranks runs (default sharpe; see docs/api.md)
  --max-runs N         refuse a sweep of more runs (default 500, at most 10000)
  --threads N          runs in parallel (default: the machine's cores)
  --top N              runs listed in the text output (default 10)
  --json               one JSON object: stats, summary, every run
  --csv                one row per run: run, phase, window, the parameters, the metrics
)";

int usage_error(const std::string& message) {
  std::cerr << "quantd sweep: " << message << "\n\n" << kUsage;
  return 2;
}

std::string text_of(const json& v) {
  if (v.is_number_float()) return backtest::format_double(v.get<double>());
  return v.dump();
}

// Four significant digits, for the ranked list a person reads.
std::string short_text(const json& v) {
  if (!v.is_number()) return "n/a";
  char out[32];
  std::snprintf(out, sizeof out, "%.4g", v.get<double>());
  return out;
}

}  // namespace

int run_sweep_command(Args args) {
  use_backtest_flags_for("sweep", kUsage);
  BacktestFlags flags;
  json request{{"grid", json::object()}};
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int top = 10;
  bool csv = false;
  std::optional<std::pair<int, int>> walk;
  bool anchored = false;
  auto extra = [&](const std::string& flag,
                   const std::function<bool(std::string&)>& value) -> std::optional<int> {
    std::string v;
    if (flag == "--anchored") {
      anchored = true;
      return std::nullopt;
    }
    if (flag == "--csv") {
      csv = true;
      return std::nullopt;
    }
    if (flag != "--grid" && flag != "--random" && flag != "--seed" && flag != "--walk-forward" &&
        flag != "--metric" && flag != "--max-runs" && flag != "--threads" && flag != "--top") {
      return usage_error("unknown flag '" + flag + "'");
    }
    if (!value(v)) return usage_error(flag + ": missing value");
    auto whole = [&](int min, int max) -> std::optional<int> {
      try {
        std::size_t used = 0;
        const long n = std::stol(v, &used);
        if (used == v.size() && n >= min && n <= max) return static_cast<int>(n);
      } catch (const std::exception&) {
      }
      return std::nullopt;
    };
    if (flag == "--grid") {
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        return usage_error("--grid: expected NAME=a,b,c or NAME=from:to:step, got '" + v + "'");
      }
      const std::string name = v.substr(0, eq);
      const std::string values = v.substr(eq + 1);
      std::vector<double> numbers;
      std::stringstream in(values);
      std::string part;
      const char sep = values.find(':') != std::string::npos ? ':' : ',';
      while (std::getline(in, part, sep)) {
        try {
          std::size_t used = 0;
          numbers.push_back(std::stod(part, &used));
          if (used != part.size()) throw std::invalid_argument(part);
        } catch (const std::exception&) {
          return usage_error("--grid: '" + part + "' in '" + v + "' is not a number");
        }
      }
      if (sep == ':') {
        if (numbers.size() != 3)
          return usage_error("--grid: a range is from:to:step, got '" + v + "'");
        request["grid"][name] = {{"from", numbers[0]}, {"to", numbers[1]}, {"step", numbers[2]}};
      } else {
        request["grid"][name] = numbers;
      }
    } else if (flag == "--random") {
      auto n = whole(1, static_cast<int>(kSweepRunLimit));
      if (!n) return usage_error("--random: expected a number of runs, got '" + v + "'");
      request["random"]["runs"] = *n;
    } else if (flag == "--seed") {
      auto n = whole(0, 2'000'000'000);
      if (!n) return usage_error("--seed: expected a whole number, got '" + v + "'");
      request["random"]["seed"] = *n;
    } else if (flag == "--walk-forward") {
      const auto colon = v.find(':');
      std::string in_days = v.substr(0, colon), out_days;
      if (colon != std::string::npos) out_days = v.substr(colon + 1);
      v = in_days;
      auto in = whole(1, 36'500);
      v = out_days;
      auto out = whole(1, 36'500);
      if (!in || !out) return usage_error("--walk-forward: expected IN_DAYS:OUT_DAYS, e.g. 365:90");
      walk = std::make_pair(*in, *out);
    } else if (flag == "--metric") {
      request["metric"] = v;
    } else if (flag == "--max-runs") {
      auto n = whole(1, static_cast<int>(kSweepRunLimit));
      if (!n) return usage_error("--max-runs: expected 1 to 10000, got '" + v + "'");
      request["max_runs"] = *n;
    } else if (flag == "--threads") {
      auto n = whole(1, 256);
      if (!n) return usage_error("--threads: expected 1 to 256, got '" + v + "'");
      threads = *n;
    } else if (flag == "--top") {
      auto n = whole(0, 1'000'000);
      if (!n) return usage_error("--top: expected a whole number, got '" + v + "'");
      top = *n;
    }
    return std::nullopt;
  };
  if (auto rc = parse_backtest_flags(args, flags, extra)) return *rc;
  if (request.contains("random") && !request["random"].contains("runs")) {
    return usage_error("--seed: give --random N too");
  }
  if (walk) {
    request["walk_forward"] = {{"in_sample_days", walk->first},
                               {"out_of_sample_days", walk->second},
                               {"anchored", anchored}};
  }

  std::string script = "builtin:" + flags.strategy;
  if (flags.script) {
    std::ifstream in(flags.strategy, std::ios::binary);
    if (!in.is_open()) return usage_error("--strategy: cannot read " + flags.strategy);
    std::ostringstream source;
    source << in.rdbuf();
    script = source.str();
  }
  CompiledStrategy compiled = compile_strategy(script, flags.params);
  if (!compiled.ok()) {
    std::cerr << "quantd sweep: --strategy: " << describe_problems(compiled.problems) << "\n";
    return 2;
  }
  strategy::Params fixed;
  std::vector<std::string> declared;
  for (const auto& p : compiled.params) {
    fixed[p.name] = p.default_value;
    declared.push_back(p.name);
  }
  for (const auto& [k, v] : flags.params) fixed[k] = v;

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<LoadedSeries> series;
  domain::Interval interval = domain::Interval::k1d;
  if (auto rc = load_series(flags, series, interval)) return *rc;
  const double load_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  TimestampMs first = series[0].bars.front().ts, last = series[0].bars.back().ts;
  for (const auto& s : series) {
    first = std::min(first, s.bars.front().ts);
    last = std::max(last, s.bars.back().ts);
  }
  std::vector<SpecError> errors;
  auto spec = build_sweep_spec(request, declared, fixed, std::make_pair(first, last), errors);
  if (!spec) {
    std::string message;
    for (const auto& [field, text] : errors)
      message += (message.empty() ? "" : "; ") + field + ": " + text;
    return usage_error(message);
  }
  auto plan = plan_from_spec(*spec);
  if (!plan.ok()) return usage_error(plan.status().message());

  Settings settings;
  std::vector<std::vector<domain::Bar>> bars;
  for (auto& s : series) {
    settings.symbols.emplace_back(s.symbol);
    bars.push_back(std::move(s.bars));
  }
  settings.interval = interval;
  settings.config = flags.config;
  settings.config.interval = interval;
  settings.market = flags.market;
  SweepExecution execution(std::move(plan).value(), script, settings, std::move(bars));
  execution.start();

  std::mutex mu;
  std::vector<TaskOutcome> outcomes;
  const auto run_start = std::chrono::steady_clock::now();
  std::atomic<bool> never{false};
  auto keep = [&](const TaskOutcome& o) {
    std::lock_guard lock(mu);
    outcomes.push_back(o);
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back([&] { execution.work(never, keep); });
  for (auto& t : pool) t.join();
  auto summary = execution.finish(never, keep);
  const double run_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  if (!summary.ok()) {
    std::cerr << "quantd sweep: " << summary.status().message() << "\n";
    return 1;
  }
  std::sort(outcomes.begin(), outcomes.end(),
            [](const TaskOutcome& a, const TaskOutcome& b) { return a.task.index < b.task.index; });

  const auto simulated = execution.bars_simulated();
  json stats{{"runs", outcomes.size()},
             {"threads", threads},
             {"load_seconds", load_seconds},
             {"run_seconds", run_seconds},
             {"bars_simulated", simulated},
             {"bars_per_second", static_cast<double>(simulated) / run_seconds}};
  if (flags.json) {
    json runs = json::array();
    for (const auto& o : outcomes) {
      json params = json::object();
      for (const auto& [k, v] : o.params) params[k] = v;
      runs.push_back({{"run", o.task.index + 1},
                      {"phase", to_string(o.task.phase)},
                      {"window", o.task.window >= 0 ? json(o.task.window) : json(nullptr)},
                      {"params", params},
                      {"status", o.ok ? "done" : "failed"},
                      {"error", o.ok ? json(nullptr) : json(o.error)},
                      {"metrics", o.ok ? o.metrics : json(nullptr)}});
    }
    std::cout << json{{"stats", stats}, {"summary", *summary}, {"runs", runs}}.dump() << "\n";
    return 0;
  }
  const std::vector<research::ParamAxis>& axes = execution.plan().axes;
  if (csv) {
    std::cout << "run,phase,window";
    for (const auto& a : axes) std::cout << "," << a.name;
    std::vector<std::string> metric_names;
    for (const auto& f : backtest::metric_fields(analytics::Metrics{})) {
      metric_names.push_back(f.name);
      std::cout << "," << f.name;
    }
    std::cout << ",error\n";
    for (const auto& o : outcomes) {
      std::cout << o.task.index + 1 << "," << to_string(o.task.phase) << ","
                << (o.task.window >= 0 ? std::to_string(o.task.window + 1) : "");
      for (const auto& a : axes)
        std::cout << "," << backtest::format_double(o.params.at(a.name), false);
      for (const auto& m : metric_names) {
        std::cout << ","
                  << (o.ok && o.metrics.contains(m) && !o.metrics[m].is_null()
                          ? text_of(o.metrics[m])
                          : "");
      }
      std::cout << "," << (o.ok ? "" : "\"" + o.error + "\"") << "\n";
    }
    return 0;
  }
  const research::Objective& objective = execution.plan().objective;
  std::vector<const TaskOutcome*> ranked;
  for (const auto& o : outcomes) {
    if (o.ok && o.task.phase == SweepPhase::kFull) ranked.push_back(&o);
  }
  auto value = [&](const TaskOutcome* o) -> std::optional<double> {
    if (!o->metrics.contains(objective.metric) || !o->metrics[objective.metric].is_number()) {
      return std::nullopt;
    }
    return o->metrics[objective.metric].get<double>();
  };
  std::stable_sort(ranked.begin(), ranked.end(), [&](const TaskOutcome* a, const TaskOutcome* b) {
    return research::better(objective, value(a), value(b));
  });
  std::cout << "sweep of " << execution.plan().combos.size() << " parameter set(s), "
            << outcomes.size() << " run(s) on " << threads << " thread(s): " << std::fixed
            << std::setprecision(3) << run_seconds << " s, " << std::setprecision(1)
            << static_cast<double>(simulated) / run_seconds / 1e6
            << " M bars/s (bars loaded once in " << std::setprecision(3) << load_seconds
            << " s)\n\nbest by " << objective.metric << ":\n";
  for (int i = 0; i < top && i < static_cast<int>(ranked.size()); ++i) {
    const TaskOutcome& o = *ranked[static_cast<std::size_t>(i)];
    std::cout << "  #" << std::setw(3) << o.task.index + 1 << " ";
    for (const auto& a : axes)
      std::cout << " " << a.name << "=" << backtest::format_double(o.params.at(a.name), false);
    std::cout << "  " << objective.metric << " " << short_text(o.metrics[objective.metric])
              << "  return " << short_text(o.metrics["total_return"]) << "  trades "
              << o.metrics["trades"].dump() << "\n";
  }
  const json& pbo = (*summary)["overfitting"];
  std::cout << "\nprobability of backtest overfitting (CSCV, 16 blocks): "
            << (pbo.is_object() ? short_text(pbo["pbo"]) : "n/a") << "\n";
  const json& wf = (*summary)["walk_forward"];
  if (wf.is_object()) {
    std::cout << "walk-forward: " << wf["windows"].size() << " window(s), out-of-sample return "
              << (wf.contains("out_of_sample") ? short_text(wf["out_of_sample"]["total_return"])
                                               : "n/a")
              << ", efficiency " << short_text(wf["efficiency"]) << "\n";
  }
  return 0;
}

}  // namespace quantd::app
