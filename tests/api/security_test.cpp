// Issue 12 against the real binary: cross-site writes, DNS rebinding, auth before routing and
// bounded JSON, each as the finding's own request over a real socket.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::http_request;
using quantd::testing::TempDir;
using quantd::testing::write_file;

namespace {

const std::string kToken = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";  // 43 characters

std::string detail_of(const quantd::testing::HttpResponse& r) {
  const json body = json::parse(r.body, nullptr, false);
  return body.is_object() ? body.value("detail", "") : "";
}

}  // namespace

TEST_CASE("finding 1: a cross-site write is refused before it reaches a handler") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();
  const std::string body = sma_strategy().dump();

  // text/plain (what a no-cors fetch or a form can send) on a JSON endpoint: 415.
  auto plain =
      http_request(port, "POST", "/api/strategies", body, {{"Content-Type", "text/plain"}});
  CHECK(plain.status == 415);
  CHECK(detail_of(plain).find("takes application/json") != std::string::npos);
  // A form's type on the CSV upload: 415; the CSV endpoint declares text/csv.
  auto form = http_request(port, "POST", "/api/bars/005930?interval=1d", "ts,open\n",
                           {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(form.status == 415);
  CHECK(detail_of(form).find("takes text/csv") != std::string::npos);
  // Another site's Origin, even with the right type: 403.
  auto evil =
      http_request(port, "POST", "/api/strategies", body,
                   {{"Content-Type", "application/json"}, {"Origin", "http://evil.example"}});
  CHECK(evil.status == 403);
  CHECK(detail_of(evil).find("Origin") != std::string::npos);
  auto fetch_site =
      http_request(port, "DELETE", "/api/strategies/1", "", {{"Sec-Fetch-Site", "cross-site"}});
  CHECK(fetch_site.status == 403);
  auto list = call(port, "GET", "/api/strategies");
  REQUIRE(list.status == 200);
  CHECK(list.body.size() == 0);  // nothing was created

  // The daemon's own origin, and clients that send neither header (curl), pass.
  const std::string own = "http://127.0.0.1:" + std::to_string(port);
  auto same = http_request(port, "POST", "/api/strategies", body,
                           {{"Content-Type", "application/json; charset=utf-8"},
                            {"Origin", own},
                            {"Sec-Fetch-Site", "same-origin"}});
  CHECK(same.status == 201);
  CHECK(call(port, "POST", "/api/strategies", sma_strategy()).status == 201);
  // A bodyless POST needs no type (the UI's kill switch, `curl -X POST`).
  CHECK(http_request(port, "POST", "/api/sample-data", "").status == 201);
}

TEST_CASE("finding 2: only the daemon's own names are served (DNS rebinding)") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  write_file(config, "[server]\nhosts = [\"quantd.home.arpa\"]\n");
  Daemon d(dir.file("quantd.db"), {"--config", config});
  const int port = d.port();
  const std::string p = std::to_string(port);
  auto rebound = http_request(port, "GET", "/api/strategies", "", {{"Host", "attacker.example"}});
  CHECK(rebound.status == 421);
  CHECK(detail_of(rebound).find("server.hosts") != std::string::npos);
  CHECK(http_request(port, "DELETE", "/api/strategies/1", "", {{"Host", "attacker.example"}})
            .status == 421);
  CHECK(http_request(port, "GET", "/api/strategies", "", {{"Host", "localhost:" + p}}).status ==
        200);
  CHECK(http_request(port, "GET", "/api/strategies", "", {{"Host", "[::1]:" + p}}).status == 200);
  CHECK(http_request(port, "GET", "/api/strategies", "", {{"Host", "quantd.home.arpa"}}).status ==
        200);
  CHECK(http_request(port, "GET", "/api/strategies", "", {{"Host", "localhost:1"}}).status == 421);
  // The UI itself is guarded too: a rebound page cannot even load it.
  CHECK(http_request(port, "GET", "/", "", {{"Host", "attacker.example"}}).status == 421);
}

