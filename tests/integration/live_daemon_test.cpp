// Issue 9's "done when", on the real binary: import a few days of 1-minute bars, start
// `quantd serve --debug-clock` (replay feed, paper broker), create a strategy, activate it at
// 08:59, step the clock minute by minute to 15:31, and the session's orders and fills equal,
// order for order, `quantd backtest --trade-from` over the same bars; kill -9 the daemon mid-day
// (and, in the second case, abort it at crash points), restart, step on: nothing missing,
// nothing doubled, and the paper broker's book holds exactly the session's orders.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "live_day.h"
#include "quantd/core/time.h"
#include "test_support.h"

using namespace quantd;
using namespace quantd::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Steps boundary after boundary from `b` until an armed crash point aborts the daemon; false
// when the day ends first. `b` is left at the boundary it died answering, or the one after the
// boundary whose cycle it died in.
bool step_until_abort(int port, int& b) {
  for (; b <= 15 * 60 + 31; ++b) {
    const std::string ts = "2026-07-09T" + hhmm(b) + ":02+09:00";
    auto moved = http_request(port, "POST", "/api/debug/clock", json{{"ts", ts}}.dump());
    if (moved.status == 0) return true;  // it died answering (the abort raced the response)
    REQUIRE(moved.status == 200);
    const std::string minute = "2026-07-09T" + hhmm(b - 1) + ":00";
    for (int i = 0; i < 2000; ++i) {
      auto c = http_request(port, "GET", "/api/live/cycles/latest");
      if (c.status == 0) {  // it died in the cycle of b: the restart resumes after it
        ++b;
        return true;
      }
      if (c.status == 200 && json::parse(c.body)["minute_seoul"] == minute) break;
      std::this_thread::sleep_for(5ms);
    }
  }
  return false;
}

struct Row {
  TimestampMs decided = 0;
  std::string side, reason, status;
  std::int64_t qty = 0;
  TimestampMs fill_ts = 0;
  double price = 0;
  std::int64_t notional = 0, commission = 0, tax = 0;
  std::string text() const {
    std::ostringstream s;
    s << format_seoul(decided) << ' ' << side << ' ' << reason << ' ' << status << ' ' << qty << ' '
      << format_seoul(fill_ts) << ' ' << price << ' ' << notional << ' ' << commission << ' '
      << tax;
    return s.str();
  }
};

// The session's orders (sent ones, oldest first) with their fills.
std::vector<Row> live_rows(int port) {
  const json orders = get(port, "/api/live/sessions/1/orders?limit=10000");
  const json fills = get(port, "/api/live/sessions/1/fills?limit=10000");
  std::map<std::int64_t, json> fill_of;
  for (const json& f : fills) {
    CHECK(fill_of.count(f["order_id"].get<std::int64_t>()) == 0);  // one whole fill per order
    fill_of[f["order_id"].get<std::int64_t>()] = f;
  }
  std::vector<Row> out;
  for (auto it = orders.rbegin(); it != orders.rend(); ++it) {
    const json& o = *it;
    if (o["state"] == "not_placed") continue;
    Row r;
    r.decided = ts_of(o["decided_ts"]);
    r.side = o["side"];
    r.reason = o["reason"];
    r.qty = o["quantity"];
    if (o["state"] == "filled") {
      const json& f = fill_of.at(o["id"].get<std::int64_t>());
      r.status = "filled";
      r.fill_ts = ts_of(f["ts"]);
      r.price = f["price"];
      r.notional = f["notional"];
      r.commission = f["commission"];
      r.tax = f["tax"];
    } else {
      r.status = o["state"] == "denied" && o["reject_code"] == "INSUFFICIENT_CASH"
                     ? "rejected"
                     : o["state"].get<std::string>();
    }
    out.push_back(r);
  }
  return out;
}

