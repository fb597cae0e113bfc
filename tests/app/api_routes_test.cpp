// The router, the OpenAPI document and docs/api.md list exactly the same operations; a few
// handlers in-process through Router::handle.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "quantd/app/api.h"
#include "quantd/app/backtest_service.h"
#include "quantd/core/embedded.h"
#include "quantd/http/request.h"
#include "quantd/http/router.h"

namespace {

namespace fs = std::filesystem;
using namespace quantd;

struct Fixture {
  fs::path dir;
  std::unique_ptr<storage::Database> db;
  bus::Channel<bus::RunBacktest> channel{4};
  ManualClock clock{1'700'000'000'000};
  std::unique_ptr<app::BacktestService> service;
  http::Router router;

  Fixture() {
    dir = fs::temp_directory_path() / ("quantd-app-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    auto opened = storage::Database::open({(dir / "q.db").string()});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    REQUIRE(db->migrate(embedded::migrations()).ok());
    service = std::make_unique<app::BacktestService>(channel, clock);
    // As the daemon does: its own health route, then the API.
    router.add("GET", "/api/health", [](const http::Request&) { return http::json(200, {}); });
    router.add("GET", "/metrics", [](const http::Request&) { return http::text(200, ""); });
    app::register_api_routes(router, {*db, *service, clock}, [](http::Handler h) { return h; });
  }
  ~Fixture() {
    db.reset();
    fs::remove_all(dir);
  }

  http::Response call(const std::string& method, const std::string& target,
                      const std::string& body = {}) {
    auto request = http::make_request(method, target, body);
    REQUIRE(request.ok());
    return router.handle(std::move(request).value());
  }
};

std::set<std::string> router_operations(const http::Router& router) {
  std::set<std::string> out;
  for (const auto& r : router.routes()) out.insert(r.method + " " + r.pattern);
  return out;
}

std::set<std::string> openapi_operations() {
  std::set<std::string> out;
  for (const auto& [path, item] : app::openapi_document()["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(m + " " + path);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every route is in the OpenAPI document and docs/api.md, and nothing else is") {
  Fixture f;
  const auto routes = router_operations(f.router);
  const auto documented = openapi_operations();
  for (const auto& op : routes)
    CHECK_MESSAGE(documented.contains(op), "not in openapi.cpp: " << op);
  for (const auto& op : documented) CHECK_MESSAGE(routes.contains(op), "no such route: " << op);
  CHECK(routes.size() >= 25);

  std::ifstream in(std::string(QUANTD_SOURCE_DIR) + "/docs/api.md");
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  for (const auto& op : routes) {
    CHECK_MESSAGE(doc.find("### `" + op + "`") != std::string::npos, "not in docs/api.md: " << op);
  }
  // ... and the document describes no route that does not exist.
  for (std::size_t at = doc.find("### `"); at != std::string::npos;
       at = doc.find("### `", at + 1)) {
    const std::string op = doc.substr(at + 5, doc.find('`', at + 5) - at - 5);
    CHECK_MESSAGE(routes.contains(op), "docs/api.md documents a missing route: " << op);
  }
}

TEST_CASE("handlers in-process: strategies CRUD and validation, problem documents") {
  Fixture f;
  auto created = f.call(
      "POST", "/api/strategies",
      R"({"name":"g","script":"builtin:sma_cross","params":{"fast":5,"slow":20},"symbols":["A"]})");
  REQUIRE(created.status == 201);
  const auto j = nlohmann::json::parse(created.body);
  CHECK(j["params"]["fast"] == 5);
  CHECK(j["params"].dump() == R"({"fast":5,"slow":20})");  // whole numbers stay whole
  CHECK(j["created_at"] == "2023-11-14T22:13:20.000Z");
  auto bad = f.call("POST", "/api/strategies", "{");
  CHECK(bad.status == 400);
  CHECK(bad.content_type.rfind("application/problem+json", 0) == 0);
  auto script = f.call(
      "POST", "/api/strategies/validate",
      R"({"script":"param n = 5\nlet x = smaa(close, n)\nbuy when x > close\nsell when x < close\n"})");
  REQUIRE(script.status == 200);
  const auto v = nlohmann::json::parse(script.body);
  CHECK(v["valid"] == false);
  REQUIRE(v["errors"].size() >= 1);
  CHECK(v["errors"][0]["line"] == 2);
  CHECK(v["errors"][0]["column"] == 9);
  CHECK(v["errors"][0]["length"] == 4);
  CHECK(v["errors"][0]["text"].get<std::string>().find("did you mean 'sma'") != std::string::npos);
  CHECK(v["params"][0]["name"] == "n");
  auto ok =
      f.call("POST", "/api/strategies/validate",
             R"({"script":"let x = sma(close, 5)\nbuy when close > x\nsell when close < x\n"})");
  CHECK(nlohmann::json::parse(ok.body)["valid"] == true);
  CHECK(nlohmann::json::parse(ok.body)["warmup_bars"] == 4);
  // A script param override that names no param is a params error.
  auto unknown_param = f.call(
      "POST", "/api/strategies/validate",
      R"({"script":"param n = 5\nlet x = sma(close, n)\nbuy when close > x\nsell when close < x\n","params":{"m":3}})");
  const auto o = nlohmann::json::parse(unknown_param.body);
  CHECK(o["valid"] == false);
  CHECK(o["errors"][0]["field"] == "params");
}

TEST_CASE("a backtest request is refused with 429 when the queue is full, leaving no row") {
  Fixture f;  // nothing consumes the channel (capacity 4)
  REQUIRE(f.call("POST", "/api/sample-data").status == 201);
  REQUIRE(f.call("POST", "/api/strategies",
                 R"({"name":"g","script":"builtin:buy_and_hold","symbols":["SAMPLE-A"]})")
              .status == 201);
  for (int i = 0; i < 4; ++i)
    CHECK(f.call("POST", "/api/backtests", R"({"strategy_id":1})").status == 202);
  auto full = f.call("POST", "/api/backtests", R"({"strategy_id":1})");
  CHECK(full.status == 429);
  CHECK(full.header("Retry-After").has_value());
  CHECK(nlohmann::json::parse(f.call("GET", "/api/backtests").body).size() == 4);
  // Run one job in-process: the worker's path end to end.
  bus::RunBacktest job{};
  std::atomic<bool> stopping{false};
  REQUIRE(f.channel.pop(job, std::chrono::milliseconds(10)) == bus::PopResult::kItem);
  f.service->run(*f.db, job, stopping);
  const auto done = nlohmann::json::parse(
      f.call("GET", "/api/backtests/" + std::to_string(job.backtest_id)).body);
  CHECK(done["status"] == "done");
  CHECK(done["metrics"]["trades"] == 0);  // buy and hold never sells
  CHECK(done["params"].is_object());
}
