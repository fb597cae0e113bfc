// Backtests as durable jobs: the row is the record, so a job survives kill -9 and finishes after
// the restart; a job that throws ends failed with the reason and the worker goes on; a full queue
// answers 429 with Retry-After and stores nothing.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::TempDir;

namespace {

// Enough 1-minute bars that one backtest takes a noticeable fraction of a second.
constexpr int kSlowBars = 300'000;

// test_support's Daemon finds its port in DB.log; a restart on the same database must not read the
// previous run's "listening on" line before the new process truncates the file.
void forget_log(const std::string& db) { std::filesystem::remove(db + ".log"); }

std::string status_of(const std::string& db, std::int64_t id) {
  SQLite::Database sql(db, SQLite::OPEN_READONLY);
  SQLite::Statement q(sql, "SELECT status FROM backtests WHERE id = ?");
  q.bind(1, id);
  return q.executeStep() ? q.getColumn(0).getString() : "";
}

// A migrated database holding kSlowBars 1-minute bars of "SLOW"; the daemon that migrated it is
// stopped again.
void prepare_slow_db(const std::string& db) {
  {
    Daemon d(db);
    REQUIRE(d.stop(SIGTERM) == 0);
  }
  seed_bars(db, "SLOW", "1m", kSlowBars);
  forget_log(db);
}

// A migrated database with the sample data and the SMA strategy; returns the strategy's id.
// The daemon that made them is stopped again.
std::int64_t prepare_sample_strategy(const std::string& db) {
  Daemon d(db);
  REQUIRE(call(d.port(), "POST", "/api/sample-data").status == 201);
  auto s = call(d.port(), "POST", "/api/strategies", sma_strategy());
  REQUIRE(s.status == 201);
  REQUIRE(d.stop(SIGTERM) == 0);
  return s.body["id"];
}

// Holds a backtest worker for seconds whatever the machine: a sweep of 1,071 runs over the slow
// bars (a single backtest of them now takes tens of milliseconds, too short to observe as
// running). Returns the sweep's id once a worker runs it.
std::int64_t hold_worker(int port, std::int64_t strategy_id) {
  auto sweep = call(port, "POST", "/api/sweeps",
                    {{"strategy_id", strategy_id},
                     {"grid",
                      {{"fast", {{"from", 10}, {"to", 60}, {"step", 1}}},
                       {"slow", {{"from", 300}, {"to", 500}, {"step", 10}}}}},
                     {"max_runs", 2000}});
  REQUIRE(sweep.status == 202);
  const std::string path = "/api/sweeps/" + std::to_string(sweep.body["id"].get<std::int64_t>());
  for (int i = 0; i < 1500; ++i) {
    if (call(port, "GET", path).body["status"] == "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(call(port, "GET", path).body["status"] == "running");
  return sweep.body["id"];
}

// A config file with one backtest worker (and `extra` lines under [backtest]).
std::string one_worker_config(const TempDir& dir, const std::string& extra = "") {
  const std::string config = dir.file("config.toml");
  std::ofstream(config) << "[backtest]\nworkers = 1\n" << extra;
  return config;
}

json slow_strategy() {
  return {{"name", "Slow"},
          {"script", "builtin:sma_cross"},
          {"params", {{"fast", 50}, {"slow", 400}}},
          {"symbols", {"SLOW"}},
          {"interval", "1m"}};
}

}  // namespace

TEST_CASE("kill -9 with a queued job, then restart: every job completes") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  prepare_slow_db(db);
  std::int64_t first = 0, second = 0;
  const std::string config = one_worker_config(dir);
  {
    Daemon d(db, {"--config", config});
    auto s = call(d.port(), "POST", "/api/strategies", slow_strategy());
    REQUIRE(s.status == 201);
    hold_worker(d.port(), s.body["id"]);  // the one worker is busy: both jobs stay queued
    auto a = call(d.port(), "POST", "/api/backtests", {{"strategy_id", s.body["id"]}});
    auto b = call(d.port(), "POST", "/api/backtests", {{"strategy_id", s.body["id"]}});
    REQUIRE(a.status == 202);
    REQUIRE(b.status == 202);
    first = a.body["id"];
    second = b.body["id"];
    CHECK(d.stop(SIGKILL) == 128 + SIGKILL);
  }
  CHECK(status_of(db, first) == "queued");
  CHECK(status_of(db, second) == "queued");

  forget_log(db);
  Daemon d(db);
  const json a = wait_for(d.port(), first, {"done", "failed"}, std::chrono::seconds(120));
  const json b = wait_for(d.port(), second, {"done", "failed"}, std::chrono::seconds(120));
  CHECK(a["status"] == "done");
  CHECK(b["status"] == "done");
  CHECK(a["metrics"]["total_return"] == b["metrics"]["total_return"]);  // deterministic
  CHECK(d.log().find("re-queued 3 of 3 unfinished job(s): 2 backtest(s), 1 sweep(s)") !=
        std::string::npos);
  const std::string base = "/api/backtests/" + std::to_string(second);
  auto equity = call(d.port(), "GET", base + "/equity?max_points=10");
  CHECK(equity.status == 200);
  CHECK(equity.body.size() == 10);  // from the stored 2,000-point preview
  auto full = call(d.port(), "GET", base + "/equity?max_points=5000");
  REQUIRE(full.status == 200);
  CHECK(full.body.size() == 5000);  // from the full series
  CHECK(full.body.back() == equity.body.back());
  CHECK(full.body.front() == equity.body.front());
  auto drawdown = call(d.port(), "GET", base + "/drawdown?max_points=50");
  REQUIRE(drawdown.status == 200);
  CHECK(drawdown.body.size() == 50);
  CHECK(drawdown.body[0].size() == 2);  // ts and drawdown only
  // Minute bars become daily candles for the chart, then the latest max_bars are kept.
  auto candles = call(d.port(), "GET", base + "/bars?max_bars=100");
  REQUIRE(candles.status == 200);
  REQUIRE(candles.body.size() == 100);
  CHECK(candles.body[1]["ts"].get<std::int64_t>() - candles.body[0]["ts"].get<std::int64_t>() ==
        86'400'000);
  CHECK(is_problem(call(d.port(), "GET", base + "/bars?max_bars=1"), 422));
  CHECK(is_problem(call(d.port(), "GET", base + "/bars?symbol=NOPE"), 422));
}

TEST_CASE("SIGTERM while a job runs: it goes back to the queue and finishes after the restart") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  prepare_slow_db(db);
  std::int64_t id = 0;
  {
    Daemon d(db);
    auto s = call(d.port(), "POST", "/api/strategies", slow_strategy());
    REQUIRE(s.status == 201);
    auto a = call(d.port(), "POST", "/api/backtests", {{"strategy_id", s.body["id"]}});
    REQUIRE(a.status == 202);
    id = a.body["id"];
    wait_for(d.port(), id, {"running", "done"}, std::chrono::seconds(30));
    CHECK(d.stop(SIGTERM) == 0);
  }
  const std::string st = status_of(db, id);
  CHECK((st == "queued" || st == "done"));  // interrupted and re-queued, or it won the race
  forget_log(db);
  Daemon d(db);
  CHECK(wait_for(d.port(), id, {"done", "failed"})["status"] == "done");
}

