#include "quantd/app/daemon.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "quantd/app/api.h"
#include "quantd/app/backtest_service.h"
#include "quantd/app/bar_downloads.h"
#include "quantd/app/metrics_endpoint.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/app/sweep_service.h"
#include "quantd/auth/auth_service.h"
#include "quantd/bus/channel.h"
#include "quantd/bus/messages.h"
#include "quantd/core/clock.h"
#include "quantd/core/crash_point.h"
#include "quantd/core/embedded.h"
#include "quantd/core/service_watchdog.h"
#include "quantd/core/systemd_notify.h"
#include "quantd/core/version.h"
#include "quantd/http/client.h"
#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "quantd/http/static_assets.h"
#include "quantd/kis/kis_broker.h"
#include "quantd/kis/kis_ws.h"
#include "quantd/live/live_service.h"
#include "quantd/live/market_data.h"
#include "quantd/live/notifier.h"
#include "quantd/live/paper_broker.h"
#include "quantd/live/replay_demo.h"
#include "quantd/scheduler/scheduler.h"
#include "quantd/storage/audit_log.h"
#include "quantd/storage/backup_schedule.h"
#include "quantd/storage/database.h"
#include "quantd/storage/disk_usage.h"
#include "quantd/workers/keyed_pool.h"
#include "quantd/workers/worker_pool.h"

namespace quantd::app {

namespace {

// The daemon's one clock: the real one, or with --debug-clock a manual one that
// POST /api/debug/clock moves (starting at the given time or now).
std::unique_ptr<Clock> make_clock(const config::DebugConfig& debug) {
  if (!debug.clock) return std::make_unique<SystemClock>();
  return std::make_unique<ManualClock>(debug.clock_start.value_or(SystemClock().now()));
}

execution::CostSettings paper_costs(const config::PaperConfig& p) {
  execution::CostSettings c;
  c.commission_bps = p.commission_bps;
  c.tax_bps = p.tax_bps;
  c.slippage_bps = p.slippage_bps;
  c.slippage_ticks = p.slippage_ticks;
  return c;
}

// What a new live session runs with, from [live], [paper] and [risk].
live::LiveServiceConfig live_config(const config::Config& c) {
  live::LiveServiceConfig out;
  out.session.min_warmup_bars = c.live.min_warmup_bars;
  out.desk.unknown_settle_s = c.live.unknown_settle_s;
  out.paper_cash = c.paper.cash;
  out.reconcile_every_min = c.live.reconcile_every_min;
  live::SessionSettings& d = out.defaults;
  d.costs = paper_costs(c.paper);
  d.policy = c.paper.fill == "last_price" ? live::ActPolicy::kImmediately
                                          : live::ActPolicy::kAtNextBarOpen;
  d.order_type = c.live.order_type == "limit" ? live::OrderType::kLimit : live::OrderType::kMarket;
  d.collar_bps = c.live.collar_bps;
  d.risk.max_order_qty = c.risk.max_order_qty;
  d.risk.max_order_notional = c.risk.max_order_notional;
  d.risk.max_position_pct = c.risk.max_position_pct;
  d.risk.max_orders_per_min = c.risk.max_orders_per_min;
  d.risk.max_orders_per_symbol_day = c.risk.max_orders_per_symbol_day;
  d.risk.max_rejects_in_row = c.risk.max_rejects_in_row;
  d.risk.daily_loss_pct = c.risk.daily_loss_pct;
  return out;
}

// How long a loop (the scheduler's timer, an idle pool worker) may go without turning, and a live
// task (one session's cycle: a few broker calls, each with its own timeout) may run, before the
// watchdog stops feeding systemd. Both loops turn at least once a second when healthy.
constexpr auto kLoopStall = std::chrono::seconds(20);
constexpr auto kLiveTaskStall = std::chrono::minutes(5);

std::string seconds_text(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

Result<std::unique_ptr<strategy::StrategyFactory>> compile_for_live(
    const std::string& script, const strategy::Params& params) {
  CompiledStrategy c = compile_strategy(script, params);
  if (!c.ok()) return Status::invalid_argument(describe_problems(c.problems));
  return std::move(c.factory);
}

}  // namespace

struct Daemon::Impl {
  explicit Impl(config::Config c)
      : config(std::move(c)),
        clock(make_clock(config.debug)),
        manual_clock(dynamic_cast<ManualClock*>(clock.get())),
        calendar(config.scheduler.holidays),
        backtest_channel(static_cast<std::size_t>(config.backtest.queue_capacity)) {}

