// The API end to end against the real binary: the whole flow a browser drives, and every
// validation error path (malformed JSON, missing fields, wrong types, unknown ids, bad CSV rows,
// oversized bodies).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::TempDir;
using quantd::testing::write_file;

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Loads the sample data and creates the default strategy; returns the strategy id.
std::int64_t setup_sample(int port) {
  auto sample = call(port, "POST", "/api/sample-data");
  REQUIRE(sample.status == 201);
  auto created = call(port, "POST", "/api/strategies", sma_strategy());
  REQUIRE(created.status == 201);
  return created.body["id"].get<std::int64_t>();
}

}  // namespace

TEST_CASE("the whole flow: sample data, strategy, backtest with live events, results, compare") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  Daemon d(db);
  const int port = d.port();

  // Data: the sample set loads, is labelled synthetic, and loading it twice changes nothing.
  auto sample = call(port, "POST", "/api/sample-data");
  REQUIRE(sample.status == 201);
  CHECK(sample.body["synthetic"] == true);
  REQUIRE(sample.body["series"].size() == 3);
  auto again = call(port, "POST", "/api/sample-data");
  REQUIRE(again.status == 201);
  CHECK(again.body["series"][0]["inserted"] == 0);
  auto coverage = call(port, "GET", "/api/bars");
  REQUIRE(coverage.status == 200);
  REQUIRE(coverage.body.size() == 3);
  for (const auto& c : coverage.body) {
    CHECK(c["synthetic"] == true);
    CHECK(c["source"] == "sample");
    CHECK(c["interval"] == "1d");
    CHECK(c["count"].get<int>() > 1000);
    CHECK(c["first_ts"].get<std::int64_t>() < c["last_ts"].get<std::int64_t>());
  }

  // A CSV upload with a row-level summary; the series shows up in the coverage list.
  const std::string csv =
      "date,open,high,low,close,volume\n2024-01-02,100,110,95,105,1000\n"
      "2024-01-03,105,112,101,110,1200\n2024-01-04,110,111,100,102,900\n";
  auto upload =
      call_raw(port, "POST", "/api/bars/005930?interval=1d&file=prices.csv", csv, "text/csv");
  REQUIRE(upload.status == 200);
  CHECK(upload.body["rows"] == 3);
  CHECK(upload.body["inserted"] == 3);
  auto bars = call(port, "GET", "/api/bars/005930?interval=1d");
  REQUIRE(bars.status == 200);
  REQUIRE(bars.body.size() == 3);
  CHECK(bars.body[1]["close"] == 110);
  coverage = call(port, "GET", "/api/bars");
  REQUIRE(coverage.body.size() == 4);
  CHECK(coverage.body[0]["symbol"] == "005930");
  CHECK(coverage.body[0]["source"] == "csv");
  CHECK(coverage.body[0]["note"] == "prices.csv");
  CHECK(call(port, "DELETE", "/api/bars/005930?interval=1d").status == 204);
  CHECK(call(port, "GET", "/api/bars/005930?interval=1d").status == 404);

  // Strategies: create, validate, list, update bumps the version.
  auto examples = call(port, "GET", "/api/strategies/examples");
  REQUIRE(examples.status == 200);
  CHECK(examples.body.size() >= 2);
  auto builtins = call(port, "GET", "/api/strategies/builtins");
  REQUIRE(builtins.status == 200);
  CHECK(builtins.body.size() >= 2);
  auto valid = call(port, "POST", "/api/strategies/validate",
                    {{"script", "builtin:sma_cross"}, {"params", {{"fast", 5}, {"slow", 20}}}});
  REQUIRE(valid.status == 200);
  CHECK(valid.body["valid"] == true);
  CHECK(valid.body["kind"] == "builtin");
  auto invalid = call(port, "POST", "/api/strategies/validate",
                      {{"script", "builtin:sma_cross"}, {"params", {{"fast", 50}, {"slow", 20}}}});
  REQUIRE(invalid.status == 200);
  CHECK(invalid.body["valid"] == false);
  CHECK(invalid.body["errors"].size() >= 1);

  auto created = call(port, "POST", "/api/strategies", sma_strategy());
  REQUIRE(created.status == 201);
  CHECK(created.raw.header("location") == "/api/strategies/" + created.body["id"].dump());
  CHECK(created.body["version"] == 1);
  CHECK(created.body["kind"] == "builtin");
  CHECK(created.body["symbols"] == json::array({"SAMPLE-A"}));
  const std::int64_t sid = created.body["id"];
  auto list = call(port, "GET", "/api/strategies");
  REQUIRE(list.status == 200);
  REQUIRE(list.body.size() == 1);
  CHECK(list.body[0]["last_backtest"].is_null());

  // Backtest with live events: 202, then SSE shows it running and done.
  SseReader events(port);
  REQUIRE(events.connected());
  auto submitted = call(port, "POST", "/api/backtests", {{"strategy_id", sid}});
  REQUIRE(submitted.status == 202);
  CHECK(submitted.body["status"] == "queued");
  const std::int64_t id1 = submitted.body["id"];
  CHECK(submitted.raw.header("location") == "/api/backtests/" + std::to_string(id1));
  const std::string id_text = "\"id\":" + std::to_string(id1);
  CHECK(!events.wait_for("backtest", id_text, std::chrono::seconds(30)).empty());
  const std::string done_event =
      events.wait_for("backtest", "\"status\":\"done\"", std::chrono::seconds(60));
  CHECK(done_event.find(id_text) != std::string::npos);
  CHECK(done_event.find("\"progress\":1") != std::string::npos);
  // In order: "queued" is published before the job can reach a worker, so a watcher never ends
  // on "queued" for a run that finished (the browser once did, on a loaded machine).
  const std::string& stream = events.text();
  const auto queued_at = stream.find("\"status\":\"queued\"");
  REQUIRE(queued_at != std::string::npos);
  CHECK(queued_at < stream.find("\"status\":\"running\""));
  CHECK(queued_at < stream.find("\"status\":\"done\""));
  // Building and writing the result is counted (finding 11): the bar passes 0.96 (equity
  // built) and 0.98 (all built, writing) before done, instead of waiting at 0.95.
  const auto built = stream.find("\"progress\":0.96");
  const auto writing = stream.find("\"progress\":0.98");
  CHECK(built != std::string::npos);
  CHECK(writing != std::string::npos);
  CHECK(built < writing);
  CHECK(writing < stream.find("\"status\":\"done\""));
  CHECK(stream.find("\"progress\":0.95") == std::string::npos);

  json b1 = wait_for(port, id1, {"done", "failed"});
  REQUIRE(b1["status"] == "done");
  CHECK(b1["progress"] == 1.0);
  CHECK(b1["strategy_name"] == "Golden cross");
  CHECK(b1["strategy_version"] == 1);
  CHECK(b1["script"] == "builtin:sma_cross");
  CHECK(b1["params"]["fast"] == 20);
  CHECK(b1["settings"]["cash"] == 100000000);
  CHECK(b1["settings"]["symbols"] == json::array({"SAMPLE-A"}));
  // The metric names are the CLI's --json names.
  const json& m = b1["metrics"];
  REQUIRE(m.is_object());
  for (const char* name : {"initial_cash",
                           "final_equity",
                           "total_return",
                           "cagr",
                           "annual_volatility",
                           "sharpe",
                           "sortino",
                           "max_drawdown",
                           "max_drawdown_duration_bars",
                           "max_drawdown_duration_days",
                           "calmar",
                           "trades",
                           "win_rate",
                           "avg_win",
                           "avg_loss",
                           "profit_factor",
                           "expectancy",
                           "exposure",
                           "total_fees",
                           "total_taxes",
                           "benchmark_return",
                           "benchmark_cagr"}) {
    CHECK_MESSAGE(m.contains(name), name);
  }
  CHECK(m["trades"].get<int>() > 0);
  CHECK(m["initial_cash"] == 100000000);

  // The same run through the CLI gives the same metrics.
  auto cli = quantd::testing::run_quantd({"backtest", "--strategy", "builtin:sma_cross", "--param",
                                          "fast=20", "--param", "slow=60", "--db", db, "--symbol",
                                          "SAMPLE-A", "--interval", "1d", "--json"});
  REQUIRE(cli.exit_code == 0);
  const json cli_json = json::parse(cli.out);
  for (const auto& [name, value] : cli_json["metrics"].items()) {
    CHECK_MESSAGE(m[name] == value, name);
  }

  // Results: equity with the benchmark, drawdown, trades, orders, bars.
  auto equity = call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/equity");
  REQUIRE(equity.status == 200);
  REQUIRE(equity.body.is_array());
  REQUIRE(equity.body.size() > 1000);
  CHECK(equity.body[0]["benchmark"].get<double>() > 0);
  CHECK(equity.body.back()["equity"] == m["final_equity"]);
  const double bench_end = equity.body.back()["benchmark"].get<double>();
  CHECK(bench_end / 1e8 - 1 == doctest::Approx(m["benchmark_return"].get<double>()).epsilon(1e-9));
  auto thinned =
      call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/equity?max_points=100");
  REQUIRE(thinned.status == 200);
  CHECK(thinned.body.size() == 100);
  CHECK(thinned.body.back() == equity.body.back());
  auto drawdown = call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/drawdown");
  REQUIRE(drawdown.status == 200);
  REQUIRE(drawdown.body.size() == equity.body.size());
  double deepest = 0;
  for (const auto& p : drawdown.body) deepest = std::max(deepest, p["drawdown"].get<double>());
  CHECK(deepest == doctest::Approx(m["max_drawdown"].get<double>()));
  auto trades = call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/trades");
  REQUIRE(trades.status == 200);
  REQUIRE(trades.body.size() == m["trades"].get<std::size_t>());
  CHECK(trades.body[0]["symbol"] == "SAMPLE-A");
  CHECK(trades.body[0]["entry_ts"].get<std::int64_t>() <
        trades.body[0]["exit_ts"].get<std::int64_t>());
  auto orders = call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/orders");
  REQUIRE(orders.status == 200);
  REQUIRE(orders.body.size() >= trades.body.size() * 2);
  CHECK(orders.body[0]["side"] == "buy");
  CHECK(orders.body[0]["fill"]["price"].get<double>() > 0);
  auto candles = call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/bars");
  REQUIRE(candles.status == 200);
  CHECK(candles.body.size() == equity.body.size());

  // A backtest keeps the exact script and params it ran with, after the strategy changes.
  auto updated = call(port, "PUT", "/api/strategies/" + std::to_string(sid),
                      {{"params", {{"fast", 10}, {"slow", 30}}}, {"name", "Fast cross"}});
  REQUIRE(updated.status == 200);
  CHECK(updated.body["version"] == 2);
  CHECK(updated.body["name"] == "Fast cross");
  CHECK(updated.body["script"] == "builtin:sma_cross");
  b1 = call(port, "GET", "/api/backtests/" + std::to_string(id1)).body;
  CHECK(b1["params"]["fast"] == 20);
  CHECK(b1["strategy_version"] == 1);

  // A second run with overrides, other dates and costs; then compare both.
  auto second = call(port, "POST", "/api/backtests",
                     {{"strategy_id", sid},
                      {"symbols", {"SAMPLE-A", "SAMPLE-B"}},
                      {"from", "2020-01-01"},
                      {"to", "2023-12-31"},
                      {"cash", 50000000},
                      {"costs", {{"commission_bps", 3}, {"slippage_ticks", 1}}},
                      {"params", {{"fast", 5}}}});
  REQUIRE(second.status == 202);
  const std::int64_t id2 = second.body["id"];
  json b2 = wait_for(port, id2, {"done", "failed"});
  REQUIRE(b2["status"] == "done");
  CHECK(b2["strategy_version"] == 2);
  CHECK(b2["params"]["fast"] == 5);
  CHECK(b2["params"]["slow"] == 30);
  CHECK(b2["settings"]["cash"] == 50000000);
  CHECK(b2["settings"]["commission_bps"] == 3.0);
  auto compare = call(
      port, "GET", "/api/backtests/compare?ids=" + std::to_string(id1) + "," + std::to_string(id2));
  REQUIRE(compare.status == 200);
  REQUIRE(compare.body["backtests"].size() == 2);
  CHECK(compare.body["backtests"][1]["metrics"]["initial_cash"] == 50000000);

  // Lists: all, and by strategy; the strategy list shows the last run.
  auto all = call(port, "GET", "/api/backtests");
  REQUIRE(all.body.size() == 2);
  CHECK(all.body[0]["id"] == id2);  // newest first
  CHECK(call(port, "GET", "/api/backtests?strategy_id=" + std::to_string(sid)).body.size() == 2);
  CHECK(call(port, "GET", "/api/backtests?strategy_id=999").body.empty());
  list = call(port, "GET", "/api/strategies");
  CHECK(list.body[0]["backtests"] == 2);
  CHECK(list.body[0]["last_backtest"]["id"] == id2);

  // Cancel a finished job: 409. Delete: 204, then 404.
  auto cancel = call(port, "POST", "/api/backtests/" + std::to_string(id1) + "/cancel");
  CHECK(is_problem(cancel, 409));
  CHECK(call(port, "DELETE", "/api/backtests/" + std::to_string(id1)).status == 204);
  CHECK(is_problem(call(port, "GET", "/api/backtests/" + std::to_string(id1)), 404));
  CHECK(is_problem(call(port, "GET", "/api/backtests/" + std::to_string(id1) + "/equity"), 404));

  // Deleting the strategy keeps its backtests, labelled with its name.
  CHECK(call(port, "DELETE", "/api/strategies/" + std::to_string(sid)).status == 204);
  b2 = call(port, "GET", "/api/backtests/" + std::to_string(id2)).body;
  CHECK(b2["strategy_id"].is_null());
  CHECK(b2["strategy_name"] == "Fast cross");

  // The OpenAPI document is served and lists the API.
  auto openapi = call(port, "GET", "/api/openapi.json");
  REQUIRE(openapi.status == 200);
  CHECK(openapi.body["openapi"] == "3.1.0");
  CHECK(openapi.body["paths"].contains("/api/backtests/{id}/equity"));
}

