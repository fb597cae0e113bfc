#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "quantd/app/strategy_loader.h"
#include "quantd/storage/equity_json.h"
#include "sweep_execution_internal.h"

namespace quantd::app {
namespace {

using nlohmann::json;

// Each thread lends its last run's buffers to its next run (engine.h, RunControl); work()
// releases them when the thread has no run left, so an idle daemon does not keep them.
thread_local backtest::BacktestResult scratch;

// Points of the walk-forward curves kept in the summary (a chart's width).
constexpr std::size_t kCurvePoints = 2000;

std::optional<double> metric_of(const json& metrics, const research::Objective& o) {
  if (!metrics.is_object() || !metrics.contains(o.metric) || !metrics[o.metric].is_number()) {
    return std::nullopt;
  }
  return metrics[o.metric].get<double>();
}

json params_object(const strategy::Params& p) {
  json out = json::object();
  for (const auto& [k, v] : p) out[k] = v;
  return out;
}

json nullable(std::optional<double> v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); }

double days_between(TimestampMs from, TimestampMs to) {
  return static_cast<double>(to - from) / static_cast<double>(kMsPerDay);
}

}  // namespace

json blocks_json(const std::vector<research::BlockStats>& blocks) {
  json out = json::array();
  for (const auto& b : blocks) out.push_back({b.n, b.sum, b.sum_sq});
  return out;
}

std::vector<research::BlockStats> blocks_from_json(const json& j) {
  std::vector<research::BlockStats> out;
  if (!j.is_array()) return out;
  for (const json& b : j) {
    if (!b.is_array() || b.size() != 3) return {};
    out.push_back({b[0].get<double>(), b[1].get<double>(), b[2].get<double>()});
  }
  return out;
}

SweepExecution::SweepExecution(SweepPlan plan, std::string script, Settings settings,
                               std::vector<std::vector<domain::Bar>> bars)
    : plan_(std::move(plan)),
      script_(std::move(script)),
      settings_(std::move(settings)),
      bars_(std::move(bars)),
      outcomes_(plan_.tasks()) {
  // Every run reads spans of these bars: their time order is checked once here, not by each run.
  for (const auto& series : bars_) {
    for (std::size_t i = 1; i < series.size(); ++i) {
      if (series[i].ts <= series[i - 1].ts) bars_in_order_ = false;
    }
  }
  std::int64_t total = 0;
  for (std::size_t t = 0; t < plan_.tasks(); ++t)
    total += task_bars(plan_.task(static_cast<std::int64_t>(t)));
  bars_total_ = std::max<std::int64_t>(total, 1);
}

std::vector<backtest::SymbolBars> SweepExecution::spans(std::optional<TimestampMs> from,
                                                        std::optional<TimestampMs> to) const {
  std::vector<backtest::SymbolBars> out;
  for (std::size_t s = 0; s < bars_.size(); ++s) {
    const auto& b = bars_[s];
    auto lo = b.begin();
    auto hi = b.end();
    const auto before = [](const domain::Bar& bar, TimestampMs ts) { return bar.ts < ts; };
    if (from) lo = std::lower_bound(b.begin(), b.end(), *from, before);
    if (to) hi = std::lower_bound(lo, b.end(), *to, before);
    out.push_back({settings_.symbols[s], settings_.market,
                   std::span<const domain::Bar>(&*b.begin() + (lo - b.begin()),
                                                static_cast<std::size_t>(hi - lo))});
  }
  return out;
}

std::int64_t SweepExecution::task_bars(const SweepTask& t) const {
  std::optional<TimestampMs> from, to;
  if (t.phase != SweepPhase::kFull) {
    const research::Window& w = plan_.windows[static_cast<std::size_t>(t.window)];
    from = w.in_from;
    to = t.phase == SweepPhase::kInSample ? w.in_to : w.out_to;
  }
  std::int64_t n = 0;
  for (const auto& s : spans(from, to)) n += static_cast<std::int64_t>(s.bars.size());
  return n;
}

