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
  auto check = [&](Request r, bool has_body) {
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
  auto check = [&](Request r) { return status_of(check_request(r, false, c, router)); };
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

// Sessions as a store would answer: one live cookie value.
class FakeSessions final : public SessionVerifier {
 public:
  bool required() override { return password_set; }
  std::optional<std::int64_t> session_for(std::string_view secret) override {
    ++lookups;
    if (secret == "live-secret") return 7;
    return std::nullopt;
  }
  bool password_set = true;
  int lookups = 0;
};

TEST_CASE("check_request: a session cookie is a credential, checked before routing") {
  const Router router = make_router();
  FakeSessions sessions;
  GuardConfig c;
  c.port = 8080;
  c.sessions = &sessions;
  const std::pair<std::string, std::string> host{"Host", "localhost:8080"};
  Request anonymous = header_only("GET", "/api/nothing", {host});
  CHECK(status_of(check_request(anonymous, false, c, router)) == 401);
  CHECK(anonymous.caller.via == Caller::Via::kAnonymous);
  Request cookie =
      header_only("GET", "/api/nothing", {host, {"Cookie", "a=1; quantd_session=live-secret"}});
  CHECK(status_of(check_request(cookie, false, c, router)) == 0);
  CHECK(cookie.caller.via == Caller::Via::kSession);
  CHECK(cookie.caller.actor() == "session 7");
  Request wrong = header_only("GET", "/api/nothing", {host, {"Cookie", "quantd_session=other"}});
  CHECK(status_of(check_request(wrong, false, c, router)) == 401);
  // An open route is served either way and knows who called.
  Request health =
      header_only("GET", "/api/health", {host, {"Cookie", "quantd_session=live-secret"}});
  CHECK(status_of(check_request(health, false, c, router)) == 0);
  CHECK(health.caller.authorized());
  // The UI's files need nothing and cost no lookup.
  const int before = sessions.lookups;
  Request file = header_only("GET", "/app.js", {host, {"Cookie", "quantd_session=x"}});
  CHECK(status_of(check_request(file, false, c, router)) == 0);
  CHECK(sessions.lookups == before);
  // The cross-site rules still come first for a cookie-carrying request.
  Request cross = header_only(
      "DELETE", "/api/strategies/3",
      {host, {"Cookie", "quantd_session=live-secret"}, {"Origin", "http://evil.example"}});
  CHECK(status_of(check_request(cross, false, c, router)) == 403);
  // With no password and no token, nothing is asked and everyone is "loopback".
  sessions.password_set = false;
  Request open = header_only("GET", "/api/nothing", {host});
  CHECK(status_of(check_request(open, false, c, router)) == 0);
  CHECK(open.caller.actor() == "loopback");
}

TEST_CASE("cookie_value: finds the named cookie among others") {
  const Request r = header_only(
      "GET", "/", {{"Cookie", "x=1;quantd_session=abc ; y=2"}, {"Cookie", "z=\"quoted\""}});
  CHECK(cookie_value(r, "quantd_session") == std::optional<std::string_view>("abc"));
  CHECK(cookie_value(r, "z") == std::optional<std::string_view>("quoted"));
  CHECK_FALSE(cookie_value(r, "quantd").has_value());
}

}  // namespace
}  // namespace quantd::http