// The orders of `quantd backtest --orders-csv`.
std::vector<Row> backtest_rows(const std::string& csv) {
  std::vector<Row> out;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) f.push_back(cell);
    while (f.size() < 11) f.emplace_back();
    Row r;
    r.decided = *parse_timestamp(f[0]);
    r.side = f[2];
    r.reason = f[3];
    r.status = f[4];
    r.qty = std::stoll(f[5]);
    if (r.status == "filled") {
      r.fill_ts = *parse_timestamp(f[6]);
      r.price = std::stod(f[7]);
      r.notional = std::stoll(f[8]);
      r.commission = std::stoll(f[9]);
      r.tax = std::stoll(f[10]);
    }
    out.push_back(r);
  }
  return out;
}

// Sets up the database, the strategy and the activation at 08:59; returns the daemon.
std::unique_ptr<Daemon> start(Sandbox& box, std::vector<std::string> flags) {
  box.write("bars.csv", bars_csv());
  box.write("cross.qs", kScript);
  RunResult imported = box.quantd("import-bars", "--db q.db --symbol LIVE1 --interval 1m bars.csv");
  REQUIRE(imported.exit_code == 0);
  flags.insert(flags.begin(), "--debug-clock=2026-07-09T08:59:00+09:00");
  auto d = std::make_unique<Daemon>(box.file("q.db"), flags);
  const json strategy{
      {"name", "live cross"}, {"script", kScript}, {"symbols", {"LIVE1"}}, {"interval", "1m"}};
  auto created = http_request(d->port(), "POST", "/api/strategies", strategy.dump());
  REQUIRE(created.status == 201);
  auto activated = http_request(d->port(), "POST", "/api/strategies/1/activate",
                                R"({"broker": "paper", "capital": 10000000})");
  INFO(activated.body);
  REQUIRE(activated.status == 202);
  CHECK(json::parse(activated.body)["state"] == "warming");
  wait_state(d->port(), "active");
  return d;
}

// Compares the live session with the backtest of the same bars, and the paper book with both.
void check_against_backtest(Sandbox& box, int port, const std::string& to) {
  const json session = get(port, "/api/live/sessions/1");
  const std::string warmup_from = format_seoul_date(ts_of(session["warmup_from"]));
  CHECK(format_seoul(ts_of(session["trade_from"])) == "2026-07-09T08:59:00");
  const std::vector<Row> live = live_rows(port);
  RunResult bt = box.quantd(
      "backtest",
      "--db q.db --strategy cross.qs --symbol LIVE1 --interval 1m --cash 10000000 "
      "--from " +
          warmup_from + " --to " + to + " --trade-from 2026-07-09 --orders-csv bt.csv --json");
  INFO(bt.err);
  REQUIRE(bt.exit_code == 0);
  const std::vector<Row> expected = backtest_rows(read_file(box.dir / "bt.csv"));
  CHECK(expected.size() >= 6);  // the day trades: the comparison is not of empty lists
  CHECK(live.size() == expected.size());
  for (std::size_t i = 0; i < std::min(live.size(), expected.size()); ++i) {
    CHECK(live[i].text() == expected[i].text());
  }
  std::size_t filled = 0;
  for (const Row& r : expected) filled += r.status == "filled" ? 1 : 0;
  SQLite::Database db(box.file("q.db"), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("SELECT count(*) FROM paper_orders").getInt() == static_cast<int>(filled));
  // The ledger equals the paper book: holdings and the session's cash.
  const std::int64_t held =
      db.execAndGet("SELECT coalesce(sum(quantity), 0) FROM paper_holdings").getInt64();
  const std::int64_t owned =
      db.execAndGet("SELECT coalesce(sum(quantity), 0) FROM positions").getInt64();
  CHECK(held == owned);
}

}  // namespace

