// HttpSession: one HTTP/1.1 connection (internal to http), after Beast's http_server_async.
//
// Reads a request (first byte, then header, then body, each under its own timeout), dispatches
// it through the Router on the connection's strand, writes the response, and loops while the
// connection is kept alive. Protocol errors answer a problem document and close: 400 malformed
// or ambiguous framing, 413 body too large, 414 target too long, 431 header too large; the
// RequestGuard's refusals (400, 401, 403, 415, 421) close too. Timeouts close silently. A GET to an
// SSE route hands the socket to an SseSession.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "quantd/http/request.h"
#include "quantd/http/response.h"
#include "server_internal.h"
#include "spool_file_internal.h"
#include "transport_internal.h"

namespace quantd::http::detail {

class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket&& socket, std::shared_ptr<ServerState> state);
  ~HttpSession() override;

  // Registers with the server and starts reading. Call once, from any thread.
  void run();
  void shutdown() override;  // any thread

 private:
  // Where the connection is; decides what shutdown() may interrupt.
  enum class Phase { kIdle, kHeader, kBody, kBusy, kLinger, kClosed };

  // HTTPS: a plain HTTP request on the TLS port gets a 400 in plain text; otherwise the
  // handshake, under header_timeout.
  void do_detect_tls();
  void on_detect_tls(beast::error_code ec, bool is_tls);
  void on_handshake(beast::error_code ec, std::size_t used);
  void do_wait();
  void on_wait(beast::error_code ec, std::size_t bytes);
  void do_read_header();
  void do_buffer_header();
  void on_header_bytes(beast::error_code ec, std::size_t bytes);
  void on_read_header(beast::error_code ec, std::size_t bytes);
  // Framing checks and the RequestGuard on the parsed header; fills request_. False: rejected
  // (the response is on its way).
  bool admit_request();
  void on_continue_sent(beast::error_code ec, std::size_t bytes);
  void do_read_body();
  void on_read_body(beast::error_code ec, std::size_t bytes);
  // A streamed body (RouteOptions::streams_body): opens the spool file and hands the parser over
  // to upload_; false (after answering) when the file cannot be made.
  bool start_spooling();
  // Reads it a piece at a time, each under read_timeout, so a large upload that keeps moving is
  // never cut by one deadline for the whole body.
  void do_read_upload();
  void on_read_upload(beast::error_code ec, std::size_t bytes);
  void handle_request();
  void on_read_error(beast::error_code ec);
  void reject(int status, std::string title, std::string detail);
  void reject(Response response);
  // The answer to an event stream beyond the server's stream limits.
  Response stream_refused(StreamLimits::Refusal refusal) const;
  void send(Response response, bool head, bool keep_alive);
  // Hands the final response of a state-changing request to ServerConfig::on_state_change.
  void report(const Response& response);
  void on_delay_done(beast::error_code ec);
  // Writes the response a piece at a time, each piece under its own read_timeout: a slow but
  // moving reader gets the whole of a large response; one that stalls is cut, and logged so.
  void do_write_some(bool close);
  void on_write_some(bool close, beast::error_code ec, std::size_t bytes);
  // A streamed body (Response::stream): the header, then one piece per write, each under
  // read_timeout; a producer's error or a stalled reader ends it without the final chunk.
  void on_stream_header(bool close, beast::error_code ec, std::size_t bytes);
  void do_write_piece(bool close);
  void on_write_piece(bool close, bool last, std::size_t body_bytes, beast::error_code ec,
                      std::size_t bytes);
  void on_write(bool close, beast::error_code ec);
  void do_linger();
  void on_linger(beast::error_code ec, std::size_t bytes);
  void on_shutdown();
  void do_close();

  // Everything below is touched only on the connection's strand.
  Transport stream_;
  std::shared_ptr<ServerState> state_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // A streamed body (RouteOptions::streams_body): the parser that took over from parser_ after
  // the header, writing the body to spool_; and the limit in force for the request's body.
  std::optional<bhttp::request_parser<bhttp::file_body>> upload_;
  std::optional<SpoolFile> spool_;
  std::size_t body_limit_ = 0;
  unsigned version_ = 11;           // the request's HTTP version, once its header is read
  bool keep_alive_ = false;         // whether the request allows keeping the connection
  std::optional<Request> request_;  // the admitted request's header, waiting for its body
  // The state-changing request in flight (header only), for on_state_change; empty otherwise.
  std::optional<Request> reported_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> response_;  // alive while being written
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  std::size_t written_ = 0;  // bytes of response_ on the wire so far (header included)
  std::shared_ptr<BodyStream> body_stream_;  // the streamed body being written, if any
  std::string piece_;                        // its piece on the wire now
  std::string cut_reason_;  // why a streamed body stopped early (its producer's error)
  // A response a handler asked to hold back (Response::delay) until delay_timer_ fires.
  net::steady_timer delay_timer_;
  std::optional<Response> delayed_;
  bool delayed_head_ = false;
  bool delayed_keep_alive_ = false;
  std::string remote_;
  std::uint64_t id_ = 0;
  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool linger_after_write_ = false;
  // The request in flight, for its access-log line.
  std::string log_method_;
  std::string log_target_;
  int log_status_ = 0;
  std::size_t log_bytes_ = 0;
  int metric_route_ = -1;  // the route of the request in flight (HttpMetrics), -1: none
  std::chrono::steady_clock::time_point started_;
  // Lingering close: after an error response, unread request bytes are drained (bounded) so the
  // client reads the response instead of a connection reset.
  std::chrono::steady_clock::time_point linger_deadline_;
  std::size_t linger_bytes_ = 0;
  std::array<char, 8192> scratch_{};
};

}  // namespace quantd::http::detail
