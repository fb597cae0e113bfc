// The daemon end to end: the real binary, a real SQLite file, a real server on 127.0.0.1.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_support.h"

using namespace quantd::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

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
  write_file(config, "[server]\nbody_limit_bytes = 4096\n");
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
  write_file(config, "[server]\nlisten = \"127.0.0.1:0\"\nthreds = 2\n");
  auto r = run_quantd({"serve", "--config", config, "--db", dir.file("x.db")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("key 'server.threds': unknown key (did you mean 'threads'?)") !=
        std::string::npos);
  r = run_quantd({"check-config", config});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("server.threds") != std::string::npos);
  write_file(config, "[server]\nthreads = 2\n");
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

TEST_CASE("--debug-clock: POST /api/debug/clock moves the clock forward only; health shows it") {
  TempDir dir;
  // 2026-11-24 is a trading Tuesday; 09:00:30 KST is 00:00:30 UTC.
  Daemon d(dir.file("q.db"), {"--debug-clock=2026-11-24T09:00:30+09:00"});
  auto health = [&] { return json::parse(http_request(d.port(), "GET", "/api/health").body); };
  json h = health();
  CHECK(h["clock"]["manual"] == true);
  CHECK(h["clock"]["now"] == "2026-11-24T00:00:30.000Z");
  CHECK(h["scheduler"]["next_wake"] == "2026-11-24T00:01:00.000Z");
  CHECK(d.log().find("debug clock") != std::string::npos);

  // To 09:01 (Seoul, no offset): the scheduler wakes at once and fires the 09:00 minute.
  auto moved = http_request(d.port(), "POST", "/api/debug/clock", R"({"ts": "2026-11-24 09:01"})");
  REQUIRE(moved.status == 200);
  json m = json::parse(moved.body);
  CHECK(m["now"] == "2026-11-24T00:01:00.000Z");
  CHECK(m["now_ms"] == 1'795'478'460'000);
  CHECK(m["manual"] == true);
  auto ticks = [&] { return health()["scheduler"]["ticks"].get<int>(); };
  for (int i = 0; i < 100 && ticks() < 1; ++i) std::this_thread::sleep_for(10ms);
  CHECK(ticks() == 1);

  // Four minutes on with advance_ms: one coalesced tick, the next wake is 09:06.
  moved = http_request(d.port(), "POST", "/api/debug/clock", R"({"advance_ms": 240000})");
  REQUIRE(moved.status == 200);
  CHECK(json::parse(moved.body)["now"] == "2026-11-24T00:05:00.000Z");
  for (int i = 0; i < 100 && ticks() < 2; ++i) std::this_thread::sleep_for(10ms);
  h = health();
  CHECK(h["scheduler"]["ticks"] == 2);
  CHECK(h["scheduler"]["next_wake"] == "2026-11-24T00:06:00.000Z");
  CHECK(h["clock"]["now"] == "2026-11-24T00:05:00.000Z");

  // Never backwards; the same time is fine; bad bodies name the field.
  auto back =
      http_request(d.port(), "POST", "/api/debug/clock", R"({"ts": "2026-11-24T09:04:00+09:00"})");
  check_problem(back, 409);
  CHECK(json::parse(back.body)["detail"].get<std::string>().find("2026-11-24T00:05:00.000Z") !=
        std::string::npos);
  CHECK(http_request(d.port(), "POST", "/api/debug/clock", R"({"ts": "2026-11-24T00:05:00Z"})")
            .status == 200);
  for (const char* body : {R"({})", R"({"ts": "yesterday"})", R"({"advance_ms": -1})",
                           R"({"ts": "2026-11-25", "advance_ms": 1})", R"({"advance_ms": 1.5})"}) {
    CAPTURE(body);
    auto bad = http_request(d.port(), "POST", "/api/debug/clock", body);
    check_problem(bad, 422);
    CHECK(json::parse(bad.body)["errors"].size() >= 1);
  }
  check_problem(http_request(d.port(), "POST", "/api/debug/clock", "{"), 400);
  CHECK(health()["clock"]["now"] == "2026-11-24T00:05:00.000Z");  // nothing above moved it
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("without --debug-clock the clock is real and the debug route is 404") {
  TempDir dir;
  Daemon d(dir.file("q.db"));
  const json h = json::parse(http_request(d.port(), "GET", "/api/health").body);
  CHECK(h["clock"]["manual"] == false);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  CHECK(std::abs(h["clock"]["now_ms"].get<std::int64_t>() - now) < 60'000);
  auto r = http_request(d.port(), "POST", "/api/debug/clock", R"({"advance_ms": 60000})");
  check_problem(r, 404);
  CHECK(json::parse(r.body)["detail"].get<std::string>().find("--debug-clock") !=
        std::string::npos);
  CHECK(d.stop(SIGTERM) == 0);
}

TEST_CASE("the debug hooks are refused at start: beyond loopback, a bad time, an unknown point") {
  TempDir dir;
  // Even with a token (which listening beyond loopback needs anyway), the debug clock is refused.
  setenv("QUANTD_AUTH_TOKEN", "secret-token-secret-token-secret-token", 1);
  auto r =
      run_quantd({"serve", "--listen", "0.0.0.0:0", "--db", dir.file("q.db"), "--debug-clock"});
  unsetenv("QUANTD_AUTH_TOKEN");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--debug-clock") != std::string::npos);
  CHECK(r.err.find("beyond loopback (0.0.0.0)") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("q.db")));  // refused before anything started

  r = run_quantd(
      {"serve", "--listen", "127.0.0.1:0", "--db", dir.file("q.db"), "--debug-clock=tomorrow"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--debug-clock: 'tomorrow' is not a time") != std::string::npos);

  setenv("QUANTD_CRASH_AT", "after_sned", 1);
  r = run_quantd({"serve", "--listen", "127.0.0.1:0", "--db", dir.file("q.db"), "--debug-crash"});
  unsetenv("QUANTD_CRASH_AT");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("QUANTD_CRASH_AT: unknown crash point 'after_sned' (valid: "
                   "after_target_commit, after_journal_commit, after_send, after_ack_commit, "
                   "mid_reconcile)") != std::string::npos);
}

TEST_CASE("--debug-crash with a valid QUANTD_CRASH_AT starts and says the point is armed") {
  TempDir dir;
  setenv("QUANTD_CRASH_AT", "after_send", 1);
  Daemon d(dir.file("q.db"), {"--debug-crash"});
  unsetenv("QUANTD_CRASH_AT");
  CHECK(http_request(d.port(), "GET", "/api/health").status == 200);
  CHECK(d.log().find("crash point 'after_send' armed") != std::string::npos);
  CHECK(d.stop(SIGTERM) == 0);
}
