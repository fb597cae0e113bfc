// SseSession: one server-sent-events stream (internal to http).
//
// Created by an HttpSession that routed a GET to an SSE route; takes over its socket and strand.
// Frames from the hub are queued on the strand and written one at a time. The stream ends when
// the client goes away, a write stalls past read_timeout, the backlog exceeds
// sse_max_backlog_bytes, or the server stops.
#pragma once

#include <array>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "quantd/http/sse_hub.h"
#include "server_internal.h"
#include "transport_internal.h"

namespace quantd::http::detail {

class SseSession final : public Connection,
                         public SseSubscriber,
                         public std::enable_shared_from_this<SseSession> {
 public:
  // `slot` is the stream's place under the server's stream limits, given back when it ends.
  SseSession(Transport&& stream, std::shared_ptr<ServerState> state, std::string remote,
             std::string target, std::chrono::steady_clock::time_point started, StreamSlot slot);
  ~SseSession() override;

  // Subscribes to `hub`, sends the response head and starts the stream. Must run on the socket's
  // strand.
  void run(SseHub& hub);

  void deliver(std::shared_ptr<const std::string> frame) override;  // any thread
  void shutdown() override;                                         // any thread

 private:
  void enqueue(std::shared_ptr<const std::string> frame);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void on_write_timeout(std::uint64_t generation, beast::error_code ec);
  void arm_keepalive();
  void on_keepalive(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void close(std::string_view why);

  // Everything below is touched only on the socket's strand.
  Transport stream_;
  std::shared_ptr<ServerState> state_;
  std::string remote_;
  std::string target_;
  std::chrono::steady_clock::time_point started_;
  net::steady_timer keepalive_timer_;
  net::steady_timer write_timer_;
  SseHub::Subscription subscription_;
  StreamSlot slot_;
  std::deque<std::shared_ptr<const std::string>> queue_;  // front is being written
  std::size_t backlog_bytes_ = 0;
  std::size_t head_bytes_ = 0;  // the response head, not counted in the access log
  std::size_t bytes_sent_ = 0;
  std::uint64_t write_generation_ = 0;
  std::uint64_t id_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  std::array<char, 512> read_buffer_{};
};

}  // namespace quantd::http::detail
