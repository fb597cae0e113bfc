#include <spdlog/spdlog.h>

#include <exception>
#include <string>

#include "http_session_internal.h"
#include "listener_internal.h"

namespace quantd::http::detail {

Listener::Listener(net::io_context& ioc, std::shared_ptr<ServerState> state)
    : ioc_(ioc),
      state_(std::move(state)),
      strand_(net::make_strand(ioc)),
      acceptor_(strand_),
      retry_timer_(strand_) {}

Status Listener::open(const tcp::endpoint& endpoint, std::string_view label) {
  beast::error_code ec;
  auto failed = [&](std::string_view step) {
    return Status::unavailable("cannot listen on " + std::string(label) + ": " + std::string(step) +
                               " failed: " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return failed("setsockopt(SO_REUSEADDR)");
  acceptor_.bind(endpoint, ec);
  if (ec) return failed("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return failed("listen");
  const auto local = acceptor_.local_endpoint(ec);
  if (ec) return failed("getsockname");
  port_ = local.port();
  return Status::ok_status();
}

void Listener::run() {
  net::dispatch(strand_, beast::bind_front_handler(&Listener::do_accept, shared_from_this()));
}

void Listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::do_accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning on a failing accept.
    spdlog::warn("http: accept failed: {}", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code timer_ec) {
      if (!timer_ec) self->do_accept();
    });
    return;
  }
  if (!state_->stopping()) {
    try {
      std::make_shared<HttpSession>(std::move(socket), state_)->run();
    } catch (const std::exception& e) {
      spdlog::error("http: cannot start a session: {}", e.what());
    }
  }
  do_accept();
}

}  // namespace quantd::http::detail