  Status start();
  void stop();
  void register_routes();
  Status start_notifier();
  Status start_live();
  void requeue_unfinished_backtests();
  void handle_backtest(bus::RunBacktest& job, const std::atomic<bool>& stopping);
  Status start_auth();
  http::Response health(const http::Request& request);
  storage::DiskLimits disk_limits() const {
    return {static_cast<std::int64_t>(config.database.max_size_mb) << 20,
            static_cast<std::int64_t>(config.database.min_free_mb) << 20};
  }
  nlohmann::json kis_push_json() const;
  void start_watchdog();
  std::string status_line() const;
  DaemonGauges gauges() const;

  config::Config config;
  std::unique_ptr<Clock> clock;  // every component reads the time here
  ManualClock* manual_clock;     // `clock` itself when it is the debug clock, else null
  std::chrono::steady_clock::time_point started_at = std::chrono::steady_clock::now();
  scheduler::KrxCalendar calendar;
  std::unique_ptr<storage::Database> db;
  // The UI's login and the audit log (issue 12); both read and write `db`.
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<storage::AuditLog> audit;
  // Notifications of live events (issue 10), when a channel is configured: its HTTP client and
  // the notifier's thread.
  std::unique_ptr<http::Client> notify_client;
  std::unique_ptr<live::Notifier> notifier;
  bus::Channel<bus::RunBacktest> backtest_channel;
  // Backtest jobs, results and the /api/events stream (issue 5).
  BacktestService backtest_service{backtest_channel, *clock, config.backtest.keep_results};
  // Sweeps and walk-forward analyses (issue 13) share the backtest pool and its channel.
  SweepService sweep_service{backtest_channel, backtest_service, *clock, config.backtest.workers};
  std::unique_ptr<workers::WorkerPool<bus::RunBacktest>> backtest_pool;
  // Feeds the unfinished jobs of the last run to the pool as it frees room (however many there
  // are); ends when all are pushed or the channel closes.
  std::thread requeue_thread;
  // Live trading (issue 9): bars from the replay feed, the paper broker, the live service, and
  // the keyed pool that runs one task of a session at a time.
  std::unique_ptr<live::MinuteBarSource> live_source;
  std::shared_ptr<kis::KisRest> kis_rest;   // live.broker or live.feed "kis": one per app key
  std::unique_ptr<BarDownloads> downloads;  // the Data page's "Download from KIS"
  std::unique_ptr<live::MarketDataService> market;
  std::unique_ptr<live::LiveService> live_service;
  std::unique_ptr<kis::KisWs> kis_ws;  // kis.websocket: notices and ticks, an accelerator only
  std::unique_ptr<workers::KeyedWorkerPool<live::LiveTask>> live_pool;
  // "Try it without a broker": one replay session at a time on its own clock.
  std::unique_ptr<live::ReplayDemo> demo;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<storage::BackupSchedule> backups;  // [backup] dir set: scheduled backups
  http::Router router;
  std::unique_ptr<http::StaticAssets> assets;
  std::unique_ptr<http::Server> server;
  // systemd (Type=notify): readiness, STOPPING and the watchdog, when run under it.
  SystemdNotifier systemd = SystemdNotifier::from_environment();
  std::unique_ptr<ServiceWatchdog> watchdog;
  bool started = false;
};

Status Daemon::Impl::start() {
  spdlog::info("quantd {} starting: {}", kVersion, config::describe(config));
  auto opened = storage::Database::open({config.database.path, config.database.busy_timeout_ms});
  if (!opened.ok()) return opened.status();
  db = std::move(opened).value();
  auto migrated = db->migrate(embedded::migrations());
  if (!migrated.ok()) return migrated.status();
  if (Status st = start_auth(); !st.ok()) return st;

  backtest_pool = std::make_unique<workers::WorkerPool<bus::RunBacktest>>(
      "backtest", backtest_channel, config.backtest.workers,
      [this](bus::RunBacktest& job, const std::atomic<bool>& stopping) {
        handle_backtest(job, stopping);
      });
  backtest_pool->start();
  requeue_unfinished_backtests();
  // Before the live service: its startup reconciliation and restores already publish events.
  if (Status st = start_notifier(); !st.ok()) return st;
  if (Status st = start_live(); !st.ok()) return st;

  if (config.backup.enabled()) {
    backups = std::make_unique<storage::BackupSchedule>(
        config.database.path,
        storage::BackupScheduleOptions{
            config.backup.dir,
            std::chrono::milliseconds(static_cast<std::int64_t>(config.backup.every_hours * 3.6e6)),
            config.backup.keep});
    if (Status st = backups->start(); !st.ok()) return st;
  }
  if (manual_clock) {
    spdlog::warn("debug clock: the daemon's time is manual, now {} (POST /api/debug/clock)",
                 format_utc_iso(manual_clock->now()));
  }
  if (config.scheduler.enabled) {
    scheduler =
        std::make_unique<scheduler::Scheduler>(*clock, calendar, [this](TimestampMs minute) {
          if (kis_ws) kis_ws->watch(live_service->live_symbols("kis"));
          return live_service->on_tick(minute);
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
  sc.upload_limit_bytes = static_cast<std::size_t>(config.server.upload_limit_bytes);
  // Uploads are spooled beside the database: the disk the import fills anyway, and not a
  // (possibly small, RAM-backed) /tmp.
  sc.upload_dir = std::filesystem::absolute(config.database.path).parent_path().string();
  sc.header_timeout = std::chrono::seconds(config.server.header_timeout_seconds);
  sc.read_timeout = std::chrono::seconds(config.server.read_timeout_seconds);
  sc.hosts = config.server.hosts;
  sc.auth_token = config.server.auth_token;
  sc.tls_cert = config.server.tls_cert;
  sc.tls_key = config.server.tls_key;
  sc.sessions = auth.get();
  sc.on_state_change = [this](const http::Request& request, const http::Response& response) {
    record_audit(*audit, *clock, request, response);
  };
  sc.max_event_streams = static_cast<std::size_t>(config.server.max_event_streams);
  sc.max_event_streams_per_client =
      static_cast<std::size_t>(config.server.max_event_streams_per_client);
  server = std::make_unique<http::Server>(sc, router, assets.get());
  if (Status st = server->start(); !st.ok()) return st;
  spdlog::info("listening on {}://{}:{}", config.server.tls_cert.empty() ? "http" : "https",
               config.server.host, server->port());
  started = true;
  // Only now is every component up: the server listens, the scheduler and the pools run.
  if (Status st = systemd.notify("READY=1\nSTATUS=" + status_line()); !st.ok()) {
    spdlog::warn("systemd: {}", st.message());
  }
  start_watchdog();
  return {};
}

void Daemon::Impl::start_watchdog() {
  const auto interval = systemd.watchdog_interval();
  if (!systemd.enabled() || interval.count() <= 0) return;
  std::vector<HealthProbe> probes;
  if (scheduler) {
    probes.push_back({"scheduler", [this]() -> std::optional<std::string> {
                        const auto age = scheduler->heartbeat().age();
                        if (age <= kLoopStall) return std::nullopt;
                        return "its timer loop made no turn for " + seconds_text(age) +
                               " (a tick is stuck)";
                      }});
  }
  probes.push_back({"backtest pool", [this] {
                      // A backtest takes as long as its data needs: only idle workers must turn.
                      return backtest_pool->health().stalled(std::chrono::steady_clock::now(),
                                                             kLoopStall, {});
                    }});
  probes.push_back({"live pool", [this] {
                      return live_pool->health().stalled(std::chrono::steady_clock::now(),
                                                         kLoopStall, kLiveTaskStall);
                    }});
  watchdog = std::make_unique<ServiceWatchdog>(systemd, interval, std::move(probes),
                                               [this] { return status_line(); });
  watchdog->start();
  spdlog::info("systemd watchdog: pinging every {} ms while the scheduler and pools are healthy",
               std::chrono::duration_cast<std::chrono::milliseconds>(interval).count());
}

// The one line `systemctl status quantd` shows.
std::string Daemon::Impl::status_line() const {
  return std::to_string(live_service->running_ids().size()) + " live session(s); backtest queue " +
         std::to_string(backtest_channel.size()) + "/" +
         std::to_string(backtest_channel.capacity()) + ", " +
         std::to_string(backtest_pool->busy()) + " running; live queue " +
         std::to_string(live_pool->depth()) + "/" + std::to_string(live_pool->capacity());
}

void Daemon::Impl::stop() {
  if (started) {
    if (Status st = systemd.notify("STOPPING=1"); !st.ok())
      spdlog::warn("systemd: {}", st.message());
  }
  // Before the pools stop: a stopped pool would read as a stuck one.
  if (watchdog) watchdog->stop();
  watchdog.reset();
  if (server) server->stop();
  if (scheduler) scheduler->stop();
  if (backups) backups->stop();  // a backup in progress finishes: it only reads
  backups.reset();
  if (kis_ws) kis_ws->stop();  // its notices queue live work: before the live pool goes
  backtest_channel.close();
  if (requeue_thread.joinable()) requeue_thread.join();  // its blocked push fails on close
  if (backtest_pool) backtest_pool->stop();
  // Sessions finish the task in hand; what is still queued is re-derived from SQLite at the next
  // start (restores, the next minute's evaluations).
  demo.reset();       // ends a running replay (its session stops, shares kept)
  downloads.reset();  // a running download stops after its window; what it stored stays
  if (live_pool) live_pool->stop();
  live_pool.reset();
  live_service.reset();
  market.reset();
  live_source.reset();
  // Nothing publishes live events any more: send what is queued (for a few seconds at most).
  if (notifier) notifier->stop();
  notifier.reset();
  notify_client.reset();
  audit.reset();
  auth.reset();
  db.reset();
  if (started) spdlog::info("quantd stopped");
  started = false;
}

Status Daemon::Impl::start_auth() {
  const bool exposed = !config::is_loopback_host(config.server.host);
  auth = std::make_unique<auth::AuthService>(
      *db, *clock,
      auth::AuthOptions{
          .exposed = exposed,
          .secure_cookie = config.server.secure_cookie || !config.server.tls_cert.empty()});
  audit = std::make_unique<storage::AuditLog>(*db);
  auto password = auth->password_set();
  if (!password.ok()) return password.status();
  // Here, not in config::validate: whether a password is set is known only from the database.
  if (Status st = config::check_exposure(config.server, *password); !st.ok()) return st;
  if (*password) spdlog::info("the UI asks for the password (`quantd passwd` changes it)");
  return {};
}

Status Daemon::Impl::start_notifier() {
  const config::NotifyConfig& n = config.notify;
  if (!n.enabled()) return {};
  http::ClientOptions options;
  options.timeout = std::chrono::seconds(n.timeout_seconds);
  options.ca_file = n.ca_file;
  options.user_agent = std::string("quantd/") + kVersion;
  auto client = http::Client::create(options);
  if (!client.ok()) {
    return Status(client.status().code(), "notify: " + client.status().message());
  }
  notify_client = std::move(client).value();
  // Every secret quantd holds is redacted from every message, whatever carried it there.
  live::NotifierDeps deps{*db,
                          *clock,
                          calendar,
                          {},
                          {n.telegram.bot_token, n.webhook.secret, n.webhook.url,
                           config.kis.app_key, config.kis.app_secret, config.server.auth_token},
                          {config.kis.account}};
  if (n.telegram.enabled) {
    auto channel = live::make_telegram_channel(*notify_client, n.telegram);
    if (!channel.ok()) return channel.status();
    deps.channels.push_back(std::move(channel).value());
  }
  if (n.webhook.enabled) {
    auto channel = live::make_webhook_channel(*notify_client, n.webhook);
    if (!channel.ok()) return channel.status();
    deps.channels.push_back(std::move(channel).value());
  }
  notifier = std::make_unique<live::Notifier>(n, std::move(deps));
  notifier->start();
  return {};
}

Status Daemon::Impl::start_live() {
  live::LiveServiceConfig lc = live_config(config);
  // Keys alone are enough to offer the KIS broker and the Data page's downloads; live.broker
  // and live.feed "kis" require them (config::validate).
  const bool kis_keys =
      !config.kis.app_key.empty() && !config.kis.app_secret.empty() && !config.kis.account.empty();
  if (config.live.broker == "kis" || config.live.feed == "kis" || kis_keys) {
    auto env = kis::parse_environment(config.kis.environment);
    auto account = kis::parse_account(config.kis.account);
    if (!account.ok())
      return Status::invalid_argument("kis.account: " + account.status().message());
    kis::KisRestOptions o;
    o.environment = *env;
    o.rest_url = config.kis.rest_url;
    o.rate_per_s = config.kis.rate_limit_per_s;
    o.ca_file = config.kis.ca_file;
    auto rest =
        kis::KisRest::create(o, {config.kis.app_key, config.kis.app_secret, *account}, *db, *clock);
    if (!rest.ok()) return rest.status();
    kis_rest = std::move(rest).value();
    live::SessionSettings settings = lc.defaults;
    settings.policy = live::ActPolicy::kImmediately;
    settings.order_type =
        config.kis.order_type == "market" ? live::OrderType::kMarket : live::OrderType::kLimit;
    settings.costs = execution::CostSettings{};
    settings.costs.commission_bps = config.kis.commission_bps;
    lc.kis = live::KisAccountConfig{config.kis.environment, kis::mask_account(*account), settings};
    spdlog::info("kis: {} environment, account {}", config.kis.environment,
                 kis::mask_account(*account));
  }
  downloads =
      std::make_unique<BarDownloads>(kis_rest, config.kis.environment, *db, *clock,
                                     [this](const std::string& event, const nlohmann::json& data) {
                                       backtest_service.publish(event, data);
                                     });
  if (config.live.feed == "kis") {
    live_source = std::make_unique<kis::KisChartSource>(kis_rest, *db);
  } else {
    live_source = std::make_unique<live::ReplaySource>(*db);
  }
  market = std::make_unique<live::MarketDataService>(*live_source);
  live_pool = std::make_unique<workers::KeyedWorkerPool<live::LiveTask>>(
      "live", config.live.pool.workers, static_cast<std::size_t>(config.live.pool.queue_capacity),
      [this](std::int64_t, live::LiveTask& task, const std::atomic<bool>&) {
        live_service->handle(task);
      });
  live::PaperSettings paper;
  paper.fill =
      config.paper.fill == "last_price" ? live::PaperFill::kLastPrice : live::PaperFill::kNextOpen;
  paper.costs = paper_costs(config.paper);
  paper.initial_cash = config.paper.cash;
  live::LiveServiceDeps deps{
      *db,
      *clock,
      calendar,
      *market,
      lc,
      compile_for_live,
      [this, paper](const live::AccountRecord& a) -> Result<std::unique_ptr<live::Broker>> {
        if (a.broker == "kis") {
          if (!kis_rest) {
            return Status::failed_precondition("account " + std::to_string(a.id.value()) +
                                               " is a KIS account, and KIS is not configured");
          }
          return std::unique_ptr<live::Broker>(std::make_unique<kis::KisBroker>(kis_rest, *clock));
        }
        if (a.broker != "paper") {
          return Status::failed_precondition("account " + std::to_string(a.id.value()) + " (" +
                                             a.broker + ") needs a broker this build lacks");
        }
        return std::unique_ptr<live::Broker>(
            std::make_unique<live::PaperBroker>(*db, a.id, *market, *clock, paper));
      },
      [this](const live::LiveTask& task) {
        return live_pool
            ->push(task.key, task,
                   task.coalescible() ? workers::Delivery::kLatest : workers::Delivery::kEvery)
            .ok();
      },
      [](CrashPoint point) { crash_point(point); },
      [this](std::string_view event, const nlohmann::json& data) {
        backtest_service.publish(std::string(event), data);
        if (notifier) notifier->on_event(event, data);  // enqueues only; never blocks the desk
      }};
  live_service = std::make_unique<live::LiveService>(std::move(deps));
  demo = std::make_unique<live::ReplayDemo>(
      live::ReplayDemoDeps{*db, calendar, lc.session, lc.defaults, paper, compile_for_live,
                           [this](std::string_view event, const nlohmann::json& data) {
                             backtest_service.publish(std::string(event), data);
                           }});
  if (Status st = demo->recover(); !st.ok()) return st;
  // Every account reconciles before any session of it trades; sessions restore on the pool.
  if (Status st = live_service->start(); !st.ok()) return st;
  live_pool->start();
  if (config.kis.websocket && kis_rest) {
    kis::KisWsOptions wo;
    wo.environment = kis_rest->environment();
    wo.url = config.kis.ws_url;
    wo.hts_id = config.kis.hts_id;
    wo.idle_timeout = std::chrono::seconds(config.kis.ws_idle_s);
    kis::KisWsEvents events;
    events.notice = [this](const kis::WsNotice&) { live_service->on_order_notice("kis"); };
    auto ws = kis::KisWs::create(kis_rest, wo, std::move(events));
    if (!ws.ok()) return ws.status();
    kis_ws = std::move(ws).value();
    kis_ws->watch(live_service->live_symbols("kis"));
    kis_ws->start();
  }
  return {};
}

void Daemon::Impl::requeue_unfinished_backtests() {
  std::vector<bus::RunBacktest> jobs;
  try {
    SQLite::Statement q(
        db->connection(),
        "SELECT id FROM backtests WHERE status IN ('queued', 'running') ORDER BY id");
    while (q.executeStep()) jobs.push_back(bus::RunBacktest{q.getColumn(0).getInt64()});
  } catch (const std::exception& e) {
    spdlog::error("cannot list unfinished backtests: {}", e.what());
    return;
  }
  auto sweeps = SweepService::unfinished(*db);
  if (!sweeps.ok()) spdlog::error("cannot list unfinished sweeps: {}", sweeps.status().message());
  const std::size_t n_backtests = jobs.size();
  if (sweeps.ok()) {
    for (domain::SweepId id : *sweeps) jobs.push_back(bus::RunBacktest{0, id.value(), false});
  }
  if (jobs.empty()) return;
  // Every job runs: pushes wait for room rather than fail, on a thread of their own so the
  // daemon starts serving at once (new submissions meanwhile get 429 while the queue is full).
  // A stop closes the channel; what is not pushed yet stays 'queued' for the next start.
  requeue_thread = std::thread([this, jobs = std::move(jobs), n_backtests] {
    std::size_t queued = 0;
    for (const bus::RunBacktest& job : jobs) {
      if (!backtest_channel.push(job, bus::PushMode::kBlock).ok()) break;
      ++queued;
    }
    if (jobs.size() == n_backtests) {
      spdlog::info("re-queued {} of {} unfinished backtest(s)", queued, jobs.size());
    } else {
      spdlog::info("re-queued {} of {} unfinished job(s): {} backtest(s), {} sweep(s)", queued,
                   jobs.size(), n_backtests, jobs.size() - n_backtests);
    }
  });
}

void Daemon::Impl::handle_backtest(bus::RunBacktest& job, const std::atomic<bool>& stopping) {
  if (job.sweep_id != 0) {
    sweep_service.run(*db, job, stopping);
    return;
  }
  backtest_service.run(*db, job, stopping);
}

// The WebSocket as the KIS account's view shows it: no key, HTS id or account.
nlohmann::json Daemon::Impl::kis_push_json() const {
  using nlohmann::json;
  if (!kis_ws) return json{{"enabled", false}};
  const kis::KisWsStatus st = kis_ws->status();
  json trades = json::array();
  for (const std::string& symbol : live_service->live_symbols("kis")) {
    if (auto t = kis_ws->last_trade(symbol)) {
      trades.push_back({{"symbol", t->symbol}, {"price", t->price}, {"time", t->time}});
    }
  }
  return json{{"enabled", true},
              {"state", st.state},
              {"reason", st.reason},
              {"since", st.since_ms ? json(format_utc_iso(st.since_ms)) : json(nullptr)},
              {"connects", st.connects},
              {"subscribed", st.subscribed},
              {"watched", st.watched},
              {"notices", st.notices},
              {"trades", st.trades},
              {"bad_frames", st.bad_frames},
              {"last_trades", std::move(trades)}};
}

http::Response Daemon::Impl::health(const http::Request& request) {
  using nlohmann::json;
  const bool db_ok = db && db->healthy();
  // Free disk: "degraded" before new work is refused (storage::disk_low), so a monitor warns
  // while there is still room.
  json disk = json::object();
  bool disk_ok = true;
  if (auto usage = storage::disk_usage(config.database.path); usage.ok()) {
    const storage::DiskLimits limits = disk_limits();
    const bool refusing = storage::disk_refusal(*usage, limits).has_value();
    disk_ok = !refusing && !storage::disk_low(*usage, limits);
    disk = json{{"ok", disk_ok},
                {"refusing_new_work", refusing},
                {"database_bytes", usage->database_bytes},
                {"free_bytes", usage->free_bytes},
                {"total_bytes", usage->total_bytes},
                {"max_database_bytes", limits.max_database_bytes},
                {"min_free_bytes", limits.min_free_bytes}};
  } else {
    disk_ok = false;
    disk = json{{"ok", false}, {"error", usage.status().message()}};
  }
  // Open to monitors without credentials, so an anonymous caller learns the status alone: not
  // the version, what trades, nor how busy it is.
  if (!request.caller.authorized()) {
    return http::json(db_ok ? 200 : 503, json{{"status", db_ok && disk_ok ? "ok" : "degraded"}});
  }
  const auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at);
  json body{
      {"status", db_ok && disk_ok ? "ok" : "degraded"},
      {"version", kVersion},
      {"uptime_seconds", uptime.count()},
      {"database", {{"ok", db_ok}}},
      {"disk", std::move(disk)},
      {"queues",
       {{"backtest",
         {{"depth", backtest_channel.size()}, {"capacity", backtest_channel.capacity()}}},
        {"live", {{"depth", live_pool->depth()}, {"capacity", live_pool->capacity()}}}}},
      {"workers",
       {{"backtest", {{"threads", backtest_pool->workers()}, {"busy", backtest_pool->busy()}}},
        {"live", {{"threads", live_pool->workers()}, {"busy", live_pool->busy()}}}}},
      {"scheduler",
       {{"enabled", scheduler != nullptr},
        {"next_wake", scheduler ? json(format_utc_iso(scheduler->next_wake())) : json(nullptr)},
        {"ticks", scheduler ? scheduler->ticks() : 0}}},
      {"clock", clock_json(*clock, manual_clock != nullptr)},
      {"live",
       {{"sessions", live_service->running_ids().size()},
        {"feed", config.live.feed},
        {"broker", config.live.broker},
        {"last_cycle", live_service->latest_cycle()}}},
      // Counts per channel only: no URL path, token or text.
      {"notify", notifier ? json{{"enabled", true}, {"channels", notifier->stats()["channels"]}}
                          : json{{"enabled", false}}},
  };
  return http::json(db_ok ? 200 : 503, body);
}

DaemonGauges Daemon::Impl::gauges() const {
  DaemonGauges g;
  g.version = kVersion;
  g.uptime_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
  g.backtest = {backtest_channel.size(), backtest_channel.capacity(), backtest_pool->workers(),
                backtest_pool->busy(), backtest_pool->handled()};
  g.live = {live_pool->depth(), live_pool->capacity(), live_pool->workers(), live_pool->busy(),
            live_pool->handled()};
  g.live_sessions = live_service->running_ids().size();
  if (scheduler) g.scheduler_ticks = scheduler->ticks();
  if (watchdog) g.watchdog_healthy = watchdog->problem().empty();
  if (backups) {
    const storage::BackupStats b = backups->stats();
    g.backups = BackupGauges{b.taken, b.failed, b.last_success_ms};
  }
  if (kis_rest) {
    g.kis = BrokerCounters{"kis", kis_rest->limiter().granted(), kis_rest->limiter().throttles()};
  }
  return g;
}

void Daemon::Impl::register_routes() {
  // Health stays open so monitors and systemd checks need no credentials (see health()).
  router.add("GET", "/api/health", [this](const http::Request& r) { return health(r); },
             {.open = true});
  // Not open: request counts and job states are the operator's business (same token as the API).
  router.add("GET", "/metrics",
             [this](const http::Request&) { return render_metrics(*db, gauges(), server.get()); });
  register_api_routes(router,
                      {*db, backtest_service, *clock, manual_clock,
                       [this] {
                         if (scheduler) scheduler->wake();
                       },
                       live_service.get(), demo.get(), downloads.get(),
                       [this] { return kis_push_json(); }, auth.get(), audit.get(),
                       [this]() -> std::optional<std::string> {
                         auto usage = storage::disk_usage(config.database.path);
                         if (!usage.ok()) return std::nullopt;  // SQLite's own errors still apply
                         return storage::disk_refusal(*usage, disk_limits());
                       },
                       &sweep_service},
                      // The token is checked by the server before routing (request_guard.h).
                      [](http::Handler h) { return h; });
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
