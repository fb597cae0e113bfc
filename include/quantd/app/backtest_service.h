// BacktestService: backtests as durable jobs, from the API's submit to the worker's stored result.
//
// Design note. The `backtests` row is the job record and the bus message only carries its id
// (ARCHITECTURE.md §4). submit() inserts the row (`queued`) and pushes RunBacktest without
// waiting: when the bounded channel is full it deletes the row again and reports
// resource_exhausted, which the API turns into 429 + Retry-After, so a request never hangs and
// never leaves a half-written job. run() is the backtest pool's handler: it claims the row
// (queued|running → running), loads the snapshot the row holds (script, params, settings — never
// the strategy's current code), loads bars, runs the engine, and stores metrics, equity, trades
// and orders in one transaction. Any failure, a thrown exception included, ends the job `failed`
// with the reason; the worker then takes the next job. A daemon stopping mid-run puts the row back
// to `queued`; a kill -9 leaves it `running`; either way the next start re-queues and finishes it.
//
// Progress and status changes are published on events() as SSE `backtest` events:
//   {"id": 7, "status": "running", "progress": 0.42}
// so the UI never polls. Data and strategy changes are published as `bars` and `strategies`.
//
// Threading: every member is thread-safe. run() executes on pool threads (one job per thread);
// submit/cancel/remove on HTTP threads. The only shared mutable state is the map of running jobs'
// cancel flags, guarded by mu_.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "quantd/bus/channel.h"
#include "quantd/bus/messages.h"
#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/domain/ids.h"
#include "quantd/http/sse_hub.h"
#include "quantd/storage/backtest_repository.h"
#include "quantd/storage/database.h"

namespace quantd::app {

class BacktestService {
 public:
  // `channel` and `clock` are not owned and must outlive the service. `keep_results`: finished
  // runs kept after each run (backtest.keep_results; 0 keeps all; pinned ones always stay).
  BacktestService(bus::Channel<bus::RunBacktest>& channel, const Clock& clock,
                  int keep_results = 0);
  BacktestService(const BacktestService&) = delete;
  BacktestService& operator=(const BacktestService&) = delete;

  // The SSE hub of GET /api/events. Lives as long as the service.
  http::SseHub& events() { return events_; }

  // Publishes one SSE event whose data is `data` serialized. Thread-safe; never blocks.
  void publish(const std::string& event, const nlohmann::json& data);

  // Stores `job` as queued and hands its id to the backtest pool. Returns the id.
  // Errors: resource_exhausted when the queue is full (nothing stored), unavailable when the
  // daemon is stopping (nothing stored), internal (SQLite).
  Result<domain::BacktestId> submit(storage::Database& db, const storage::BacktestRecord& job);

  // Cancels a queued or running job: the row becomes `canceled` at once and a running engine
  // stops at its next check. Returns the record after the change.
  // Errors: not_found, failed_precondition "backtest N is already done" for finished jobs,
  // internal.
  Result<storage::BacktestRecord> cancel(storage::Database& db, domain::BacktestId id);

  // Deletes a job and its results, canceling it first if it is running. Errors: not_found,
  // internal.
  Status remove(storage::Database& db, domain::BacktestId id);

  // The backtest pool's handler for one message (see the design note). Never throws.
  // `stopping` turns true when the pool is asked to stop; a run interrupted by it is re-queued.
  void run(storage::Database& db, const bus::RunBacktest& job, const std::atomic<bool>& stopping);

  // The JSON view of a record the API serves (also used for SSE payloads with `full` false).
  static nlohmann::json to_json(const storage::BacktestRecord& record, bool full);

 private:
  struct Running {
    std::atomic<bool> cancel{false};
  };

  // Runs the snapshot of `record`; returns the output, or the reason it failed. May throw.
  Result<storage::BacktestOutput> execute(storage::Database& db,
                                          const storage::BacktestRecord& record, Running& running,
                                          const std::atomic<bool>& stopping, bool& interrupted);
  void publish_state(domain::BacktestId id, std::string_view status, double progress,
                     const std::string& error = {});
  // Retention after a run finished: deletes the finished runs beyond keep_results_.
  void prune(storage::BacktestRepository& repo);

  bus::Channel<bus::RunBacktest>& channel_;
  const Clock& clock_;
  const int keep_results_;
  http::SseHub events_;
  std::mutex mu_;
  std::map<std::int64_t, std::shared_ptr<Running>> running_;  // guarded by mu_
};

}  // namespace quantd::app
