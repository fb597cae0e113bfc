// SseHub: fans published events out to every connected server-sent-events client.
//
// Design: publish() formats an event once and hands the same immutable frame to every subscriber;
// it never blocks on a client. Subscribers (the server's SSE connections) queue frames on their
// own strand and drop themselves when their backlog exceeds a bound, so one slow browser cannot
// slow publishers or other clients. The hub holds subscribers weakly; a Subscription (RAII)
// removes its subscriber and stays safe to destroy even after the hub is gone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace quantd::http {

// A receiver of SSE frames: implemented by the server's SSE connection, or by a test double.
class SseSubscriber {
 public:
  virtual ~SseSubscriber() = default;
  // Queues one complete frame ("event: X\ndata: Y\n\n"). Called from any publishing thread,
  // one delivery at a time per hub, with the hub's lock held: it must not block and must not call
  // back into the hub. The frame is shared with other subscribers.
  virtual void deliver(std::shared_ptr<const std::string> frame) = 0;
};

class SseHub {
  struct State;  // the subscriber list; shared with Subscriptions

 public:
  // Keeps a subscriber registered while alive; destroying it (or reset()) unsubscribes, and once
  // that returns the subscriber receives no further deliver() call. Movable. Safe to destroy on
  // any thread (but not from inside deliver()) and after the hub is destroyed.
  class Subscription {
   public:
    Subscription() = default;
    ~Subscription();
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    void reset();

   private:
    friend class SseHub;
    Subscription(std::weak_ptr<State> state, std::uint64_t id)
        : state_(std::move(state)), id_(id) {}
    std::weak_ptr<State> state_;
    std::uint64_t id_ = 0;
  };

  SseHub();
  ~SseHub();
  SseHub(const SseHub&) = delete;  // routers hold a reference; the hub stays put
  SseHub& operator=(const SseHub&) = delete;

  // Sends `event` with `data` to every current subscriber as
  // "event: <event>\ndata: <data>\n\n" (see format_event()). Thread-safe; callable from any
  // thread; never blocks on a client (concurrent publishers take turns for the brief fan-out).
  void publish(std::string event, std::string data);

  // Registers `subscriber` (held weakly: an expired subscriber is skipped and pruned).
  // Thread-safe. The returned Subscription must be kept for as long as frames are wanted.
  [[nodiscard]] Subscription subscribe(std::weak_ptr<SseSubscriber> subscriber);

  // The number of registered subscribers. Thread-safe; a snapshot.
  std::size_t subscriber_count() const;

  // The wire frame for one event: "event: <event>\n" (omitted if event is empty), one
  // "data: <line>\n" per line of data (CR, LF and CRLF all end a line), then "\n". CR/LF in the
  // event name are removed so an event name cannot inject fields.
  static std::string format_event(std::string_view event, std::string_view data);

 private:
  std::shared_ptr<State> state_;
};

}  // namespace quantd::http
