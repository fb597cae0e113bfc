// The real server on 127.0.0.1 with an ephemeral port, real threads and a Beast client.
#include "quantd/http/server.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>
#include <vector>

#include "quantd/http/router.h"
#include "quantd/http/sse_hub.h"
#include "quantd/http/static_assets.h"
#include "temp_dir.h"
#include "test_client.h"

namespace quantd::http {
namespace {

using namespace std::chrono_literals;
using test::Client;
using test::fetch;
using test::Reply;

ServerConfig test_config() {
  ServerConfig config;
  config.host = "127.0.0.1";
  config.port = 0;
  config.threads = 2;
  config.body_limit_bytes = 64 * 1024;
  return config;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A router with the routes the tests use, a hub, and a started server.
struct Fixture {
  SseHub hub;
  Router router;
  std::unique_ptr<Server> server;
  std::atomic<int> slow_started{0};

  Fixture() {
    router.add("GET", "/api/hello/{name}", [](const Request& r) {
      return json(200, {{"name", r.param("name")},
                        {"x", r.query.count("x") ? r.query.at("x") : ""},
                        {"test_header", std::string(r.header("x-test").value_or(""))},
                        {"remote", r.remote}});
    });
    // Any body type: the framing tests send raw bytes.
    router.add("POST", "/api/echo", [](const Request& r) { return text(200, r.body); },
               {.accepts = ""});
    router.add("GET", "/api/boom",
               [](const Request&) -> Response { throw std::runtime_error("kaput"); });
    router.add("GET", "/api/slow", [this](const Request&) {
      ++slow_started;
      std::this_thread::sleep_for(300ms);
      return json(200, {{"slow", true}});
    });
    router.add("GET", "/api/drop", [](const Request&) {
      Response response = json(200, {{"never", "sent"}});
      response.close_without_reply = true;
      return response;
    });
    router.add("GET", "/api/delayed", [](const Request&) {
      Response response = json(200, {{"delayed", true}});
      response.delay = 500ms;
      return response;
    });
    router.add_sse("/api/events", hub);
  }

  void start(ServerConfig config = test_config(), StaticAssets* assets = nullptr) {
    server = std::make_unique<Server>(std::move(config), router, assets);
    Status status = server->start();
    REQUIRE_MESSAGE(status.ok(), status.message());
    REQUIRE(server->port() != 0);
  }
  std::uint16_t port() const { return server->port(); }
  ~Fixture() {
    if (server) server->stop();
  }
};

nlohmann::json body_json(const Reply& reply) { return nlohmann::json::parse(reply.body); }

void check_problem(const Reply& reply, int status) {
  REQUIRE_MESSAGE(reply.ok, reply.error);
  CHECK(reply.status == status);
  CHECK(reply.header("Content-Type") == "application/problem+json");
  const auto doc = body_json(reply);
  CHECK(doc["type"] == "about:blank");
  CHECK(doc["status"] == status);
  CHECK(doc["title"].is_string());
  CHECK(doc["detail"].is_string());
}

// Sends raw bytes on a new connection and reads one reply.
Reply raw_exchange(std::uint16_t port, std::string_view bytes) {
  Client client(port);
  REQUIRE(client.connected());
  REQUIRE(client.write_raw(bytes));
  return client.read_reply();
}

void check_still_serving(std::uint16_t port) {
  Reply reply = fetch(port, "GET", "/api/hello/again");
  REQUIRE_MESSAGE(reply.ok, reply.error);
  CHECK(reply.status == 200);
  CHECK(body_json(reply)["name"] == "again");
}

TEST_CASE("serves routed requests with parameters, query, headers and keep-alive") {
  Fixture f;
  f.start();
  Client client(f.port());
  REQUIRE(client.connected());
  Reply r = client.send("GET", "/api/hello/W%C3%B6rld?x=a+b", {}, {{"X-Test", "yes"}});
  REQUIRE_MESSAGE(r.ok, r.error);
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(r.header("Cache-Control") == "no-store");
  CHECK(r.header("Server") == "quantd");
  const auto doc = body_json(r);
  CHECK(doc["name"] == "W\xC3\xB6rld");
  CHECK(doc["x"] == "a b");
  CHECK(doc["test_header"] == "yes");
  CHECK(doc["remote"].get<std::string>().starts_with("127.0.0.1:"));

  // Same connection, more requests.
  for (int i = 0; i < 3; ++i) {
    Reply echo = client.send("POST", "/api/echo", "ping " + std::to_string(i));
    REQUIRE_MESSAGE(echo.ok, echo.error);
    CHECK(echo.status == 200);
    CHECK(echo.body == "ping " + std::to_string(i));
  }
}

TEST_CASE("404 and 405 over the wire are problem documents") {
  Fixture f;
  f.start();
  Reply missing = fetch(f.port(), "GET", "/api/nope");
  check_problem(missing, 404);
  Reply wrong = fetch(f.port(), "DELETE", "/api/echo");
  check_problem(wrong, 405);
  CHECK(wrong.header("Allow") == "POST");
  check_problem(fetch(f.port(), "GET", "/index.html"), 404);  // no static assets configured
}

TEST_CASE("an oversized body answers 413, closes, and the server keeps serving") {
  Fixture f;
  f.start();

  SUBCASE("with Content-Length and the whole body sent") {
    Client client(f.port());
    Reply r = client.send("POST", "/api/echo", std::string(512 * 1024, 'x'));
    check_problem(r, 413);
    CHECK(r.header("Connection") == "close");
    CHECK(client.wait_closed(3s));
  }
  SUBCASE("with only a huge Content-Length") {
    Client client(f.port());
    REQUIRE(client.write_raw(
        "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999999\r\n\r\n"));
    check_problem(client.read_reply(), 413);
    CHECK(client.wait_closed(3s));
  }
  SUBCASE("chunked") {
    Client client(f.port());
    std::string chunked =
        "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 10; ++i) {
      chunked.append("4000\r\n").append(0x4000, 'y').append("\r\n");
    }
    chunked += "0\r\n\r\n";
    REQUIRE(client.write_raw(chunked));
    check_problem(client.read_reply(), 413);
    CHECK(client.wait_closed(3s));
  }
  SUBCASE("a body within the limit, with Expect: 100-continue") {
    Client client(f.port());
    REQUIRE(
        client.write_raw("POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: "
                         "100-continue\r\nContent-Length: 5\r\n\r\n"));
    auto interim = client.read_until("\r\n\r\n", 2s);
    REQUIRE(interim.has_value());
    CHECK(interim->starts_with("HTTP/1.1 100 Continue"));
    REQUIRE(client.write_raw("hello"));
    Reply r = client.read_reply();
    CHECK(r.status == 200);
    CHECK(r.body == "hello");
  }
  check_still_serving(f.port());
}

TEST_CASE("malformed requests answer 400 and the server keeps serving") {
  Fixture f;
  f.start();
  for (std::string_view bytes : {
           std::string_view("GARBAGE\r\n\r\n"),
           std::string_view("GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n"),
           std::string_view("GET /api/hello/x HTTP/1.1\r\nBad Header\r\n\r\n"),
           std::string_view("GET /api/hello/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
           std::string_view("GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
           std::string_view(
               "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: nope\r\n\r\n"),
       }) {
    CAPTURE(bytes);
    Client client(f.port());
    REQUIRE(client.write_raw(bytes));
    check_problem(client.read_reply(), 400);
    CHECK(client.wait_closed(3s));
  }
  // A header larger than the limit: 431.
  Reply big = raw_exchange(f.port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                                         std::string(20000, 'a') + "\r\n\r\n");
  check_problem(big, 431);
  check_still_serving(f.port());
}

TEST_CASE("a throwing handler answers 500 and the connection keeps working") {
  Fixture f;
  f.start();
  Client client(f.port());
  Reply boom = client.send("GET", "/api/boom");
  check_problem(boom, 500);
  CHECK(boom.body.find("kaput") == std::string::npos);
  Reply after = client.send("GET", "/api/hello/still");
  REQUIRE_MESSAGE(after.ok, after.error);
  CHECK(after.status == 200);
}

TEST_CASE("fault injection: close_without_reply closes unanswered; delay holds the reply back") {
  Fixture f;
  f.start();
  {
    Client client(f.port());
    REQUIRE(client.write_raw("GET /api/drop HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    CHECK(client.wait_closed(2s));
  }
  check_still_serving(f.port());
  // A held-back reply blocks no I/O thread: other requests are answered meanwhile.
  Client delayed(f.port());
  REQUIRE(delayed.write_raw("GET /api/delayed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    Reply quick = fetch(f.port(), "GET", "/api/hello/quick");
    REQUIRE_MESSAGE(quick.ok, quick.error);
  }
  CHECK(seconds_since(t0) < 0.45);
  Reply reply = delayed.read_reply();
  REQUIRE_MESSAGE(reply.ok, reply.error);
  CHECK(reply.status == 200);
  CHECK(seconds_since(t0) >= 0.45);
  // The connection stays usable after a delayed reply.
  Reply after = delayed.send("GET", "/api/hello/again");
  REQUIRE_MESSAGE(after.ok, after.error);
  CHECK(after.status == 200);
}

TEST_CASE("static assets over the wire: index, ETag, 304, HEAD") {
  static const EmbeddedFile kFiles[] = {{"index.html", "<!doctype html><title>q</title>"},
                                        {"app.js", "console.log('quantd');"},
                                        {"style.css", "body{margin:0}"}};
  StaticAssets assets(kFiles);
  Fixture f;
  f.start(test_config(), &assets);
  Client client(f.port());

  Reply index = client.send("GET", "/");
  REQUIRE_MESSAGE(index.ok, index.error);
  CHECK(index.status == 200);
  CHECK(index.body == "<!doctype html><title>q</title>");
  CHECK(index.header("Content-Type") == "text/html; charset=utf-8");
  CHECK(index.header("Cache-Control") == "no-cache");
  const std::string etag = index.header("ETag");
  CHECK(etag.size() > 2);

  Reply not_modified = client.send("GET", "/", {}, {{"If-None-Match", etag}});
  REQUIRE_MESSAGE(not_modified.ok, not_modified.error);
  CHECK(not_modified.status == 304);
  CHECK(not_modified.body.empty());
  CHECK(not_modified.header("ETag") == etag);

  Reply head = client.send("HEAD", "/app.js");
  REQUIRE_MESSAGE(head.ok, head.error);
  CHECK(head.status == 200);
  CHECK(head.header("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(head.header("Content-Length") ==
        std::to_string(std::string_view("console.log('quantd');").size()));
  CHECK(head.body.empty());

  Reply css = client.send("GET", "/style.css");  // the connection survived the HEAD
  CHECK(css.status == 200);
  CHECK(css.header("Content-Type") == "text/css; charset=utf-8");
  check_problem(client.send("GET", "/missing.png"), 404);
}

TEST_CASE("directory mode over the wire refuses path traversal") {
  test::TempDir dir;
  dir.write("www/index.html", "<p>dev</p>");
  dir.write("secret.txt", "TOP SECRET");
  StaticAssets assets(dir.path / "www");
  Fixture f;
  f.start(test_config(), &assets);
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2E%2E%2Fsecret.txt",
        "/../../../../etc/passwd", "/..%5csecret.txt"}) {
    CAPTURE(target);
    Reply r = raw_exchange(f.port(),
                           std::string("GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    REQUIRE_MESSAGE(r.ok, r.error);
    CHECK(r.status == 400);
    CHECK(r.body.find("TOP SECRET") == std::string::npos);
    CHECK(r.body.find("root:") == std::string::npos);
  }
  Reply index = fetch(f.port(), "GET", "/");
  CHECK(index.status == 200);
  CHECK(index.body == "<p>dev</p>");
}

TEST_CASE("header, body and idle timeouts close the connection") {
  Fixture f;
  ServerConfig config = test_config();
  config.header_timeout = 300ms;
  config.read_timeout = 300ms;
  config.idle_timeout = 300ms;
  f.start(config);

  SUBCASE("nothing sent") {
    Client client(f.port());
    CHECK(client.wait_closed(3s));
  }
  SUBCASE("a header that never ends") {
    Client client(f.port());
    REQUIRE(client.write_raw("GET /api/hello/x HTTP/1.1\r\nHo"));
    CHECK(client.wait_closed(3s));
  }
  SUBCASE("a body that never ends") {
    Client client(f.port());
    REQUIRE(client.write_raw(
        "POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n0123456789"));
    CHECK(client.wait_closed(3s));
  }
  SUBCASE("an idle kept-alive connection") {
    Client client(f.port());
    CHECK(client.send("GET", "/api/hello/x").status == 200);
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(client.wait_closed(3s));
    CHECK(seconds_since(t0) >= 0.2);
  }
  check_still_serving(f.port());
}

// Opens an SSE stream and returns the client once the response head has arrived.
std::unique_ptr<Client> open_stream(std::uint16_t port) {
  auto client = std::make_unique<Client>(port);
  REQUIRE(client->connected());
  REQUIRE(client->write_raw(
      "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"));
  auto head = client->read_until("\r\n\r\n", 3s);
  REQUIRE(head.has_value());
  CHECK(head->starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(head->find("Content-Type: text/event-stream\r\n") != std::string::npos);
  CHECK(head->find("Cache-Control: no-cache\r\n") != std::string::npos);
  return client;
}

TEST_CASE("SSE: events published from another thread arrive; stop() closes the stream promptly") {
  Fixture f;
  f.start();
  auto a = open_stream(f.port());
  auto b = open_stream(f.port());
  CHECK(f.hub.subscriber_count() == 2);

  std::thread publisher([&] {
    f.hub.publish("order", "{\"id\":7}");
    f.hub.publish("equity", "line1\nline2");
  });
  publisher.join();
  for (Client* client : {a.get(), b.get()}) {
    CHECK(client->read_until("\n\n", 3s) ==
          std::optional<std::string>("event: order\ndata: {\"id\":7}\n\n"));
    CHECK(client->read_until("\n\n", 3s) ==
          std::optional<std::string>("event: equity\ndata: line1\ndata: line2\n\n"));
  }

  // A client that leaves is unsubscribed.
  b.reset();
  for (int i = 0; i < 100 && f.hub.subscriber_count() != 1; ++i) std::this_thread::sleep_for(10ms);
  CHECK(f.hub.subscriber_count() == 1);

  // Plain requests keep working next to the stream.
  check_still_serving(f.port());

  const auto t0 = std::chrono::steady_clock::now();
  f.server->stop();
  CHECK(seconds_since(t0) < 1.0);
  CHECK(a->wait_closed(1s));
  CHECK(f.hub.subscriber_count() == 0);
}

TEST_CASE("SSE: keep-alive comments flow while nothing is published") {
  Fixture f;
  ServerConfig config = test_config();
  config.sse_keepalive = 100ms;
  f.start(config);
  auto client = open_stream(f.port());
  CHECK(client->read_until(": keep-alive\n\n", 3s).has_value());
  CHECK(client->read_until(": keep-alive\n\n", 3s).has_value());
}

TEST_CASE("SSE: a client that does not read is dropped when its backlog is too large") {
  Fixture f;
  ServerConfig config = test_config();
  config.sse_max_backlog_bytes = 64 * 1024;
  f.start(config);
  auto slow = open_stream(f.port());  // never reads again
  REQUIRE(f.hub.subscriber_count() == 1);
  const std::string payload(16 * 1024, 'x');
  for (int i = 0; i < 4000 && f.hub.subscriber_count() > 0; ++i) {
    f.hub.publish("bulk", payload);
    if (i % 50 == 0) std::this_thread::sleep_for(1ms);
  }
  for (int i = 0; i < 300 && f.hub.subscriber_count() > 0; ++i) std::this_thread::sleep_for(10ms);
  CHECK(f.hub.subscriber_count() == 0);
  check_still_serving(f.port());
}

TEST_CASE("concurrent requests from several client threads all succeed") {
  Fixture f;
  f.start();
  constexpr int kThreads = 6;
  constexpr int kRequests = 40;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Client client(f.port());
      for (int i = 0; i < kRequests; ++i) {
        // (Built with append: GCC 12 warns falsely on chained string + at -O2.)
        std::string name = std::to_string(t);
        name.append("r").append(std::to_string(i));
        // Alternate a kept-alive connection and fresh connections.
        Reply r = i % 4 == 0 ? fetch(f.port(), "GET", "/api/hello/" + name)
                             : client.send("GET", "/api/hello/" + name);
        if (r.ok && r.status == 200 && nlohmann::json::parse(r.body)["name"] == name) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(ok == kThreads * kRequests);
}

TEST_CASE("stop() lets an in-flight request finish") {
  Fixture f;
  f.start();
  Reply slow;
  std::thread caller([&] { slow = fetch(f.port(), "GET", "/api/slow"); });
  for (int i = 0; i < 200 && f.slow_started == 0; ++i) std::this_thread::sleep_for(5ms);
  REQUIRE(f.slow_started == 1);
  const auto t0 = std::chrono::steady_clock::now();
  f.server->stop();
  CHECK(seconds_since(t0) < 2.0);
  caller.join();
  REQUIRE_MESSAGE(slow.ok, slow.error);
  CHECK(slow.status == 200);
  CHECK(slow.header("Connection") == "close");
}

TEST_CASE("stop() is fast with idle, half-read and streaming connections, and idempotent") {
  Fixture f;
  f.start();
  const std::uint16_t port = f.port();
  Client idle(port);
  REQUIRE(idle.send("GET", "/api/hello/x").status == 200);
  Client half(port);
  REQUIRE(half.write_raw("GET /api/hello/x HTTP/1.1\r\nHo"));
  auto stream = open_stream(port);
  Client fresh(port);  // connected, nothing sent

  const auto t0 = std::chrono::steady_clock::now();
  f.server->stop();
  CHECK(seconds_since(t0) < 2.0);
  CHECK(idle.wait_closed(1s));
  CHECK(half.wait_closed(1s));
  CHECK(stream->wait_closed(1s));
  CHECK(fresh.wait_closed(1s));

  const auto t1 = std::chrono::steady_clock::now();
  f.server->stop();
  f.server->stop();
  CHECK(seconds_since(t1) < 0.1);
  CHECK(f.server->start().code() == StatusCode::kFailedPrecondition);
  CHECK_FALSE(fetch(port, "GET", "/api/hello/x").ok);  // no longer accepting
}

TEST_CASE("start() reports the address and the OS error; stop() without start() is fine") {
  Fixture f;
  f.start();
  Router router;
  ServerConfig config = test_config();
  config.port = f.port();
  Server second(config, router, nullptr);
  Status status = second.start();
  CHECK_FALSE(status.ok());
  CHECK(status.code() == StatusCode::kUnavailable);
  CHECK(status.message().find("127.0.0.1:" + std::to_string(f.port())) != std::string::npos);
  CHECK(status.message().find("bind") != std::string::npos);
  CHECK(second.port() == 0);
  second.stop();
  second.stop();

  Server never(test_config(), router, nullptr);
  never.stop();
}

// Collects log payloads so the access log can be checked.
class CaptureSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

TEST_CASE("one access-log line per request, without headers or bodies") {
  auto sink = std::make_shared<CaptureSink>();
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::info);
  {
    Fixture f;
    f.start();
    Reply r =
        fetch(f.port(), "POST", "/api/echo?x=1", "SECRET-BODY",
              {{"Authorization", "Bearer SECRET-TOKEN"}, {"Cookie", "session=SECRET-COOKIE"}});
    CHECK(r.status == 200);
    check_problem(raw_exchange(f.port(), "GARBAGE\r\n\r\n"), 400);
    f.server->stop();  // joins the I/O threads, so every line is written
  }
  spdlog::set_default_logger(previous);

  const std::regex echo_line(R"(127\.0\.0\.1:\d+ POST /api/echo\?x=1 200 11 \d+\.\d)");
  const std::regex bad_line(R"(127\.0\.0\.1:\d+ - - 400 \d+ \d+\.\d)");
  int echo_lines = 0;
  int bad_lines = 0;
  for (const std::string& line : sink->lines()) {
    CAPTURE(line);
    CHECK(line.find("SECRET") == std::string::npos);
    if (std::regex_match(line, echo_line)) ++echo_lines;
    if (std::regex_match(line, bad_line)) ++bad_lines;
  }
  CHECK(echo_lines == 1);
  CHECK(bad_lines == 1);
}

// A raw socket reading a response at its own pace: `pause` after every `chunk` bytes read, until
// `want` bytes arrived, EOF, or a read waited longer than 5 s. Returns the bytes read.
std::size_t slow_read(std::uint16_t port, std::string_view request, std::size_t chunk,
                      std::chrono::milliseconds pause, std::size_t want) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  const int small = 256 * 1024;  // a bounded window, so the server's writes wait on this reader
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::vector<char> buf(chunk);
  std::size_t total = 0;
  while (total < want) {
    const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    total += static_cast<std::size_t>(n);
    std::this_thread::sleep_for(pause);
  }
  ::close(fd);
  return total;
}

TEST_CASE("finding 7: a slow reader gets all of a large response; a stalled one is cut, logged") {
  auto sink = std::make_shared<CaptureSink>();
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::info);
  constexpr std::size_t kBody = 24 << 20;  // far more than the socket buffers hold
  const std::string request = "GET /api/big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  {
    Fixture f;
    f.router.add("GET", "/api/big",
                 [](const Request&) { return text(200, std::string(kBody, 'x')); });
    ServerConfig config = test_config();
    config.read_timeout = 400ms;  // per written piece, not for the whole response
    f.start(config);
    // At most 256 KiB per 10 ms, so a second or more in all, far past 400 ms: it all arrives.
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t got = slow_read(f.port(), request, 256 * 1024, 10ms, kBody + 1);
    CHECK(seconds_since(t0) > 0.8);
    CHECK(got > kBody);  // the head plus every body byte
    // A reader that stops for 1.5 s after its first piece is cut after 400 ms of no progress.
    const std::size_t cut = slow_read(f.port(), request, 256 * 1024, 1500ms, kBody + 1);
    CHECK(cut < kBody);
    std::this_thread::sleep_for(600ms);
    f.server->stop();
  }
  spdlog::set_default_logger(previous);
  int full = 0;
  int truncated = 0;
  const std::string whole = std::string("GET /api/big 200 ").append(std::to_string(kBody));
  for (const std::string& line : sink->lines()) {
    CAPTURE(line);
    if (line.find(whole) != std::string::npos && line.find("truncated") == std::string::npos) {
      ++full;
    }
    if (line.find("GET /api/big 200") != std::string::npos &&
        line.find("truncated:") != std::string::npos) {
      ++truncated;
    }
  }
  CHECK(full == 1);
  CHECK(truncated == 1);
}

// A body of `pieces` pieces of `size` bytes ('a', 'b', ...), failing instead of piece `fail_at`.
class CountingStream final : public BodyStream {
 public:
  CountingStream(int pieces, std::size_t size, int fail_at = -1, std::atomic<int>* live = nullptr)
      : pieces_(pieces), size_(size), fail_at_(fail_at), live_(live) {
    if (live_) ++*live_;
  }
  ~CountingStream() override {
    if (live_) --*live_;
  }
  Result<bool> next(std::string& out) override {
    const int call = calls_++;
    if (call == fail_at_) return Status::internal("the store went away mid-body");
    if (call == 1) return true;  // an empty piece that is not the last: the server asks again
    out.assign(size_, static_cast<char>('a' + emitted_ % 26));
    ++emitted_;
    return emitted_ < pieces_;
  }

 private:
  int pieces_;
  std::size_t size_;
  int fail_at_;
  std::atomic<int>* live_;
  int calls_ = 0;
  int emitted_ = 0;
};

TEST_CASE("finding 6: a streamed body arrives whole, chunked; a failing one is cut and logged") {
  auto sink = std::make_shared<CaptureSink>();
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::info);
  std::atomic<int> live{0};
  {
    Fixture f;
    f.router.add("GET", "/api/stream", [&live](const Request& r) {
      const int fail_at = r.query.count("fail") ? std::stoi(r.query.at("fail")) : -1;
      return streamed(200, std::make_shared<CountingStream>(40, 64 * 1024, fail_at, &live),
                      "application/json");
    });
    f.start();

    Client client(f.port());
    REQUIRE(client.connected());
    Reply reply = client.send("GET", "/api/stream");
    REQUIRE_MESSAGE(reply.ok, reply.error);
    CHECK(reply.status == 200);
    CHECK(reply.header("Transfer-Encoding") == "chunked");
    CHECK_FALSE(reply.has_header("Content-Length"));
    CHECK(reply.header("X-Content-Type-Options") == "nosniff");
    REQUIRE(reply.body.size() == 40u * 64 * 1024);
    CHECK(reply.body.front() == 'a');
    CHECK(reply.body.back() == static_cast<char>('a' + 39 % 26));
    // The connection stays usable after a chunked body.
    Reply again = client.send("GET", "/api/hello/after");
    REQUIRE_MESSAGE(again.ok, again.error);
    CHECK(body_json(again)["name"] == "after");

    // HEAD: the header only, no body and no length.
    Reply head = fetch(f.port(), "HEAD", "/api/stream");
    REQUIRE_MESSAGE(head.ok, head.error);
    CHECK(head.status == 200);
    CHECK(head.body.empty());

    // HTTP/1.0: no chunking; the body ends with the connection.
    Client old(f.port());
    REQUIRE(old.connected());
    REQUIRE(old.write_raw("GET /api/stream HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
    auto head10 = old.read_until("\r\n\r\n", 5s);
    REQUIRE(head10);
    CHECK(head10->find("Transfer-Encoding") == std::string::npos);
    CHECK(old.wait_closed(5s));

    // A producer failing mid-body: the client sees an incomplete body, never a complete one.
    Reply cut = fetch(f.port(), "GET", "/api/stream?fail=10");
    CHECK_FALSE(cut.ok);
    check_still_serving(f.port());
    f.server->stop();
  }
  spdlog::set_default_logger(previous);
  CHECK(live == 0);  // every stream was released
  int whole = 0;
  int cut = 0;
  const std::string whole_line =
      std::string("GET /api/stream 200 ").append(std::to_string(40 * 64 * 1024));
  for (const std::string& line : sink->lines()) {
    CAPTURE(line);
    if (line.find(whole_line) != std::string::npos) ++whole;
    if (line.find("GET /api/stream?fail=10 200") != std::string::npos &&
        line.find("truncated:") != std::string::npos &&
        line.find("the store went away mid-body") != std::string::npos) {
      ++cut;
    }
  }
  CHECK(whole == 2);  // the HTTP/1.1 and the HTTP/1.0 request
  CHECK(cut == 1);
}

}  // namespace
}  // namespace quantd::http