TEST_CASE("live: a paper session over a replayed day equals its backtest, across a kill -9") {
  Sandbox box;
  auto d = start(box, {});
  for (int b = 9 * 60 + 1; b <= 12 * 60; ++b) step(d->port(), b);
  // kill -9 mid-day; the next start reconciles and replays, then the day goes on.
  CHECK(d->stop(SIGKILL) == 128 + SIGKILL);
  d = std::make_unique<Daemon>(box.file("q.db"),
                               std::vector<std::string>{"--debug-clock=2026-07-09T12:00:02+09:00"});
  wait_state(d->port(), "active");
  for (int b = 12 * 60 + 1; b <= 15 * 60 + 31; ++b) step(d->port(), b);
  const json overview = get(d->port(), "/api/live");
  REQUIRE(overview["sessions"].size() == 1);
  CHECK(overview["sessions"][0]["last_bar"] == "2026-07-09T06:30:00.000Z");  // 15:30 KST
  CHECK(overview["kill_switch"]["engaged"] == false);
  check_against_backtest(box, d->port(), "2026-07-09");

  // The day's backtest-vs-live diff agrees: every order of the day matched, none diverged.
  const json diff = get(d->port(), "/api/live/sessions/1/diff?day=2026-07-09");
  INFO(diff.dump());
  CHECK(diff["day"] == "2026-07-09");
  CHECK(diff["summary"]["backtest_orders"].get<int>() >= 6);
  CHECK(diff["summary"]["matched"] == diff["summary"]["backtest_orders"]);
  CHECK(diff["summary"]["live_orders"] == diff["summary"]["backtest_orders"]);
  CHECK(diff["summary"]["diverged"] == 0);
  for (const json& r : diff["rows"]) CHECK(r["kind"] == "match");
  CHECK(diff["equity"]["backtest"].size() == diff["equity"]["live"].size());
  CHECK(http_request(d->port(), "GET", "/api/live/sessions/1/diff?day=2026-07-08").status == 409);
  CHECK(http_request(d->port(), "GET", "/api/live/sessions/1/diff?day=July").status == 422);

  // The account view: the broker's holdings equal the session's ledger and the baseline; a
  // share bought outside quantd shows as a mismatch that names the session trading it.
  json account = get(d->port(), "/api/live/accounts/1");
  INFO(account.dump());
  CHECK(account["broker"] == "paper");
  CHECK(account["broker_error"].is_null());
  CHECK(account["allocated_capital"] == 10'000'000);
  for (const json& h : account["holdings"]) CHECK(h["status"] == "ok");
  {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READWRITE);
    db.exec(
        "INSERT INTO paper_holdings(account_id, symbol, quantity, avg_price) VALUES(1, 'LIVE1', 5, "
        "70000) ON CONFLICT(account_id, symbol) DO UPDATE SET quantity = quantity + 5");
  }
  account = get(d->port(), "/api/live/accounts/1");
  REQUIRE(account["holdings"].size() == 1);
  const json& h = account["holdings"][0];
  CHECK(h["symbol"] == "LIVE1");
  CHECK(h["status"] == "mismatch");
  CHECK(h["difference"] == 5);
  CHECK(h["broker"].get<std::int64_t>() == h["session_total"].get<std::int64_t>() + 5);
  CHECK(h["explanation"].get<std::string>().find("session #1") != std::string::npos);
  CHECK(http_request(d->port(), "GET", "/api/live/accounts/99").status == 404);
  CHECK(d->stop(SIGTERM) == 0);
}