TEST_CASE("finding 8: the token is checked before routing; short tokens are refused at start") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  write_file(config, "[server]\nauth_token = \"" + kToken + "\"\n");
  Daemon d(dir.file("quantd.db"), {"--config", config});
  const int port = d.port();
  // Unknown paths and wrong methods answer 401, not 404/405: nothing about the routes leaks.
  CHECK(is_problem(call(port, "GET", "/api/no-such-thing"), 401));
  CHECK(is_problem(call(port, "PATCH", "/api/strategies"), 401));
  CHECK(is_problem(call(port, "POST", "/not-the-api"), 401));
  // A wrong token of the same length, and a prefix of the right one: 401.
  std::string wrong = kToken;
  wrong.back() = 'x';
  CHECK(http_request(port, "GET", "/api/strategies", "", {{"Authorization", "Bearer " + wrong}})
            .status == 401);
  CHECK(http_request(port, "GET", "/api/strategies", "",
                     {{"Authorization", "Bearer " + kToken.substr(0, 20)}})
            .status == 401);
  auto authorized = [&](const std::string& method, const std::string& target) {
    return http_request(port, method, target, "", {{"Authorization", "Bearer " + kToken}}).status;
  };
  CHECK(authorized("GET", "/api/strategies") == 200);
  CHECK(authorized("GET", "/api/no-such-thing") == 404);
  CHECK(authorized("PATCH", "/api/strategies") == 405);
  CHECK(call(port, "GET", "/api/health").status == 200);

  for (const std::string& bad : {std::string(" "), std::string("short-token")}) {
    TempDir other;
    const std::string path = other.file("config.toml");
    write_file(path, "[server]\nauth_token = \"" + bad + "\"\n");
    const auto run = quantd::testing::run_quantd({"check-config", path});
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("at least 32 characters") != std::string::npos);
    CHECK(run.err.find("quantd token") != std::string::npos);
  }
  const auto token = quantd::testing::run_quantd({"token"});
  CHECK(token.exit_code == 0);
  std::string printed = token.out;
  while (!printed.empty() && printed.back() == '\n') printed.pop_back();
  CHECK(printed.size() >= 43);
  CHECK(printed.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
  CHECK(quantd::testing::run_quantd({"token"}).out != token.out);
}

TEST_CASE("finding 10: imports and parameters that cannot be right are refused, saying why") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();
  auto upload = [&](const std::string& interval, const std::string& rows) {
    return http_request(port, "POST", "/api/bars/GAPS?interval=" + interval,
                        "ts,open,high,low,close,volume\n" + rows, {{"Content-Type", "text/csv"}});
  };
  // Minute rows imported as daily bars.
  auto minutes =
      upload("1d", "2024-01-02 09:00:00,10,11,9,10,100\n2024-01-02 09:01:00,10,11,9,10,1\n");
  CHECK(minutes.status == 422);
  CHECK(detail_of(minutes).find("not on the 1d grid") != std::string::npos);
  // A price of 1e308, the years 0001 and 9999, a 19-digit volume.
  auto huge = upload("1d", "2024-01-02,1e308,1e308,1e308,1e308,100\n");
  CHECK(huge.status == 422);
  CHECK(detail_of(huge).find("largest price accepted") != std::string::npos);
  for (const char* year : {"0001-01-02", "9999-01-02"}) {
    auto y = upload("1d", std::string(year) + ",10,11,9,10,100\n");
    CHECK(y.status == 422);
    CHECK(detail_of(y).find("outside the years 1900 to 2100") != std::string::npos);
  }
  auto volume = upload("1d", "2024-01-02,10,11,9,10,1234567890123456789\n");
  CHECK(volume.status == 422);
  CHECK(detail_of(volume).find("too large for a volume") != std::string::npos);
  CHECK(detail_of(volume).find("not a whole number") == std::string::npos);
  // Nothing of any of them was stored.
  auto series = call(port, "GET", "/api/bars");
  REQUIRE(series.status == 200);
  CHECK(series.body.dump().find("GAPS") == std::string::npos);
  // A good file under the same symbol goes in.
  CHECK(upload("1d", "2024-01-02,10,11,9,10,100\n").status == 200);

  // builtin stop_loss = 1 (a 100% stop) is refused as scripts refuse it.
  json s = sma_strategy();
  s["params"]["stop_loss"] = 1;
  auto stop = call(port, "POST", "/api/strategies", s);
  CHECK(stop.status == 422);
  CHECK(stop.body.dump().find("less than 1 (100%)") != std::string::npos);
  s["params"]["stop_loss"] = 0.5;
  CHECK(call(port, "POST", "/api/strategies", s).status == 201);
}

