// Issue 12 against the real binary: cross-site writes, DNS rebinding, auth before routing and
// bounded JSON, each as the finding's own request over a real socket.
#include <doctest/doctest.h>

#include <fstream>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::http_request;
using quantd::testing::TempDir;

namespace {

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

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
  write(config, "[server]\nhosts = [\"quantd.home.arpa\"]\n");
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
  write(config, "[server]\nauth_token = \"" + kToken + "\"\n");
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
    write(path, "[server]\nauth_token = \"" + bad + "\"\n");
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
