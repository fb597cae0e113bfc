#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "framing_internal.h"
#include "http_session_internal.h"
#include "quantd/http/request.h"
#include "quantd/http/request_guard.h"
#include "sse_session_internal.h"
#include "text_internal.h"

namespace quantd::http::detail {

namespace {

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr std::size_t kMaxLingerBytes = 64 * 1024 * 1024;

bool is_http_protocol_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Headers the session itself manages; a handler's copies are dropped.
bool is_managed_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection") || iequals(name, "Content-Type") || iequals(name, "Server");
}

bool has_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// Sent on every response. The UI loads its scripts and styles from files (no inline script, no
// on* attributes); charts draw on canvas and icons may be data: URLs.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'";

// Retry-After for a refused event stream: EventSource reconnects on its own after an error, and
// streams end often enough (tabs close) that a slot is likely free by then.
constexpr std::string_view kStreamRetrySeconds = "10";

}  // namespace

Response HttpSession::stream_refused(StreamLimits::Refusal refusal) const {
  const StreamLimits& limits = *state_->streams;
  Response r =
      refusal == StreamLimits::Refusal::kPerClient
          ? problem(429, "Too Many Requests",
                    "This client already has " + std::to_string(limits.per_client_limit()) +
                        " event streams open, the limit per client address "
                        "(server.max_event_streams_per_client); close one or retry later.")
          : problem(503, "Service Unavailable",
                    "The server already has " + std::to_string(limits.total_limit()) +
                        " event streams open, its limit (server.max_event_streams); retry later.");
  r.set_header("Retry-After", std::string(kStreamRetrySeconds));
  return r;
}

namespace {

Transport make_transport(tcp::socket&& socket, const ServerState& state) {
  if (state.tls) return Transport(std::move(socket), state.tls->current());
  return Transport(std::move(socket));
}

// The whole answer to plain HTTP on the HTTPS port: browsers show it, curl prints it.
constexpr std::string_view kPlainOnTlsBody =
    "This port speaks HTTPS only: use an https:// address.\n";

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, std::shared_ptr<ServerState> state)
    : stream_(make_transport(std::move(socket), *state)),
      state_(std::move(state)),
      delay_timer_(stream_.get_executor()) {
  beast::error_code ec;
  const auto peer = stream_.socket().remote_endpoint(ec);
  remote_ = ec ? std::string("-") : endpoint_string(peer);
  // Small responses and SSE frames should not wait for Nagle.
  stream_.socket().set_option(tcp::no_delay(true), ec);
}

HttpSession::~HttpSession() { state_->remove_connection(id_); }

void HttpSession::run() {
  if (!state_->add_connection(shared_from_this(), &id_)) return;  // stopping: the socket closes
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(
                    stream_.is_tls() ? &HttpSession::do_detect_tls : &HttpSession::do_wait,
                    shared_from_this()));
}

void HttpSession::do_detect_tls() {
  phase_ = Phase::kHeader;
  started_ = std::chrono::steady_clock::now();
  stream_.expires_after(state_->config.header_timeout);
  beast::async_detect_ssl(
      stream_.tcp_layer(), buffer_,
      beast::bind_front_handler(&HttpSession::on_detect_tls, shared_from_this()));
}

void HttpSession::on_detect_tls(beast::error_code ec, bool is_tls) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return do_close();  // gone or silent before saying anything
  if (!is_tls) {
    static const std::string reply =
        "HTTP/1.1 400 Bad Request\r\nServer: quantd\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: " +
        std::to_string(kPlainOnTlsBody.size()) + "\r\nConnection: close\r\n\r\n" +
        std::string(kPlainOnTlsBody);
    phase_ = Phase::kBusy;
    stream_.expires_after(state_->config.read_timeout);
    net::async_write(stream_.tcp_layer(), net::buffer(reply),
                     [self = shared_from_this()](beast::error_code, std::size_t) {
                       log_access(self->remote_, "", "", 400, kPlainOnTlsBody.size(),
                                  self->started_, "plain HTTP on the HTTPS port");
                       self->do_close();
                     });
    return;
  }
  stream_.async_handshake(
      buffer_.data(), beast::bind_front_handler(&HttpSession::on_handshake, shared_from_this()));
}

