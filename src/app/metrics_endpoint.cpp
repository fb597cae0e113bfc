#include "quantd/app/metrics_endpoint.h"

#include <spdlog/spdlog.h>

#include <array>
#include <vector>

#include "quantd/core/prometheus.h"
#include "quantd/storage/operations_stats.h"

namespace quantd::app {

namespace {

void write_pools(PrometheusText& out, const DaemonGauges& g) {
  const std::array<std::pair<std::string_view, const PoolGauges*>, 2> pools{
      {{"backtest", &g.backtest}, {"live", &g.live}}};
  auto family = [&](std::string_view name, std::string_view type, std::string_view help,
                    auto value) {
    out.family(name, type, help);
    for (const auto& [pool, gauges] : pools) {
      out.sample(name, {{"pool", pool}}, static_cast<std::uint64_t>(value(*gauges)));
    }
  };
  family("quantd_queue_depth", "gauge", "Messages waiting in a pool's queue.",
         [](const PoolGauges& p) { return p.depth; });
  family("quantd_queue_capacity", "gauge", "The bound of a pool's queue.",
         [](const PoolGauges& p) { return p.capacity; });
  family("quantd_workers", "gauge", "Worker threads of a pool.",
         [](const PoolGauges& p) { return p.workers; });
  family("quantd_workers_busy", "gauge", "Workers handling a message now.",
         [](const PoolGauges& p) { return p.busy; });
  family("quantd_pool_messages_handled_total", "counter",
         "Messages a pool handled since the daemon started.",
         [](const PoolGauges& p) { return p.handled; });
}

void write_database(PrometheusText& out, storage::Database& db) {
  std::vector<double> bounds_ms;
  for (double s : kCycleBoundsSeconds) bounds_ms.push_back(s * 1000);
  auto stats = storage::read_operations_stats(db, bounds_ms);
  if (!stats.ok()) {
    spdlog::warn("metrics: {}", stats.status().message());
    return;
  }
  out.family("quantd_backtests", "gauge", "Backtest jobs by status.");
  for (const auto& [status, n] : stats->backtests_by_status) {
    out.sample("quantd_backtests", {{"status", status}}, static_cast<std::uint64_t>(n));
  }
  out.family("quantd_orders", "gauge", "Live orders by state (paper and broker accounts).");
  for (const auto& [state, n] : stats->orders_by_state) {
    out.sample("quantd_orders", {{"state", state}}, static_cast<std::uint64_t>(n));
  }
  out.family("quantd_live_cycles_total", "counter", "Live cycles (scheduler minutes) recorded.");
  out.sample("quantd_live_cycles_total", {}, static_cast<std::uint64_t>(stats->live_cycles));
  out.family("quantd_live_cycles_late_total", "counter",
             "Live cycles that finished after their minute's deadline.");
  out.sample("quantd_live_cycles_late_total", {},
             static_cast<std::uint64_t>(stats->live_cycles_late));
  out.family("quantd_live_cycle_duration_seconds", "histogram",
             "Wall time of a live cycle, from its tick to its last session.");
  out.histogram("quantd_live_cycle_duration_seconds", {}, kCycleBoundsSeconds,
                stats->cycle_wall_buckets, stats->cycle_wall_ms_sum / 1000);
}

}  // namespace

http::Response render_metrics(storage::Database& db, const DaemonGauges& g,
                              const http::Server* server) {
  PrometheusText out;
  out.family("quantd_build_info", "gauge", "Always 1; the version is a label.");
  out.sample("quantd_build_info", {{"version", g.version}}, std::uint64_t{1});
  out.family("quantd_uptime_seconds", "gauge", "Seconds since the daemon started.");
  out.sample("quantd_uptime_seconds", {}, g.uptime_seconds);
  if (server) server->write_metrics(out);
  write_pools(out, g);
  out.family("quantd_live_sessions", "gauge", "Live sessions running now.");
  out.sample("quantd_live_sessions", {}, std::uint64_t{g.live_sessions});
  if (g.scheduler_ticks) {
    out.family("quantd_scheduler_ticks_total", "counter", "Minute ticks the scheduler fired.");
    out.sample("quantd_scheduler_ticks_total", {}, *g.scheduler_ticks);
  }
  if (g.watchdog_healthy) {
    out.family("quantd_watchdog_healthy", "gauge",
               "1 while the systemd watchdog is fed (scheduler and pools turning), else 0.");
    out.sample("quantd_watchdog_healthy", {}, std::uint64_t{*g.watchdog_healthy ? 1u : 0u});
  }
  if (g.kis) {
    const PrometheusText::Labels labels{{"broker", g.kis->broker}};
    out.family("quantd_broker_calls_total", "counter",
               "Broker API calls made (each passes the rate limiter).");
    out.sample("quantd_broker_calls_total", labels, static_cast<std::uint64_t>(g.kis->calls));
    out.family("quantd_broker_rate_limited_total", "counter",
               "Throttle answers from the broker (KIS EGW00201/EGW00215), each a backoff.");
    out.sample("quantd_broker_rate_limited_total", labels,
               static_cast<std::uint64_t>(g.kis->rate_limited));
  }
  if (g.backups) {
    out.family("quantd_backups_total", "counter", "Scheduled backups since start, by result.");
    out.sample("quantd_backups_total", {{"result", "ok"}}, g.backups->taken);
    out.sample("quantd_backups_total", {{"result", "failed"}}, g.backups->failed);
    out.family("quantd_backup_last_success_timestamp_seconds", "gauge",
               "When the newest scheduled backup of this process was taken (0: none yet).");
    out.sample("quantd_backup_last_success_timestamp_seconds", {},
               static_cast<double>(g.backups->last_success_ms) / 1000);
  }
  write_database(out, db);
  return http::text(200, out.take(), std::string(PrometheusText::kContentType));
}

}  // namespace quantd::app
