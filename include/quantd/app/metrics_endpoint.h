// GET /metrics: the daemon's Prometheus exposition (text format 0.0.4). What each series means
// is listed in docs/api.md; the names are fixed here.
//
// The daemon samples its in-memory state into DaemonGauges at scrape time; SQLite supplies the
// job, order and live-cycle counts (storage/operations_stats.h); the HTTP server its request
// counters. A failing SQLite read drops only its series (logged) and the scrape still answers.
// Thread-safe: called on a server I/O thread per scrape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "quantd/http/response.h"
#include "quantd/http/server.h"
#include "quantd/storage/database.h"

namespace quantd::app {

// A bounded queue and the pool that drains it.
struct PoolGauges {
  std::size_t depth = 0;
  std::size_t capacity = 0;
  int workers = 0;
  int busy = 0;
  std::uint64_t handled = 0;
};

// Calls a broker made and the throttle answers it got (KIS: EGW00201/EGW00215).
struct BrokerCounters {
  std::string broker;  // "kis"
  std::int64_t calls = 0;
  std::int64_t rate_limited = 0;
};

// Scheduled backups taken by this process.
struct BackupGauges {
  std::uint64_t taken = 0;
  std::uint64_t failed = 0;
  std::int64_t last_success_ms = 0;  // UTC epoch ms; 0: none yet
};

struct DaemonGauges {
  std::string version;
  double uptime_seconds = 0;
  PoolGauges backtest;
  PoolGauges live;
  std::size_t live_sessions = 0;
  std::optional<std::uint64_t> scheduler_ticks;  // unset: the scheduler is off
  std::optional<bool> watchdog_healthy;          // unset: not run under a systemd watchdog
  std::optional<BrokerCounters> kis;             // unset: KIS is not configured
  std::optional<BackupGauges> backups;           // unset: scheduled backups are off
};

// Live cycle wall-time buckets, in seconds (a cycle is due well within its minute).
inline constexpr double kCycleBoundsSeconds[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

// The whole exposition as a 200 `text/plain; version=0.0.4` response. `server` may be null (no
// HTTP series).
http::Response render_metrics(storage::Database& db, const DaemonGauges& gauges,
                              const http::Server* server);

}  // namespace quantd::app
