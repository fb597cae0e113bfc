// SweepRepository: parameter sweeps (`sweeps`) and their runs' metrics (`sweep_runs`),
// migrations/0012_sweeps.sql.
//
// Design: like BacktestRepository, the row is the job and each status change is one conditional
// UPDATE, so a cancel or delete racing the workers always wins cleanly. A run is stored with
// add_run() only while its sweep is `running`: a run finishing after a cancel stores nothing.
//
// Threading: a thin adapter over the calling thread's SQLite connection; share it freely. Every
// method catches SQLite's exceptions and returns a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/ids.h"
#include "quantd/storage/backtest_repository.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

struct SweepRecord {
  domain::SweepId id;  // assigned by create()
  std::string kind;    // "grid", "random" or "walk_forward"
  std::optional<domain::StrategyId> strategy_id;
  std::int64_t strategy_version = 0;
  std::string strategy_name;
  std::string script;
  std::string settings_json = "{}";
  std::string spec_json = "{}";
  std::int64_t runs_total = 0;
  BacktestStatus status = BacktestStatus::kQueued;
  double progress = 0;
  std::string error;
  std::string bars_fingerprint;
  std::string summary_json;  // empty until done
  TimestampMs created_at = 0;
  std::optional<TimestampMs> started_at;
  std::optional<TimestampMs> finished_at;
  std::int64_t runs_done = 0;  // rows in sweep_runs (read by get and list)
};

struct SweepRunRow {
  std::int64_t task = 0;
  std::string phase;  // "full", "in_sample" or "out_of_sample"
  std::optional<int> window;
  std::int64_t combo = 0;
  std::string params_json;
  bool ok = true;
  std::string error;
  std::string metrics_json;
  std::string blocks_json;
  std::int64_t bars = 0;
  double seconds = 0;
  std::optional<domain::BacktestId> backtest_id;
};

class SweepRepository {
 public:
  explicit SweepRepository(Database& db) : db_(db) {}

  // Inserts `sweep` as queued. Errors: internal.
  Result<domain::SweepId> create(const SweepRecord& sweep, TimestampMs now);
  // Errors: not_found "no sweep with id N", internal.
  Result<SweepRecord> get(domain::SweepId id);
  // Newest first, at most `limit`. Errors: internal.
  Result<std::vector<SweepRecord>> list(int limit = 200);
  // Ids still queued or running, ascending. Errors: internal.
  Result<std::vector<domain::SweepId>> unfinished();

  // queued|running → running (started_at kept from a first start). False when finished or gone.
  Result<bool> claim(domain::SweepId id, TimestampMs now);
  // Of a running sweep; others are left alone.
  Status set_progress(domain::SweepId id, double progress);
  Status set_fingerprint(domain::SweepId id, const std::string& fingerprint);
  // Stores a run of a running sweep (replacing a row of the same task). False when the sweep is
  // not running (canceled, deleted): nothing stored. Errors: internal.
  Result<bool> add_run(domain::SweepId id, const SweepRunRow& run);
  // Every stored run, by task. Errors: internal.
  Result<std::vector<SweepRunRow>> runs(domain::SweepId id);
  // One run. Errors: not_found, internal.
  Result<SweepRunRow> run(domain::SweepId id, std::int64_t task);
  // Records the backtest that rebuilt a run. Errors: not_found, internal.
  Status set_run_backtest(domain::SweepId id, std::int64_t task, domain::BacktestId backtest);

  // running → done with progress 1 and `summary_json`. False when not running.
  Result<bool> finish(domain::SweepId id, const std::string& summary_json, TimestampMs now);
  // queued|running → failed. False when finished or gone.
  Result<bool> fail(domain::SweepId id, const std::string& error, TimestampMs now);
  // queued|running → canceled. False when finished or gone.
  Result<bool> cancel(domain::SweepId id, TimestampMs now);
  // running → queued (a worker stopped mid-sweep; runs stored so far are kept).
  Status requeue(domain::SweepId id);
  // Deletes the sweep and its runs. Errors: not_found, internal.
  Status remove(domain::SweepId id);

 private:
  Database& db_;
};

}  // namespace quantd::storage
