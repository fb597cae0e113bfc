// The daemon end to end: the real binary, a real SQLite file, a real server on 127.0.0.1.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.h"

using namespace quantd::testing;
using nlohmann::json;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

void check_problem(const HttpResponse& r, int status) {
  CHECK(r.status == status);
  CHECK(r.header("content-type").rfind("application/problem+json", 0) == 0);
  const json p = json::parse(r.body, nullptr, false);
  REQUIRE(p.is_object());
  CHECK(p["status"] == status);
  CHECK(p["title"].is_string());
  CHECK(p["detail"].is_string());
}

}  // namespace

TEST_CASE("serve: health, index page, 404, 413, SIGTERM exits 0, migrations recorded") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  const std::string config = dir.file("config.toml");
  write(config, "[server]\nbody_limit_bytes = 4096\n");
  Daemon d(db, {"--config", config});

  const auto health = http_request(d.port(), "GET", "/api/health");
  REQUIRE(health.status == 200);
  CHECK(health.header("content-type").rfind("application/json", 0) == 0);
  const json h = json::parse(health.body);
  CHECK(h["status"] == "ok");
  CHECK(h["version"].is_string());
  CHECK(h["uptime_seconds"].get<double>() >= 0);
  CHECK(h["database"]["ok"] == true);
  CHECK(h["queues"]["backtest"]["depth"] == 0);
  CHECK(h["queues"]["backtest"]["capacity"] == 64);
  CHECK(h["workers"]["backtest"]["threads"] == 1);
  CHECK(h["workers"]["live"]["threads"] == 1);

  const auto index = http_request(d.port(), "GET", "/");
  CHECK(index.status == 200);
  CHECK(index.header("content-type").rfind("text/html", 0) == 0);
  CHECK(index.body.find("<title>quantd") != std::string::npos);
  CHECK(!index.header("etag").empty());
  const auto again =
      http_request(d.port(), "GET", "/", "", {{"If-None-Match", index.header("etag")}});
  CHECK(again.status == 304);

  check_problem(http_request(d.port(), "GET", "/api/no-such-thing"), 404);
  check_problem(http_request(d.port(), "POST", "/api/health", std::string(100000, 'x')), 413);
  // The server keeps serving after bad requests.
  CHECK(http_request(d.port(), "GET", "/api/health").status == 200);

  const auto t0 = std::chrono::steady_clock::now();
  CHECK(d.stop(SIGTERM) == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10));
  const std::string log = d.log();
  CHECK(log.find("GET /api/health 200") != std::string::npos);  // access log line
  CHECK(log.find("quantd stopped") != std::string::npos);

  SQLite::Database sql(db);
  SQLite::Statement q(sql, "SELECT version, name FROM schema_migrations ORDER BY version");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt() == 1);
  CHECK(q.getColumn(1).getString() == "0001_init.sql");
}

TEST_CASE("SIGINT also exits 0; a restart on the same database applies nothing twice") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  {
    Daemon d(db);
    CHECK(d.stop(SIGINT) == 0);
  }
  Daemon d(db);
  CHECK(http_request(d.port(), "GET", "/api/health").status == 200);
  CHECK(d.stop(SIGTERM) == 0);
  CHECK(d.log().find("applied migration") == std::string::npos);
}

TEST_CASE("a bad config key is named, with exit code 2, by serve and by check-config") {
  TempDir dir;
  const std::string config = dir.file("bad.toml");
  write(config, "[server]\nlisten = \"127.0.0.1:0\"\nthreds = 2\n");
  auto r = run_quantd({"serve", "--config", config, "--db", dir.file("x.db")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("key 'server.threds': unknown key (did you mean 'threads'?)") !=
        std::string::npos);
  r = run_quantd({"check-config", config});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("server.threds") != std::string::npos);
  write(config, "[server]\nthreads = 2\n");
  r = run_quantd({"check-config", config});
  CHECK(r.exit_code == 0);
  r = run_quantd({"check-config", QUANTD_SOURCE_DIR "/config.example.toml"});
  CHECK(r.exit_code == 0);
}

TEST_CASE("CLI basics: --version, --help, usage errors exit 2 naming the flag") {
  auto r = run_quantd({"--version"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("quantd ", 0) == 0);
  r = run_quantd({"--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("serve") != std::string::npos);
  r = run_quantd({"frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown command 'frobnicate'") != std::string::npos);
  r = run_quantd({"serve", "--lisen", "127.0.0.1:0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--lisen") != std::string::npos);
  r = run_quantd({"serve", "--listen", "nonsense"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--listen") != std::string::npos);
  r = run_quantd({"serve", "--db"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--db needs a value") != std::string::npos);
}

TEST_CASE("a port already in use is a runtime failure (exit 1) with the address named") {
  TempDir dir;
  Daemon first(dir.file("a.db"));
  const std::string addr = "127.0.0.1:" + std::to_string(first.port());
  auto r = run_quantd({"serve", "--listen", addr, "--db", dir.file("b.db")});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(addr) != std::string::npos);
  CHECK(first.stop(SIGTERM) == 0);
}

TEST_CASE("a database path that cannot be opened is a runtime failure naming the path") {
  auto r = run_quantd({"serve", "--listen", "127.0.0.1:0", "--db", "/nonexistent-dir/q.db"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("/nonexistent-dir/q.db") != std::string::npos);
}