void HttpSession::on_handshake(beast::error_code ec, std::size_t used) {
  if (phase_ == Phase::kClosed) return;
  if (ec) {
    spdlog::debug("http: TLS handshake with {} failed: {}", remote_, ec.message());
    return do_close();
  }
  buffer_.consume(used);
  do_wait();
}

void HttpSession::shutdown() {
  net::post(stream_.get_executor(),
            beast::bind_front_handler(&HttpSession::on_shutdown, shared_from_this()));
}

void HttpSession::on_shutdown() {
  // A request being read or handled finishes (its write sees stopping() and closes); a
  // connection waiting for a request, or lingering, closes now.
  if (phase_ == Phase::kIdle || phase_ == Phase::kHeader || phase_ == Phase::kLinger) do_close();
  // A held-back response goes out now (and the connection closes after it).
  if (delayed_) delay_timer_.cancel();
}

void HttpSession::do_wait() {
  phase_ = Phase::kIdle;
  if (state_->stopping()) return do_close();
  // A new connection's header must arrive within header_timeout of the accept; so must a
  // pipelined request that is already buffered.
  if (first_request_ || buffer_.size() > 0) return do_read_header();
  // Between kept-alive requests, wait for the first byte under the (longer) idle timeout; the
  // header then gets header_timeout from there.
  stream_.expires_after(state_->config.idle_timeout);
  stream_.async_read_some(buffer_.prepare(1024),
                          beast::bind_front_handler(&HttpSession::on_wait, shared_from_this()));
}

void HttpSession::on_wait(beast::error_code ec, std::size_t bytes) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return do_close();  // the peer left, or stayed idle too long
  buffer_.commit(bytes);
  do_read_header();
}

void HttpSession::do_read_header() {
  phase_ = Phase::kHeader;
  started_ = std::chrono::steady_clock::now();
  log_method_.clear();
  log_target_.clear();
  metric_route_ = -1;
  linger_after_write_ = false;
  request_.reset();
  reported_.reset();
  upload_.reset();
  spool_.reset();
  body_limit_ = state_->config.body_limit_bytes;
  version_ = 11;
  keep_alive_ = false;
  parser_.emplace();
  // No limit while the header is read: Beast would refuse a large Content-Length before the
  // header is complete, and a refused client must get 401/403/421, not learn the limit.
  // admit_request() applies body_limit_bytes.
  parser_->body_limit(boost::none);
  parser_->header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(state_->config.header_limit_bytes, UINT32_MAX)));
  stream_.expires_after(state_->config.header_timeout);
  do_buffer_header();
}

void HttpSession::do_buffer_header() {
  // The header is collected here before Beast parses it, because Beast silently unfolds obs-fold
  // continuation lines, and because an over-long request line must answer 414, not 431.
  const std::string_view data(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  RawHeaderVerdict verdict =
      check_raw_header(data, state_->config.target_limit_bytes, state_->config.header_limit_bytes);
  if (verdict.kind == RawHeaderVerdict::Kind::kRefuse) return reject(std::move(*verdict.refusal));
  if (verdict.kind == RawHeaderVerdict::Kind::kParse) {
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&HttpSession::on_read_header, shared_from_this()));
    return;
  }
  stream_.async_read_some(
      buffer_.prepare(4096),
      beast::bind_front_handler(&HttpSession::on_header_bytes, shared_from_this()));
}

void HttpSession::on_header_bytes(beast::error_code ec, std::size_t bytes) {
  if (phase_ == Phase::kClosed) return;
  buffer_.commit(bytes);
  if (ec == net::error::eof && buffer_.size() > 0)
    return on_read_error(bhttp::error::partial_message);
  if (ec) return on_read_error(ec);
  do_buffer_header();
}

