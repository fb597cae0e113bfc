// The server over HTTPS (server.tls_cert / server.tls_key): real TLS on 127.0.0.1 with a test
// CA made in the test, checked with quantd's own verifying client and a Beast TLS client.
#include <doctest/doctest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "quantd/http/client.h"
#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "quantd/http/sse_hub.h"
#include "temp_dir.h"
#include "test_certs.h"
#include "test_client.h"

namespace quantd::http {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;

// A body of `pieces` pieces of 64 KiB.
class Pieces final : public BodyStream {
 public:
  explicit Pieces(int pieces) : left_(pieces) {}
  Result<bool> next(std::string& out) override {
    out.assign(64 * 1024, 'z');
    return --left_ > 0;
  }

 private:
  int left_;
};

struct TlsFixture {
  test::TempDir dir;
  test::TestPki pki = test::make_test_pki({"localhost"}, {"127.0.0.1"});
  SseHub hub;
  Router router;
  std::unique_ptr<Server> server;

  TlsFixture() {
    install(pki);
    dir.write("ca.pem", pki.ca_pem);
    router.add("GET", "/api/hello", [](const Request&) { return json(200, {{"hello", "tls"}}); });
    router.add("POST", "/api/echo", [](const Request& r) { return text(200, r.body); },
               {.accepts = ""});
    router.add("GET", "/api/big", [](const Request&) {
      return streamed(200, std::make_shared<Pieces>(64), "application/octet-stream");
    });
    router.add_sse("/api/events", hub);
  }
  void install(const test::TestPki& p) const {
    dir.write("cert.pem", p.server_cert_pem);
    dir.write("key.pem", p.server_key_pem);
    std::filesystem::permissions(dir.path / "key.pem", std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
  }
  ServerConfig config() const {
    ServerConfig c;
    c.host = "127.0.0.1";
    c.port = 0;
    c.tls_cert = (dir.path / "cert.pem").string();
    c.tls_key = (dir.path / "key.pem").string();
    c.tls_reload_check = 100ms;
    return c;
  }
  void start(ServerConfig c) {
    server = std::make_unique<Server>(std::move(c), router, nullptr);
    Status status = server->start();
    REQUIRE_MESSAGE(status.ok(), status.message());
  }
  std::string url(std::string_view path, std::string_view host = "127.0.0.1") const {
    return "https://" + std::string(host) + ":" + std::to_string(server->port()) +
           std::string(path);
  }
  // quantd's verifying client, trusting only `ca_file` under the test dir.
  Result<ClientResponse> get(std::string_view path, const std::string& ca_file = "ca.pem",
                             std::string_view host = "127.0.0.1") const {
    auto client =
        Client::create({.max_response_bytes = 16 << 20, .ca_file = (dir.path / ca_file).string()});
    REQUIRE(client.ok());
    return (*client)->send({"GET", url(path, host), {}, {}, {}});
  }
  ~TlsFixture() {
    if (server) server->stop();
  }
};

TEST_CASE("https: requests, a streamed body and the security headers over TLS") {
  TlsFixture f;
  f.start(f.config());
  for (const char* host : {"127.0.0.1", "localhost"}) {
    CAPTURE(host);
    auto r = f.get("/api/hello", "ca.pem", host);
    REQUIRE_MESSAGE(r.ok(), r.status().message());
    CHECK(r->status == 200);
    CHECK(nlohmann::json::parse(r->body)["hello"] == "tls");
    CHECK(r->header("Content-Security-Policy").has_value());
  }
  auto big = f.get("/api/big");
  REQUIRE_MESSAGE(big.ok(), big.status().message());
  CHECK(big->body.size() == 64u * 64 * 1024);
  CHECK(big->header("Transfer-Encoding") == "chunked");

  auto client = Client::create({.ca_file = (f.dir.path / "ca.pem").string()});
  REQUIRE(client.ok());
  auto echo = (*client)->send(
      {"POST", f.url("/api/echo"), {{"Content-Type", "text/plain"}}, "over tls", {}});
  REQUIRE_MESSAGE(echo.ok(), echo.status().message());
  CHECK(echo->body == "over tls");
}

TEST_CASE("https: plain HTTP on the TLS port is told to use https; the server keeps serving") {
  TlsFixture f;
  f.start(f.config());
  test::Reply plain = test::fetch(f.server->port(), "GET", "/api/hello");
  REQUIRE_MESSAGE(plain.ok, plain.error);
  CHECK(plain.status == 400);
  CHECK(plain.body.find("HTTPS only") != std::string::npos);
  // A client that connects and says nothing is closed after the header timeout, not held.
  auto r = f.get("/api/hello");
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  CHECK(r->status == 200);
}

TEST_CASE("https: an event stream over TLS delivers published events") {
  TlsFixture f;
  f.start(f.config());
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file((f.dir.path / "ca.pem").string());
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(5s);
  beast::get_lowest_layer(stream).connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), f.server->port()));
  stream.handshake(ssl::stream_base::client);
  const std::string request = "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  net::write(stream, net::buffer(request));
  std::string data;
  auto read_until = [&](std::string_view needle) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    char buf[4096];
    while (data.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      beast::error_code ec;
      const std::size_t n = stream.read_some(net::buffer(buf), ec);
      if (ec) break;
      data.append(buf, n);
    }
    return data.find(needle) != std::string::npos;
  };
  REQUIRE(read_until("\r\n\r\n"));
  CHECK(data.starts_with("HTTP/1.1 200"));
  CHECK(data.find("text/event-stream") != std::string::npos);
  // The subscription is made on the server's strand right after the head; publish until seen.
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    f.hub.publish("job", R"({"id":7})");
    beast::get_lowest_layer(stream).expires_after(200ms);
    seen = read_until(R"({"id":7})");
  }
  CHECK(seen);
}

