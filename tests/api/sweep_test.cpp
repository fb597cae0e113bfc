// Sweeps and walk-forward analyses through the real daemon: runs share the pool, fill in live
// over the event stream, reproduce as ordinary backtests, resume after kill -9, and bad requests
// store nothing.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::TempDir;

namespace {

// Polls GET /api/sweeps/{id} until its status is one of `statuses`; returns the last answer.
json wait_for_sweep(int port, std::int64_t id, const std::set<std::string>& statuses,
                    std::chrono::seconds timeout = std::chrono::seconds(120)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = call(port, "GET", "/api/sweeps/" + std::to_string(id));
    if (r.status == 200) {
      last = r.body;
      if (statuses.contains(last["status"].get<std::string>())) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

std::int64_t sample_strategy(int port) {
  REQUIRE(call(port, "POST", "/api/sample-data").status == 201);
  auto s = call(port, "POST", "/api/strategies", sma_strategy());
  REQUIRE(s.status == 201);
  return s.body["id"];
}

// A grid of 1,071 runs over the slow bars: seconds of work on any machine (one run of them takes
// a few milliseconds), so a test can catch the sweep running.
const json kLongGrid = {{"fast", {{"from", 10}, {"to", 60}, {"step", 1}}},
                        {"slow", {{"from", 300}, {"to", 500}, {"step", 10}}}};
constexpr std::size_t kLongGridRuns = 51 * 21;

// A migrated database holding 300,000 one-minute bars of "SLOW" (a run takes a noticeable
// fraction of a second); the daemon that migrated it is stopped again.
void prepare_slow_db(const std::string& db) {
  {
    Daemon d(db);
    REQUIRE(d.stop(SIGTERM) == 0);
  }
  seed_bars(db, "SLOW", "1m", 300'000);
  std::filesystem::remove(db + ".log");
}

json slow_strategy() {
  return {{"name", "Slow"},
          {"script", "builtin:sma_cross"},
          {"params", {{"fast", 50}, {"slow", 400}}},
          {"symbols", {"SLOW"}},
          {"interval", "1m"}};
}

std::int64_t sweep_rows(const std::string& db) {
  SQLite::Database sql(db, SQLite::OPEN_READONLY);
  return sql.execAndGet("SELECT COUNT(*) FROM sweeps").getInt64();
}

}  // namespace

TEST_CASE("sweep: a grid fills in live, ranks its runs, and a run opens as the same backtest") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const std::int64_t strategy = sample_strategy(d.port());
  SseReader events(d.port());
  REQUIRE(events.connected());
  auto created =
      call(d.port(), "POST", "/api/sweeps",
           {{"strategy_id", strategy},
            {"grid", {{"fast", {{"from", 5}, {"to", 20}, {"step", 5}}}, {"slow", {30, 45, 60}}}},
            {"metric", "sharpe"}});
  REQUIRE(created.status == 202);
  CHECK(created.body["runs_total"] == 12);
  const std::int64_t id = created.body["id"];
  // Each run is announced as it is stored, with its metrics (what the heatmap paints).
  const std::string first_run = events.wait_for("sweep", "\"run\":", std::chrono::seconds(30));
  REQUIRE_FALSE(first_run.empty());
  CHECK(json::parse(first_run)["run"]["metrics"].contains("sharpe"));

  json sweep = wait_for_sweep(d.port(), id, {"done", "failed"});
  REQUIRE(sweep["status"] == "done");
  CHECK(sweep["kind"] == "grid");
  CHECK(sweep["runs_done"] == 12);
  REQUIRE(sweep["runs"].size() == 12);
  std::set<std::pair<double, double>> grid;
  double best = -INFINITY;
  std::int64_t best_run = 0;
  for (const json& run : sweep["runs"]) {
    REQUIRE(run["status"] == "done");
    grid.insert({run["params"]["fast"].get<double>(), run["params"]["slow"].get<double>()});
    if (run["metrics"]["sharpe"].get<double>() > best) {
      best = run["metrics"]["sharpe"];
      best_run = run["run"];
    }
  }
  CHECK(grid.size() == 12);
  CHECK(grid.contains({20.0, 45.0}));
  const json& summary = sweep["summary"];
  CHECK(summary["best"]["task"].get<std::int64_t>() + 1 == best_run);
  CHECK(summary["best"]["metrics"]["sharpe"] == best);
  REQUIRE(summary["overfitting"].is_object());
  CHECK(summary["overfitting"]["splits"] == 12870);
  CHECK(summary["overfitting"]["pbo"].get<double>() >= 0);
  CHECK(summary["overfitting"]["pbo"].get<double>() <= 1);
  CHECK(summary["walk_forward"].is_null());

  // Opening the best run rebuilds it as an ordinary backtest with exactly the run's metrics.
  auto opened =
      call(d.port(), "POST",
           "/api/sweeps/" + std::to_string(id) + "/runs/" + std::to_string(best_run) + "/backtest");
  REQUIRE(opened.status == 202);
  const json backtest = wait_for(d.port(), opened.body["id"], {"done", "failed"});
  REQUIRE(backtest["status"] == "done");
  CHECK(backtest["metrics"] == summary["best"]["metrics"]);
  CHECK(backtest["notice"].is_null());
  CHECK(backtest["params"] == summary["best"]["params"]);
  auto equity = call(
      d.port(), "GET",
      "/api/backtests/" + std::to_string(opened.body["id"].get<int>()) + "/equity?max_points=100");
  CHECK(equity.status == 200);
  // Opened twice: the same backtest.
  auto again =
      call(d.port(), "POST",
           "/api/sweeps/" + std::to_string(id) + "/runs/" + std::to_string(best_run) + "/backtest");
  CHECK(again.status == 200);
  CHECK(again.body["id"] == opened.body["id"]);

  // The bars change: a run opened afterwards says its result may differ from the sweep's row.
  const std::string csv = "ts,open,high,low,close,volume\n2024-12-30,1,2,1,2,100\n";
  REQUIRE(call_raw(d.port(), "POST", "/api/bars/SAMPLE-A?interval=1d&file=x.csv", csv, "text/csv")
              .status == 200);
  auto other = call(d.port(), "POST", "/api/sweeps/" + std::to_string(id) + "/runs/1/backtest");
  REQUIRE(other.status == 202);
  const json changed = wait_for(d.port(), other.body["id"], {"done", "failed"});
  REQUIRE(changed["notice"].is_string());
  CHECK(changed["notice"].get<std::string>().find("bars changed since sweep") != std::string::npos);

  const json listed = call(d.port(), "GET", "/api/sweeps").body["sweeps"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["best"]["metric"] == "sharpe");
  CHECK(listed[0]["best"]["best"]["params"] == summary["best"]["params"]);
  CHECK_FALSE(listed[0].contains("summary"));
  CHECK(call(d.port(), "DELETE", "/api/sweeps/" + std::to_string(id)).status == 204);
  CHECK(call(d.port(), "GET", "/api/sweeps/" + std::to_string(id)).status == 404);
}

TEST_CASE("walk-forward: each window tests its in-sample winner out of sample") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const std::int64_t strategy = sample_strategy(d.port());
  auto created = call(d.port(), "POST", "/api/sweeps",
                      {{"strategy_id", strategy},
                       {"grid", {{"fast", {5, 10, 20}}, {"slow", {40, 60}}}},
                       {"walk_forward", {{"in_sample_days", 730}, {"out_of_sample_days", 365}}},
                       {"metric", "total_return"}});
  REQUIRE(created.status == 202);
  // The sample data spans 2019-01-02 .. 2024-12-30: four one-year test windows after two years.
  // 6 sets on the whole period, 6 per window in sample, one test per window.
  CHECK(created.body["runs_total"] == 6 + 4 * 6 + 4);
  json sweep = wait_for_sweep(d.port(), created.body["id"], {"done", "failed"});
  REQUIRE(sweep["status"] == "done");
  CHECK(sweep["kind"] == "walk_forward");
  const json& wf = sweep["summary"]["walk_forward"];
  REQUIRE(wf["windows"].size() == 4);
  std::vector<double> in_sample_annualized;
  for (std::size_t w = 0; w < 4; ++w) {
    const json& window = wf["windows"][w];
    // The winner is the in-sample run of this window with the highest total return.
    double best = -INFINITY;
    json best_params;
    for (const json& run : sweep["runs"]) {
      if (run["phase"] != "in_sample" || run["window"] != w || run["status"] != "done") continue;
      if (run["metrics"]["total_return"].get<double>() > best) {
        best = run["metrics"]["total_return"];
        best_params = run["params"];
      }
    }
    CHECK(window["params"] == best_params);
    CHECK(window["in_sample_value"] == best);
    in_sample_annualized.push_back(window["in_sample_annualized"]);
    // Its out-of-sample run is stored with those parameters.
    const json& oos = sweep["runs"][window["out_of_sample_task"].get<std::size_t>()];
    CHECK(oos["phase"] == "out_of_sample");
    CHECK(oos["params"] == best_params);
    CHECK(window["out_of_sample_metrics"] == oos["metrics"]);
  }
  // Stitched: the test windows' returns compound.
  double growth = 1;
  for (const json& window : wf["windows"]) {
    growth *= 1 + window["out_of_sample_metrics"]["total_return"].get<double>();
  }
  CHECK(wf["out_of_sample"]["total_return"].get<double>() == doctest::Approx(growth - 1));
  const double days = wf["out_of_sample"]["days"];
  const double annualized = std::pow(growth, 365.25 / days) - 1;
  CHECK(wf["out_of_sample"]["annualized"].get<double>() == doctest::Approx(annualized));
  double mean = 0;
  for (double v : in_sample_annualized) mean += v / 4;
  if (mean > 0) {
    CHECK(wf["efficiency"].get<double>() == doctest::Approx(annualized / mean));
  } else {
    CHECK(wf["efficiency"].is_null());
  }
  REQUIRE(wf["curve"].size() > 100);
  CHECK(wf["curve"][0]["out_of_sample"] == doctest::Approx(100'000'000));
  CHECK(wf["curve"].back()["out_of_sample"].get<double>() == doctest::Approx(100'000'000 * growth));
  CHECK(wf["curve"].back()["in_sample"].is_number());
}

TEST_CASE("sweep: bad requests name the problem and store nothing") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  Daemon d(db);
  const std::int64_t strategy = sample_strategy(d.port());
  auto post = [&](json body) {
    body["strategy_id"] = strategy;
    return call(d.port(), "POST", "/api/sweeps", body);
  };
  auto empty = post({{"grid", json::object()}});
  CHECK(is_problem(empty, 422));
  CHECK(error_fields(empty) == std::vector<std::string>{"grid"});
  auto missing = call(d.port(), "POST", "/api/sweeps", {{"strategy_id", strategy}});
  CHECK(error_fields(missing) == std::vector<std::string>{"grid"});
  auto unknown = post({{"grid", {{"fats", {1, 2}}}}});
  CHECK(error_fields(unknown) == std::vector<std::string>{"grid.fats"});
  CHECK(unknown.body["errors"][0]["message"].get<std::string>().find("declares no parameter") !=
        std::string::npos);
  auto over = post({{"grid",
                     {{"fast", {{"from", 1}, {"to", 50}, {"step", 1}}},
                      {"slow", {{"from", 60}, {"to", 80}, {"step", 1}}}}}});
  CHECK(error_fields(over) == std::vector<std::string>{"grid"});
  CHECK(over.body["errors"][0]["message"] ==
        "the grid has 1050 runs; the bound is 500 (raise max_runs, at most 10000)");
  CHECK(post({{"grid", {{"fast", {1, 2}}}}, {"max_runs", 1}}).status == 422);
  auto too_long = post({{"grid", {{"fast", {5, 10}}}},
                        {"walk_forward", {{"in_sample_days", 5000}, {"out_of_sample_days", 30}}}});
  CHECK(error_fields(too_long) == std::vector<std::string>{"walk_forward.in_sample_days"});
  CHECK(too_long.body["errors"][0]["message"].get<std::string>().find("longer than the data") !=
        std::string::npos);
  auto bad_metric = post({{"grid", {{"fast", {5}}}}, {"metric", "luck"}});
  CHECK(error_fields(bad_metric) == std::vector<std::string>{"metric"});
  auto bad_range = post({{"grid", {{"fast", {{"from", 10}, {"to", 5}, {"step", 1}}}}}});
  CHECK(error_fields(bad_range) == std::vector<std::string>{"grid.fast"});
  auto stray = post({{"grid", {{"fast", {5}}}}, {"bogus", 1}});
  CHECK(error_fields(stray) == std::vector<std::string>{"bogus"});
  CHECK(call_raw(d.port(), "POST", "/api/sweeps", "{\"grid\":", "application/json").status == 400);
  CHECK(call(d.port(), "GET", "/api/sweeps").body["sweeps"].empty());
  CHECK(sweep_rows(db) == 0);
  CHECK(call(d.port(), "POST", "/api/sweeps/99/runs/1/backtest").status == 404);
}