TEST_CASE("live: aborts at the crash points lose no order and double none") {
  Sandbox box;
  auto d = start(box, {});
  int b = 9 * 60 + 1;
  for (const char* point :
       {"after_journal_commit", "after_send", "after_ack_commit", "after_target_commit"}) {
    CAPTURE(point);
    // Restart armed, then step until the daemon dies at the point.
    const std::string now = "2026-07-09T" + hhmm(b - 1) + ":02+09:00";
    CHECK(d->stop(SIGTERM) == 0);
    setenv("QUANTD_CRASH_AT", point, 1);
    d = std::make_unique<Daemon>(box.file("q.db"),
                                 std::vector<std::string>{"--debug-clock=" + now, "--debug-crash"});
    unsetenv("QUANTD_CRASH_AT");
    wait_state(d->port(), "active");
    REQUIRE(step_until_abort(d->port(), b));
    CHECK(d->stop(0) == 128 + SIGABRT);
    CHECK(d->log().find(point) != std::string::npos);
    // The restart at the same moment resolves what was in flight and steps on from there.
    --b;
    d = std::make_unique<Daemon>(
        box.file("q.db"),
        std::vector<std::string>{"--debug-clock=2026-07-09T" + hhmm(b) + ":02+09:00"});
    wait_state(d->port(), "active");
    ++b;
  }
  for (; b <= 15 * 60 + 31; ++b) step(d->port(), b);
  check_against_backtest(box, d->port(), "2026-07-09");
  CHECK(d->stop(SIGTERM) == 0);
}

TEST_CASE("live: an order the broker shows twice waits for the operator, who binds it") {
  Sandbox box;
  auto d = start(box, {});
  int b = 9 * 60 + 1;
  CHECK(d->stop(SIGTERM) == 0);
  setenv("QUANTD_CRASH_AT", "after_send", 1);
  d = std::make_unique<Daemon>(
      box.file("q.db"),
      std::vector<std::string>{"--debug-clock=2026-07-09T09:00:02+09:00", "--debug-crash"});
  unsetenv("QUANTD_CRASH_AT");
  wait_state(d->port(), "active");
  REQUIRE(step_until_abort(d->port(), b));
  CHECK(d->stop(0) == 128 + SIGABRT);
  // While quantd was down, someone placed the very same order by hand (HTS) and cancelled it:
  // the broker's book now holds two unclaimed orders with the terms of quantd's unanswered one.
  std::string ours;
  {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READWRITE);
    ours = db.execAndGet("SELECT order_no FROM paper_orders ORDER BY order_no DESC LIMIT 1")
               .getString();
    db.exec(
        "INSERT INTO paper_orders(account_id, order_no, order_date, order_ts, symbol, market, "
        "side, order_type, quantity, limit_price, trigger_price, bar_ts, bar_interval, "
        "cancelled_qty, status) SELECT account_id, '0000009999', order_date, order_ts, symbol, "
        "market, side, order_type, quantity, limit_price, trigger_price, bar_ts, bar_interval, "
        "quantity, 'cancelled' FROM "
        "paper_orders WHERE order_no = '" +
        ours + "'");
  }
  --b;
  d = std::make_unique<Daemon>(
      box.file("q.db"),
      std::vector<std::string>{"--debug-clock=2026-07-09T" + hhmm(b) + ":02+09:00"});
  // The startup reconciliation finds the shares of the unanswered order at the broker, which no
  // ledger holds yet: the session halts (quantd never trades to repair a difference).
  wait_state(d->port(), "halted");
  CHECK(get(d->port(), "/api/live/sessions/1")["state_reason"].get<std::string>().find(
            "reconciliation mismatch") != std::string::npos);
  const json waiting = get(d->port(), "/api/live/orders?state=needs_attention");
  REQUIRE(waiting.size() == 1);
  const std::int64_t id = waiting[0]["id"];
  const std::string order = "/api/live/orders/" + std::to_string(id);
  json detail = get(d->port(), order);
  INFO(detail.dump());
  CHECK(detail["state"] == "needs_attention");
  CHECK(detail["what_quantd_does"].get<std::string>().find("bind") != std::string::npos);
  REQUIRE(detail["candidates"].size() == 2);
  std::set<std::string> numbers;
  for (const json& c : detail["candidates"]) numbers.insert(c["order_no"].get<std::string>());
  CHECK(numbers == std::set<std::string>{ours, "0000009999"});
  CHECK(detail["history"].back()["to"] == "needs_attention");
  // The session keeps evaluating; nothing more is sent.
  const int sent = [&] {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(*) FROM paper_orders").getInt();
  }();
  for (int i = 0; i < 5; ++i) step(d->port(), ++b);
  {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT count(*) FROM paper_orders").getInt() == sent);
  }

  // Bad answers change nothing.
  const std::string answer = order + "/answer";
  CHECK(http_request(d->port(), "POST", answer, "{}").status == 422);
  CHECK(http_request(d->port(), "POST", answer, R"({"bind_to": "1", "not_placed": true})").status ==
        422);
  CHECK(http_request(d->port(), "POST", answer, R"({"not_placed": false})").status == 422);
  CHECK(http_request(d->port(), "POST", answer, R"({"bind_to": "1", "colour": 2})").status == 422);
  auto wrong = http_request(d->port(), "POST", answer, R"({"bind_to": "0000000777"})");
  CHECK(wrong.status == 409);
  CHECK(wrong.body.find("0000000777") != std::string::npos);
  CHECK(http_request(d->port(), "POST", "/api/live/orders/999/answer", R"({"not_placed": true})")
            .status == 404);
  CHECK(get(d->port(), order)["state"] == "needs_attention");

  // The operator's answer: quantd's own is the one the broker numbered first.
  auto bound = http_request(d->port(), "POST", answer,
                            json{{"bind_to", ours}, {"note", "checked in the MTS"}}.dump());
  INFO(bound.body);
  REQUIRE(bound.status == 200);
  detail = json::parse(bound.body);
  CHECK(detail["broker_order_no"] == ours);
  CHECK(detail["candidates"].is_null());
  bool by_operator = false;
  for (const json& e : detail["history"]) by_operator = by_operator || e["source"] == "operator";
  CHECK(by_operator);
  CHECK(http_request(d->port(), "POST", answer, R"({"not_placed": true})").status == 409);
  // Its fills are booked, so the account reconciles and the session resumes; the symbol thaws
  // and the day goes on with the session trading again.
  auto resumed =
      http_request(d->port(), "POST", "/api/live/resume", R"({"scope": "session", "id": 1})");
  INFO(resumed.body);
  CHECK(resumed.status == 200);
  wait_state(d->port(), "active");
  for (int i = 0; i < 120; ++i) step(d->port(), ++b);
  {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("SELECT count(*) FROM paper_orders").getInt() > sent);
    // Every order quantd sent is in the book once; the hand-placed one is the only extra.
    CHECK(db.execAndGet("SELECT count(*) FROM orders WHERE broker_order_no IS NOT NULL AND "
                        "broker_order_no NOT IN (SELECT order_no FROM paper_orders)")
              .getInt() == 0);
    CHECK(db.execAndGet("SELECT count(*) FROM paper_orders WHERE order_no NOT IN (SELECT "
                        "broker_order_no FROM orders WHERE broker_order_no IS NOT NULL)")
              .getInt() == 1);
  }
  CHECK(d->stop(SIGTERM) == 0);
}

