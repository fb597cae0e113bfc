#include "test_client.h"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace quantd::http::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Reply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequal(key, name)) return value;
  }
  return {};
}

bool Reply::has_header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequal(key, name)) return true;
  }
  return false;
}

struct Client::Impl {
  explicit Impl(std::chrono::milliseconds t) : timeout(t), stream(ioc) {}

  // Runs the io_context until the started operation completes (the stream's own timeout bounds
  // it).
  void run() {
    ioc.restart();
    ioc.run();
  }

  std::chrono::milliseconds timeout;
  net::io_context ioc;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::string raw;  // bytes read by read_until() not yet returned
  bool is_connected = false;
};

Client::Client(std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(timeout)) {
  beast::error_code result = net::error::would_block;
  impl_->stream.expires_after(timeout);
  impl_->stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                              [&](beast::error_code ec) { result = ec; });
  impl_->run();
  impl_->is_connected = !result;
}

Client::~Client() {
  beast::error_code ignored;
  impl_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  impl_->stream.socket().close(ignored);
}

bool Client::connected() const { return impl_->is_connected; }

Reply Client::send(std::string_view method, std::string_view target, std::string body,
                   const Headers& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.insert(name, value);
  if (!body.empty() || method == "POST" || method == "PUT") {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  beast::error_code result = net::error::would_block;
  impl_->stream.expires_after(impl_->timeout);
  bhttp::async_write(impl_->stream, req, [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  if (result) {
    Reply reply;
    reply.error = "write: " + result.message();
    return reply;
  }
  return read_reply(method == "HEAD");
}

bool Client::write_raw(std::string_view bytes) {
  beast::error_code result = net::error::would_block;
  impl_->stream.expires_after(impl_->timeout);
  net::async_write(impl_->stream, net::buffer(bytes.data(), bytes.size()),
                   [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  return !result;
}

Reply Client::read_reply(bool head) {
  Reply reply;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(head);
  beast::error_code result = net::error::would_block;
  impl_->stream.expires_after(impl_->timeout);
  bhttp::async_read(impl_->stream, impl_->buffer, parser,
                    [&](beast::error_code ec, std::size_t) { result = ec; });
  impl_->run();
  if (result) {
    reply.error = "read: " + result.message();
    return reply;
  }
  auto& res = parser.get();
  reply.ok = true;
  reply.status = static_cast<int>(res.result_int());
  reply.body = std::move(res.body());
  for (const auto& field : res)
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  return reply;
}

std::optional<std::string> Client::read_until(std::string_view delimiter,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const std::size_t at = impl_->raw.find(delimiter);
    if (at != std::string::npos) {
      std::string out = impl_->raw.substr(0, at + delimiter.size());
      impl_->raw.erase(0, at + delimiter.size());
      return out;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    char chunk[4096];
    beast::error_code result = net::error::would_block;
    std::size_t got = 0;
    impl_->stream.expires_after(deadline - now);
    impl_->stream.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      result = ec;
      got = n;
    });
    impl_->run();
    impl_->raw.append(chunk, got);
    if (result && impl_->raw.find(delimiter) == std::string::npos) return std::nullopt;
  }
}

bool Client::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    char chunk[4096];
    beast::error_code result = net::error::would_block;
    impl_->stream.expires_after(deadline - now);
    impl_->stream.async_read_some(net::buffer(chunk),
                                  [&](beast::error_code ec, std::size_t) { result = ec; });
    impl_->run();
    if (result == beast::error::timeout) return false;
    if (result) return true;  // eof, reset: closed by the server
  }
}

Reply fetch(std::uint16_t port, std::string_view method, std::string_view target, std::string body,
            const Headers& headers) {
  Client client(port);
  if (!client.connected()) {
    Reply reply;
    reply.error = "connect failed";
    return reply;
  }
  return client.send(method, target, std::move(body), headers);
}

}  // namespace quantd::http::test
