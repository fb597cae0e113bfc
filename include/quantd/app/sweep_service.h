// SweepService: parameter sweeps and walk-forward analyses as durable jobs on the backtest pool.
//
// Design note. A `sweeps` row is the job (storage/sweep_repository.h) and the bus message is
// RunBacktest{sweep_id}. The worker that takes it becomes the sweep's coordinator: it claims the
// row, loads the bars once, restores the runs already stored (a sweep interrupted by a restart
// resumes), and pushes one helper message per other pool worker. A worker taking a helper message
// joins the running sweep and takes runs from the same counter, so every worker is busy until the
// last run, sharing one read-only copy of the bars; a helper that arrives after the sweep ended
// does nothing. Each run's metrics are stored as it finishes (never its curves: opening a run
// rebuilds it as an ordinary backtest) and published as an SSE `sweep` event, so a heatmap fills in
// live. Cancel and daemon stop work like a backtest's: cancel ends it `canceled`, stop re-queues it
// with its runs kept.
//
// Threading: every member is thread-safe; run() executes on pool threads.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "quantd/app/backtest_service.h"
#include "quantd/bus/channel.h"
#include "quantd/bus/messages.h"
#include "quantd/core/clock.h"
#include "quantd/storage/database.h"
#include "quantd/storage/sweep_repository.h"

namespace quantd::app {

class SweepService {
 public:
  // `channel`: the backtest pool's; `backtests` publishes the events; `workers`: the pool's size
  // (how many may share a sweep). All must outlive the service.
  SweepService(bus::Channel<bus::RunBacktest>& channel, BacktestService& backtests,
               const Clock& clock, int workers);
  SweepService(const SweepService&) = delete;
  SweepService& operator=(const SweepService&) = delete;
  ~SweepService();

  // Stores `sweep` as queued and hands it to the pool. Errors as BacktestService::submit.
  Result<domain::SweepId> submit(storage::Database& db, const storage::SweepRecord& sweep);
  // queued|running → canceled; running runs stop at their next check. Errors: not_found,
  // failed_precondition "sweep N is already done", internal.
  Result<storage::SweepRecord> cancel(storage::Database& db, domain::SweepId id);
  // Cancels (if running) and deletes, runs included. Errors: not_found, internal.
  Status remove(storage::Database& db, domain::SweepId id);

  // The pool's handler for a message with sweep_id set. Never throws.
  void run(storage::Database& db, const bus::RunBacktest& message,
           const std::atomic<bool>& stopping);

  // Ids of sweeps still queued or running, for re-queueing at start. Errors: internal.
  static Result<std::vector<domain::SweepId>> unfinished(storage::Database& db);

  // The JSON the API serves for a sweep (runs not included).
  static nlohmann::json to_json(const storage::SweepRecord& record);
  // The JSON of one stored run.
  static nlohmann::json run_json(const storage::SweepRunRow& run);

 private:
  struct Active;
  void coordinate(storage::Database& db, domain::SweepId id, const std::shared_ptr<Active>& active,
                  const std::atomic<bool>& stopping);
  void help(storage::Database& db, const std::shared_ptr<Active>& active,
            const std::atomic<bool>& stopping);
  void publish(domain::SweepId id, std::string_view status, double progress, std::int64_t runs_done,
               const std::string& error = {}, const nlohmann::json* run = nullptr);

  bus::Channel<bus::RunBacktest>& channel_;
  BacktestService& backtests_;
  const Clock& clock_;
  const int workers_;
  std::mutex mu_;
  std::map<std::int64_t, std::shared_ptr<Active>> active_;  // running sweeps, guarded by mu_
};

}  // namespace quantd::app
