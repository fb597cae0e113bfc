#include "quantd/config/config.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace quantd;
using namespace quantd::config;

TEST_CASE("defaults: loopback 8080, quantd.db, paper broker") {
  const Config c = default_config();
  CHECK(c.server.host == "127.0.0.1");
  CHECK(c.server.port == 8080);
  CHECK(c.database.path == "quantd.db");
  CHECK(c.live.broker == "paper");
  CHECK(!c.scheduler.holidays.empty());
  CHECK(validate(c).ok());
}

TEST_CASE("the example config parses and every documented key is known") {
  std::ifstream in(QUANTD_SOURCE_DIR "/config.example.toml");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = parse_config(ss.str(), "config.example.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->server.port == 8080);
}

TEST_CASE("values are read and typed") {
  auto c = parse_config(R"(
[server]
listen = "0.0.0.0:9090"
threads = 4
auth_token = "t0ken"
[database]
path = "/var/lib/quantd/quantd.db"
[backtest]
workers = 3
[scheduler]
holidays = ["2027-01-01", 2027-02-08]
)",
                        "test.toml");
  REQUIRE(c.ok());
  CHECK(c->server.host == "0.0.0.0");
  CHECK(c->server.port == 9090);
  CHECK(c->server.threads == 4);
  CHECK(c->backtest.workers == 3);
  CHECK(c->database.path == "/var/lib/quantd/quantd.db");
  REQUIRE(c->scheduler.holidays.size() == 2);
  CHECK(c->scheduler.holidays[1] == CivilDate{2027, 2, 8});
  CHECK(validate(*c).ok());
  CHECK(describe(*c).find("t0ken") == std::string::npos);  // secrets never printed
}

TEST_CASE("unknown keys, wrong types and bad values are each named") {
  auto c = parse_config(R"(
[server]
listn = "127.0.0.1:1"
threads = "two"
[log]
level = "loud"
[backtset]
workers = 1
)",
                        "bad.toml");
  REQUIRE_FALSE(c.ok());
  const std::string& m = c.status().message();
  CHECK(m.find("bad.toml: key 'server.listn': unknown key (did you mean 'listen'?)") !=
        std::string::npos);
  CHECK(m.find("key 'server.threads': expected an integer") != std::string::npos);
  CHECK(m.find("key 'log.level': unknown level 'loud'") != std::string::npos);
  CHECK(m.find("key 'backtset': unknown key (did you mean 'backtest'?)") != std::string::npos);
}

TEST_CASE("TOML syntax errors carry line and column") {
  auto c = parse_config("[server]\nport = = 3\n", "syntax.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().rfind("syntax.toml:2:", 0) == 0);
}

TEST_CASE("range checks") {
  auto c = parse_config("[backtest]\nworkers = 0\n", "r.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().find("key 'backtest.workers': must be between 1 and 64, got 0") !=
        std::string::npos);
}

TEST_CASE("listening beyond loopback requires a token; kis requires credentials") {
  Config c = default_config();
  c.server.auth_token.clear();
  REQUIRE(apply_listen(c.server, "0.0.0.0:8080").ok());
  CHECK_FALSE(validate(c).ok());
  c.server.auth_token = "x";
  CHECK(validate(c).ok());
  c.live.broker = "kis";
  c.kis = {};
  CHECK(validate(c).message().find("kis.app_key") != std::string::npos);
}

TEST_CASE("the debug clock is refused beyond loopback, token or not; describe names the hooks") {
  Config c = default_config();
  c.debug.clock = true;
  c.debug.clock_start = from_seoul({2026, 7, 9}, 8, 59);
  CHECK(validate(c).ok());
  CHECK(describe(c).find("debug_clock=2026-07-08T23:59:00.000Z") != std::string::npos);
  CHECK(describe(c).find("debug_crash") == std::string::npos);
  c.server.auth_token = "x";
  REQUIRE(apply_listen(c.server, "0.0.0.0:8080").ok());
  const Status st = validate(c);
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK(st.message().find("--debug-clock") != std::string::npos);
  CHECK(st.message().find("(0.0.0.0)") != std::string::npos);
  c.debug.clock = false;
  c.debug.crash = true;  // crash points need no network rule: only the environment arms them
  CHECK(validate(c).ok());
  CHECK(describe(c).find("debug_crash=on") != std::string::npos);
  CHECK(describe(default_config()).find("debug") == std::string::npos);
}

TEST_CASE("apply_listen") {
  ServerConfig s;
  CHECK(apply_listen(s, "127.0.0.1:0").ok());
  CHECK(s.port == 0);
  CHECK(apply_listen(s, "[::1]:8081").ok());
  CHECK(s.host == "::1");
  CHECK_FALSE(apply_listen(s, "localhost").ok());
  CHECK_FALSE(apply_listen(s, "localhost:99999").ok());
  CHECK_FALSE(apply_listen(s, "localhost:8o").ok());
}

TEST_CASE("secrets from the environment override the file") {
  setenv("QUANTD_KIS_APP_KEY", "env-key", 1);
  auto c = parse_config("[kis]\napp_key = \"file-key\"\n", "env.toml");
  unsetenv("QUANTD_KIS_APP_KEY");
  REQUIRE(c.ok());
  CHECK(c->kis.app_key == "env-key");
}