TEST_CASE("a job that throws ends failed with the reason; the worker goes on with the next") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  const std::int64_t sid = prepare_sample_strategy(db);
  // Two queued jobs written behind the API's back: the first with a corrupt settings document
  // (parsing it throws inside the worker), the second a good copy.
  std::int64_t broken = 0, good = 0;
  {
    SQLite::Database sql(db, SQLite::OPEN_READWRITE);
    const char* insert =
        "INSERT INTO backtests(strategy_id, strategy_version, strategy_name, script, params, "
        "settings, status, created_at) VALUES(?, 1, 'Golden cross', 'builtin:sma_cross', "
        "'{\"fast\":20,\"slow\":60}', ?, 'queued', 1700000000000)";
    SQLite::Statement q(sql, insert);
    q.bind(1, sid);
    q.bind(2, "{\"symbols\": [\"SAMPLE-A\"], \"cash\": ");
    q.exec();
    broken = sql.getLastInsertRowid();
    SQLite::Statement q2(sql, insert);
    q2.bind(1, sid);
    q2.bind(2, "{\"symbols\":[\"SAMPLE-A\"],\"interval\":\"1d\",\"cash\":100000000}");
    q2.exec();
    good = sql.getLastInsertRowid();
  }
  forget_log(db);
  Daemon d(db);
  const json b = wait_for(d.port(), broken, {"done", "failed"});
  REQUIRE(b["status"] == "failed");
  CHECK(b["error"].get<std::string>().find("parse") != std::string::npos);
  CHECK(b["metrics"].is_null());
  const json g = wait_for(d.port(), good, {"done", "failed"});
  CHECK(g["status"] == "done");
  auto results = call(d.port(), "GET", "/api/backtests/" + std::to_string(broken) + "/equity");
  CHECK(is_problem(results, 409));
  CHECK(results.body["detail"].get<std::string>().find("failed") != std::string::npos);
  // A job whose data vanished before it ran fails with a sentence naming what is missing.
  auto gone =
      call(d.port(), "POST", "/api/backtests", {{"strategy_id", sid}, {"symbols", {"SAMPLE-B"}}});
  REQUIRE(gone.status == 202);
  wait_for(d.port(), gone.body["id"], {"done", "failed"});
  CHECK(call(d.port(), "DELETE", "/api/bars/SAMPLE-B?interval=1d").status == 204);
  auto after =
      call(d.port(), "POST", "/api/backtests", {{"strategy_id", sid}, {"symbols", {"SAMPLE-B"}}});
  CHECK(is_problem(after, 422));
}