void SweepExecution::record(const TaskOutcome& done) {
  const auto i = static_cast<std::size_t>(done.task.index);
  if (i >= outcomes_.size()) return;
  outcomes_[i] = done;
  bars_done_ += task_bars(done.task);
}

void SweepExecution::start() {
  pending_.clear();
  for (std::size_t t = 0; t < plan_.parallel_tasks(); ++t) {
    if (!outcomes_[t]) pending_.push_back(static_cast<std::int64_t>(t));
  }
  next_ = 0;
}

double SweepExecution::progress() const {
  return std::clamp(static_cast<double>(bars_done_.load()) / static_cast<double>(bars_total_), 0.0,
                    1.0);
}

json SweepExecution::fingerprints() const {
  const auto digest = [&](std::optional<TimestampMs> from, std::optional<TimestampMs> to) {
    std::vector<std::span<const domain::Bar>> s;
    for (const auto& sb : spans(from, to)) s.push_back(sb.bars);
    return bars_fingerprint(s);
  };
  json out{{"full", digest(std::nullopt, std::nullopt)}, {"windows", json::array()}};
  for (const research::Window& w : plan_.windows) {
    out["windows"].push_back({digest(w.in_from, w.in_to), digest(w.in_from, w.out_to)});
  }
  return out;
}