TEST_CASE("sweep: kill -9 mid-sweep, restart: it resumes and every run is stored once") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  prepare_slow_db(db);
  std::int64_t id = 0;
  {
    Daemon d(db);
    auto s = call(d.port(), "POST", "/api/strategies", slow_strategy());
    REQUIRE(s.status == 201);
    auto created = call(d.port(), "POST", "/api/sweeps",
                        {{"strategy_id", s.body["id"]}, {"grid", kLongGrid}, {"max_runs", 2000}});
    REQUIRE(created.status == 202);
    id = created.body["id"];
    // Some runs stored, not all: then the process dies without any chance to clean up.
    json sweep;
    for (int i = 0; i < 600; ++i) {
      sweep = call(d.port(), "GET", "/api/sweeps/" + std::to_string(id)).body;
      if (sweep["runs_done"].get<int>() >= 2) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(sweep["runs_done"].get<int>() >= 2);
    REQUIRE(sweep["status"] == "running");
    REQUIRE(d.stop(SIGKILL) != 0);
  }
  std::filesystem::remove(db + ".log");
  Daemon d(db);
  json sweep = wait_for_sweep(d.port(), id, {"done", "failed"});
  REQUIRE(sweep["status"] == "done");
  CHECK(sweep["runs"].size() == kLongGridRuns);
  std::set<std::int64_t> tasks;
  for (const json& run : sweep["runs"]) tasks.insert(run["task"].get<std::int64_t>());
  CHECK(tasks.size() == kLongGridRuns);
  CHECK(d.log().find("1 sweep(s)") != std::string::npos);
}

