#include "quantd/app/daemon.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>
#include <variant>

#include "quantd/app/api.h"
#include "quantd/app/backtest_service.h"
#include "quantd/bus/channel.h"
#include "quantd/bus/messages.h"
#include "quantd/core/clock.h"
#include "quantd/core/embedded.h"
#include "quantd/core/version.h"
#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "quantd/http/static_assets.h"
#include "quantd/scheduler/scheduler.h"
#include "quantd/storage/database.h"
#include "quantd/workers/worker_pool.h"

namespace quantd::app {

using LiveMessage = std::variant<bus::EvaluateSession, bus::StrategyCommand>;

namespace {

// The daemon's one clock: the real one, or with --debug-clock a manual one that
// POST /api/debug/clock moves (starting at the given time or now).
std::unique_ptr<Clock> make_clock(const config::DebugConfig& debug) {
  if (!debug.clock) return std::make_unique<SystemClock>();
  return std::make_unique<ManualClock>(debug.clock_start.value_or(SystemClock().now()));
}

}  // namespace

struct Daemon::Impl {
  explicit Impl(config::Config c)
      : config(std::move(c)),
        clock(make_clock(config.debug)),
        manual_clock(dynamic_cast<ManualClock*>(clock.get())),
        backtest_channel(static_cast<std::size_t>(config.backtest.queue_capacity)),
        live_channel(static_cast<std::size_t>(config.live.pool.queue_capacity)) {}

  Status start();
  void stop();
  void register_routes();
  // Wraps an API handler with the bearer-token check required when server.auth_token is set.
  http::Handler authorized(http::Handler handler) const;
  std::vector<std::int64_t> live_session_ids();
  void requeue_unfinished_backtests();
  void handle_backtest(bus::RunBacktest& job, const std::atomic<bool>& stopping);
  void handle_live(LiveMessage& message, const std::atomic<bool>& stopping);
  http::Response health();

