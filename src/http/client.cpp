#include "quantd/http/client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>

#include "quantd/core/url.h"
#include "text_internal.h"

namespace quantd::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// RFC 9110 §5.6.2: what a method and a header name must be.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 &&
        std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// One request on one connection. Each asynchronous step runs the private io_context until its
// handler has run; the stream's expiry at the request's deadline guarantees that it does.
class Call {
 public:
  Call(const Url& url, const std::string& method, std::chrono::milliseconds timeout,
       const std::atomic<bool>* cancel)
      : url_(url),
        what_(method + " " + url.origin()),
        timeout_(timeout),
        deadline_(SteadyClock::now() + timeout),
        cancel_(cancel) {}

  Result<tcp::resolver::results_type> resolve() {
    tcp::resolver resolver(ioc_);
    net::steady_timer timer(ioc_, deadline_);
    beast::error_code result = net::error::would_block;
    tcp::resolver::results_type found;
    bool timed_out = false;
    timer.async_wait([&](beast::error_code ec) {
      if (ec) return;  // cancelled: the name was resolved in time
      timed_out = true;
      resolver.cancel();
    });
    resolver.async_resolve(url_.host, std::to_string(url_.port),
                           [&](beast::error_code ec, tcp::resolver::results_type r) {
                             result = ec;
                             found = std::move(r);
                             timer.cancel();
                           });
    wait([&] { resolver.cancel(); });
    if (cancelled_) return Status::unavailable(what_ + ": cancelled while resolving the host");
    if (timed_out) {
      return Status::unavailable(what_ + ": resolving the host timed out after " +
                                 seconds_text(timeout_));
    }
    if (result) {
      return Status::unavailable(what_ + ": cannot resolve the host: " + result.message());
    }
    return found;
  }

  Status connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints) {
    stream.expires_at(deadline_);
    beast::error_code result = net::error::would_block;
    stream.async_connect(endpoints,
                         [&](beast::error_code ec, const tcp::endpoint&) { result = ec; });
    wait([&] { stream.cancel(); });
    if (cancelled_) return Status::unavailable(what_ + ": cancelled while connecting");
    if (result == beast::error::timeout) {
      return Status::unavailable(what_ + ": connecting timed out after " + seconds_text(timeout_));
    }
    if (result) return Status::unavailable(what_ + ": cannot connect: " + result.message());
    return {};
  }

  Status handshake(beast::ssl_stream<beast::tcp_stream>& stream) {
    SSL* tls = stream.native_handle();
    beast::error_code not_ip;
    net::ip::make_address(url_.host, not_ip);
    // SNI carries names only (RFC 6066 §3); the certificate must name the host, checked by
    // OpenSSL as part of the chain verification (RFC 6125 rules, no partial wildcards).
    if (not_ip && SSL_set_tlsext_host_name(tls, url_.host.c_str()) != 1) {
      return Status::internal(what_ + ": cannot set the TLS server name");
    }
    X509_VERIFY_PARAM* param = SSL_get0_param(tls);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int expected = not_ip ? X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), 0)
                                : X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
    if (expected != 1) return Status::internal(what_ + ": cannot set the expected host name");
    stream.set_verify_mode(ssl::verify_peer);

    beast::get_lowest_layer(stream).expires_at(deadline_);
    beast::error_code result = net::error::would_block;
    stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { result = ec; });
    wait([&] { beast::get_lowest_layer(stream).cancel(); });
    if (cancelled_) return Status::unavailable(what_ + ": cancelled during the TLS handshake");
    if (!result) return {};
    if (result == beast::error::timeout) {
      return Status::unavailable(what_ + ": the TLS handshake timed out after " +
                                 seconds_text(timeout_));
    }
    const long verified = SSL_get_verify_result(tls);
    if (verified != X509_V_OK) {
      return Status::unavailable(what_ + ": the server's certificate is not trusted: " +
                                 X509_verify_cert_error_string(verified));
    }
    return Status::unavailable(what_ + ": the TLS handshake failed: " + result.message());
  }

  template <class Stream>
  Result<ClientResponse> exchange(Stream& stream, bhttp::request<bhttp::string_body>& request,
                                  std::size_t body_limit) {
    beast::get_lowest_layer(stream).expires_at(deadline_);
    beast::error_code result = net::error::would_block;
    bhttp::async_write(stream, request, [&](beast::error_code ec, std::size_t) { result = ec; });
    wait([&] { beast::get_lowest_layer(stream).cancel(); });
    if (cancelled_) {
      return Status::deadline_exceeded(what_ + ": cancelled while sending the request");
    }
    if (result == beast::error::timeout) {
      return Status::deadline_exceeded(what_ + ": sending the request timed out after " +
                                       seconds_text(timeout_));
    }
    if (result) {
      return Status::internal(what_ + ": the connection failed while sending: " + result.message());
    }

    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(64 * 1024);
    parser.body_limit(body_limit);
    parser.skip(request.method() == bhttp::verb::head);
    result = net::error::would_block;
    bhttp::async_read(stream, buffer, parser,
                      [&](beast::error_code ec, std::size_t) { result = ec; });
    wait([&] { beast::get_lowest_layer(stream).cancel(); });
    if (cancelled_) {
      return Status::deadline_exceeded(what_ + ": cancelled while waiting for the response");
    }
    if (result == bhttp::error::body_limit || result == bhttp::error::header_limit) {
      return Status::resource_exhausted(what_ + ": the response is larger than " +
                                        std::to_string(body_limit) + " bytes");
    }
    if (result == beast::error::timeout) {
      return Status::deadline_exceeded(what_ + ": no complete response within " +
                                       seconds_text(timeout_));
    }
    if (result == bhttp::error::end_of_stream) {
      return Status::internal(what_ + ": the server closed the connection without answering");
    }
    if (result) {
      return Status::internal(what_ + ": reading the response failed: " + result.message());
    }
    bhttp::response<bhttp::string_body> response = parser.release();
    ClientResponse out;
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    out.body = std::move(response.body());
    close(beast::get_lowest_layer(stream));
    return out;
  }

  static void close(beast::tcp_stream& stream) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
  }

  net::io_context& ioc() { return ioc_; }
  const std::string& what() const { return what_; }

 private:
  // Runs the io_context until the operation just started has completed; `abort` cancels it
  // when the caller's cancel flag is raised meanwhile.
  template <class Abort>
  void wait(Abort abort) {
    ioc_.restart();
    while (true) {
      ioc_.run_for(std::chrono::milliseconds(50));  // returns early once the handler ran
      if (ioc_.stopped()) return;
      if (cancel_ != nullptr && !cancelled_ && cancel_->load()) {
        cancelled_ = true;
        abort();
      }
    }
  }

  const Url& url_;
  const std::string what_;  // "POST https://host:443": never the path or the query
  const std::chrono::milliseconds timeout_;
  const SteadyClock::time_point deadline_;
  const std::atomic<bool>* const cancel_;
  bool cancelled_ = false;
  net::io_context ioc_{1};
};

}  // namespace

