// The live service's lifecycle on the paper broker: edits that must not reach a running session
// (R15), the kill switch across a restart (R16), deactivation keep and flatten, a crash during
// warm-up (R6) and downtime (R7).
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