TEST_CASE("validation errors are problem documents naming the field") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  write_file(config, "[server]\nbody_limit_bytes = 98304\n");
  Daemon d(dir.file("quantd.db"), {"--config", config});
  const int port = d.port();
  const std::int64_t sid = setup_sample(port);

  SUBCASE("malformed JSON, empty and non-object bodies: 400") {
    for (const char* path : {"/api/strategies", "/api/backtests", "/api/strategies/validate"}) {
      auto r = call_raw(port, "POST", path, "{\"name\": ");
      CHECK_MESSAGE(is_problem(r, 400), path);
      CHECK(r.body["title"] == "Malformed JSON");
      CHECK(is_problem(call_raw(port, "POST", path, ""), 400));
      CHECK(is_problem(call_raw(port, "POST", path, "[1, 2]"), 400));
      CHECK(is_problem(call_raw(port, "POST", path, "\"text\""), 400));
    }
    CHECK(
        is_problem(call_raw(port, "PUT", "/api/strategies/" + std::to_string(sid), "{oops}"), 400));
  }

  SUBCASE("missing fields: 422 listing each") {
    auto r = call(port, "POST", "/api/strategies", json::object());
    REQUIRE(is_problem(r, 422));
    const auto fields = error_fields(r);
    CHECK(contains(fields, "name"));
    CHECK(contains(fields, "script"));
    CHECK(contains(fields, "symbols"));
    auto b = call(port, "POST", "/api/backtests", json::object());
    REQUIRE(is_problem(b, 422));
    CHECK(error_fields(b) == std::vector<std::string>{"strategy_id"});
    auto v = call(port, "POST", "/api/strategies/validate", json::object());
    CHECK(is_problem(v, 422));
    CHECK(error_fields(v) == std::vector<std::string>{"script"});
  }

  SUBCASE("wrong types: 422 naming the field and the type") {
    auto r = call(port, "POST", "/api/strategies",
                  {{"name", 5},
                   {"script", true},
                   {"symbols", "SAMPLE-A"},
                   {"interval", 1},
                   {"params", {{"fast", "ten"}}},
                   {"description", json::array()}});
    REQUIRE(is_problem(r, 422));
    const auto fields = error_fields(r);
    for (const char* f : {"name", "script", "symbols", "interval", "params.fast", "description"}) {
      CHECK_MESSAGE(contains(fields, f), f);
    }
    CHECK(r.body["errors"][0]["message"].get<std::string>().find("must be a string") !=
          std::string::npos);
    auto b = call(port, "POST", "/api/backtests",
                  {{"strategy_id", "1"},
                   {"cash", 1.5},
                   {"symbols", {"SAMPLE-A", 7}},
                   {"from", "yesterday"},
                   {"costs", {{"commission_bps", -1}, {"bogus", 1}}},
                   {"close_at_end", "yes"},
                   {"market", "nyse"}});
    REQUIRE(is_problem(b, 422));
    const auto bf = error_fields(b);
    for (const char* f : {"strategy_id", "cash", "symbols[1]", "from", "costs.commission_bps",
                          "costs.bogus", "close_at_end", "market"}) {
      CHECK_MESSAGE(contains(bf, f), f);
    }
    auto symbols =
        call(port, "POST", "/api/strategies",
             {{"name", "x"}, {"script", "builtin:buy_and_hold"}, {"symbols", {"bad symbol!"}}});
    CHECK(is_problem(symbols, 422));
    CHECK(error_fields(symbols) == std::vector<std::string>{"symbols[0]"});
    auto empty =
        call(port, "POST", "/api/strategies",
             {{"name", "  "}, {"script", "builtin:buy_and_hold"}, {"symbols", json::array()}});
    CHECK(is_problem(empty, 422));
    CHECK(contains(error_fields(empty), "name"));
    CHECK(contains(error_fields(empty), "symbols"));
    auto unknown_field = call(port, "POST", "/api/strategies",
                              {{"nmae", "x"},
                               {"name", "x"},
                               {"script", "builtin:buy_and_hold"},
                               {"symbols", {"SAMPLE-A"}}});
    CHECK(is_problem(unknown_field, 422));
    CHECK(error_fields(unknown_field) == std::vector<std::string>{"nmae"});
  }

  SUBCASE("invalid strategies: unknown builtin, bad params") {
    auto unknown = call(port, "POST", "/api/strategies",
                        {{"name", "x"}, {"script", "builtin:nope"}, {"symbols", {"SAMPLE-A"}}});
    REQUIRE(is_problem(unknown, 422));
    CHECK(error_fields(unknown) == std::vector<std::string>{"script"});
    CHECK(unknown.body["detail"].get<std::string>().find("sma_cross") != std::string::npos);
    auto params = call(port, "POST", "/api/strategies", sma_strategy("x", {"SAMPLE-A"}, 60, 20));
    REQUIRE(is_problem(params, 422));
    CHECK(error_fields(params) == std::vector<std::string>{"params"});
    auto overrides =
        call(port, "POST", "/api/backtests", {{"strategy_id", sid}, {"params", {{"nope", 1}}}});
    REQUIRE(is_problem(overrides, 422));
    CHECK(error_fields(overrides) == std::vector<std::string>{"params"});
    // Nothing was stored by any of them.
    CHECK(call(port, "GET", "/api/strategies").body.size() == 1);
    CHECK(call(port, "GET", "/api/backtests").body.empty());
  }

  SUBCASE("unknown strategy, unknown ids, missing data") {
    auto b = call(port, "POST", "/api/backtests", {{"strategy_id", 424242}});
    REQUIRE(is_problem(b, 422));
    CHECK(error_fields(b) == std::vector<std::string>{"strategy_id"});
    CHECK(b.body["detail"].get<std::string>().find("424242") != std::string::npos);
    CHECK(is_problem(call(port, "GET", "/api/strategies/424242"), 404));
    CHECK(is_problem(call(port, "GET", "/api/strategies/abc"), 404));
    CHECK(is_problem(call(port, "PUT", "/api/strategies/424242", {{"name", "x"}}), 404));
    CHECK(is_problem(call(port, "DELETE", "/api/strategies/424242"), 404));
    CHECK(is_problem(call(port, "GET", "/api/backtests/424242"), 404));
    CHECK(is_problem(call(port, "GET", "/api/backtests/-1/trades"), 404));
    CHECK(is_problem(call(port, "POST", "/api/backtests/424242/cancel"), 404));
    CHECK(is_problem(call(port, "DELETE", "/api/backtests/424242"), 404));
    auto nodata =
        call(port, "POST", "/api/backtests", {{"strategy_id", sid}, {"symbols", {"000660"}}});
    REQUIRE(is_problem(nodata, 422));
    CHECK(error_fields(nodata) == std::vector<std::string>{"symbols[0]"});
    auto range =
        call(port, "POST", "/api/backtests", {{"strategy_id", sid}, {"from", "2030-01-01"}});
    CHECK(is_problem(range, 422));
    auto reversed = call(port, "POST", "/api/backtests",
                         {{"strategy_id", sid}, {"from", "2023-01-01"}, {"to", "2022-01-01"}});
    CHECK(is_problem(reversed, 422));
    CHECK(error_fields(reversed) == std::vector<std::string>{"from"});
    CHECK(is_problem(call(port, "GET", "/api/backtests/compare?ids=1"), 422));
    CHECK(is_problem(call(port, "GET", "/api/backtests/compare?ids=1,x"), 422));
    CHECK(is_problem(call(port, "GET", "/api/backtests/compare?ids=424242,424243"), 404));
    CHECK(is_problem(call(port, "GET", "/api/backtests?strategy_id=zero"), 422));
    CHECK(is_problem(call(port, "GET", "/api/bars/SAMPLE-A?interval=2h"), 422));
    CHECK(is_problem(call(port, "GET", "/api/bars/SAMPLE-A?limit=0"), 422));
    CHECK(is_problem(call(port, "DELETE", "/api/bars/NOPE?interval=1d"), 404));
  }

  SUBCASE("CSV uploads: every bad row listed, nothing stored") {
    const std::string bad =
        "date,open,high,low,close,volume\n"
        "2024-01-02,100,110,95,105,1000\n"
        "2024-01-03,105,100,101,110,1200\n"  // line 3: high below open
        "2024-01-04,110,111,100,102,900\n"
        "2024/01/05,110,111,100,102,900\n"  // line 5: bad date
        "2024-01-08,110,111,100,102,-4\n";  // line 6: negative volume
    auto r = call_raw(port, "POST", "/api/bars/TEST?interval=1d&file=bad.csv", bad, "text/csv");
    REQUIRE(is_problem(r, 422));
    REQUIRE(r.body["errors"].size() == 3);
    CHECK(r.body["errors"][0]["row"] == 3);
    CHECK(r.body["errors"][1]["row"] == 5);
    CHECK(r.body["errors"][2]["row"] == 6);
    CHECK(r.body["errors"][0]["field"] == "row 3");
    CHECK(r.body["detail"].get<std::string>().rfind("bad.csv:3: ", 0) == 0);
    CHECK(r.body["detail"].get<std::string>().find("Nothing was imported") != std::string::npos);
    CHECK(is_problem(call(port, "GET", "/api/bars/TEST?interval=1d"), 404));
    auto header =
        call_raw(port, "POST", "/api/bars/TEST", "when,price\n2024-01-02,1\n", "text/csv");
    REQUIRE(is_problem(header, 422));
    CHECK(header.body["errors"].size() == 1);
    CHECK(header.body["errors"][0]["row"] == 1);
    CHECK(is_problem(
        call_raw(port, "POST", "/api/bars/TEST", "date,open,high,low,close,volume\n", "text/csv"),
        422));
    CHECK(is_problem(call_raw(port, "POST", "/api/bars/TEST", "", "text/csv"), 400));
    CHECK(is_problem(call_raw(port, "POST", "/api/bars/bad%20sym",
                              "date,open,high,low,close,volume\n", "text/csv"),
                     422));
    CHECK(is_problem(call_raw(port, "POST", "/api/bars/TEST?interval=7m", "x", "text/csv"), 422));
    CHECK(call(port, "GET", "/api/bars").body.size() == 3);
  }

  SUBCASE("oversized bodies: 413, and the server goes on") {
    const std::string big = "{\"name\": \"" + std::string(100000, 'x') + "\"}";
    CHECK(is_problem(call_raw(port, "POST", "/api/strategies", big), 413));
    // The bars upload streams to disk (server.upload_limit_bytes): past body_limit_bytes it is
    // read, and this body is no CSV.
    CHECK(is_problem(call_raw(port, "POST", "/api/bars/BIG", std::string(100000, '1'), "text/csv"),
                     422));
    auto script =
        call(port, "POST", "/api/strategies/validate", {{"script", std::string(65 * 1024, '#')}});
    CHECK(is_problem(script, 422));  // under the body limit, over the script limit
    CHECK(call(port, "GET", "/api/strategies").status == 200);
  }

  SUBCASE("canceling a finished run: 409") {
    auto submitted = call(port, "POST", "/api/backtests", {{"strategy_id", sid}});
    REQUIRE(submitted.status == 202);
    const std::int64_t id = submitted.body["id"];
    json b = wait_for(port, id, {"done", "failed", "canceled"});
    CHECK(b["status"] == "done");
    auto cancel = call(port, "POST", "/api/backtests/" + std::to_string(id) + "/cancel");
    CHECK(is_problem(cancel, 409));
    CHECK(cancel.body["detail"].get<std::string>().find("already done") != std::string::npos);
  }
}

TEST_CASE("the API requires the bearer token when one is configured; health and the UI do not") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  write_file(config, "[server]\nauth_token = \"s3cret-token-that-is-long-enough-for-32\"\n");
  Daemon d(dir.file("quantd.db"), {"--config", config});
  const int port = d.port();
  auto denied = call(port, "GET", "/api/strategies");
  CHECK(is_problem(denied, 401));
  CHECK(denied.raw.header("www-authenticate") == "Bearer");
  CHECK(is_problem(call(port, "POST", "/api/sample-data"), 401));
  auto ok = quantd::testing::http_request(
      port, "GET", "/api/strategies", "",
      {{"Authorization", "Bearer s3cret-token-that-is-long-enough-for-32"}});
  CHECK(ok.status == 200);
  CHECK(call(port, "GET", "/api/health").status == 200);
  CHECK(quantd::testing::http_request(port, "GET", "/").status == 200);
}
