// Issue 12, findings 8 and 9 over real sockets: ambiguous framing, obs-fold, long targets, the
// Host rules, auth before routing and the security headers on every response.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "quantd/http/static_assets.h"
#include "temp_dir.h"
#include "test_client.h"

namespace quantd::http {
namespace {

using namespace std::chrono_literals;
using test::Client;
using test::Reply;

struct StrictFixture {
  Router router;
  std::unique_ptr<Server> server;
  int handled = 0;

  explicit StrictFixture(std::string token = {}, StaticAssets* assets = nullptr) {
    router.add("POST", "/api/echo", [this](const Request& r) {
      ++handled;
      return text(200, r.body);
    });
    router.add("GET", "/api/ping", [](const Request&) { return json(200, {{"pong", true}}); });
    router.add("GET", "/api/health",
               [](const Request&) {
                 return json(200, {{"ok", true}});
               },
               {.open = true});
    ServerConfig config;
    config.port = 0;
    config.body_limit_bytes = 64 * 1024;
    config.target_limit_bytes = 2048;
    config.auth_token = std::move(token);
    server = std::make_unique<Server>(config, router, assets);
    REQUIRE(server->start().ok());
  }
  std::uint16_t port() const { return server->port(); }
};

// Sends `bytes` on a fresh connection; the reply, and whether the server then closed.
struct Exchange {
  Reply reply;
  bool closed = false;
};
Exchange exchange(std::uint16_t port, const std::string& bytes) {
  Client client(port);
  REQUIRE(client.connected());
  REQUIRE(client.write_raw(bytes));
  Exchange e;
  e.reply = client.read_reply();
  e.closed = client.wait_closed(3s);
  return e;
}

void check_refused(std::uint16_t port, const std::string& bytes, int status,
                   const std::string& reason) {
  CAPTURE(bytes);
  Exchange e = exchange(port, bytes);
  REQUIRE_MESSAGE(e.reply.ok, e.reply.error);
  CHECK(e.reply.status == status);
  CHECK(e.reply.header("Content-Type") == "application/problem+json");
  CHECK_MESSAGE(e.reply.body.find(reason) != std::string::npos, e.reply.body);
  CHECK(e.closed);
}

const std::string kPost =
    "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";

TEST_CASE("finding 9: ambiguous framing answers 400 with a reason and closes") {
  StrictFixture f;
  const std::string chunk = "5\r\nhello\r\n0\r\n\r\n";
  check_refused(f.port(), kPost + "Transfer-Encoding: xchunked\r\n\r\n" + chunk, 400,
                "exactly 'chunked'");
  check_refused(f.port(), kPost + "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello",
                400, "both Transfer-Encoding and Content-Length");
  check_refused(f.port(), kPost + "Transfer-Encoding: identity\r\n\r\nhello", 400,
                "exactly 'chunked'");
  check_refused(f.port(), kPost + "Transfer-Encoding: gzip, chunked\r\n\r\n" + chunk, 400,
                "exactly 'chunked'");
  check_refused(f.port(), kPost + "Transfer-Encoding: chunked, gzip\r\n\r\n" + chunk, 400,
                "Transfer-Encoding");
  check_refused(f.port(),
                kPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk,
                400, "Transfer-Encoding");
  check_refused(f.port(), kPost + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n" + chunk,
                400, "Content-Length");
  check_refused(f.port(), kPost + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400,
                "Content-Length");
  check_refused(f.port(), kPost + "Content-Length: 5, 5\r\n\r\nhello", 400,
                "one number, not a list");
  check_refused(f.port(),
                "POST /api/echo HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                "Transfer-Encoding: chunked\r\n\r\n" +
                    chunk,
                400, "HTTP/1.0");
  // A body without the route's type, framed either way: 415.
  const std::string untyped = "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  check_refused(f.port(), untyped + "Content-Length: 5\r\n\r\nhello", 415,
                "takes application/json");
  check_refused(f.port(), untyped + "Transfer-Encoding: chunked\r\n\r\n" + chunk, 415,
                "takes application/json");
  CHECK(f.handled == 0);

