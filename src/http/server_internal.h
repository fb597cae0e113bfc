// What the server's I/O classes (Listener, HttpSession, SseSession) share; internal to http.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "quantd/http/http_metrics.h"
#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "quantd/http/static_assets.h"
#include "stream_limits_internal.h"
#include "tls_context_internal.h"

namespace quantd::http::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// A live connection that stop() must be able to wind down.
class Connection {
 public:
  virtual ~Connection() = default;
  // Asks the connection to close as soon as it is not in the middle of a request. Thread-safe;
  // returns at once (the work is posted to the connection's strand).
  virtual void shutdown() = 0;
};

// Owned jointly by the Server and every connection, so a connection outliving the Server object
// (until the io_context is destroyed) never touches freed memory.
class ServerState {
 public:
  ServerState(ServerConfig config, const Router& router, const StaticAssets* assets)
      : config(std::move(config)),
        router(router),
        assets(assets),
        metrics(router.routes()),
        streams(std::make_shared<StreamLimits>(this->config.max_event_streams,
                                               this->config.max_event_streams_per_client)) {}

  const ServerConfig config;
  const Router& router;                         // outlives the Server (caller's contract)
  const StaticAssets* assets;                   // may be null
  HttpMetrics metrics;                          // request counters, for GET /metrics
  const std::shared_ptr<StreamLimits> streams;  // the caps on open SSE streams
  std::atomic<std::uint16_t> port{0};           // the bound port, set before the first accept
  // The TLS certificate when server.tls_cert is set (HTTPS only); null: plain HTTP. Set by
  // Server::start() before the first accept.
  std::unique_ptr<TlsContext> tls;

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  // Registers a connection so stop() can reach it; sets *id. Returns false (not registered) once
  // stopping: the caller must close instead of starting. Thread-safe.
  bool add_connection(const std::shared_ptr<Connection>& connection, std::uint64_t* id) {
    std::lock_guard lock(mu_);
    if (stopping_.load(std::memory_order_relaxed)) return false;
    *id = next_id_++;
    connections_.emplace(*id, connection);
    return true;
  }

  // Called from a connection's destructor. Thread-safe.
  void remove_connection(std::uint64_t id) {
    if (id == 0) return;
    std::lock_guard lock(mu_);
    connections_.erase(id);
  }

  // Connections open now (HTTP and SSE). Thread-safe.
  std::size_t connection_count() {
    std::lock_guard lock(mu_);
    return connections_.size();
  }

  // Marks the server as stopping and returns every live connection. Thread-safe.
  std::vector<std::shared_ptr<Connection>> begin_stop() {
    std::lock_guard lock(mu_);
    stopping_.store(true, std::memory_order_release);
    std::vector<std::shared_ptr<Connection>> live;
    for (const auto& [id, weak] : connections_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
    return live;
  }

 private:
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::uint64_t next_id_ = 1;                                                 // guarded by mu_
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;  // guarded by mu_
};

// "ip:port" ("[v6]:port" for IPv6); "-" if the endpoint cannot be read.
inline std::string endpoint_string(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.to_string();
  if (address.is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(endpoint.port());
}

// The one access-log line per request. Never logs headers or bodies.
inline void log_access(std::string_view remote, std::string_view method, std::string_view target,
                       int status, std::size_t bytes, std::chrono::steady_clock::time_point started,
                       std::string_view note = {}) {
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  if (!note.empty()) {
    spdlog::warn("{} {} {} {} {} {:.1f} {}", remote.empty() ? "-" : remote,
                 method.empty() ? "-" : method, target.empty() ? "-" : target, status, bytes, ms,
                 note);
    return;
  }
  spdlog::info("{} {} {} {} {} {:.1f}", remote.empty() ? "-" : remote,
               method.empty() ? "-" : method, target.empty() ? "-" : target, status, bytes, ms);
}

}  // namespace quantd::http::detail