TEST_CASE("sweep: cancel stops it; nothing more is stored") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  prepare_slow_db(db);
  Daemon d(db);
  auto s = call(d.port(), "POST", "/api/strategies", slow_strategy());
  auto created = call(d.port(), "POST", "/api/sweeps",
                      {{"strategy_id", s.body["id"]}, {"grid", kLongGrid}, {"max_runs", 2000}});
  REQUIRE(created.status == 202);
  const std::string path = "/api/sweeps/" + std::to_string(created.body["id"].get<int>());
  for (int i = 0; i < 600 && call(d.port(), "GET", path).body["runs_done"] < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto canceled = call(d.port(), "POST", path + "/cancel");
  REQUIRE(canceled.status == 200);
  CHECK(canceled.body["status"] == "canceled");
  CHECK(call(d.port(), "POST", path + "/cancel").status == 409);
  const auto stored = call(d.port(), "GET", path).body["runs_done"].get<int>();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  json after = call(d.port(), "GET", path).body;
  CHECK(after["status"] == "canceled");
  CHECK(after["runs_done"] == stored);
  CHECK(stored < static_cast<int>(kLongGridRuns));
  // The pool is free again: an ordinary backtest runs.
  auto b = call(d.port(), "POST", "/api/backtests", {{"strategy_id", s.body["id"]}});
  REQUIRE(b.status == 202);
  CHECK(wait_for(d.port(), b.body["id"], {"done", "failed"})["status"] == "done");
}