  // Plain chunked on HTTP/1.1 and a single Content-Length still work.
  Exchange chunked = exchange(f.port(), kPost + "Transfer-Encoding: chunked\r\n\r\n" + chunk);
  CHECK(chunked.reply.status == 200);
  CHECK(chunked.reply.body == "hello");
  Exchange length = exchange(f.port(), kPost + "Content-Length: 5\r\n\r\nhello");
  CHECK(length.reply.status == 200);
}

TEST_CASE("finding 9: obs-fold is refused (Beast would unfold it silently)") {
  StrictFixture f;
  check_refused(f.port(), kPost + "X-Note: one\r\n two\r\nContent-Length: 5\r\n\r\nhello", 400,
                "obs-fold");
  check_refused(f.port(), kPost + "Content-Length:\r\n\t5\r\n\r\nhello", 400, "obs-fold");
  CHECK(f.handled == 0);
}

TEST_CASE("finding 9: a long target answers 414, a large header still 431") {
  StrictFixture f;
  const std::string long_target = "/api/ping?q=" + std::string(3000, 'a');
  check_refused(f.port(), "GET " + long_target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414,
                "request target is longer");
  // Refused as soon as the request line is known to be too long, before it ends.
  check_refused(f.port(), "GET " + std::string(40000, 'b'), 414, "request target is longer");
  check_refused(
      f.port(),
      "GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(20000, 'c') + "\r\n\r\n",
      431, "header is larger");
  // Pipelined requests within the limits are unaffected.
  Exchange ok = exchange(f.port(), "GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  CHECK(ok.reply.status == 200);
}

TEST_CASE("findings 2 and 9: a missing, doubled or foreign Host is refused") {
  StrictFixture f;
  check_refused(f.port(), "GET /api/ping HTTP/1.1\r\n\r\n", 400, "no Host header");
  check_refused(f.port(), "GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",
                400, "more than one Host");
  check_refused(f.port(), "GET /api/ping HTTP/1.1\r\nHost: attacker.example\r\n\r\n", 421,
                "server.hosts");
  check_refused(f.port(), "GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1.attacker.example\r\n\r\n", 421,
                "Host");
}

TEST_CASE("finding 8: with a token, unauthenticated clients get 401 before any routing") {
  test::TempDir dir;
  dir.write("www/index.html", "<p>ui</p>");
  StaticAssets assets(dir.path / "www");
  const std::string token(40, 'k');
  StrictFixture f(token, &assets);
  const std::string host = "Host: 127.0.0.1\r\n";
  check_refused(f.port(), "GET /api/nothing-here HTTP/1.1\r\n" + host + "\r\n", 401, "token");
  check_refused(f.port(), "DELETE /api/ping HTTP/1.1\r\n" + host + "\r\n", 401, "token");
  // A body is never read for an unauthenticated client: 401, not 413.
  check_refused(f.port(), kPost + "Content-Length: 999999\r\n\r\n", 401, "token");
  check_refused(f.port(),
                "GET /api/ping HTTP/1.1\r\n" + host + "Authorization: Bearer " +
                    std::string(39, 'k') + "\r\n\r\n",
                401, "token");
  CHECK(test::fetch(f.port(), "GET", "/api/ping", {}, {{"Authorization", "Bearer " + token}})
            .status == 200);
  CHECK(test::fetch(f.port(), "GET", "/api/nothing", {}, {{"Authorization", "Bearer " + token}})
            .status == 404);
  CHECK(test::fetch(f.port(), "GET", "/api/health").status == 200);  // an open route
  CHECK(test::fetch(f.port(), "GET", "/").status == 200);            // the UI's files
}

TEST_CASE("finding 9: every response carries CSP, frame, referrer and nosniff headers") {
  test::TempDir dir;
  dir.write("www/index.html", "<p>ui</p>");
  StaticAssets assets(dir.path / "www");
  StrictFixture f({}, &assets);
  for (const char* target : {"/", "/index.html", "/api/ping", "/api/missing", "/missing.js"}) {
    CAPTURE(target);
    Reply r = test::fetch(f.port(), "GET", target);
    REQUIRE(r.ok);
    CHECK(r.header("X-Content-Type-Options") == "nosniff");
    CHECK(r.header("X-Frame-Options") == "DENY");
    CHECK(r.header("Referrer-Policy") == "no-referrer");
    const std::string csp = r.header("Content-Security-Policy");
    CHECK(csp.find("script-src 'self';") != std::string::npos);
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("unsafe-inline'; img") != std::string::npos);  // styles only, never script
    CHECK(csp.find("unsafe-eval") == std::string::npos);
  }
}

}  // namespace
}  // namespace quantd::http
