// The live service's lifecycle on the paper broker: edits that must not reach a running session
// (R15), the kill switch across a restart (R16), deactivation keep and flatten, a crash during
// warm-up (R6), downtime (R7) and the daily loss limit (LT-25).
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include "live_harness.h"

using namespace quantd;
using namespace quantd::live;
using namespace quantd::live::testing;

namespace {

const Case kCross{"cross", "builtin:sma_cross", {"AAA"}, domain::Interval::k1m};

int count(storage::Database& db, const std::string& sql) {
  return db.connection().execAndGet(sql).getInt();
}

SessionRecord session(Harness& h, std::int64_t id) {
  SessionStore store(*h.tdb.db);
  auto s = store.get(domain::SessionId(id));
  REQUIRE(s.ok());
  return *s;
}

}  // namespace

TEST_CASE("R15: editing the strategy never changes its running session") {
  Harness h;
  h.store_bars();
  h.boot();
  const std::int64_t id = h.activate(kCross, 10'000'000);
  storage::StrategyRepository repo(*h.tdb.db);
  auto s = repo.get(domain::StrategyId(1));
  REQUIRE(s.ok());
  s->script = "buy when close < 0\nsell when close < 0\n";  // would never trade
  REQUIRE(repo.update(*s, h.clock.now()).ok());
  h.run_until(from_seoul({2026, 4, 30}, 15, 31, 30));
  CHECK(session(h, id).script == "builtin:sma_cross");
  check_parity(h, kCross, id, 10'000'000, nullptr, {2026, 4, 30});  // the original's trades
}

TEST_CASE("R16: the kill switch pauses orders, not evaluation, survives a restart, resumes") {
  Harness h;
  h.store_bars();
  h.boot();
  const std::int64_t id = h.activate(kCross, 10'000'000);
  h.run_until(from_seoul(kActivate, 11, 0, 30));
  const int before = count(*h.tdb.db, "SELECT count(*) FROM orders");
  REQUIRE(before > 0);
  REQUIRE(h.service->kill(KillScope::kAll, 0, "news").ok());
  const auto last_bar = session(h, id).last_bar;
  h.run_until(from_seoul(kActivate, 13, 0, 30));
  CHECK(count(*h.tdb.db, "SELECT count(*) FROM orders") == before);
  CHECK(session(h, id).last_bar > last_bar);  // evaluation goes on in shadow
  CHECK(count(*h.tdb.db, "SELECT count(*) FROM live_targets") > 0);
  h.restart();
  CHECK(h.service->accounts().front().trading_state == TradingState::kHalted);
  h.run_until(from_seoul(kActivate, 14, 0, 30));
  CHECK(count(*h.tdb.db, "SELECT count(*) FROM orders") == before);
  auto resumed = h.service->resume(KillScope::kAll, 0);
  INFO((resumed.ok() ? resumed->dump() : resumed.status().message()));
  REQUIRE(resumed.ok());
  CHECK(h.service->accounts().front().trading_state == TradingState::kActive);
  h.run_until(from_seoul({2026, 4, 30}, 15, 31, 30));
  CHECK(count(*h.tdb.db, "SELECT count(*) FROM orders") > before);
  CHECK(session(h, id).state == SessionState::kActive);
  // A session can be killed on its own too, and resumed.
  REQUIRE(h.service->kill(KillScope::kSession, id, "").ok());
  CHECK(session(h, id).state == SessionState::kHalted);
  REQUIRE(h.service->resume(KillScope::kSession, id).ok());
  CHECK(session(h, id).state == SessionState::kActive);
}

TEST_CASE("deactivate: keep leaves the shares in the baseline; flatten sells them first") {
  Harness h;
  h.store_bars();
  h.boot();
  const Case hold{"hold", "builtin:buy_and_hold", {"AAA"}, domain::Interval::k1m};
  const std::int64_t kept = h.activate(hold, 10'000'000);
  const Case hold_b{"hold_b", "builtin:buy_and_hold", {"BBB"}, domain::Interval::k1m};
  const std::int64_t flat = h.activate(hold_b, 10'000'000);
  h.run_until(from_seoul(kActivate, 9, 10, 30));
  SessionStore store(*h.tdb.db);
  auto l = store.ledger(domain::SessionId(kept), {domain::Symbol("AAA")});
  REQUIRE(l.ok());
  const std::int64_t shares = l->second[0].position.quantity;
  REQUIRE(shares > 0);

  REQUIRE(h.service->deactivate(domain::StrategyId(1), false).ok());
  h.drain();
  CHECK(session(h, kept).state == SessionState::kStopped);
  CHECK(count(*h.tdb.db, "SELECT quantity FROM account_baseline WHERE symbol = 'AAA'") == shares);

  REQUIRE(h.service->deactivate(domain::StrategyId(2), true).ok());
  h.drain();
  CHECK(session(h, flat).state == SessionState::kStopping);
  h.run_until(from_seoul(kActivate, 9, 13, 30));
  CHECK(session(h, flat).state == SessionState::kStopped);
  CHECK(count(*h.tdb.db,
              "SELECT count(*) FROM orders WHERE reason = 'flatten' AND state = "
              "'filled'") == 1);
  CHECK(count(*h.tdb.db,
              "SELECT coalesce(sum(quantity), 0) FROM paper_holdings WHERE symbol = "
              "'BBB'") == 0);
  // The account still reconciles: the baseline explains the kept shares.
  auto report = h.service->resume(KillScope::kAll, 0);
  REQUIRE(report.ok());
  // A stopped strategy can be activated again, as a new session.
  std::vector<FieldError> errors;
  Activation a;
  a.capital = 1'000'000;
  auto again = h.service->activate(domain::StrategyId(1), a, errors);
  REQUIRE(again.ok());
  CHECK(again->id.value() != kept);
}

