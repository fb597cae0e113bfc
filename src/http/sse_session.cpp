#include <spdlog/spdlog.h>

#include "sse_session_internal.h"

namespace quantd::http::detail {

namespace {

// The body is delimited by the connection's end: no Content-Length, no chunking. EventSource
// accepts it, and a byte stream is what proxies pass through most readily. X-Accel-Buffering
// keeps nginx from holding events back.
constexpr std::string_view kResponseHead =
    "HTTP/1.1 200 OK\r\n"
    "Server: quantd\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Accel-Buffering: no\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\n"
    "Connection: close\r\n"
    "\r\n";

const std::shared_ptr<const std::string>& keepalive_frame() {
  static const auto frame = std::make_shared<const std::string>(": keep-alive\n\n");
  return frame;
}

}  // namespace

SseSession::SseSession(Transport&& stream, std::shared_ptr<ServerState> state, std::string remote,
                       std::string target, std::chrono::steady_clock::time_point started,
                       StreamSlot slot)
    : stream_(std::move(stream)),
      state_(std::move(state)),
      remote_(std::move(remote)),
      target_(std::move(target)),
      started_(started),
      keepalive_timer_(stream_.get_executor()),
      write_timer_(stream_.get_executor()),
      slot_(std::move(slot)) {}

SseSession::~SseSession() { state_->remove_connection(id_); }

void SseSession::run(SseHub& hub) {
  if (!state_->add_connection(shared_from_this(), &id_)) {
    close("server stopping");
    return;
  }
  subscription_ = hub.subscribe(weak_from_this());
  auto head = std::make_shared<const std::string>(kResponseHead);
  head_bytes_ = head->size();
  enqueue(std::move(head));
  arm_keepalive();
  do_read();
}

void SseSession::deliver(std::shared_ptr<const std::string> frame) {
  net::post(stream_.get_executor(),
            [self = shared_from_this(), frame = std::move(frame)]() mutable {
              self->enqueue(std::move(frame));
            });
}

void SseSession::shutdown() {
  net::post(stream_.get_executor(),
            [self = shared_from_this()] { self->close("server stopping"); });
}

void SseSession::enqueue(std::shared_ptr<const std::string> frame) {
  if (closed_) return;
  if (backlog_bytes_ + frame->size() > state_->config.sse_max_backlog_bytes) {
    spdlog::warn("http: dropping slow SSE client {} on {} ({} bytes unsent)", remote_, target_,
                 backlog_bytes_);
    close("backlog limit");
    return;
  }
  backlog_bytes_ += frame->size();
  queue_.push_back(std::move(frame));
  if (!writing_) do_write();
}

void SseSession::do_write() {
  writing_ = true;
  const std::uint64_t generation = ++write_generation_;
  write_timer_.expires_after(state_->config.read_timeout);
  write_timer_.async_wait(
      beast::bind_front_handler(&SseSession::on_write_timeout, shared_from_this(), generation));
  net::async_write(stream_, net::buffer(*queue_.front()),
                   beast::bind_front_handler(&SseSession::on_write, shared_from_this()));
}

void SseSession::on_write(beast::error_code ec, std::size_t bytes) {
  writing_ = false;
  write_timer_.cancel();
  if (closed_) return;
  if (ec) return close("write failed");
  bytes_sent_ += bytes;
  backlog_bytes_ -= queue_.front()->size();
  queue_.pop_front();
  if (!queue_.empty()) do_write();
}

void SseSession::on_write_timeout(std::uint64_t generation, beast::error_code ec) {
  // The generation check ignores a timer that fired just as its write completed.
  if (ec || closed_ || !writing_ || generation != write_generation_) return;
  close("write timeout");
}

void SseSession::arm_keepalive() {
  keepalive_timer_.expires_after(state_->config.sse_keepalive);
  keepalive_timer_.async_wait(
      beast::bind_front_handler(&SseSession::on_keepalive, shared_from_this()));
}

void SseSession::on_keepalive(beast::error_code ec) {
  if (ec || closed_) return;
  enqueue(keepalive_frame());
  if (!closed_) arm_keepalive();
}

void SseSession::do_read() {
  // The client sends nothing more; reading only notices promptly when it goes away.
  stream_.async_read_some(net::buffer(read_buffer_),
                          beast::bind_front_handler(&SseSession::on_read, shared_from_this()));
}

void SseSession::on_read(beast::error_code ec, std::size_t) {
  if (closed_) return;
  if (ec) return close("client closed");
  do_read();
}

void SseSession::close(std::string_view why) {
  if (closed_) return;
  closed_ = true;
  subscription_.reset();
  slot_.reset();
  keepalive_timer_.cancel();
  write_timer_.cancel();
  stream_.close();
  queue_.clear();
  backlog_bytes_ = 0;
  spdlog::debug("http: SSE stream {} to {} ended: {}", target_, remote_, why);
  const std::size_t body_bytes = bytes_sent_ > head_bytes_ ? bytes_sent_ - head_bytes_ : 0;
  log_access(remote_, "GET", target_, 200, body_bytes, started_);
}

}  // namespace quantd::http::detail
