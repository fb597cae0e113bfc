// Transport: a connection's byte stream, plain TCP or TLS over it (internal to http).
//
// One type for both, so HttpSession and SseSession are written once: the async operations Beast
// and Asio need (read_some, write_some, the executor) dispatch to whichever stream this holds.
// Timeouts are the TCP stream's (expires_after), and apply under TLS as well.
#pragma once

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <utility>

#include "server_internal.h"

namespace quantd::http::detail {

class Transport {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  using TlsStream = beast::ssl_stream<beast::tcp_stream>;

  // Plain HTTP.
  explicit Transport(tcp::socket&& socket) : plain_(std::in_place, std::move(socket)) {}
  // TLS with `context` (kept alive as long as this connection: a certificate reload only
  // changes the context of later connections).
  Transport(tcp::socket&& socket, std::shared_ptr<net::ssl::context> context)
      : context_(std::move(context)),
        tls_(std::make_unique<TlsStream>(std::move(socket), *context_)) {}

  Transport(Transport&&) = default;
  Transport& operator=(Transport&&) = default;

  bool is_tls() const { return tls_ != nullptr; }
  // The TCP layer (timeouts, and the bytes before the TLS handshake).
  beast::tcp_stream& tcp_layer() { return tls_ ? tls_->next_layer() : *plain_; }
  tcp::socket& socket() { return tcp_layer().socket(); }
  executor_type get_executor() { return tcp_layer().get_executor(); }
  void expires_after(std::chrono::steady_clock::duration d) { tcp_layer().expires_after(d); }
  void expires_never() { tcp_layer().expires_never(); }

  // The server side of the TLS handshake; `buffered` are bytes already read from the socket
  // (the ClientHello's start, read while detecting TLS). Handler: void(error_code, size_t used).
  template <class ConstBuffers, class Handler>
  void async_handshake(const ConstBuffers& buffered, Handler&& handler) {
    tls_->async_handshake(net::ssl::stream_base::server, buffered, std::forward<Handler>(handler));
  }

  template <class MutableBuffers, class Handler>
  void async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }
  }

  template <class ConstBuffers, class Handler>
  void async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    if (tls_) {
      tls_->async_write_some(buffers, std::forward<Handler>(handler));
    } else {
      plain_->async_write_some(buffers, std::forward<Handler>(handler));
    }
  }

  // Closes the socket at once. Under TLS no close_notify is sent: every response is framed by
  // Content-Length or chunking, so a client tells a cut response from a whole one without it,
  // and waiting on a peer that may never read is what a closing connection must not do.
  void close() {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer().close();
  }

 private:
  std::shared_ptr<net::ssl::context> context_;
  std::unique_ptr<TlsStream> tls_;
  std::optional<beast::tcp_stream> plain_;
};

}  // namespace quantd::http::detail