TaskOutcome SweepExecution::run(const SweepTask& task, std::int64_t combo,
                                const std::atomic<bool>& cancel, backtest::BacktestResult* keep) {
  TaskOutcome out;
  out.task = task;
  out.task.combo = combo;
  out.params = plan_.combos[static_cast<std::size_t>(combo)];
  const auto t0 = std::chrono::steady_clock::now();
  backtest::BacktestConfig config = settings_.config;
  std::optional<TimestampMs> from, to;
  if (task.phase != SweepPhase::kFull) {
    const research::Window& w = plan_.windows[static_cast<std::size_t>(task.window)];
    from = w.in_from;
    if (task.phase == SweepPhase::kInSample) {
      to = w.in_to;
    } else {
      // The test window trades from its first day; the in-sample bars before only warm it up.
      to = w.out_to;
      config.trade_from = w.out_from;
    }
  }
  const std::vector<backtest::SymbolBars> inputs = spans(from, to);
  for (const auto& s : inputs) out.bars += static_cast<std::int64_t>(s.bars.size());
  CompiledStrategy compiled = compile_strategy(script_, out.params);
  if (!compiled.ok()) {
    out.error = "strategy: " + describe_problems(compiled.problems);
  } else {
    backtest::RunControl control;
    control.cancel = &cancel;
    control.reuse = &scratch;
    control.drawdown_curve = keep != nullptr;
    control.bars_checked = bars_in_order_;
    auto result = backtest::run_backtest(config, inputs, *compiled.factory, control);
    if (!result.ok()) {
      out.error = result.status().message();
    } else {
      out.ok = true;
      out.metrics = metrics_json(result->metrics);
      out.blocks = research::block_stats(result->equity, static_cast<double>(config.initial_cash));
      bars_simulated_ += result->bars;
      if (keep) {
        *keep = std::move(result).value();
      } else {
        scratch = std::move(result).value();
      }
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bars_done_ += out.bars;
  return out;
}

void SweepExecution::work(const std::atomic<bool>& cancel,
                          const std::function<void(const TaskOutcome&)>& on_done) {
  struct Release {
    ~Release() { scratch = backtest::BacktestResult{}; }
  } release;
  for (;;) {
    if (cancel.load()) return;
    const std::size_t i = next_.fetch_add(1);
    if (i >= pending_.size()) return;
    const SweepTask task = plan_.task(pending_[i]);
    TaskOutcome outcome = run(task, task.combo, cancel, nullptr);
    if (cancel.load()) return;  // a run cut short by a cancel is no result
    {
      std::lock_guard lock(mu_);
      outcomes_[static_cast<std::size_t>(task.index)] = outcome;
    }
    on_done(outcome);
  }
}

Result<json> SweepExecution::finish(const std::atomic<bool>& cancel,
                                    const std::function<void(const TaskOutcome&)>& on_done) {
  const research::Objective& objective = plan_.objective;
  const std::size_t n_combos = plan_.combos.size();
  // The winner among the runs of one window (-1: the full period): the first of the best.
  auto best_of = [&](int window) -> std::optional<std::size_t> {
    std::optional<std::size_t> best;
    std::optional<double> best_value;
    for (std::size_t c = 0; c < n_combos; ++c) {
      const std::size_t t =
          window < 0 ? c : n_combos + static_cast<std::size_t>(window) * n_combos + c;
      const auto& o = outcomes_[t];
      if (!o || !o->ok) continue;
      const auto v = metric_of(o->metrics, objective);
      if (!best || research::better(objective, v, best_value)) {
        best = t;
        best_value = v;
      }
    }
    return best;
  };

  json summary{{"metric", objective.metric}, {"higher_is_better", objective.higher_is_better}};
  std::size_t failed = 0;
  for (std::size_t c = 0; c < n_combos; ++c) failed += outcomes_[c] && !outcomes_[c]->ok ? 1 : 0;
  summary["failed_runs"] = failed;
  const auto best_full = best_of(-1);
  if (!best_full) {
    return Status::failed_precondition(
        "every run failed; the first failure: " +
        (outcomes_[0] ? outcomes_[0]->error : std::string("no run finished")));
  }
  const TaskOutcome& best = *outcomes_[*best_full];
  summary["best"] = {{"task", best.task.index},
                     {"combo", best.task.combo},
                     {"params", params_object(best.params)},
                     {"metrics", best.metrics}};

  std::vector<std::vector<research::BlockStats>> blocks;
  for (std::size_t c = 0; c < n_combos; ++c) {
    if (outcomes_[c] && outcomes_[c]->ok && !outcomes_[c]->blocks.empty()) {
      blocks.push_back(outcomes_[c]->blocks);
    }
  }
  if (auto pbo = research::probability_of_backtest_overfitting(blocks)) {
    // The logits as a histogram of 20 bins over [-5, 5] (the chart of the paper's figure 1).
    std::vector<int> histogram(20, 0);
    for (double l : pbo->logits) {
      const int bin = std::clamp(static_cast<int>(std::floor((l + 5) * 2)), 0, 19);
      ++histogram[static_cast<std::size_t>(bin)];
    }
    summary["overfitting"] = {{"pbo", pbo->pbo},
                              {"splits", pbo->splits},
                              {"runs", blocks.size()},
                              {"blocks", research::kCscvBlocks},
                              {"mean_logit", pbo->mean_logit},
                              {"logit_histogram", histogram}};
  } else {
    summary["overfitting"] = nullptr;
  }

  if (!plan_.walk_forward()) {
    summary["walk_forward"] = nullptr;
    return summary;
  }

  const double cash = static_cast<double>(settings_.config.initial_cash);
  research::StitchedCurve stitched;
  std::vector<double> in_sample_annualized;
  json windows = json::array();
  double out_days = 0;
  for (std::size_t w = 0; w < plan_.windows.size(); ++w) {
    if (cancel.load()) return Status::failed_precondition("canceled");
    const research::Window& win = plan_.windows[w];
    json row{{"in_from", format_utc_iso(win.in_from)},
             {"in_to", format_utc_iso(win.in_to)},
             {"out_from", format_utc_iso(win.out_from)},
             {"out_to", format_utc_iso(win.out_to)}};
    const auto chosen = best_of(static_cast<int>(w));
    const std::size_t oos_index = plan_.parallel_tasks() + w;
    if (!chosen) {
      row["error"] = "every in-sample run of this window failed";
      windows.push_back(row);
      continue;
    }
    const TaskOutcome& is = *outcomes_[*chosen];
    row["combo"] = is.task.combo;
    row["params"] = params_object(is.params);
    row["in_sample_task"] = is.task.index;
    row["in_sample_value"] = nullable(metric_of(is.metrics, objective));
    const auto is_ann = research::annualized(is.metrics.value("total_return", 0.0),
                                             days_between(win.in_from, win.in_to));
    row["in_sample_annualized"] = nullable(is_ann);
    if (is_ann) in_sample_annualized.push_back(*is_ann);
    backtest::BacktestResult curve;
    TaskOutcome oos =
        run(plan_.task(static_cast<std::int64_t>(oos_index)), is.task.combo, cancel, &curve);
    if (cancel.load()) return Status::failed_precondition("canceled");
    outcomes_[oos_index] = oos;
    on_done(oos);
    row["out_of_sample_task"] = oos.task.index;
    if (!oos.ok) {
      row["error"] = oos.error;
    } else {
      row["out_of_sample_metrics"] = oos.metrics;
      row["out_of_sample_value"] = nullable(metric_of(oos.metrics, objective));
      stitched.append(curve.equity_ts, curve.equity, cash, cash);
      out_days += days_between(win.out_from, win.out_to);
    }
    windows.push_back(row);
  }
  json wf{{"windows", windows}};
  if (stitched.equity.empty()) {
    wf["efficiency"] = nullptr;
    summary["walk_forward"] = wf;
    return summary;
  }
  const double oos_return = stitched.equity.back() / cash - 1;
  const auto oos_ann = research::annualized(oos_return, out_days);
  wf["out_of_sample"] = {
      {"total_return", oos_return}, {"annualized", nullable(oos_ann)}, {"days", out_days}};
  wf["efficiency"] =
      oos_ann ? nullable(research::walk_forward_efficiency(*oos_ann, in_sample_annualized))
              : json(nullptr);
  wf["in_sample_annualized_mean"] =
      in_sample_annualized.empty()
          ? json(nullptr)
          : json(std::accumulate(in_sample_annualized.begin(), in_sample_annualized.end(), 0.0) /
                 static_cast<double>(in_sample_annualized.size()));

  // The in-sample curve to hold it against: the set that is best over the whole period (what
  // one optimization over all the data would show), over the same span, from the same cash.
  backtest::BacktestResult full_curve;
  {
    CompiledStrategy compiled = compile_strategy(script_, best.params);
    if (compiled.ok()) {
      backtest::BacktestConfig config = settings_.config;
      auto r = backtest::run_backtest(config, spans(std::nullopt, std::nullopt), *compiled.factory,
                                      backtest::RunControl{nullptr, &cancel});
      if (r.ok()) full_curve = std::move(r).value();
    }
  }
  if (cancel.load()) return Status::failed_precondition("canceled");
  // Aligned on the stitched curve's timestamps: the optimized curve's value at each (its last
  // point at or before), rebased to the cash at the first out-of-sample point's start.
  std::vector<double> optimized(stitched.ts.size(), std::nan(""));
  if (!full_curve.equity.empty()) {
    std::size_t j = 0;
    double base = std::nan("");
    const TimestampMs start = plan_.windows.front().out_from;
    // The optimized curve's value just before the first test window opens is its start.
    for (std::size_t k = 0; k < full_curve.equity_ts.size() && full_curve.equity_ts[k] < start;
         ++k) {
      base = full_curve.equity[k];
    }
    if (std::isnan(base)) base = cash;
    for (std::size_t i = 0; i < stitched.ts.size(); ++i) {
      while (j + 1 < full_curve.equity_ts.size() && full_curve.equity_ts[j + 1] <= stitched.ts[i]) {
        ++j;
      }
      if (full_curve.equity_ts[j] <= stitched.ts[i])
        optimized[i] = full_curve.equity[j] / base * cash;
    }
  }
  json curve = json::array();
  const storage::Thinning thinning(stitched.ts.size(), kCurvePoints);
  for (std::size_t k = 0; k < thinning.size(); ++k) {
    const std::size_t i = thinning.index(k);
    curve.push_back(
        {{"ts", stitched.ts[i]},
         {"out_of_sample", stitched.equity[i]},
         {"in_sample", std::isfinite(optimized[i]) ? json(optimized[i]) : json(nullptr)}});
  }
  wf["curve"] = curve;
  if (!optimized.empty() && std::isfinite(optimized.back())) {
    wf["in_sample_return"] = optimized.back() / cash - 1;
  }
  summary["walk_forward"] = wf;
  return summary;
}

}  // namespace quantd::app