void HttpSession::on_read_error(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    return reject(
        413, "Content Too Large",
        "The request body is larger than the limit of " + std::to_string(body_limit_) + " bytes.");
  }
  if (ec == bhttp::error::header_limit) {
    return reject(431, "Request Header Fields Too Large",
                  "The request header is larger than the limit of " +
                      std::to_string(state_->config.header_limit_bytes) + " bytes.");
  }
  if (is_http_protocol_error(ec) && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return reject(400, "Bad Request", "The request is not valid HTTP/1.1 (" + ec.message() + ").");
  }
  // Timeout, reset, or the peer closed mid-request: nobody is left to answer.
  if (ec != net::error::operation_aborted) {
    spdlog::debug("http: closing connection from {}: {}", remote_, ec.message());
  }
  do_close();
}

void HttpSession::on_read_header(beast::error_code ec, std::size_t) {
  if (phase_ == Phase::kClosed) return;
  if (parser_->is_header_done() || ec == bhttp::error::body_limit) {
    // For the access log; Beast has validated both (no control characters).
    log_method_ = std::string(parser_->get().method_string());
    log_target_ = std::string(parser_->get().target());
    version_ = parser_->get().version();
    keep_alive_ = parser_->get().keep_alive();
  }
  if (ec) return on_read_error(ec);
  if (!admit_request()) return;
  if (!upload_ && parser_->is_done()) return handle_request();
  const auto expect =
      upload_ ? upload_->get()[bhttp::field::expect] : parser_->get()[bhttp::field::expect];
  phase_ = Phase::kBody;
  if (iequals(expect, "100-continue")) {
    stream_.expires_after(state_->config.read_timeout);
    net::async_write(stream_, net::buffer(kContinue),
                     beast::bind_front_handler(&HttpSession::on_continue_sent, shared_from_this()));
    return;
  }
  do_read_body();
}

bool HttpSession::admit_request() {
  auto& message = parser_->get();
  if (std::string why = ambiguous_framing(message); !why.empty()) {
    reject(problem(400, "Bad Request", std::move(why)));
    return false;
  }
  Result<Request> parsed =
      make_request(std::string(message.method_string()), std::string(message.target()));
  if (!parsed.ok()) {
    reject(problem(400, "Bad Request", parsed.status().message()));
    return false;
  }
  request_.emplace(std::move(parsed).value());
  request_->remote = remote_;
  request_->headers.reserve(
      static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message) {
    request_->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  const bool has_body = parser_->chunked() || parser_->content_length().value_or(0) > 0;
  GuardConfig guard{state_->config.hosts, state_->config.host, state_->port.load(),
                    state_->config.auth_token, state_->config.sessions};
  std::optional<Response> refused = check_request(*request_, has_body, guard, state_->router);
  if (state_->config.on_state_change && changes_state(request_->method)) reported_ = *request_;
  if (refused) {
    metric_route_ = state_->router.route_index(*request_);
    reject(std::move(*refused));
    return false;
  }
  // Only now, with the caller admitted, is the body's size looked at (and a byte of it read).
  const std::optional<RouteOptions> route = state_->router.options_for(*request_);
  const bool streams = route && route->streams_body;
  body_limit_ = streams ? state_->config.upload_limit_bytes : state_->config.body_limit_bytes;
  if (parser_->content_length().value_or(0) > body_limit_) {
    on_read_error(bhttp::error::body_limit);
    return false;
  }
  parser_->body_limit(body_limit_);  // chunked bodies are checked as they arrive
  if (streams && has_body) return start_spooling();
  return true;
}

bool HttpSession::start_spooling() {
  Result<SpoolFile> spool = SpoolFile::create(state_->config.upload_dir);
  if (!spool.ok()) {
    spdlog::error("http: {}", spool.status().message());
    reject(problem(500, "Internal Server Error",
                   "The server cannot store the upload: " + spool.status().message() + "."));
    return false;
  }
  upload_.emplace(std::move(*parser_));  // the header is read, no byte of the body yet
  parser_.reset();
  beast::file file;
  file.native_handle(spool->release_fd());
  beast::error_code ec;
  upload_->get().body().reset(std::move(file), ec);
  if (ec) {
    reject(problem(500, "Internal Server Error",
                   "The server cannot store the upload: " + ec.message() + "."));
    return false;
  }
  upload_->body_limit(body_limit_);
  spool_.emplace(std::move(spool).value());
  return true;
}

void HttpSession::do_read_upload() {
  phase_ = Phase::kBody;
  stream_.expires_after(state_->config.read_timeout);
  bhttp::async_read_some(
      stream_, buffer_, *upload_,
      beast::bind_front_handler(&HttpSession::on_read_upload, shared_from_this()));
}

void HttpSession::on_read_upload(beast::error_code ec, std::size_t) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return on_read_error(ec);
  if (!upload_->is_done()) return do_read_upload();
  handle_request();
}