TEST_CASE("quantd sweep on the command line makes the same runs as the daemon") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  json from_api;
  {
    Daemon d(db);
    const std::int64_t strategy = sample_strategy(d.port());
    auto created =
        call(d.port(), "POST", "/api/sweeps",
             {{"strategy_id", strategy},
              {"grid", {{"fast", {5, 10}}, {"slow", {40, 60}}}},
              {"walk_forward", {{"in_sample_days", 1000}, {"out_of_sample_days", 500}}}});
    REQUIRE(created.status == 202);
    from_api = wait_for_sweep(d.port(), created.body["id"], {"done", "failed"});
    REQUIRE(from_api["status"] == "done");
    REQUIRE(d.stop(SIGTERM) == 0);
  }
  // The strategy's own parameters (sma_strategy: fast 20, slow 60) are fixed like the API's.
  const std::string out = dir.file("sweep.json");
  const std::string command = std::string(QUANTD_BINARY) + " sweep --db " + db +
                              " --symbol SAMPLE-A --interval 1d --strategy builtin:sma_cross"
                              " --grid fast=5,10 --grid slow=40,60 --walk-forward 1000:500"
                              " --threads 2 --json > " +
                              out;
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream in(out);
  const json cli = json::parse(in);
  REQUIRE(cli["runs"].size() == from_api["runs"].size());
  for (std::size_t i = 0; i < cli["runs"].size(); ++i) {
    CHECK(cli["runs"][i]["params"] == from_api["runs"][i]["params"]);
    CHECK(cli["runs"][i]["metrics"] == from_api["runs"][i]["metrics"]);
  }
  CHECK(cli["summary"] == from_api["summary"]);
  CHECK(cli["stats"]["threads"] == 2);
  CHECK(cli["stats"]["bars_simulated"].get<std::int64_t>() > 0);
}
