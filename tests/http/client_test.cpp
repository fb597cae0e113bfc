// The outbound client against real servers on 127.0.0.1: a plain one and a TLS one whose
// certificates the test makes itself (test_certs.h). Each server answers with bytes the test
// chose, so chunked bodies, oversized bodies and servers that never answer are all real.
#include "quantd/http/client.h"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "temp_dir.h"
#include "test_certs.h"

namespace quantd::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

struct Seen {
  std::string method, target, host, content_length, user_agent, api_key, body;
};

// Serves one connection at a time on 127.0.0.1: reads one whole request, records it, and writes
// `reply` as raw bytes; with `hang`, it reads the request and never answers. With `pki`, every
// connection is TLS first (a failed handshake is counted and the connection dropped).
class TestServer {
 public:
  explicit TestServer(std::string reply, const test::TestPki* pki = nullptr, bool hang = false)
      : reply_(std::move(reply)),
        hang_(hang),
        acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    if (pki != nullptr) {
      tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
      tls_->use_certificate_chain(net::buffer(pki->server_cert_pem));
      tls_->use_private_key(net::buffer(pki->server_key_pem), ssl::context::pem);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~TestServer() {
    stopping_ = true;
    beast::error_code ignored;
    tcp::socket wake(ioc_);
    wake.connect({net::ip::make_address("127.0.0.1"), port()}, ignored);  // unblocks accept()
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  int handshake_failures() const { return handshake_failures_; }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      if (!tls_) {
        handle(socket, socket);
        continue;
      }
      ssl::stream<tcp::socket&> stream(socket, *tls_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) {
        ++handshake_failures_;
        continue;
      }
      handle(stream, socket);
    }
  }

  template <class Stream>
  void handle(Stream& stream, tcp::socket& socket) {
    beast::flat_buffer buffer;
    beast::http::request<beast::http::string_body> req;
    beast::error_code ec;
    beast::http::read(stream, buffer, req, ec);
    if (ec) return;
    {
      std::lock_guard lock(mu_);
      seen_.push_back({std::string(req.method_string()), std::string(req.target()),
                       std::string(req[beast::http::field::host]),
                       std::string(req[beast::http::field::content_length]),
                       std::string(req[beast::http::field::user_agent]),
                       std::string(req["X-Api-Key"]), req.body()});
    }
    if (!hang_) {
      net::write(stream, net::buffer(reply_), ec);
      // Half-close, so a body without a length ends here.
      socket.shutdown(tcp::socket::shutdown_send, ec);
    }
    // Wait for the client to close (so nothing unread turns into a reset).
    char drain[256];
    while (!ec) socket.read_some(net::buffer(drain), ec);
  }

  const std::string reply_;
  const bool hang_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::unique_ptr<ssl::context> tls_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshake_failures_{0};
  mutable std::mutex mu_;
  std::vector<Seen> seen_;  // guarded by mu_
  std::thread thread_;
};

std::unique_ptr<Client> client(ClientOptions options = {}) {
  auto c = Client::create(std::move(options));
  INFO(c.status().message());
  REQUIRE(c.ok());
  return std::move(c).value();
}

std::string url(std::uint16_t port, const std::string& target, const char* scheme = "http",
                const char* host = "127.0.0.1") {
  return std::string(scheme) + "://" + host + ":" + std::to_string(port) + target;
}

// No message of the client ever names the URL's path or query (a bot token lives there).
void check_no_path(const Status& st) {
  INFO(st.message());
  CHECK(st.message().find("s3cret") == std::string::npos);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("client: a POST with headers and a body, a Content-Length response") {
  TestServer server(
      "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-Reply: yes\r\n"
      "Content-Length: 11\r\n\r\n{\"ok\":true}");
  ClientRequest req;
  req.method = "POST";
  req.url = url(server.port(), "/bot123:s3cret/sendMessage?x=1");
  req.headers = {{"Content-Type", "application/json"}, {"X-Api-Key", "k"}};
  req.body = R"({"text":"hi"})";
  auto r = client()->send(req);
  INFO(r.status().message());
  REQUIRE(r.ok());
  CHECK(r->status == 201);
  CHECK(r->body == R"({"ok":true})");
  CHECK(r->header("x-reply") == "yes");
  CHECK_FALSE(r->header("x-missing"));
  const auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].target == "/bot123:s3cret/sendMessage?x=1");
  CHECK(seen[0].host == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen[0].content_length == "13");
  CHECK(seen[0].user_agent == "quantd");
  CHECK(seen[0].api_key == "k");
  CHECK(seen[0].body == R"({"text":"hi"})");
}

TEST_CASE("client: chunked and read-to-close bodies arrive whole; an error status is a response") {
  {
    TestServer server(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n "
        "world\r\n0\r\n\r\n");
    auto r = client()->send({"GET", url(server.port(), "/"), {}, {}, {}});
    REQUIRE(r.ok());
    CHECK(r->body == "hello world");
  }
  {
    TestServer server("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nbroken");
    auto r = client()->send({"GET", url(server.port(), "/"), {}, {}, {}});
    REQUIRE(r.ok());
    CHECK(r->status == 500);
    CHECK(r->body == "broken");
  }
}