void HttpSession::on_continue_sent(beast::error_code ec, std::size_t) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return do_close();
  do_read_body();
}

void HttpSession::do_read_body() {
  if (upload_) return do_read_upload();
  phase_ = Phase::kBody;
  stream_.expires_after(state_->config.read_timeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&HttpSession::on_read_body, shared_from_this()));
}

void HttpSession::on_read_body(beast::error_code ec, std::size_t) {
  if (phase_ == Phase::kClosed) return;
  if (ec) return on_read_error(ec);
  handle_request();
}

void HttpSession::handle_request() {
  phase_ = Phase::kBusy;
  stream_.expires_never();  // the handler's time is not the client's
  try {
    Request request = std::move(*request_);  // filled and admitted by admit_request()
    request_.reset();
    if (upload_) {
      upload_->get().body().close();  // every byte is on disk; the handler reads the file
      request.body_file = spool_->path();
    } else {
      request.body = std::move(parser_->get().body());
    }

    if (SseHub* hub = state_->router.sse_hub_for(request)) {
      metric_route_ = state_->router.route_index(request);
      StreamLimits::Refusal refusal = StreamLimits::Refusal::kNone;
      StreamSlot slot = state_->streams->acquire(client_address(remote_), &refusal);
      if (!slot) return send(stream_refused(refusal), /*head=*/false, /*keep_alive=*/false);
      // The SseSession takes the socket (and so this strand); this session ends here.
      phase_ = Phase::kClosed;
      stream_.expires_never();
      auto sse = std::make_shared<SseSession>(std::move(stream_), state_, remote_, log_target_,
                                              started_, std::move(slot));
      // Counted when it opens (before the client can see it open); a stream's lifetime is no
      // request latency.
      state_->metrics.record(metric_route_, log_method_, 200,
                             std::chrono::steady_clock::duration(-1));
      sse->run(*hub);
      return;
    }
    const bool head = request.method == "HEAD";
    Response response = state_->router.handle(std::move(request), state_->assets, &metric_route_);
    upload_.reset();
    spool_.reset();  // removes the spooled body
    // Decided after the handler ran: a stop() that began meanwhile closes this connection.
    const bool keep_alive = keep_alive_ && !state_->stopping();
    if (response.close_without_reply) {
      log_access(remote_, log_method_, log_target_, 0, 0, started_);
      return do_close();
    }
    if (response.delay.count() > 0) {
      delay_timer_.expires_after(response.delay);
      delayed_head_ = head;
      delayed_keep_alive_ = keep_alive;
      delayed_.emplace(std::move(response));
      delay_timer_.async_wait(
          beast::bind_front_handler(&HttpSession::on_delay_done, shared_from_this()));
      return;
    }
    send(std::move(response), head, keep_alive);
  } catch (const std::exception& e) {
    // Router::handle never throws; this is allocation failure while building the Request.
    spdlog::error("http: failed to handle a request from {}: {}", remote_, e.what());
    do_close();
  }
}

void HttpSession::reject(int status, std::string title, std::string detail) {
  reject(problem(status, std::move(title), std::move(detail)));
}

void HttpSession::reject(Response response) {
  linger_after_write_ = true;
  send(std::move(response), /*head=*/false, /*keep_alive=*/false);
}

