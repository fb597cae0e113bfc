// Client: quantd's outbound HTTP/1.1 client (notifications today, the KIS REST API next), with
// Boost.Beast and OpenSSL kept out of this header.
//
// Design: one request per connection ("Connection: close"): resolve, connect, TLS handshake
// (https), write, read the whole response, close. Every call runs on its own private
// io_context, so calls from several threads never share a connection or a queue; the Client
// itself only holds the TLS settings. One total timeout bounds connecting, the handshake,
// writing and reading (name resolution of a host that is not an IP address is the system's
// getaddrinfo, bounded by its own resolver timeout as well).
//
// TLS: TLS 1.2 or newer; the peer's certificate chain is verified against the system's trust
// store (or only against ClientOptions::ca_file), and the certificate must match the URL's host
// (DNS name or IP address, as RFC 2818/6125 say); SNI names the host. There is no switch that
// turns verification off.
//
// Errors never name the URL's path or query (a Telegram URL carries the bot token in its
// path): only the method and the origin, "POST https://api.telegram.org:443: ...". Response
// bodies and header values are never logged.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantd/core/status.h"

namespace quantd::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientOptions {
  // The default total time of one request, from the first connect attempt to the last byte of
  // the response.
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // A larger response body fails the request (resource_exhausted).
  std::size_t max_response_bytes = 1024 * 1024;
  // A PEM file of trusted CA certificates used instead of the system's store (a private CA, or a
  // test's own); empty: the system's store.
  std::string ca_file;
  std::string user_agent = "quantd";
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;     // absolute http:// or https:// URL (core/url.h)
  HeaderList headers;  // sent as given, after Host and User-Agent
  std::string body;    // sent with Content-Length when non-empty or the method is POST/PUT
  // Overrides ClientOptions::timeout for this request (e.g. the rest of a shutdown deadline).
  std::optional<std::chrono::milliseconds> timeout;
  // When set, another thread may store true to abandon the request (a shutdown): send() returns
  // within about 50 ms, with the error the deadline would have given at that point.
  const std::atomic<bool>* cancel = nullptr;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;  // in wire order
  std::string body;    // de-chunked
  // The first header named `name` (case-insensitive), or nullopt. Points into this response.
  std::optional<std::string_view> header(std::string_view name) const;
};

class Client {
 public:
  // Errors: invalid_argument naming the CA file when it cannot be read or holds no certificate;
  // internal when OpenSSL cannot set up a TLS context or the system trust store.
  static Result<std::unique_ptr<Client>> create(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends `request` on a new connection and returns the response, whatever its status (a 404
  // or a 500 is a response, not an error). Blocks for at most the request's timeout. Thread-safe:
  // any number of calls may run at once.
  //
  // Errors, by what they tell a caller about a request that must not be repeated blindly:
  //  - invalid_argument: the URL or the request is malformed (a header with CR/LF, a method
  //    that is not a token); nothing was sent.
  //  - unavailable: nothing of the request left this process: name resolution failed, the
  //    connection was refused or timed out (or cancelled), or the TLS handshake or certificate
  //    check failed.
  //  - deadline_exceeded: the timeout ran out (or the request was cancelled) after the request
  //    was written, or while writing it: the server may have received it.
  //  - internal: the connection broke after the request was written (reset, closed before a
  //    complete response, a malformed response): the server may have received it.
  //  - resource_exhausted: the response body is larger than max_response_bytes.
  // request_may_have_arrived() says which of these a caller must treat as "maybe received".
  Result<ClientResponse> send(const ClientRequest& request) const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// False when `status` (an error of Client::send) proves the request never reached the server:
// invalid_argument and unavailable. True for every other error.
bool request_may_have_arrived(const Status& status);

}  // namespace quantd::http
