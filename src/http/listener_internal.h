// Listener: accepts connections and starts an HttpSession on a fresh strand for each (internal).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "quantd/core/status.h"
#include "server_internal.h"

namespace quantd::http::detail {

class Listener final : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, std::shared_ptr<ServerState> state);

  // Opens, binds and listens synchronously. Errors: Unavailable naming `label` (host:port) and
  // the OS error. Call before run(), from one thread.
  Status open(const tcp::endpoint& endpoint, std::string_view label);
  // The bound port; valid after a successful open().
  std::uint16_t port() const { return port_; }
  // Starts accepting (asynchronously).
  void run();
  // Closes the acceptor on its strand. Thread-safe; idempotent.
  void stop();

 private:
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);

  net::io_context& ioc_;
  std::shared_ptr<ServerState> state_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;         // used only on strand_ once run() was called
  net::steady_timer retry_timer_;  // used only on strand_
  std::uint16_t port_ = 0;
};

}  // namespace quantd::http::detail