void HttpSession::send(Response response, bool head, bool keep_alive) {
  phase_ = Phase::kBusy;
  if (response.status < 100 || response.status > 599) {
    spdlog::error("http: invalid response status {} for {}", response.status, log_target_);
    response = problem(500, "Internal Server Error", "The server produced an invalid response.");
  }
  report(response);
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
  res->version(version_ == 10 ? 10 : 11);
  res->result(static_cast<unsigned>(response.status));
  res->set(bhttp::field::server, "quantd");
  if (!response.content_type.empty() && !has_line_break(response.content_type)) {
    res->set(bhttp::field::content_type, response.content_type);
  }
  for (const auto& [name, value] : response.headers) {
    if (is_managed_header(name)) continue;
    if (name.empty() || has_line_break(name) || has_line_break(value)) {
      spdlog::error("http: dropped a response header with a line break (for {})", log_target_);
      continue;
    }
    res->insert(name, value);
  }
  res->set("X-Content-Type-Options", "nosniff");
  res->set("X-Frame-Options", "DENY");
  res->set("Referrer-Policy", "no-referrer");
  res->set("Content-Security-Policy", kContentSecurityPolicy);
  const bool no_body = response.status < 200 || response.status == 204 || response.status == 304;
  const bool http11 = res->version() == 11;
  log_status_ = response.status;
  log_bytes_ = 0;
  cut_reason_.clear();
  body_stream_.reset();
  if (no_body) {
    // RFC 9110 §8.6: neither a body nor a Content-Length for 1xx and 204; 304 needs neither.
  } else if (response.stream) {
    // The length is not known ahead: chunked on HTTP/1.1, delimited by the close on HTTP/1.0.
    if (http11) res->chunked(true);
    if (!http11) keep_alive = false;
    if (!head) body_stream_ = std::move(response.stream);
  } else if (head) {
    res->content_length(response.body.size());
  } else {
    log_bytes_ = response.body.size();
    res->body() = std::move(response.body);
    res->prepare_payload();
  }
  res->keep_alive(keep_alive);
  response_ = res;
  serializer_.emplace(*res);
  written_ = 0;
  if (response.stream || body_stream_) {
    // The header alone; the pieces follow (none for HEAD).
    stream_.expires_after(state_->config.read_timeout);
    bhttp::async_write_header(
        stream_, *serializer_,
        beast::bind_front_handler(&HttpSession::on_stream_header, shared_from_this(), !keep_alive));
    return;
  }
  do_write_some(res->need_eof());
}

void HttpSession::on_stream_header(bool close, beast::error_code ec, std::size_t bytes) {
  written_ += bytes;
  if (ec || !body_stream_) return on_write(close, ec);
  do_write_piece(close);
}

void HttpSession::do_write_piece(bool close) {
  piece_.clear();
  bool more = true;
  // An empty piece that is not the last would read as the final chunk: ask again.
  while (more && piece_.empty()) {
    Result<bool> next = Status::internal("the body stream threw");
    try {
      next = body_stream_->next(piece_);
    } catch (const std::exception& e) {
      next = Status::internal(std::string("the body stream threw: ") + e.what());
    }
    if (!next.ok()) {
      cut_reason_ = log_excerpt(next.status().message());
      spdlog::error("http: the body of {} failed after {} bytes: {}", log_target_, log_bytes_,
                    cut_reason_);
      // No final chunk: the client sees an incomplete body, never a complete wrong one.
      return on_write(/*close=*/true, {});
    }
    more = *next;
  }
  const bool chunked = response_->chunked();
  stream_.expires_after(state_->config.read_timeout);  // per piece, as for other responses
  auto done = beast::bind_front_handler(&HttpSession::on_write_piece, shared_from_this(), close,
                                        !more, piece_.size());
  if (!chunked) {
    net::async_write(stream_, net::buffer(piece_), std::move(done));
  } else if (piece_.empty()) {
    net::async_write(stream_, bhttp::make_chunk_last(), std::move(done));
  } else if (more) {
    net::async_write(stream_, bhttp::make_chunk(net::buffer(piece_)), std::move(done));
  } else {
    net::async_write(
        stream_,
        beast::buffers_cat(bhttp::make_chunk(net::buffer(piece_)), bhttp::make_chunk_last()),
        std::move(done));
  }
}

