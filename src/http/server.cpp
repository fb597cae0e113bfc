#include "quantd/http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "listener_internal.h"
#include "server_internal.h"

namespace quantd::http {

using detail::net::ip::tcp;
namespace net = detail::net;

struct Server::Impl {
  Impl(ServerConfig config, const Router& router, const StaticAssets* assets)
      : thread_count(std::max(1, config.threads)),
        state(std::make_shared<detail::ServerState>(std::move(config), router, assets)),
        ioc(thread_count) {}

  void run_io() {
    // Handlers do not throw by design; if one ever does, log it and keep the thread serving.
    while (true) {
      try {
        ioc.run();
        break;
      } catch (const std::exception& e) {
        spdlog::error("http: an I/O handler threw: {}", e.what());
      } catch (...) {
        spdlog::error("http: an I/O handler threw a non-standard exception");
      }
    }
    {
      std::lock_guard lock(exit_mu);
      ++exited;
    }
    exit_cv.notify_all();
  }

  const int thread_count;
  std::shared_ptr<detail::ServerState> state;
  net::io_context ioc;
  std::shared_ptr<detail::Listener> listener;  // after ioc: destroyed before it
  std::vector<std::thread> threads;
  std::atomic<std::uint16_t> port{0};

  std::mutex lifecycle_mu;  // serializes start() and stop()
  bool started = false;     // guarded by lifecycle_mu
  bool stopped = false;     // guarded by lifecycle_mu

  std::mutex exit_mu;
  std::condition_variable exit_cv;
  int exited = 0;  // I/O threads that returned from run(); guarded by exit_mu
};

Server::Server(ServerConfig config, Router& router, StaticAssets* assets)
    : impl_(std::make_unique<Impl>(std::move(config), router, assets)) {}

Server::~Server() { stop(); }

Status Server::start() {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (impl_->started || impl_->stopped) {
    return Status::failed_precondition("the HTTP server can be started only once");
  }
  const ServerConfig& config = impl_->state->config;
  const std::string label = config.host + ":" + std::to_string(config.port);

  detail::beast::error_code ec;
  tcp::endpoint endpoint;
  const auto address = net::ip::make_address(config.host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, config.port);
  } else {
    tcp::resolver resolver(impl_->ioc);
    const auto results = resolver.resolve(config.host, std::to_string(config.port), ec);
    if (ec || results.empty()) {
      return Status::invalid_argument("cannot listen on " + label + ": cannot resolve host '" +
                                      config.host + "': " + (ec ? ec.message() : "no address"));
    }
    endpoint = results.begin()->endpoint();
  }

  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Status::invalid_argument(
        "server.tls_cert and server.tls_key go together: set both for HTTPS, or neither");
  }
  if (!config.tls_cert.empty() && !impl_->state->tls) {
    auto tls = detail::TlsContext::load(config.tls_cert, config.tls_key, config.tls_reload_check);
    if (!tls.ok()) return tls.status();
    impl_->state->tls = std::move(tls).value();
  }

  auto listener = std::make_shared<detail::Listener>(impl_->ioc, impl_->state);
  if (Status status = listener->open(endpoint, label); !status.ok()) return status;
  impl_->listener = std::move(listener);
  impl_->port = impl_->listener->port();
  impl_->state->port = impl_->listener->port();
  impl_->listener->run();
  impl_->threads.reserve(static_cast<std::size_t>(impl_->thread_count));
  for (int i = 0; i < impl_->thread_count; ++i)
    impl_->threads.emplace_back([this] { impl_->run_io(); });
  impl_->started = true;
  spdlog::info("http: listening on {}:{} ({}, {} threads)", config.host, impl_->port.load(),
               impl_->state->tls ? "HTTPS" : "plain HTTP", impl_->thread_count);
  return Status::ok_status();
}

std::uint16_t Server::port() const { return impl_->port.load(); }

void Server::write_metrics(PrometheusText& out) const {
  detail::ServerState& state = *impl_->state;
  state.metrics.write(out);
  out.family("quantd_http_connections", "gauge",
             "HTTP connections open now, event streams included.");
  out.sample("quantd_http_connections", {}, static_cast<std::uint64_t>(state.connection_count()));
  out.family("quantd_http_event_streams", "gauge", "/api/events streams open now.");
  out.sample("quantd_http_event_streams", {}, static_cast<std::uint64_t>(state.streams->open()));
  out.family("quantd_http_event_streams_limit", "gauge",
             "The caps on event streams: in total and per client address.");
  out.sample("quantd_http_event_streams_limit", {{"scope", "total"}},
             static_cast<std::uint64_t>(state.streams->total_limit()));
  out.sample("quantd_http_event_streams_limit", {{"scope", "per_client"}},
             static_cast<std::uint64_t>(state.streams->per_client_limit()));
}

void Server::stop() {
  std::lock_guard lock(impl_->lifecycle_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (!impl_->started) return;

  impl_->listener->stop();
  for (const auto& connection : impl_->state->begin_stop()) connection->shutdown();
  {
    // Threads leave run() on their own once every connection is closed; requests still being
    // handled get shutdown_grace to finish.
    std::unique_lock exit_lock(impl_->exit_mu);
    impl_->exit_cv.wait_for(exit_lock, impl_->state->config.shutdown_grace,
                            [&] { return impl_->exited == impl_->thread_count; });
  }
  impl_->ioc.stop();
  for (std::thread& thread : impl_->threads) thread.join();
  impl_->threads.clear();
  spdlog::info("http: stopped");
}

}  // namespace quantd::http
