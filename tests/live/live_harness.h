// A live harness for tests: the daemon's live side (the live service over the replay feed and
// the paper broker) in one thread, its queue drained inline, a manual clock stepped through the
// scheduler's ticks, and restarts that drop everything in memory but the database.
#pragma once

#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "live_test_support.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/backtest/engine.h"
#include "quantd/config/config.h"
#include "quantd/live/live_service.h"
#include "quantd/live/order_journal.h"
#include "quantd/live/paper_broker.h"
#include "quantd/scheduler/session_ticker.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/strategy_repository.h"

namespace quantd::live::testing {

using nlohmann::json;

struct SimulatedCrash {
  std::string point;
};

// Whole-won 1-minute random walks on the KRX tick grid, 09:00..15:19 plus the 15:30 closing
// print, on every trading day of `calendar` in [first, last].
inline std::vector<domain::Bar> walk(std::uint64_t seed, double start, CivilDate first,
                                     CivilDate last, const scheduler::KrxCalendar& calendar) {
  std::mt19937_64 rng(seed);
  std::vector<domain::Bar> out;
  double price = start;
  for (std::int64_t d = days_from_civil(first); d <= days_from_civil(last); ++d) {
    const CivilDate day = civil_from_days(d);
    if (!calendar.is_trading_day(day)) continue;
    for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
      if (m >= 15 * 60 + 20 && m < 15 * 60 + 30) continue;
      const double tick =
          static_cast<double>(domain::tick_size(price, domain::Market::kKospi, day));
      const double open = price;
      const int step = static_cast<int>(rng() % 9) - 4;
      price = std::max(1000.0, price + step * tick);
      const double hi = std::max(open, price) + static_cast<double>(rng() % 3) * tick;
      const double lo =
          std::max(500.0, std::min(open, price) - static_cast<double>(rng() % 3) * tick);
      out.push_back({from_seoul(day, m / 60, m % 60), open, hi, lo, price,
                     static_cast<std::int64_t>(100 + rng() % 1000)});
    }
  }
  return out;
}