void HttpSession::on_write_piece(bool close, bool last, std::size_t body_bytes,
                                 beast::error_code ec, std::size_t bytes) {
  written_ += bytes;
  if (!ec) log_bytes_ += body_bytes;
  if (ec || last) {
    body_stream_.reset();
    return on_write(close, ec);
  }
  do_write_piece(close);
}

void HttpSession::do_write_some(bool close) {
  stream_.expires_after(state_->config.read_timeout);  // per piece, not for the whole response
  bhttp::async_write_some(
      stream_, *serializer_,
      beast::bind_front_handler(&HttpSession::on_write_some, shared_from_this(), close));
}

void HttpSession::on_write_some(bool close, beast::error_code ec, std::size_t bytes) {
  written_ += bytes;
  if (!ec && !serializer_->is_done()) return do_write_some(close);
  on_write(close, ec);
}

void HttpSession::report(const Response& response) {
  if (!reported_) return;
  try {
    state_->config.on_state_change(*reported_, response);
  } catch (const std::exception& e) {
    spdlog::error("http: the state-change observer failed: {}", log_excerpt(e.what()));
  }
  reported_.reset();
}

void HttpSession::on_delay_done(beast::error_code) {
  // Fired or cancelled by on_shutdown(): either way the response is due now.
  if (phase_ == Phase::kClosed || !delayed_) return;
  Response response = std::move(*delayed_);
  delayed_.reset();
  send(std::move(response), delayed_head_, delayed_keep_alive_ && !state_->stopping());
}

void HttpSession::on_write(bool close, beast::error_code ec) {
  if (!cut_reason_.empty() || (ec && body_stream_)) {
    // A streamed body ended early: its producer failed, or the client stopped reading.
    const std::string why = cut_reason_.empty() ? ec.message() : cut_reason_;
    log_access(remote_, log_method_, log_target_, log_status_, log_bytes_, started_,
               "truncated: " + std::to_string(log_bytes_) + " body bytes sent (" + why + ")");
    close = true;
  } else if (ec && log_bytes_ > 0) {
    // The client stopped reading (or went away) mid-body: the log says the response was cut.
    log_access(remote_, log_method_, log_target_, log_status_, written_, started_,
               "truncated: " + std::to_string(written_) + " of about " +
                   std::to_string(log_bytes_) + " body bytes sent (" + ec.message() + ")");
  } else {
    log_access(remote_, log_method_, log_target_, log_status_, ec ? 0 : log_bytes_, started_);
  }
  body_stream_.reset();
  piece_.clear();
  piece_.shrink_to_fit();
  serializer_.reset();
  state_->metrics.record(metric_route_, log_method_, log_status_,
                         std::chrono::steady_clock::now() - started_);
  response_.reset();
  if (phase_ == Phase::kClosed) return;
  if (ec) return do_close();
  if (linger_after_write_) return do_linger();
  if (close || state_->stopping()) return do_close();
  first_request_ = false;
  do_wait();
}

void HttpSession::do_linger() {
  phase_ = Phase::kLinger;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  linger_deadline_ = std::chrono::steady_clock::now() +
                     std::min<std::chrono::milliseconds>(kMaxLinger, state_->config.read_timeout);
  linger_bytes_ = 0;
  on_linger({}, 0);
}

void HttpSession::on_linger(beast::error_code ec, std::size_t bytes) {
  if (phase_ == Phase::kClosed) return;
  linger_bytes_ += bytes;
  const auto now = std::chrono::steady_clock::now();
  if (ec || state_->stopping() || now >= linger_deadline_ || linger_bytes_ > kMaxLingerBytes) {
    return do_close();
  }
  stream_.expires_after(linger_deadline_ - now);
  stream_.async_read_some(net::buffer(scratch_),
                          beast::bind_front_handler(&HttpSession::on_linger, shared_from_this()));
}

void HttpSession::do_close() {
  if (phase_ == Phase::kClosed) return;
  phase_ = Phase::kClosed;
  stream_.close();
}

}  // namespace quantd::http::detail