struct Client::Impl {
  ClientOptions options;
  std::unique_ptr<ssl::context> tls;
};

std::optional<std::string_view> ClientResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (detail::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(ClientOptions options) {
  try {
    auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
    if (SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION) != 1) {
      return Status::internal("cannot require TLS 1.2 or newer");
    }
    tls->set_verify_mode(ssl::verify_peer);
    beast::error_code ec;
    if (options.ca_file.empty()) {
      tls->set_default_verify_paths(ec);
      if (ec) return Status::internal("cannot load the system's trusted CAs: " + ec.message());
    } else {
      tls->load_verify_file(options.ca_file, ec);
      if (ec) {
        return Status::invalid_argument("cannot load the CA file " + options.ca_file + ": " +
                                        ec.message());
      }
    }
    auto impl = std::make_unique<Impl>();
    impl->options = std::move(options);
    impl->tls = std::move(tls);
    return std::unique_ptr<Client>(new Client(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot set up TLS: ") + e.what());
  }
}

Result<ClientResponse> Client::send(const ClientRequest& request) const {
  auto url = parse_url(request.url);
  if (!url.ok()) return url.status();
  if (!is_token(request.method)) {
    return Status::invalid_argument("the HTTP method is not a token");
  }
  bhttp::request<bhttp::string_body> req;
  req.method_string(request.method);
  req.target(url->target);
  req.version(11);
  req.set(bhttp::field::host, url->host_header());
  req.set(bhttp::field::user_agent, impl_->options.user_agent);
  req.set(bhttp::field::connection, "close");
  for (const auto& [name, value] : request.headers) {
    // Never echo the value: it may be a secret (an API key, a shared webhook secret).
    if (!is_token(name) || has_line_break(value)) {
      return Status::invalid_argument("header '" + (is_token(name) ? name : std::string("?")) +
                                      "' has a malformed name or a line break in its value");
    }
    req.insert(name, value);
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    req.body() = request.body;
    req.prepare_payload();
  }
  try {
    Call call(*url, request.method, request.timeout.value_or(impl_->options.timeout),
              request.cancel);
    auto endpoints = call.resolve();
    if (!endpoints.ok()) return endpoints.status();
    const std::size_t limit = impl_->options.max_response_bytes;
    if (!url->https()) {
      beast::tcp_stream stream(call.ioc());
      if (Status st = call.connect(stream, *endpoints); !st.ok()) return st;
      return call.exchange(stream, req, limit);
    }
    beast::ssl_stream<beast::tcp_stream> stream(call.ioc(), *impl_->tls);
    if (Status st = call.connect(beast::get_lowest_layer(stream), *endpoints); !st.ok()) return st;
    if (Status st = call.handshake(stream); !st.ok()) return st;
    // No TLS close_notify on the way out: the response is complete, and waiting for the peer's
    // answer to it would only add a round trip (or a timeout) to every request.
    return call.exchange(stream, req, limit);
  } catch (const std::exception& e) {
    return Status::internal(request.method + " " + url->origin() + ": " + e.what());
  }
}

bool request_may_have_arrived(const Status& status) {
  return !status.ok() && status.code() != StatusCode::kInvalidArgument &&
         status.code() != StatusCode::kUnavailable;
}

}  // namespace quantd::http