TEST_CASE("finding 11: retention keeps the newest runs and every pinned one") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  write_file(config, "[backtest]\nkeep_results = 2\n");
  Daemon d(dir.file("quantd.db"), {"--config", config});
  const int port = d.port();
  REQUIRE(call(port, "POST", "/api/sample-data").status == 201);
  auto s = call(port, "POST", "/api/strategies", sma_strategy());
  REQUIRE(s.status == 201);
  auto run = [&] {
    auto b = call(port, "POST", "/api/backtests", {{"strategy_id", s.body["id"]}});
    REQUIRE(b.status == 202);
    const std::int64_t id = b.body["id"];
    REQUIRE(wait_for(port, id, {"done", "failed"})["status"] == "done");
    return id;
  };
  const std::int64_t first = run();
  auto pin = call(port, "PATCH", "/api/backtests/" + std::to_string(first), {{"pinned", true}});
  REQUIRE(pin.status == 200);
  CHECK(pin.body["pinned"] == true);
  CHECK(is_problem(
      call(port, "PATCH", "/api/backtests/" + std::to_string(first), {{"pinned", "yes"}}), 422));
  const std::int64_t second = run();
  const std::int64_t third = run();
  const std::int64_t fourth = run();
  // Retention runs just after a run is recorded done: wait for it rather than race it.
  for (int i = 0; i < 500 && d.log().find("backtest retention: deleted") == std::string::npos;
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // keep 2: the two newest unpinned (third, fourth) and the pinned first; second is gone, with
  // its results.
  CHECK(call(port, "GET", "/api/backtests/" + std::to_string(first)).status == 200);
  CHECK(call(port, "GET", "/api/backtests/" + std::to_string(second)).status == 404);
  CHECK(call(port, "GET", "/api/backtests/" + std::to_string(second) + "/equity").status == 404);
  CHECK(call(port, "GET", "/api/backtests/" + std::to_string(third)).status == 200);
  CHECK(call(port, "GET", "/api/backtests/" + std::to_string(fourth)).status == 200);
  CHECK(d.log().find("backtest retention: deleted 1 finished run(s)") != std::string::npos);
}

TEST_CASE("finding 11: a database at its size limit refuses new jobs with 507; health says so") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  const std::string config = dir.file("config.toml");
  write_file(config, "[database]\nmax_size_mb = 2\n");
  {
    Daemon empty(db, {"--config", config});
    auto health = call(empty.port(), "GET", "/api/health");
    REQUIRE(health.status == 200);
    CHECK(health.body["status"] == "ok");
    CHECK(health.body["disk"]["free_bytes"].get<std::int64_t>() > 0);
    CHECK(health.body["disk"]["max_database_bytes"] == 2 << 20);
    CHECK(health.body["disk"]["refusing_new_work"] == false);
    REQUIRE(empty.stop(SIGTERM) == 0);
  }
  // 300,000 minute bars take the database past 2 MB (stored as chunks, ~16 bytes a bar).
  seed_bars(db, "SAMPLE-A", "1m", 300'000);
  std::filesystem::remove(db + ".log");
  Daemon d(db, {"--config", config});
  const int port = d.port();
  json strategy = sma_strategy();
  strategy["interval"] = "1m";
  auto s = call(port, "POST", "/api/strategies", strategy);
  REQUIRE(s.status == 201);
  auto health = call(port, "GET", "/api/health");
  INFO(health.body.dump());
  REQUIRE(health.body["disk"]["database_bytes"].get<std::int64_t>() >= 1 << 20);
  CHECK(health.body["status"] == "degraded");
  CHECK(health.body["disk"]["refusing_new_work"] == true);
  auto b = call(port, "POST", "/api/backtests", {{"strategy_id", s.body["id"]}});
  CHECK(is_problem(b, 507));
  CHECK(b.body["detail"].get<std::string>().find("database.max_size_mb") != std::string::npos);
  CHECK(call(port, "GET", "/api/backtests").body.size() == 0);  // nothing stored
  auto upload = http_request(port, "POST", "/api/bars/MORE?interval=1d",
                             "ts,open,high,low,close,volume\n2024-01-02,10,11,9,10,100\n",
                             {{"Content-Type", "text/csv"}});
  CHECK(upload.status == 507);
  // Reads go on.
  CHECK(call(port, "GET", "/api/strategies").status == 200);
}