TEST_CASE("finding 3: more unfinished jobs than the queue holds all run after a restart") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  const std::int64_t sid = prepare_sample_strategy(db);
  // Twelve queued and two running jobs (a kill -9's leftovers) against a queue of two.
  std::vector<std::int64_t> ids;
  {
    SQLite::Database sql(db, SQLite::OPEN_READWRITE);
    for (int i = 0; i < 14; ++i) {
      SQLite::Statement q(sql,
                          "INSERT INTO backtests(strategy_id, strategy_version, strategy_name, "
                          "script, params, settings, status, created_at) VALUES(?, 1, 'Golden "
                          "cross', 'builtin:sma_cross', '{\"fast\":20,\"slow\":60}', "
                          "'{\"symbols\":[\"SAMPLE-A\"],\"interval\":\"1d\",\"cash\":"
                          "100000000}', ?, 1700000000000)");
      q.bind(1, sid);
      q.bind(2, i < 2 ? "running" : "queued");
      q.exec();
      ids.push_back(sql.getLastInsertRowid());
    }
  }
  const std::string config = dir.file("config.toml");
  std::ofstream(config) << "[backtest]\nworkers = 1\nqueue_capacity = 2\n";
  forget_log(db);
  Daemon d(db, {"--config", config});
  for (std::int64_t id : ids) {
    CHECK(wait_for(d.port(), id, {"done", "failed"}, std::chrono::seconds(120))["status"] ==
          "done");
  }
  CHECK(d.log().find("re-queued 14 of 14 unfinished backtest(s)") != std::string::npos);
}

TEST_CASE("a full queue answers 429 with Retry-After and stores nothing") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  prepare_slow_db(db);
  Daemon d(db, {"--config", one_worker_config(dir, "queue_capacity = 1\n")});
  auto s = call(d.port(), "POST", "/api/strategies", slow_strategy());
  REQUIRE(s.status == 201);
  const json body{{"strategy_id", s.body["id"]}};
  // The worker holds a long sweep; the channel is empty.
  const std::int64_t sweep = hold_worker(d.port(), s.body["id"]);
  auto a = call(d.port(), "POST", "/api/backtests", body);
  REQUIRE(a.status == 202);  // fills the one slot
  const auto t0 = std::chrono::steady_clock::now();
  auto c = call(d.port(), "POST", "/api/backtests", body);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));  // never hangs
  REQUIRE(is_problem(c, 429));
  CHECK(!c.raw.header("retry-after").empty());
  CHECK(c.body["detail"].get<std::string>().find("queue is full") != std::string::npos);
  CHECK(call(d.port(), "GET", "/api/backtests").body.size() == 1);  // no half-written row
  REQUIRE(call(d.port(), "POST", "/api/sweeps/" + std::to_string(sweep) + "/cancel").status == 200);
  CHECK(wait_for(d.port(), a.body["id"], {"done"}, std::chrono::seconds(120))["status"] == "done");
  // With room again, the next request is accepted.
  CHECK(call(d.port(), "POST", "/api/backtests", body).status == 202);
}

TEST_CASE("cancel a queued and a running job") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  prepare_slow_db(db);
  Daemon d(db, {"--config", one_worker_config(dir)});
  auto s = call(d.port(), "POST", "/api/strategies", slow_strategy());
  REQUIRE(s.status == 201);
  const json body{{"strategy_id", s.body["id"]}};
  // b is queued behind a long sweep on the one worker; a runs (or is done) once the sweep is
  // canceled.
  const std::int64_t sweep = hold_worker(d.port(), s.body["id"]);
  auto a = call(d.port(), "POST", "/api/backtests", body);
  auto b = call(d.port(), "POST", "/api/backtests", body);
  REQUIRE(a.status == 202);
  REQUIRE(b.status == 202);
  auto cb = call(d.port(), "POST", "/api/backtests/" + b.body["id"].dump() + "/cancel");
  REQUIRE(cb.status == 200);
  CHECK(cb.body["status"] == "canceled");
  REQUIRE(call(d.port(), "POST", "/api/sweeps/" + std::to_string(sweep) + "/cancel").status == 200);
  auto ca = call(d.port(), "POST", "/api/backtests/" + a.body["id"].dump() + "/cancel");
  CHECK((ca.status == 200 || ca.status == 409));  // 409 only if it already finished
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(status_of(db, b.body["id"]) == "canceled");  // the worker skipped it
  const std::string sa = status_of(db, a.body["id"]);
  CHECK((sa == "canceled" || sa == "done"));
  CHECK(
      is_problem(call(d.port(), "GET", "/api/backtests/" + b.body["id"].dump() + "/trades"), 409));
}
