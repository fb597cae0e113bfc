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
auth_token = "t0ken-t0ken-t0ken-t0ken-t0ken-t0ken"
hosts = ["quantd.home.arpa", "nas.local:8443"]
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

TEST_CASE("listening beyond loopback requires a password or a token; kis requires credentials") {
  Config c = default_config();
  c.server.auth_token.clear();
  REQUIRE(apply_listen(c.server, "0.0.0.0:8080").ok());
  const Status exposed = check_exposure(c.server, false);
  CHECK_FALSE(exposed.ok());
  CHECK(exposed.message().find("quantd passwd") != std::string::npos);
  CHECK(check_exposure(c.server, true).ok());  // the password is enough
  REQUIRE(apply_listen(c.server, "127.example.com:8080").ok());
  CHECK_FALSE(check_exposure(c.server, false).ok());  // a name is never loopback
  REQUIRE(apply_listen(c.server, "127.0.0.1:8080").ok());
  CHECK(check_exposure(c.server, false).ok());
  REQUIRE(apply_listen(c.server, "0.0.0.0:8080").ok());
  c.server.auth_token = std::string(32, 'x');
  CHECK(check_exposure(c.server, false).ok());
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
  c.server.auth_token = std::string(32, 'x');
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

TEST_CASE("issue 12: loopback is decided on the parsed address; tokens need 32 characters") {
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.8.9.10"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("[::1]"));
  CHECK(is_loopback_host("::ffff:127.0.0.1"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("127.example.com"));
  CHECK_FALSE(is_loopback_host("127."));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("::"));
  CHECK_FALSE(is_loopback_host("10.0.0.1"));

  Config c = default_config();
  c.server.auth_token.clear();
  c.server.host = "127.example.com";  // a name: it may resolve anywhere, so credentials are needed
  CHECK(check_exposure(c.server, false).message().find("or server.auth_token") !=
        std::string::npos);
  for (const std::string& bad : {std::string(" "), std::string(40, ' '), std::string(31, 'a')}) {
    c.server.auth_token = bad;
    const Status st = validate(c);
    CHECK(st.code() == StatusCode::kInvalidArgument);
    CHECK(st.message().find("at least 32 characters") != std::string::npos);
    CHECK(st.message().find("quantd token") != std::string::npos);
  }
  c.server.auth_token = std::string(32, 'a');
  CHECK(validate(c).ok());
}

TEST_CASE("issue 12: server.hosts is a list of names") {
  auto c = parse_config("[server]\nhosts = [\"quantd.home.arpa\", \"nas.local:8443\"]\n", "t");
  REQUIRE(c.ok());
  CHECK(c->server.hosts == std::vector<std::string>{"quantd.home.arpa", "nas.local:8443"});
  CHECK(parse_config("", "t")->server.hosts.empty());
  auto wrong = parse_config("[server]\nhosts = \"quantd.home.arpa\"\n", "t");
  CHECK(wrong.status().message().find("key 'server.hosts': expected an array of strings") !=
        std::string::npos);
  auto bad = parse_config("[server]\nhosts = [\"http://x/\"]\n", "t");
  CHECK(bad.status().message().find("is not a host name") != std::string::npos);
}

TEST_CASE("event stream caps and scheduled backups: defaults, values, ranges") {
  const auto defaults = parse_config("", "empty.toml");
  REQUIRE(defaults.ok());
  CHECK(defaults->server.max_event_streams == 64);
  CHECK(defaults->server.max_event_streams_per_client == 8);
  CHECK(!defaults->backup.enabled());
  CHECK(defaults->backup.every_hours == 24);
  CHECK(defaults->backup.keep == 7);

  auto c = parse_config(R"(
[server]
max_event_streams = 200
max_event_streams_per_client = 20
[backup]
dir = "/var/lib/quantd/backups"
every_hours = 0.5
keep = 3
)",
                        "test.toml");
  INFO(c.status().message());
  REQUIRE(c.ok());
  CHECK(c->server.max_event_streams == 200);
  CHECK(c->server.max_event_streams_per_client == 20);
  CHECK(c->backup.enabled());
  CHECK(c->backup.dir == "/var/lib/quantd/backups");
  CHECK(c->backup.every_hours == 0.5);
  CHECK(c->backup.keep == 3);

  const auto bad = parse_config(R"(
[server]
max_event_streams = 0
[backup]
every_hours = 0
keep = 0
when = "daily"
)",
                                "bad.toml");
  REQUIRE(!bad.ok());
  const std::string& m = bad.status().message();
  CHECK(m.find("server.max_event_streams") != std::string::npos);
  CHECK(m.find("backup.every_hours") != std::string::npos);
  CHECK(m.find("backup.keep") != std::string::npos);
  CHECK(m.find("backup.when") != std::string::npos);
}

TEST_CASE("issue 12: server.tls_cert and server.tls_key go together") {
  auto both = parse_config("[server]\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n", "t");
  REQUIRE(both.ok());
  CHECK(both->server.tls_cert == "c.pem");
  CHECK(both->server.tls_key == "k.pem");
  auto half = parse_config("[server]\ntls_cert = \"c.pem\"\n", "t");
  REQUIRE_FALSE(half.ok());
  CHECK(half.status().message().find("server.tls_key' is missing") != std::string::npos);
}
