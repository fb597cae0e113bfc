// BacktestRepository: backtest job records (`backtests`) and their results (`backtest_results`).
//
// Design: the `backtests` row IS the job: the bus only carries its id. Status moves
//   queued → running → done | failed | canceled,   and running → queued when a worker is stopped
// mid-run, so the next start re-runs it. Each transition is one conditional UPDATE (e.g. finish()
// only changes a row that is still `running`), so a cancel or delete racing a worker never lets
// the worker overwrite it: whoever changes the row first wins, the other sees `false`.
//
// Results: metrics on the `backtests` row; in `backtest_results`, the equity curve in the compact
// binary form of equity_codec.h (a million points in a few MB instead of 100 MB of JSON), a
// 2,000-point preview of it, the trades and the orders as JSON text (a run's trades and orders are
// tens of bytes per trade, small beside its curve). Rows written before migration 0010 hold the
// curve as JSON text; equity() converts such a row on its first read (see there).
//
// Threading: a thin adapter over the calling thread's SQLite connection; share it freely. Every
// method catches SQLite's exceptions and returns a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/ids.h"
#include "quantd/storage/database.h"
#include "quantd/storage/equity_codec.h"

namespace quantd::storage {

enum class BacktestStatus : std::uint8_t { kQueued, kRunning, kDone, kFailed, kCanceled };

// "queued", "running", "done", "failed", "canceled".
std::string_view to_string(BacktestStatus status);
// The names above; nullopt otherwise.
std::optional<BacktestStatus> parse_backtest_status(std::string_view text);
// True for done, failed and canceled.
inline bool is_finished(BacktestStatus s) {
  return s == BacktestStatus::kDone || s == BacktestStatus::kFailed ||
         s == BacktestStatus::kCanceled;
}

struct BacktestRecord {
  domain::BacktestId id;                          // assigned by create()
  std::optional<domain::StrategyId> strategy_id;  // nullopt once the strategy is deleted
  std::int64_t strategy_version = 0;
  std::string strategy_name;
  std::string script;                // the exact script (or "builtin:NAME") it runs with
  std::string params_json = "{}";    // the exact parameters, a JSON object
  std::string settings_json = "{}";  // symbols, interval, from/to, cash, costs: a JSON object
  BacktestStatus status = BacktestStatus::kQueued;
  double progress = 0;       // 0..1
  std::string error;         // why it failed; empty otherwise
  std::string metrics_json;  // a JSON object once done; empty before
  TimestampMs created_at = 0;
  std::optional<TimestampMs> started_at;
  std::optional<TimestampMs> finished_at;
  bool pinned = false;  // kept whatever backtest.keep_results says
  std::string notice;   // what a reader of the result must know (e.g. the bars changed since
                        // the sweep whose run this rebuilds); empty mostly
};

// What a finished run stores.
struct BacktestOutput {
  std::string metrics_json;  // a JSON object
  std::string equity;        // the whole curve, encode_equity()'s document
  std::string trades_json;   // a JSON array
  std::string orders_json;   // a JSON array
  std::string
      equity_preview_json;  // the curve thinned to kEquityPreviewPoints, JSON (equity_json.h)
};

// The most points BacktestOutput::equity_preview_json holds (evenly spaced, first and last kept).
inline constexpr std::size_t kEquityPreviewPoints = 2000;

// The parts of a result stored as JSON text, served as stored.
enum class ResultPart : std::uint8_t { kTrades, kOrders };

class BacktestRepository {
 public:
  // `db` must be migrated (0001, 0003 and 0004) and outlive the repository.
  explicit BacktestRepository(Database& db) : db_(db) {}

  // Inserts `job` as `queued` with progress 0, created_at = now. Returns its id.
  // Errors: internal.
  Result<domain::BacktestId> create(const BacktestRecord& job, TimestampMs now);

  // The record. Errors: not_found "no backtest with id N", internal.
  Result<BacktestRecord> get(domain::BacktestId id);

  // Records newest first, optionally only those of one strategy, at most `limit`.
  // Errors: internal.
  Result<std::vector<BacktestRecord>> list(std::optional<domain::StrategyId> strategy,
                                           int limit = 500);

  // Ids of jobs still `queued` or `running`, ascending (re-queued on start). Errors: internal.
  Result<std::vector<domain::BacktestId>> unfinished();

  // queued|running → running with started_at = now and progress 0. Returns false (and changes
  // nothing) when the row is gone or already finished. Errors: internal.
  Result<bool> claim(domain::BacktestId id, TimestampMs now);

  // Sets progress (clamped to 0..1) of a `running` row; a finished or missing row is left alone.
  // Errors: internal.
  Status set_progress(domain::BacktestId id, double progress);

  // running → done with progress 1, the metrics and the results, in one transaction. Returns
  // false (storing nothing) when the row is no longer running (canceled or deleted meanwhile).
  // Errors: internal.
  Result<bool> finish(domain::BacktestId id, const BacktestOutput& output, TimestampMs now);

  // queued|running → failed with `error`. Returns false when the row is gone or finished.
  // Errors: internal.
  Result<bool> fail(domain::BacktestId id, std::string_view error, TimestampMs now);

  // queued|running → canceled. Returns false when the row is gone or finished. Errors: internal.
  Result<bool> cancel(domain::BacktestId id, TimestampMs now);

  // running → queued with progress 0 (a worker stopped mid-run; the next start re-runs it).
  // Errors: internal.
  Status requeue(domain::BacktestId id);

  // Deletes the record and its results. Errors: not_found, internal.
  Status remove(domain::BacktestId id);

  // Sets the record's notice. Errors: not_found, internal.
  Status set_notice(domain::BacktestId id, std::string_view notice);

  // Pins (keeps through retention) or unpins a run. Errors: not_found, internal.
  Status set_pinned(domain::BacktestId id, bool pinned);

  // Retention: deletes the finished, unpinned runs beyond the newest `keep` (by finish time),
  // results included, in one transaction. Returns the ids deleted. Errors: internal.
  Result<std::vector<domain::BacktestId>> prune(int keep);

  // One stored JSON document. Errors: not_found when the backtest has no results (not done, or
  // no such backtest), internal.
  Result<std::string> result(domain::BacktestId id, ResultPart part);

  // The equity curve, ready to be read point by point; it owns its bytes (the compact document,
  // read whole: a few MB) and no SQLite handle, so it may be read on any thread and as slowly as
  // a client downloads, without pinning a read snapshot. A curve stored as JSON text (before
  // migration 0010) is read in 1 MB pieces, encoded, written back in the compact form and
  // returned; if that write fails (the database is busy or full) the curve is still returned
  // and the row converts on a later read. Converting a million points holds about 45 MB for a
  // moment, once per old row.
  // Errors: not_found when the backtest has no results; internal for a damaged curve (naming
  // what is wrong) or a SQLite failure.
  Result<EquityReader> equity(domain::BacktestId id);

  // The stored preview (JSON, at most kEquityPreviewPoints points), or nullopt for a result
  // stored without one. Errors: not_found when the backtest has no results, internal.
  Result<std::optional<std::string>> equity_preview(domain::BacktestId id);

 private:
  Database& db_;
};

}  // namespace quantd::storage
