// live_cycle_bench: how long one minute's live cycle takes, from the scheduler's tick to the
// last order journaled, for many paper sessions over many symbols (issue 9; bench/RESULTS.md).
//
//   live_cycle_bench [--sessions N] [--symbols S] [--workers W] [--minutes M] [--dir PATH]
//
// Sets up what the daemon runs: a SQLite file in --dir (default: a folder under /tmp; give one on
// the disk quantd would use, since the journal's durable commits are part of the cycle), S
// symbols of stored 1-minute bars (the day before and the measured day), N sma_cross sessions
// (session i trades symbol i mod S, fast/slow varying so they cross at different minutes) on
// the paper broker (next_open), the live service and a keyed pool of W worker threads. It
// activates every session at 08:59, then ticks M minutes from 09:01 the way the scheduler does
// and reads each cycle's wall time from the live service's own record (live_cycles.wall_ms:
// the tick to the last session done, orders journaled and filled). Prints key/value lines.
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "quantd/app/strategy_loader.h"
#include "quantd/config/config.h"
#include "quantd/core/embedded.h"
#include "quantd/live/live_service.h"
#include "quantd/live/paper_broker.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/strategy_repository.h"
#include "quantd/workers/keyed_pool.h"

using namespace quantd;

namespace {

struct Options {
  int sessions = 1000;
  int symbols = 200;
  int workers = 2;
  int minutes = 60;
  std::string dir;
};

std::vector<domain::Bar> day_bars(std::mt19937_64& rng, CivilDate day, double& price) {
  std::vector<domain::Bar> out;
  for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
    if (m >= 15 * 60 + 20 && m < 15 * 60 + 30) continue;
    const double tick = static_cast<double>(domain::tick_size(price, domain::Market::kKospi, day));
    const double open = price;
    price = std::max(2000.0, price + tick * (static_cast<int>(rng() % 7) - 3));
    out.push_back({from_seoul(day, m / 60, m % 60), open, std::max(open, price) + tick,
                   std::min(open, price) - tick, price, 1000});
  }
  return out;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string f = argv[i];
    if (f == "--sessions")
      o.sessions = std::atoi(argv[i + 1]);
    else if (f == "--symbols")
      o.symbols = std::atoi(argv[i + 1]);
    else if (f == "--workers")
      o.workers = std::atoi(argv[i + 1]);
    else if (f == "--minutes")
      o.minutes = std::atoi(argv[i + 1]);
    else if (f == "--dir")
      o.dir = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown flag %s\n", f.c_str());
      return 2;
    }
  }
  namespace fs = std::filesystem;
  const fs::path dir = o.dir.empty() ? fs::temp_directory_path() /
                                           ("quantd-live-bench-" + std::to_string(::getpid()))
                                     : fs::path(o.dir);
  fs::remove_all(dir);
  fs::create_directories(dir);
  spdlog::set_level(spdlog::level::warn);
  auto opened = storage::Database::open({(dir / "bench.db").string()});
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().message().c_str());
    return 1;
  }
  auto db = std::move(opened).value();
  if (!db->migrate(embedded::migrations()).ok()) return 1;

  const CivilDate before{2026, 7, 8};
  const CivilDate day{2026, 7, 9};
  {
    storage::BarRepository repo(*db);
    std::mt19937_64 rng(7);
    for (int s = 0; s < o.symbols; ++s) {
      double price = 5000 + 1000.0 * (s % 90);
      std::vector<domain::Bar> bars = day_bars(rng, before, price);
      auto today = day_bars(rng, day, price);
      bars.insert(bars.end(), today.begin(), today.end());
      if (!repo.upsert(domain::Symbol("S" + std::to_string(s)), domain::Interval::k1m, bars).ok()) {
        return 1;
      }
    }
  }

  ManualClock clock(from_seoul(day, 8, 59));
  const scheduler::KrxCalendar calendar(config::default_krx_holidays());
  live::ReplaySource source(*db);
  live::MarketDataService market(source);
  std::unique_ptr<live::LiveService> service;
  workers::KeyedWorkerPool<live::LiveTask> pool(
      "live", o.workers, 1'000'000,
      [&](std::int64_t, live::LiveTask& t, const std::atomic<bool>&) { service->handle(t); });
  live::LiveServiceConfig cfg;
  cfg.paper_cash = 1'000'000'000'000;
  cfg.defaults.risk.max_orders_per_symbol_day = 100'000;
  live::PaperSettings paper;
  live::LiveServiceDeps deps{
      *db,
      clock,
      calendar,
      market,
      cfg,
      [](const std::string& script,
         const strategy::Params& params) -> Result<std::unique_ptr<strategy::StrategyFactory>> {
        app::CompiledStrategy c = app::compile_strategy(script, params);
        if (!c.ok()) return Status::invalid_argument(app::describe_problems(c.problems));
        return std::move(c.factory);
      },
      [&](const live::AccountRecord& a) -> Result<std::unique_ptr<live::Broker>> {
        return std::unique_ptr<live::Broker>(
            std::make_unique<live::PaperBroker>(*db, a.id, market, clock, paper));
      },
      [&](const live::LiveTask& t) {
        return pool
            .push(t.key, t,
                  t.coalescible() ? workers::Delivery::kLatest : workers::Delivery::kEvery)
            .ok();
      },
      nullptr,
      nullptr};
  service = std::make_unique<live::LiveService>(std::move(deps));
  if (!service->start().ok()) return 1;
  pool.start();

  auto wait_idle = [&] {
    while (pool.depth() > 0 || pool.busy() > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
  };
  const auto setup_start = std::chrono::steady_clock::now();
  storage::StrategyRepository strategies(*db);
  for (int i = 0; i < o.sessions; ++i) {
    storage::StrategyRecord r;
    r.name = "s" + std::to_string(i);
    r.script = "builtin:sma_cross";
    r.params = {{"fast", 3 + i % 7}, {"slow", 12 + (i / 7) % 19}};
    r.symbols = {domain::Symbol("S" + std::to_string(i % o.symbols))};
    r.interval = domain::Interval::k1m;
    auto created = strategies.create(r, clock.now());
    if (!created.ok()) return 1;
    live::Activation a;
    a.capital = 100'000'000;
    std::vector<live::FieldError> errors;
    auto s = service->activate(created->id, a, errors);
    if (!s.ok()) {
      std::fprintf(stderr, "activate: %s\n", s.status().message().c_str());
      return 1;
    }
  }
  wait_idle();
  const double setup_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_start).count();

  std::vector<double> walls;
  std::vector<double> orders;
  std::vector<double> walls_with_orders;
  std::int64_t total_orders = 0;
  for (int k = 1; k <= o.minutes; ++k) {
    const TimestampMs boundary = from_seoul(day, 9, 0) + k * kMsPerMinute;
    clock.set(boundary + 1500);
    service->on_tick(boundary - kMsPerMinute);
    wait_idle();
    SQLite::Statement q(db->connection(),
                        "SELECT wall_ms, orders_sent FROM live_cycles WHERE minute = ?");
    q.bind(1, boundary - kMsPerMinute);
    if (!q.executeStep() || q.getColumn(0).isNull()) {
      std::fprintf(stderr, "cycle %d did not finish\n", k);
      return 1;
    }
    walls.push_back(q.getColumn(0).getDouble());
    orders.push_back(q.getColumn(1).getDouble());
    total_orders += q.getColumn(1).getInt64();
    if (orders.back() > 0) walls_with_orders.push_back(walls.back());
  }
  pool.stop();
  std::printf("sessions %d\nsymbols %d\nworkers %d\nminutes %d\n", o.sessions, o.symbols, o.workers,
              o.minutes);
  std::printf("setup_seconds %.3f\n", setup_s);
  std::printf("cycle_ms_median %.1f\ncycle_ms_p95 %.1f\ncycle_ms_max %.1f\n",
              percentile(walls, 0.5), percentile(walls, 0.95), percentile(walls, 1.0));
  std::printf("orders_total %lld\norders_per_cycle_median %.0f\norders_per_cycle_max %.0f\n",
              static_cast<long long>(total_orders), percentile(orders, 0.5),
              percentile(orders, 1.0));
  std::printf("market_data_reads %llu\nmarket_data_hits %llu\n",
              static_cast<unsigned long long>(market.misses()),
              static_cast<unsigned long long>(market.hits()));
  service.reset();
  db.reset();
  if (o.dir.empty()) fs::remove_all(dir);
  return 0;
}