TEST_CASE("https: bad TLS settings fail start() naming the setting and the file") {
  TlsFixture f;
  SUBCASE("only one of the two") {
    ServerConfig c = f.config();
    c.tls_key.clear();
    Server server(c, f.router, nullptr);
    Status s = server.start();
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message().find("go together") != std::string::npos);
  }
  SUBCASE("a missing certificate file") {
    ServerConfig c = f.config();
    c.tls_cert = (f.dir.path / "nope.pem").string();
    Server server(c, f.router, nullptr);
    Status s = server.start();
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message().find("server.tls_cert") != std::string::npos);
    CHECK(s.message().find("nope.pem") != std::string::npos);
  }
  SUBCASE("a key that belongs to another certificate") {
    const test::TestPki other = test::make_test_pki({"localhost"}, {});
    f.dir.write("key.pem", other.server_key_pem);
    Server server(f.config(), f.router, nullptr);
    Status s = server.start();
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message().find("does not belong to the certificate") != std::string::npos);
  }
  SUBCASE("not PEM at all") {
    f.dir.write("key.pem", "-----BEGIN NONSENSE-----\nxx\n");
    Server server(f.config(), f.router, nullptr);
    Status s = server.start();
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(s.message().find("server.tls_key") != std::string::npos);
  }
}

TEST_CASE("https: a renewed certificate is picked up without a restart; a broken one is not") {
  TlsFixture f;
  f.start(f.config());
  REQUIRE(f.get("/api/hello").ok());

  // A half-written renewal: the server keeps the old certificate.
  f.dir.write("cert.pem", "-----BEGIN CERTIFICATE-----\ntruncated");
  std::filesystem::last_write_time(f.dir.path / "cert.pem",
                                   std::filesystem::file_time_type::clock::now() + 1s);
  std::this_thread::sleep_for(250ms);
  (void)f.get("/api/hello");  // the connection that notices the change
  auto still = f.get("/api/hello");
  REQUIRE_MESSAGE(still.ok(), still.status().message());

  // The finished renewal, from another CA: new connections present it.
  const test::TestPki renewed = test::make_test_pki({"localhost"}, {"127.0.0.1"});
  f.install(renewed);
  f.dir.write("renewed-ca.pem", renewed.ca_pem);
  std::filesystem::last_write_time(f.dir.path / "cert.pem",
                                   std::filesystem::file_time_type::clock::now() + 2s);
  std::this_thread::sleep_for(250ms);
  (void)f.get("/api/hello", "renewed-ca.pem");  // may still be the old one: it triggers the check
  auto fresh = f.get("/api/hello", "renewed-ca.pem");
  REQUIRE_MESSAGE(fresh.ok(), fresh.status().message());
  CHECK(fresh->status == 200);
  auto old = f.get("/api/hello", "ca.pem");
  CHECK_FALSE(old.ok());
}

}  // namespace
}  // namespace quantd::http