TEST_CASE("client: a body over the limit, a server that never answers, one that hangs up") {
  SUBCASE("too large") {
    TestServer server("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(5000, 'x'));
    ClientOptions o;
    o.max_response_bytes = 4096;
    auto r = client(o)->send({"GET", url(server.port(), "/s3cret"), {}, {}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kResourceExhausted);
    CHECK(r.status().message().find("larger than 4096 bytes") != std::string::npos);
    check_no_path(r.status());
  }
  SUBCASE("no answer: the timeout bounds the whole request") {
    TestServer server("", nullptr, /*hang=*/true);
    ClientRequest req{"POST", url(server.port(), "/s3cret"), {}, "x", 300ms};
    const auto t0 = std::chrono::steady_clock::now();
    auto r = client()->send(req);
    REQUIRE_FALSE(r.ok());
    CHECK(seconds_since(t0) < 3.0);
    CHECK(r.status().code() == StatusCode::kDeadlineExceeded);
    CHECK(r.status().message() == "POST http://127.0.0.1:" + std::to_string(server.port()) +
                                      ": no complete response within 300 ms");
    CHECK(request_may_have_arrived(r.status()));  // it was written: maybe received
    CHECK(server.seen().size() == 1);
  }
  SUBCASE("cancelled from another thread") {
    TestServer server("", nullptr, /*hang=*/true);
    std::atomic<bool> cancel{false};
    ClientRequest req{"POST", url(server.port(), "/s3cret"), {}, "x", 10s, &cancel};
    std::thread canceller([&] {
      std::this_thread::sleep_for(200ms);
      cancel = true;
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto r = client()->send(req);
    canceller.join();
    REQUIRE_FALSE(r.ok());
    CHECK(seconds_since(t0) < 2.0);
    CHECK(r.status().code() == StatusCode::kDeadlineExceeded);
    CHECK(r.status().message().find("cancelled while waiting for the response") !=
          std::string::npos);
    check_no_path(r.status());
  }
  SUBCASE("closed without answering") {
    TestServer server("");
    auto r = client()->send({"POST", url(server.port(), "/s3cret"), {}, "x", {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInternal);
    CHECK(r.status().message().find("closed the connection without answering") !=
          std::string::npos);
    CHECK(request_may_have_arrived(r.status()));
    check_no_path(r.status());
  }
}

TEST_CASE("client: a refused connection, a malformed URL and header are clear errors") {
  std::uint16_t port = 0;
  {
    net::io_context ioc;
    tcp::acceptor a(ioc, {net::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there now
  auto r = client()->send({"POST", url(port, "/bot1:s3cret/sendMessage"), {}, "x", {}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kUnavailable);
  CHECK(r.status().message().starts_with("POST http://127.0.0.1:" + std::to_string(port) +
                                         ": cannot connect: "));
  CHECK_FALSE(request_may_have_arrived(r.status()));
  check_no_path(r.status());

  r = client()->send({"GET", "ftp://127.0.0.1/s3cret", {}, {}, {}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("http:// or https://") != std::string::npos);
  check_no_path(r.status());
  CHECK_FALSE(request_may_have_arrived(r.status()));

  r = client()->send({"GET", "http://127.0.0.1:1/", {{"X-Key", "s3cret\r\nX-Evil: 1"}}, {}, {}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message().find("X-Key") != std::string::npos);
  check_no_path(r.status());
  r = client()->send({"GET /x", "http://127.0.0.1:1/", {}, {}, {}});
  CHECK(r.status().code() == StatusCode::kInvalidArgument);

  auto missing = Client::create({.ca_file = "/nonexistent/ca.pem"});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kInvalidArgument);
  CHECK(missing.status().message().find("/nonexistent/ca.pem") != std::string::npos);
}

TEST_CASE("client: https verifies the chain and the host name") {
  const test::TestPki pki = test::make_test_pki({"localhost"}, {"127.0.0.1"});
  test::TempDir dir;
  dir.write("ca.pem", pki.ca_pem);
  ClientOptions trusting;
  trusting.ca_file = (dir.path / "ca.pem").string();
  TestServer server("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure", &pki);

  SUBCASE("trusted CA, by IP address and by name") {
    for (const char* host : {"127.0.0.1", "localhost"}) {
      CAPTURE(host);
      auto r =
          client(trusting)->send({"GET", url(server.port(), "/a?b", "https", host), {}, {}, {}});
      INFO(r.status().message());
      REQUIRE(r.ok());
      CHECK(r->status == 200);
      CHECK(r->body == "secure");
    }
    const auto seen = server.seen();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].target == "/a?b");
    CHECK(seen[1].host == "localhost:" + std::to_string(server.port()));
  }
  SUBCASE("the system store does not know the test CA") {
    auto r = client()->send({"GET", url(server.port(), "/s3cret", "https"), {}, {}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnavailable);
    CHECK(r.status().message().find("certificate is not trusted: unable to get local issuer") !=
          std::string::npos);
    CHECK(r.status().message().starts_with("GET https://127.0.0.1:"));
    check_no_path(r.status());
    CHECK_FALSE(request_may_have_arrived(r.status()));
    CHECK(server.seen().empty());  // nothing of the request was sent
  }
  SUBCASE("a certificate for another host") {
    const test::TestPki other = test::make_test_pki({"other.example"}, {"10.1.2.3"});
    dir.write("other.pem", other.ca_pem);
    TestServer wrong("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", &other);
    ClientOptions o;
    o.ca_file = (dir.path / "other.pem").string();
    auto r = client(o)->send({"GET", url(wrong.port(), "/s3cret", "https"), {}, {}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnavailable);
    CHECK(r.status().message().find("not trusted: IP address mismatch") != std::string::npos);
    r = client(o)->send({"GET", url(wrong.port(), "/s3cret", "https", "localhost"), {}, {}, {}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("not trusted: hostname mismatch") != std::string::npos);
    check_no_path(r.status());
    CHECK(wrong.seen().empty());
  }
  SUBCASE("a plain-HTTP server behind an https URL") {
    TestServer plain("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    auto r = client(trusting)->send({"GET", url(plain.port(), "/s3cret", "https"), {}, {}, 2s});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kUnavailable);
    CHECK(r.status().message().find("TLS handshake") != std::string::npos);
    check_no_path(r.status());
  }
}

}  // namespace quantd::http