  config::Config config;
  std::unique_ptr<Clock> clock;  // every component reads the time here
  ManualClock* manual_clock;     // `clock` itself when it is the debug clock, else null
  std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
  std::unique_ptr<storage::Database> db;
  bus::Channel<bus::RunBacktest> backtest_channel;
  bus::Channel<LiveMessage> live_channel;
  // Backtest jobs, results and the /api/events stream (issue 5).
  BacktestService backtest_service{backtest_channel, *clock};
  std::unique_ptr<workers::WorkerPool<bus::RunBacktest>> backtest_pool;
  std::unique_ptr<workers::WorkerPool<LiveMessage>> live_pool;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  http::Router router;
  std::unique_ptr<http::StaticAssets> assets;
  std::unique_ptr<http::Server> server;
  bool started = false;
};

Status Daemon::Impl::start() {
  spdlog::info("quantd {} starting: {}", kVersion, config::describe(config));
  auto opened = storage::Database::open({config.database.path, config.database.busy_timeout_ms});
  if (!opened.ok()) return opened.status();
  db = std::move(opened).value();
  auto migrated = db->migrate(embedded::migrations());
  if (!migrated.ok()) return migrated.status();

  backtest_pool = std::make_unique<workers::WorkerPool<bus::RunBacktest>>(
      "backtest", backtest_channel, config.backtest.workers,
      [this](bus::RunBacktest& job, const std::atomic<bool>& stopping) {
        handle_backtest(job, stopping);
      });
  live_pool = std::make_unique<workers::WorkerPool<LiveMessage>>(
      "live", live_channel, config.live.pool.workers,
      [this](LiveMessage& m, const std::atomic<bool>& stopping) { handle_live(m, stopping); });
  backtest_pool->start();
  live_pool->start();
  requeue_unfinished_backtests();

  if (manual_clock) {
    spdlog::warn("debug clock: the daemon's time is manual, now {} (POST /api/debug/clock)",
                 format_utc_iso(manual_clock->now()));
  }
  if (config.scheduler.enabled) {
    scheduler = std::make_unique<scheduler::Scheduler>(
        *clock, scheduler::KrxCalendar(config.scheduler.holidays),
        [this] { return live_session_ids(); },
        [this](const bus::EvaluateSession& m) {
          return live_channel.push(LiveMessage{m}, bus::PushMode::kFailFast).ok();
        });
    scheduler->start();
  }

  if (config.server.static_dir.empty()) {
    assets = std::make_unique<http::StaticAssets>(embedded::web_assets());
  } else {
    assets = std::make_unique<http::StaticAssets>(config.server.static_dir);
    spdlog::info("serving the UI from {} (development mode)", config.server.static_dir);
  }
  register_routes();
  http::ServerConfig sc;
  sc.host = config.server.host;
  sc.port = config.server.port;
  sc.threads = config.server.threads;
  sc.body_limit_bytes = static_cast<std::size_t>(config.server.body_limit_bytes);
  sc.header_timeout = std::chrono::seconds(config.server.header_timeout_seconds);
  sc.read_timeout = std::chrono::seconds(config.server.read_timeout_seconds);
  server = std::make_unique<http::Server>(sc, router, assets.get());
  if (Status st = server->start(); !st.ok()) return st;
  spdlog::info("listening on http://{}:{}", config.server.host, server->port());
  started = true;
  return {};
}

void Daemon::Impl::stop() {
  if (server) server->stop();
  if (scheduler) scheduler->stop();
  backtest_channel.close();
  live_channel.close();
  if (backtest_pool) backtest_pool->stop();
  if (live_pool) live_pool->stop();
  db.reset();
  if (started) spdlog::info("quantd stopped");
  started = false;
}

std::vector<std::int64_t> Daemon::Impl::live_session_ids() {
  std::vector<std::int64_t> ids;
  SQLite::Statement q(db->connection(),
                      "SELECT id FROM live_sessions WHERE state NOT IN ('stopped', 'failed') "
                      "ORDER BY id");
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  return ids;
}

void Daemon::Impl::requeue_unfinished_backtests() {
  std::vector<std::int64_t> ids;
  try {
    SQLite::Statement q(
        db->connection(),
        "SELECT id FROM backtests WHERE status IN ('queued', 'running') ORDER BY id");
    while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  } catch (const std::exception& e) {
    spdlog::error("cannot list unfinished backtests: {}", e.what());
    return;
  }
  std::size_t queued = 0;
  for (std::int64_t id : ids) {
    // Fail fast: jobs beyond the queue's capacity stay 'queued' in SQLite for the next start.
    if (backtest_channel.push(bus::RunBacktest{id}, bus::PushMode::kFailFast).ok()) ++queued;
  }
  if (!ids.empty()) spdlog::info("re-queued {} of {} unfinished backtest(s)", queued, ids.size());
}

void Daemon::Impl::handle_backtest(bus::RunBacktest& job, const std::atomic<bool>& stopping) {
  backtest_service.run(*db, job, stopping);
}

void Daemon::Impl::handle_live(LiveMessage& message, const std::atomic<bool>&) {
  // Live trading plugs in here with the live-trading issue.
  if (const auto* e = std::get_if<bus::EvaluateSession>(&message)) {
    spdlog::debug("live: evaluate session {} for {} (no live service in this build)", e->session_id,
                  format_seoul(e->minute));
  }
}

http::Response Daemon::Impl::health() {
  using nlohmann::json;
  const bool db_ok = db && db->healthy();
  const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at);
  json body{
      {"status", db_ok ? "ok" : "degraded"},
      {"version", kVersion},
      {"uptime_seconds", uptime.count()},
      {"database", {{"ok", db_ok}}},
      {"queues",
       {{"backtest",
         {{"depth", backtest_channel.size()}, {"capacity", backtest_channel.capacity()}}},
        {"live", {{"depth", live_channel.size()}, {"capacity", live_channel.capacity()}}}}},
      {"workers",
       {{"backtest", {{"threads", backtest_pool->workers()}, {"busy", backtest_pool->busy()}}},
        {"live", {{"threads", live_pool->workers()}, {"busy", live_pool->busy()}}}}},
      {"scheduler",
       {{"enabled", scheduler != nullptr},
        {"next_wake", scheduler ? json(format_utc_iso(scheduler->next_wake())) : json(nullptr)},
        {"ticks", scheduler ? scheduler->ticks() : 0}}},
      {"clock", clock_json(*clock, manual_clock != nullptr)},
  };
  return http::json(db_ok ? 200 : 503, body);
}

http::Handler Daemon::Impl::authorized(http::Handler handler) const {
  if (config.server.auth_token.empty()) return handler;
  return [expected = "Bearer " + config.server.auth_token,
          handler = std::move(handler)](const http::Request& request) {
    const auto given = request.header("Authorization");
    if (!given || *given != expected) {
      http::Response r = http::problem(401, "Unauthorized",
                                       "This server requires an API token: send the header "
                                       "'Authorization: Bearer <token>'.");
      r.set_header("WWW-Authenticate", "Bearer");
      return r;
    }
    return handler(request);
  };
}

void Daemon::Impl::register_routes() {
  // Health stays open so monitors and systemd checks need no token; it reveals no secrets.
  router.add("GET", "/api/health", [this](const http::Request&) { return health(); });
  register_api_routes(router,
                      {*db, backtest_service, *clock, manual_clock,
                       [this] {
                         if (scheduler) scheduler->wake();
                       }},
                      [this](http::Handler h) { return authorized(std::move(h)); });
}

Daemon::Daemon(config::Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Daemon::~Daemon() { stop(); }

Status Daemon::start() {
  Status st = impl_->start();
  if (!st.ok()) impl_->stop();
  return st;
}

void Daemon::stop() { impl_->stop(); }

std::uint16_t Daemon::port() const { return impl_->server ? impl_->server->port() : 0; }

}  // namespace quantd::app
