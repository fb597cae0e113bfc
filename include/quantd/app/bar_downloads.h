// BarDownloads: the Data page's "Download from KIS" (POST /api/bar-downloads). One download at a
// time runs on its own thread through the daemon's KisRest (the same token and rate-limit bucket
// as live trading, where orders go first), storing window by window with kis::download_bars, so
// a cancelled, failed or restarted download keeps what it stored and the next one resumes after
// it. Progress and the end are published as SSE `bars.download` events carrying status_json();
// the end also as `bars` (the coverage changed).
//
// The state lives in memory only: the bars themselves are the durable record (resume reads
// them), so a restart forgets nothing that matters but the last download's summary line.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/kis/bar_download.h"
#include "quantd/storage/database.h"

namespace quantd::kis {
class KisRest;
}

namespace quantd::app {

class BarDownloads {
 public:
  using Publish = std::function<void(const std::string& event, const nlohmann::json& data)>;

  // `rest` null: KIS is not configured; start() then answers failed_precondition naming the
  // settings it needs. `environment` is "paper" or "real", shown to the user.
  BarDownloads(std::shared_ptr<kis::KisRest> rest, std::string environment, storage::Database& db,
               const Clock& clock, Publish publish);
  ~BarDownloads();  // cancels a running download and joins its thread
  BarDownloads(const BarDownloads&) = delete;
  BarDownloads& operator=(const BarDownloads&) = delete;

  // {"available", "environment", "reason" (when unavailable), "current": download or null}.
  // A download: {"id", "symbol", "interval", "from", "to", "restart", "state": running | done |
  // failed | cancelled, "fraction", "reached", "bars", "inserted", "calls", "error",
  // "started_at", "finished_at"}.
  nlohmann::json status_json() const;

  // Starts a download; its JSON. failed_precondition when KIS is not configured or one is
  // running; invalid_argument for what download_bars refuses up front (the same checks, so the
  // form gets them as a 422 rather than as a failed download).
  Result<nlohmann::json> start(const kis::DownloadRequest& request);

  // Asks the running download to stop after its current window; not_found when none runs.
  Status cancel();

 private:
  struct Current {
    std::int64_t id = 0;
    kis::DownloadRequest request;
    std::string state;  // running, done, failed, cancelled
    kis::DownloadProgress progress;
    std::string error;
    TimestampMs started_at = 0;
    TimestampMs finished_at = 0;
  };
  nlohmann::json current_json() const;  // mu_ held
  void run(kis::DownloadRequest request, TimestampMs now);
  void publish_current();

  std::shared_ptr<kis::KisRest> rest_;
  std::string environment_;
  storage::Database& db_;
  const Clock& clock_;
  Publish publish_;
  mutable std::mutex mu_;
  std::optional<Current> current_;
  std::int64_t next_id_ = 1;
  std::atomic<bool> cancel_{false};
  std::thread thread_;
};

}  // namespace quantd::app
