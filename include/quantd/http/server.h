// Server: the HTTP/1.1 server (Boost.Beast, kept behind a pimpl so this header stays light).
//
// Design and threading: the Server owns one io_context run by `threads` threads. Each connection
// runs on its own strand; a request is read (header, then body, with the limits and timeouts of
// ServerConfig), turned into a Request, dispatched through the Router on that strand, and the
// Response written back; then the connection waits for the next request (keep-alive). A request
// to an SSE route turns the connection into an event stream fed by its SseHub.
//
// Before routing, each request's header passes strict framing checks (one Host; Transfer-Encoding
// only as exactly `chunked` on HTTP/1.1 and never with Content-Length; one Content-Length; no
// obs-fold; a target within target_limit_bytes) and the RequestGuard (request_guard.h); a failure
// answers its problem document and closes the connection. Every response carries nosniff,
// X-Frame-Options: DENY, Referrer-Policy: no-referrer and a Content-Security-Policy without
// inline script.
//
// Invariants: no exception leaves an I/O handler; a bad request (malformed, too large, too slow)
// affects only its own connection; every request produces exactly one access-log line at info
// level ("remote method target status bytes duration_ms"), and neither bodies nor header values
// are ever logged.
//
// Shutdown order (stop()): stop accepting; close idle connections and SSE streams; let requests
// already being handled finish (up to shutdown_grace); then stop the io_context and join.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "quantd/core/prometheus.h"
#include "quantd/core/status.h"
#include "quantd/http/request.h"
#include "quantd/http/response.h"

namespace quantd::http {

class Router;
class SessionVerifier;
class StaticAssets;

// Told about every state-changing request (any method but GET, HEAD and OPTIONS) once its
// response is final, whether a handler answered it or the server refused it after reading its
// header (guard, body limit): `request` without its body, caller filled as far as the checks got.
// Requests too malformed to have a method and path are not reported. Called on the connection's
// strand before the response is written, concurrently for different connections: must be
// thread-safe, quick and must not throw.
using StateChangeObserver = std::function<void(const Request& request, const Response& response)>;

struct ServerConfig {
  std::string host = "127.0.0.1";  // an IP address or a resolvable host name
  std::uint16_t port = 8080;       // 0 = an ephemeral port; read it back with Server::port()
  int threads = 2;                 // I/O threads; values below 1 mean 1
  std::size_t body_limit_bytes = 8 * 1024 * 1024;  // larger bodies answer 413 and close
  // The limit for routes that stream their body to a file (RouteOptions::streams_body), and
  // where those files go while the handler runs (empty: the system's temporary folder). The
  // daemon puts them beside the database, on the disk the import will fill anyway.
  std::size_t upload_limit_bytes = std::size_t{4} << 30;
  std::string upload_dir;
  std::size_t header_limit_bytes = 16 * 1024;  // larger headers answer 431 and close
  std::size_t target_limit_bytes = 8 * 1024;   // longer request targets answer 414 and close
  // HTTPS: PEM files of the certificate (chain) and its unencrypted private key. Both or
  // neither; when set the port speaks only TLS 1.2+ (a plain HTTP request gets a 400 saying so)
  // and the files are re-read when they change on disk (certificate renewal).
  std::string tls_cert;
  std::string tls_key;
  // How often a new connection may look at the TLS files' modification times.
  std::chrono::milliseconds tls_reload_check{std::chrono::seconds(30)};
  // Names a Host header may carry besides the loopback ones (see request_guard.h).
  std::vector<std::string> hosts;
  // When set, requests need 'Authorization: Bearer <auth_token>' (see request_guard.h).
  std::string auth_token;
  // Login sessions (request_guard.h); not owned, must outlive the Server; null: none.
  SessionVerifier* sessions = nullptr;
  // Empty: nobody is told (see StateChangeObserver).
  StateChangeObserver on_state_change;
  // Time allowed for a request's header to arrive once the connection is open, or once its first
  // byte arrived on a kept-alive connection; on expiry the connection is closed.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  // Time allowed for the body after the header, and for writing each response.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // An SSE stream sends a ": keep-alive" comment this often.
  std::chrono::milliseconds sse_keepalive{std::chrono::seconds(15)};
  // An SSE client whose unsent backlog would exceed this is disconnected (EventSource reconnects).
  std::size_t sse_max_backlog_bytes = 1024 * 1024;
  // Event streams open at once, in total and per client address (0: no limit). A stream beyond
  // them is refused with a problem naming the limit and Retry-After: 503 past the total, 429
  // past a client's own share.
  std::size_t max_event_streams = 64;
  std::size_t max_event_streams_per_client = 8;
  // How long stop() lets in-flight requests finish before it forces the io_context down.
  std::chrono::milliseconds shutdown_grace{std::chrono::milliseconds(1500)};
};

class Server {
 public:
  // `router` and `assets` (may be null: no static files) are not owned and must outlive the
  // Server. Does no I/O; call start().
  Server(ServerConfig config, Router& router, StaticAssets* assets);
  // Calls stop().
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port, starts listening and starts the I/O threads; returns at once.
  // Errors: InvalidArgument if host is neither an address nor resolvable, or the TLS files
  // cannot be loaded (naming the setting, the file and why); Unavailable naming
  // host:port and the OS error if the socket cannot be opened, bound or listened on;
  // FailedPrecondition if called twice. Not thread-safe with stop().
  Status start();

  // The bound port (the real one when config.port is 0); 0 before a successful start().
  // Thread-safe.
  std::uint16_t port() const;

  // Writes the server's metrics for GET /metrics: requests and latencies (http_metrics.h), open
  // connections and event streams, and the stream limits. Thread-safe; cheap (no I/O).
  void write_metrics(PrometheusText& out) const;

  // Stops the server (see the shutdown order above) and joins its threads; returns within about
  // shutdown_grace plus the longest running handler. Idempotent; safe without start(). Must not
  // be called from a handler (it would wait for itself).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::http
