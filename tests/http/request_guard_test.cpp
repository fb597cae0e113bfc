// The RequestGuard's rules as pure functions: a Router, a header-only Request, no I/O.
#include "quantd/http/request_guard.h"

#include <doctest/doctest.h>

#include "quantd/http/router.h"

namespace quantd::http {
namespace {

Router make_router() {
  Router router;
  router.add("POST", "/api/strategies", [](const Request&) { return text(201, "ok"); });
  router.add("DELETE", "/api/strategies/{id}", [](const Request&) { return text(204, ""); });
  router.add("POST", "/api/bars/{symbol}", [](const Request&) { return text(200, "ok"); },
             {.accepts = "text/csv"});
  router.add("GET", "/api/health", [](const Request&) { return text(200, "ok"); }, {.open = true});
  return router;
}

Request header_only(std::string method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers) {
  Request r = make_request(std::move(method), std::move(target)).value();
  r.headers = std::move(headers);
  return r;
}

int status_of(const std::optional<Response>& refused) { return refused ? refused->status : 0; }

TEST_CASE("host_allowed: loopback names, the listen IP and server.hosts, on the daemon's port") {
  GuardConfig c;
  c.port = 8080;
  c.listen_host = "192.168.7.2";
  c.hosts = {"quantd.home.arpa", "Proxy.Example:443"};
  for (const char* ok :
       {"localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "[::1]", "LOCALHOST",
        "192.168.7.2:8080", "quantd.home.arpa", "quantd.home.arpa:8080", "proxy.example:443"}) {
    CAPTURE(ok);
    CHECK(host_allowed(ok, c));
  }
  for (const char* bad : {"attacker.example", "localhost:8081", "127.0.0.2", "127.example.com",
                          "proxy.example", "quantd.home.arpa:9", "", ":8080", "local host",
                          "user@localhost", "localhost:99999", "[::1", "localhost.", "0.0.0.0"}) {
    CAPTURE(bad);
    CHECK_FALSE(host_allowed(bad, c));
  }
  c.listen_host = "0.0.0.0";  // "every address" is not a name
  CHECK_FALSE(host_allowed("0.0.0.0:8080", c));
}

TEST_CASE("check_request: content type per route, origin, fetch site") {
  const Router router = make_router();
  GuardConfig c;
  c.port = 8080;
  const std::pair<std::string, std::string> host{"Host", "127.0.0.1:8080"};
  auto check = [&](const Request& r, bool has_body) {
    return status_of(check_request(r, has_body, c, router));
  };
  CHECK(check(header_only("POST", "/api/strategies",
                          {host, {"Content-Type", "application/json; charset=UTF-8"}}),
              true) == 0);
  CHECK(check(header_only("POST", "/api/strategies", {host, {"Content-Type", "text/plain"}}),
              true) == 415);
  CHECK(check(header_only("POST", "/api/strategies", {host}), true) == 415);
  CHECK(check(header_only("POST", "/api/strategies", {host}), false) == 0);  // bodyless
  CHECK(check(header_only("POST", "/api/bars/005930", {host, {"Content-Type", "text/csv"}}),
              true) == 0);
  CHECK(check(header_only("POST", "/api/bars/005930", {host, {"Content-Type", "application/json"}}),
              true) == 415);
  const auto type = std::pair<std::string, std::string>{"Content-Type", "application/json"};
  CHECK(
      check(header_only("POST", "/api/strategies", {host, type, {"Origin", "http://evil.example"}}),
            true) == 403);
  CHECK(check(header_only("POST", "/api/strategies", {host, type, {"Origin", "null"}}), true) ==
        403);
  CHECK(check(header_only("POST", "/api/strategies",
                          {host, type, {"Origin", "http://127.0.0.1:8080"}}),
              true) == 0);
  CHECK(check(header_only("DELETE", "/api/strategies/3", {host, {"Sec-Fetch-Site", "same-site"}}),
              false) == 403);
  CHECK(check(header_only("DELETE", "/api/strategies/3", {host, {"Sec-Fetch-Site", "none"}}),
              false) == 0);
  // Reading the UI from a link on another site is fine; reading the API cross-site is not.
  CHECK(check(header_only("GET", "/", {host, {"Sec-Fetch-Site", "cross-site"}}), false) == 0);
  CHECK(check(header_only("GET", "/api/health", {host, {"Sec-Fetch-Site", "cross-site"}}), false) ==
        403);
  // Unknown routes are left to the router (404/405) when no token is configured.
  CHECK(check(header_only("POST", "/api/nothing", {host, {"Content-Type", "text/plain"}}), true) ==
        0);
}

TEST_CASE("check_request: the token, compared as a whole, before routing") {
  const Router router = make_router();
  GuardConfig c;
  c.port = 8080;
  c.auth_token = std::string(32, 'z');
  const std::pair<std::string, std::string> host{"Host", "localhost:8080"};
  auto check = [&](const Request& r) { return status_of(check_request(r, false, c, router)); };
  CHECK(check(header_only("GET", "/api/nothing", {host})) == 401);
  CHECK(check(header_only("GET", "/api/health", {host})) == 0);
  CHECK(check(header_only("GET", "/app.js", {host})) == 0);
  CHECK(check(header_only("POST", "/app.js", {host})) == 401);
  CHECK(check(header_only("GET", "/api/nothing",
                          {host, {"Authorization", "Bearer " + c.auth_token}})) == 0);
  CHECK(check(header_only("GET", "/api/nothing",
                          {host, {"Authorization", "bearer " + c.auth_token}})) == 0);
  CHECK(check(header_only("GET", "/api/nothing", {host, {"Authorization", "Bearer zzz"}})) == 401);
  CHECK(check(header_only("GET", "/api/nothing", {host, {"Authorization", "Bearer "}})) == 401);
  CHECK(secret_equals("abc", "abc"));
  CHECK_FALSE(secret_equals("abc", "abd"));
  CHECK_FALSE(secret_equals("ab", "abc"));
  CHECK_FALSE(secret_equals("", "abc"));
}

}  // namespace
}  // namespace quantd::http
