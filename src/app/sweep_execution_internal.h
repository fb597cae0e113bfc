// SweepExecution: the runs of one sweep over bars loaded once, on as many threads as call work().
//
// Design note. The bars are loaded once and every run reads them through spans (a window is a
// sub-span, never a copy). Threads take the next task from an atomic counter, so two workers stay
// busy until the last run without any partitioning up front; each run's outcome goes to the
// caller's callback on the thread that ran it (the service stores it there, the CLI prints it).
// Only the full-period and in-sample runs are parallel; finish() then runs each window's
// out-of-sample test with the in-sample winner, and computes the summary: the best run, the
// probability of backtest overfitting over the full-period runs, and the walk-forward result.
//
// Threading: work() may be called from several threads at once; record(), start(), finish()
// and the constructor from one, before (record, start) or after (finish) them. progress() from any
// thread.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "backtest_settings_internal.h"
#include "quantd/research/overfitting.h"
#include "sweep_spec_internal.h"

namespace quantd::app {

struct TaskOutcome {
  SweepTask task;
  strategy::Params params;
  bool ok = false;
  std::string error;
  nlohmann::json metrics;  // metrics_json() of the run when ok
  std::vector<research::BlockStats> blocks;
  std::int64_t bars = 0;
  double seconds = 0;
};

// The JSON forms stored in sweep_runs.params / .blocks, and back.
nlohmann::json blocks_json(const std::vector<research::BlockStats>& blocks);
std::vector<research::BlockStats> blocks_from_json(const nlohmann::json& j);

class SweepExecution {
 public:
  SweepExecution(SweepPlan plan, std::string script, Settings settings,
                 std::vector<std::vector<domain::Bar>> bars);

  const SweepPlan& plan() const { return plan_; }
  const std::vector<std::vector<domain::Bar>>& bars() const { return bars_; }

  // An outcome already stored (a resumed sweep): counted, and not run again.
  void record(const TaskOutcome& done);
  // Fixes the tasks to run: the parallel ones not recorded. Call once, before any work().
  void start();

  // Runs tasks not yet done until none is left or `cancel` turns true; each outcome is handed to
  // `on_done` and kept for the summary. Returns when this thread finds no task left.
  void work(const std::atomic<bool>& cancel,
            const std::function<void(const TaskOutcome&)>& on_done);

  // Once every work() has returned: the out-of-sample runs (each to `on_done`) and the summary.
  // Errors: failed_precondition when canceled.
  Result<nlohmann::json> finish(const std::atomic<bool>& cancel,
                                const std::function<void(const TaskOutcome&)>& on_done);

  // Fraction of the bars of every run simulated so far (0..1).
  double progress() const;
  // Bars simulated by the runs of this process (for throughput figures).
  std::int64_t bars_simulated() const { return bars_simulated_.load(); }

  // The digest of the bars each kind of run sees: {"full": d, "windows": [[in, out], ...]}.
  nlohmann::json fingerprints() const;

 private:
  // The bars of [from, to) for every symbol (all of them when both are unset).
  std::vector<backtest::SymbolBars> spans(std::optional<TimestampMs> from,
                                          std::optional<TimestampMs> to) const;
  TaskOutcome run(const SweepTask& task, std::int64_t combo, const std::atomic<bool>& cancel,
                  backtest::BacktestResult* keep);
  std::int64_t task_bars(const SweepTask& task) const;

  SweepPlan plan_;
  std::string script_;
  Settings settings_;
  std::vector<std::vector<domain::Bar>> bars_;

  std::vector<std::int64_t> pending_;  // parallel tasks still to run, in order
  std::atomic<std::size_t> next_{0};
  std::atomic<std::int64_t> bars_done_{0};
  std::atomic<std::int64_t> bars_simulated_{0};
  std::int64_t bars_total_ = 1;
  bool bars_in_order_ = true;  // every series strictly increasing in time

  std::mutex mu_;
  std::vector<std::optional<TaskOutcome>> outcomes_;  // by task, guarded by mu_
};

}  // namespace quantd::app