TEST_CASE("live: the demo replays the sample data through the live path, as its backtest") {
  Sandbox box;
  auto d = std::make_unique<Daemon>(box.file("q.db"));
  auto bad = http_request(d->port(), "POST", "/api/live/demo", R"({"pace_ms": -1})");
  CHECK(bad.status == 422);
  CHECK(bad.body.find("pace_ms") != std::string::npos);
  CHECK(http_request(d->port(), "POST", "/api/live/demo", R"({"strategy_id": 42})").status == 404);
  auto started = http_request(d->port(), "POST", "/api/live/demo", R"({"pace_ms": 20})");
  INFO(started.body);
  REQUIRE(started.status == 202);
  const std::int64_t id = json::parse(started.body)["session_id"];
  // One replay at a time; it is not a session the daemon's clock or the kill switch drives.
  CHECK(http_request(d->port(), "POST", "/api/live/demo", "{}").status == 409);
  CHECK(http_request(d->port(), "POST", "/api/live/kill",
                     json{{"scope", "session"}, {"id", id}}.dump())
            .status == 409);
  json status;
  for (int i = 0; i < 3000; ++i) {
    status = get(d->port(), "/api/live/demo");
    if (!status["running"].get<bool>()) break;
    std::this_thread::sleep_for(10ms);
  }
  INFO(status.dump());
  REQUIRE_FALSE(status["running"].get<bool>());
  CHECK(status["bar"] == 120);
  const json session = get(d->port(), "/api/live/sessions/" + std::to_string(id));
  CHECK(session["replay"] == true);
  CHECK(session["state"] == "stopped");
  CHECK(session["positions"].empty());  // it sold on the last bar
  CHECK(session["strategy_name"].get<std::string>().starts_with("Replay: "));
  const json orders = get(d->port(), "/api/live/sessions/" + std::to_string(id) + "/orders");
  CHECK(orders.size() >= 4);
  // Every day it traded, the backtest of the same bars made the same orders at the same prices.
  std::set<std::string> days;
  for (const json& o : orders) {
    CHECK(o["state"] == "filled");
    days.insert(format_seoul_date(ts_of(o["decided_ts"])));
  }
  for (const std::string& day : days) {
    const json diff =
        get(d->port(), "/api/live/sessions/" + std::to_string(id) + "/diff?day=" + day);
    INFO(diff.dump());
    CHECK(diff["summary"]["diverged"] == 0);
    CHECK(diff["summary"]["matched"].get<int>() >= 1);
  }
  {
    // Its own simulated account: the paper account never saw an order, the replay's book holds
    // exactly the session's orders.
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READONLY);
    const std::int64_t account = session["account_id"];
    CHECK(db.execAndGet("SELECT label FROM broker_accounts WHERE id = " + std::to_string(account))
              .getString() == "replay");
    CHECK(db.execAndGet("SELECT count(*) FROM paper_orders WHERE account_id <> " +
                        std::to_string(account))
              .getInt() == 0);
    CHECK(db.execAndGet("SELECT count(*) FROM paper_orders WHERE account_id = " +
                        std::to_string(account))
              .getInt() == static_cast<int>(orders.size()));
  }
  // Not an account of the Live page (its kill switch and account views are real trading's).
  const json live = get(d->port(), "/api/live");
  for (const json& a : live["accounts"]) CHECK(a["label"] != "replay");

  // A restart ends a replay mid-way: its clock lived in the process.
  auto again = http_request(d->port(), "POST", "/api/live/demo", R"({"pace_ms": 1000})");
  REQUIRE(again.status == 202);
  const std::int64_t second = json::parse(again.body)["session_id"];
  CHECK(second != id);
  CHECK(d->stop(SIGKILL) == 128 + SIGKILL);
  d = std::make_unique<Daemon>(box.file("q.db"));
  const json ended = get(d->port(), "/api/live/sessions/" + std::to_string(second));
  CHECK(ended["state"] == "stopped");
  CHECK(ended["state_reason"] == "the replay ended when quantd stopped");
  CHECK(get(d->port(), "/api/health")["live"]["sessions"] == 0);
  CHECK(d->stop(SIGTERM) == 0);
}