TEST_CASE("R6: a session whose warm-up was cut short warms up again at the next start") {
  Harness h;
  h.store_bars();
  h.boot();
  storage::StrategyRepository repo(*h.tdb.db);
  storage::StrategyRecord draft;
  draft.name = "cross";
  draft.script = kCross.script;
  draft.symbols = {domain::Symbol("AAA")};
  draft.interval = domain::Interval::k1m;
  auto created = repo.create(draft, h.clock.now());
  REQUIRE(created.ok());
  Activation a;
  a.capital = 10'000'000;
  std::vector<FieldError> errors;
  auto s = h.service->activate(created->id, a, errors);
  REQUIRE(s.ok());
  h.restart();  // the warm-up task never ran
  CHECK(session(h, s->id.value()).state == SessionState::kActive);
  h.run_until(from_seoul({2026, 4, 30}, 15, 31, 30));
  check_parity(h, kCross, s->id.value(), 10'000'000, nullptr, {2026, 4, 30});
}

TEST_CASE("R7: after downtime the missed bars are fed in order, once; the cycles show the gap") {
  Harness h;
  h.store_bars();
  h.boot();
  const std::int64_t id = h.activate(kCross, 10'000'000);
  h.run_until(from_seoul(kActivate, 10, 5, 30));
  h.clock.set(from_seoul(kActivate, 10, 40, 1));  // down from 10:05 to 10:40
  h.restart();
  h.run_until(from_seoul({2026, 4, 30}, 15, 31, 30));
  check_parity(h, kCross, id, 10'000'000, nullptr, {2026, 4, 30});
  const TimestampMs gap_from = from_seoul(kActivate, 10, 5);
  const TimestampMs gap_to = from_seoul(kActivate, 10, 38);
  CHECK(count(*h.tdb.db, "SELECT count(*) FROM live_cycles WHERE minute BETWEEN " +
                             std::to_string(gap_from) + " AND " + std::to_string(gap_to)) == 0);
}

TEST_CASE("LT-25: a day's loss past daily_loss_pct lets only sales out until the next day") {
  Harness h;
  h.risk.daily_loss_pct = 5;
  // Flat at 10,000, except on 2026-04-29: from 10:00 it falls 6 % in an hour and stays at 9,400.
  std::vector<domain::Bar> bars;
  for (std::int64_t d = days_from_civil({2026, 4, 20}); d <= days_from_civil(kLast); ++d) {
    const CivilDate day = civil_from_days(d);
    if (!h.calendar.is_trading_day(day)) continue;
    for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
      if (m >= 15 * 60 + 20 && m < 15 * 60 + 30) continue;
      double price = 10'000;
      if (day == kActivate && m >= 10 * 60) price = std::max(9'400.0, 10'000 - 10.0 * (m - 600));
      bars.push_back({from_seoul(day, m / 60, m % 60), price, price, price, price, 10'000});
    }
  }
  h.tdb.store(domain::Symbol("DROP"), domain::Interval::k1m, bars);
  h.boot();
  // Always long; out below 9,420: the stop comes after the loss limit (5 % of 10,000,000 is hit
  // near 9,450 on 90 % of equity), and then the buy that follows must be denied.
  const Case falling{"falling",
                     "buy when close > 0\nsell when close < 9420\nsize 90% equity\n",
                     {"DROP"},
                     domain::Interval::k1m};
  const std::int64_t id = h.activate(falling, 10'000'000);
  h.run_until(from_seoul(kActivate, 11, 30, 30));
  SessionRecord s = session(h, id);
  INFO(s.state_reason);
  CHECK(s.state == SessionState::kReducing);
  CHECK(s.state_reason.starts_with("daily loss limit on 2026-04-29: equity "));
  const auto orders = [&](const std::string& where) {
    return count(*h.tdb.db, "SELECT count(*) FROM orders WHERE session_id = " + std::to_string(id) +
                                " AND " + where);
  };
  CHECK(orders("side = 'buy' AND state = 'filled'") == 1);
  CHECK(orders("side = 'sell' AND state = 'filled'") == 1);  // sales still go out
  CHECK(orders("side = 'buy' AND state = 'denied' AND reject_code = 'REDUCING_ONLY'") >= 1);
  // A restart the same day keeps the rule.
  h.restart();
  h.run_until(from_seoul(kActivate, 15, 31, 30));
  CHECK(session(h, id).state == SessionState::kReducing);
  CHECK(orders("side = 'buy' AND state = 'filled'") == 1);
  // The next trading day starts it over: the session buys again.
  h.run_until(from_seoul({2026, 4, 30}, 9, 10, 30));
  CHECK(session(h, id).state == SessionState::kActive);
  CHECK(orders("side = 'buy' AND state = 'filled'") == 2);
}