inline Result<std::unique_ptr<strategy::StrategyFactory>> compile(const std::string& script,
                                                                  const strategy::Params& params) {
  app::CompiledStrategy c = app::compile_strategy(script, params);
  if (!c.ok()) return Status::invalid_argument(app::describe_problems(c.problems));
  return std::move(c.factory);
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Case {
  std::string name;
  std::string script;
  std::vector<std::string> symbols;
  domain::Interval interval = domain::Interval::k1m;
};

inline constexpr CivilDate kFirst{2025, 6, 2};
inline constexpr CivilDate kActivate{2026, 4, 29};  // activated 08:59; 05-01 and 05-05 are holidays
inline constexpr CivilDate kLast{2026, 5, 6};

// The daemon's live side in one thread: the service, its queue drained inline.
class Harness {
 public:
  explicit Harness(bool leak_in_progress = false)
      : calendar(config::default_krx_holidays()), clock(from_seoul(kActivate, 8, 59)) {
    source = std::make_unique<ReplaySource>(*tdb.db, leak_in_progress);
    market = std::make_unique<MarketDataService>(*source);
  }

  // The sessions' risk limits, from the next boot().
  RiskLimits risk = [] {
    RiskLimits r;
    r.max_orders_per_symbol_day = 1000;
    return r;
  }();

  void store_bars() {
    const std::vector<std::pair<std::string, double>> symbols = {
        {"AAA", 52'000}, {"BBB", 9'870}, {"CCC", 131'500}};
    std::uint64_t seed = 20261201;
    for (const auto& [s, start] : symbols) {
      tdb.store(domain::Symbol(s), domain::Interval::k1m,
                walk(seed++, start, kFirst, kLast, calendar));
    }
  }

  void boot() {
    LiveServiceConfig cfg;
    cfg.paper_cash = 10'000'000'000;
    cfg.defaults.costs.commission_bps = 1.5;
    cfg.defaults.costs.slippage_ticks = 1;
    cfg.defaults.risk = risk;
    LiveServiceDeps deps{*tdb.db,
                         clock,
                         calendar,
                         *market,
                         cfg,
                         compile,
                         [this](const AccountRecord& a) -> Result<std::unique_ptr<Broker>> {
                           PaperSettings ps;
                           ps.costs.commission_bps = 1.5;
                           ps.costs.slippage_ticks = 1;
                           auto b =
                               std::make_unique<PaperBroker>(*tdb.db, a.id, *market, clock, ps);
                           broker = b.get();
                           return std::unique_ptr<Broker>(std::move(b));
                         },
                         [this](const LiveTask& t) {
                           queue.push_back(t);
                           return true;
                         },
                         [this](CrashPoint point) {
                           if (crash_at == point.name() && --crash_countdown == 0) {
                             crash_at.clear();
                             throw SimulatedCrash{std::string(point.name())};
                           }
                         },
                         nullptr};
    service = std::make_unique<LiveService>(std::move(deps));
    REQUIRE(service->start().ok());
    drain();
  }

  // A process restart: everything in memory is gone, the database stays.
  void restart() {
    queue.clear();
    service.reset();
    broker = nullptr;
    boot();
  }

  void drain() {
    while (!queue.empty()) {
      const LiveTask t = queue.front();
      queue.pop_front();
      service->handle(t);
    }
  }

  // Creates a strategy and activates it; returns the session id.
  std::int64_t activate(const Case& c, std::int64_t capital) {
    storage::StrategyRepository repo(*tdb.db);
    storage::StrategyRecord draft;
    draft.name = c.name;
    draft.script = c.script;
    for (const auto& s : c.symbols) draft.symbols.emplace_back(s);
    draft.interval = c.interval;
    auto created = repo.create(draft, clock.now());
    REQUIRE(created.ok());
    Activation a;
    a.capital = capital;
    std::vector<FieldError> errors;
    auto session = service->activate(created->id, a, errors);
    INFO(c.name << ": " << (errors.empty() ? session.status().message() : errors[0].message));
    REQUIRE(session.ok());
    drain();
    return session->id.value();
  }

  // Steps the clock minute by minute through every scheduler tick up to `until`, as the
  // daemon's scheduler would, handling each minute's cycle; `before_tick` runs first.
  void run_until(TimestampMs until, const std::function<void(TimestampMs)>& before_tick = {}) {
    scheduler::SessionTicker ticker(calendar);
    ticker.on_wake(clock.now());
    for (;;) {
      const TimestampMs wake = ticker.next_wake(clock.now());
      if (wake > until) break;
      clock.set(wake + 1500);  // the grace after the boundary
      auto minute = ticker.on_wake(clock.now());
      if (!minute) continue;
      if (before_tick) before_tick(*minute);
      for (int tries = 0;; ++tries) {
        try {
          service->on_tick(*minute);
          drain();
          break;
        } catch (const SimulatedCrash& c) {
          ++crashes;
          crashed_points.push_back(c.point);
          restart();  // and the same minute is ticked again, as the next start's scheduler would
          REQUIRE(tries < 5);
        }
      }
    }
  }

  testing::TempDb tdb;
  scheduler::KrxCalendar calendar;
  ManualClock clock;
  std::unique_ptr<ReplaySource> source;
  std::unique_ptr<MarketDataService> market;
  std::deque<LiveTask> queue;
  std::unique_ptr<LiveService> service;
  PaperBroker* broker = nullptr;
  std::string crash_at;
  int crash_countdown = 0;
  int crashes = 0;
  std::vector<std::string> crashed_points;
};

// The canonical order list of a live session (LIVE.md §10.1 P1).
inline std::vector<std::string> live_orders(storage::Database& db, std::int64_t session) {
  OrderJournal journal(db);
  auto orders = journal.session_orders(domain::SessionId(session), 100'000);
  REQUIRE(orders.ok());
  auto fills = journal.session_fills(domain::SessionId(session), 100'000);
  REQUIRE(fills.ok());
  std::map<std::int64_t, FillApplied> by_order;
  for (const FillApplied& f : *fills) {
    CHECK(by_order.count(f.order.value()) == 0);  // the paper broker fills whole, once
    by_order[f.order.value()] = f;
  }
  std::vector<std::string> out;
  for (auto it = orders->rbegin(); it != orders->rend(); ++it) {
    const JournalOrder& o = *it;
    if (o.state == OrderState::kNotPlaced) continue;  // never reached the broker
    json j{{"decided", o.decided_ts},
           {"symbol", o.request.symbol.str()},
           {"side", domain::to_string(o.request.side)},
           {"quantity", o.request.quantity},
           {"reason", domain::to_string(o.reason)}};
    if (o.state == OrderState::kFilled) {
      REQUIRE(by_order.count(o.id.value()) == 1);
      const FillApplied& f = by_order[o.id.value()];
      j["status"] = "filled";
      j["fill"] = {{"ts", f.fill_ts},
                   {"price", f.price},
                   {"notional", f.notional},
                   {"commission", f.commission},
                   {"tax", f.tax}};
    } else {
      CHECK(o.state == OrderState::kDenied);
      CHECK(o.reject_code == "INSUFFICIENT_CASH");
      j["status"] = "rejected";
    }
    out.push_back(j.dump());
  }
  return out;
}

inline std::vector<std::string> backtest_orders(const backtest::BacktestResult& r,
                                                const std::vector<std::string>& symbols) {
  std::vector<std::string> out;
  for (const domain::Order& o : r.orders) {
    json j{{"decided", o.decided_ts},
           {"symbol", symbols[o.symbol_index]},
           {"side", domain::to_string(o.side)},
           {"quantity", o.quantity},
           {"reason", domain::to_string(o.reason)}};
    if (o.status == domain::OrderStatus::kFilled) {
      j["status"] = "filled";
      j["fill"] = {{"ts", o.fill.ts},
                   {"price", o.fill.price},
                   {"notional", o.fill.notional},
                   {"commission", o.fill.commission},
                   {"tax", o.fill.tax}};
    } else {
      j["status"] = "rejected";
    }
    out.push_back(j.dump());
  }
  return out;
}

// Runs the backtest the session must equal and compares orders (P1) and equity (P2).
inline void check_parity(Harness& h, const Case& c, std::int64_t session_id, std::int64_t capital,
                         std::size_t* orders_seen = nullptr, CivilDate until = kLast) {
  SessionStore store(*h.tdb.db);
  auto s = store.get(domain::SessionId(session_id));
  REQUIRE(s.ok());
  INFO(c.name << " (" << domain::to_string(c.interval) << ", " << c.symbols.size()
              << " symbols): state " << to_string(s->state) << " " << s->state_reason);
  REQUIRE(s->state == SessionState::kActive);
  REQUIRE(s->warmup_from);
  REQUIRE(s->trade_from);
  storage::BarRepository repo(*h.tdb.db);
  std::vector<std::vector<domain::Bar>> bars;
  std::vector<backtest::SymbolBars> inputs;
  for (const auto& sym : c.symbols) {
    auto b = storage::load_bars(repo, domain::Symbol(sym), c.interval, *s->warmup_from,
                                from_seoul(until, 23, 59));
    REQUIRE(b.ok());
    bars.push_back(std::move(b).value());
  }
  for (std::size_t i = 0; i < c.symbols.size(); ++i) {
    inputs.push_back({domain::Symbol(c.symbols[i]), domain::Market::kKospi, bars[i]});
  }
  backtest::BacktestConfig bc;
  bc.initial_cash = capital;
  bc.costs.commission_bps = 1.5;
  bc.costs.slippage_ticks = 1;
  bc.interval = c.interval;
  bc.trade_from = *s->trade_from;
  auto f = compile(c.script, {});
  REQUIRE(f.ok());
  auto r = backtest::run_backtest(bc, inputs, **f);
  REQUIRE(r.ok());
  const auto expected = backtest_orders(*r, c.symbols);
  const auto got = live_orders(*h.tdb.db, session_id);
  CHECK(got.size() == expected.size());
  for (std::size_t i = 0; i < std::min(got.size(), expected.size()); ++i) {
    INFO("order " << i);
    CHECK(got[i] == expected[i]);
  }
  if (orders_seen) *orders_seen += got.size();
  // P2: equity at every bar close from trade_from on.
  auto eq = store.equity(domain::SessionId(session_id), 0, std::numeric_limits<TimestampMs>::max());
  REQUIRE(eq.ok());
  if (eq->size() != r->equity.size()) {
    FAIL_CHECK("equity points: live "
               << eq->size() << " (" << (eq->empty() ? "" : format_seoul(eq->front().ts)) << " .. "
               << (eq->empty() ? "" : format_seoul(eq->back().ts)) << "), backtest "
               << r->equity.size() << " (" << format_seoul(r->equity_ts.front()) << " .. "
               << format_seoul(r->equity_ts.back()) << ")");
    return;
  }
  for (std::size_t i = 0; i < eq->size(); ++i) {
    if ((*eq)[i].ts != r->equity_ts[i] || (*eq)[i].equity != r->equity[i]) {
      FAIL_CHECK("equity differs at " << format_seoul(r->equity_ts[i]) << ": live "
                                      << (*eq)[i].equity << ", backtest " << r->equity[i]);
      break;
    }
  }
}

}  // namespace quantd::live::testing