TEST_CASE("live: bad activations get a 4xx naming the field and change nothing") {
  Sandbox box;
  box.write("bars.csv", bars_csv());
  REQUIRE(box.quantd("import-bars", "--db q.db --symbol LIVE1 --interval 1m bars.csv").exit_code ==
          0);
  Daemon d(box.file("q.db"), {"--debug-clock=2026-07-09T08:59:00+09:00"});
  const json strategy{
      {"name", "s"}, {"script", "builtin:sma_cross"}, {"symbols", {"LIVE1"}}, {"interval", "1m"}};
  REQUIRE(http_request(d.port(), "POST", "/api/strategies", strategy.dump()).status == 201);
  auto field = [&](const std::string& body, int status, const std::string& name) {
    auto r = http_request(d.port(), "POST", "/api/strategies/1/activate", body);
    INFO(body << " → " << r.body);
    CHECK(r.status == status);
    CHECK(r.header("content-type").find("application/problem+json") != std::string::npos);
    if (!name.empty()) {
      const json p = json::parse(r.body);
      REQUIRE(p.contains("errors"));
      CHECK(p["errors"][0]["field"] == name);
    }
  };
  field(R"({"capital": 0})", 422, "capital");
  field(R"({"capital": -5})", 422, "capital");
  field(R"({})", 422, "capital");
  field(R"({"capital": 1e20})", 422, "capital");
  field(R"({"capital": 1000000, "broker": "ibkr"})", 422, "broker");
  field(R"({"capital": 1000000, "risk": {"max_orders_per_min": 0}})", 422,
        "risk.max_orders_per_min");
  field(R"({"capital": 1000000, "risk": {"max_ordres_per_min": 3}})", 422,
        "risk.max_ordres_per_min");
  field(R"({"capital": 100000000000})", 422, "capital");  // more than the paper account holds
  field(R"({"capital": 1000000, "colour": "red"})", 422, "colour");
  field("{not json", 400, "");
  CHECK(http_request(d.port(), "POST", "/api/strategies/99/activate", R"({"capital": 1000000})")
            .status == 404);
  // Nothing was stored by any of them.
  CHECK(get(d.port(), "/api/live")["sessions"].empty());
  // A script that no longer compiles: stored straight into the file, as an old version would be.
  {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READWRITE);
    db.exec("UPDATE strategies SET script = 'buy when smaa(close, 3) > 0' WHERE id = 1");
  }
  field(R"({"capital": 1000000})", 422, "script");
  {
    SQLite::Database db(box.file("q.db"), SQLite::OPEN_READWRITE);
    db.exec("UPDATE strategies SET script = 'builtin:sma_cross' WHERE id = 1");
  }
  // A valid activation; a second one is a conflict; the strategy cannot be deleted meanwhile.
  auto ok = http_request(d.port(), "POST", "/api/strategies/1/activate", R"({"capital": 1000000})");
  CHECK(ok.status == 202);
  wait_state(d.port(), "active");
  CHECK(http_request(d.port(), "POST", "/api/strategies/1/activate", R"({"capital": 1000000})")
            .status == 409);
  CHECK(http_request(d.port(), "DELETE", "/api/strategies/1").status == 409);
  auto bad =
      http_request(d.port(), "POST", "/api/strategies/1/deactivate", R"({"positions": "sell"})");
  CHECK(bad.status == 422);
  CHECK(http_request(d.port(), "POST", "/api/strategies/1/deactivate", R"({"positions": "keep"})")
            .status == 202);
  wait_state(d.port(), "stopped");
  CHECK(http_request(d.port(), "POST", "/api/strategies/1/deactivate", "").status == 404);
  // No history for the symbol at all: the session fails with a sentence, not silently.
  const json nodata{
      {"name", "n"}, {"script", "builtin:sma_cross"}, {"symbols", {"NODATA"}}, {"interval", "1m"}};
  REQUIRE(http_request(d.port(), "POST", "/api/strategies", nodata.dump()).status == 201);
  CHECK(http_request(d.port(), "POST", "/api/strategies/2/activate", R"({"capital": 1000000})")
            .status == 202);
  json s;
  for (int i = 0; i < 500; ++i) {
    s = get(d.port(), "/api/live/sessions/2");
    if (s["state"] != "warming") break;
    std::this_thread::sleep_for(10ms);
  }
  CHECK(s["state"] == "failed");
  CHECK(s["state_reason"].get<std::string>().find("bars of NODATA") != std::string::npos);
  CHECK(get(d.port(), "/api/live")["sessions"].size() == 2);
  CHECK(d.stop(SIGTERM) == 0);
}
