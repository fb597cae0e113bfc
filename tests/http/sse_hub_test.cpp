// SseHub fan-out and framing, with test subscribers instead of sockets.
#include "quantd/http/sse_hub.h"

#include <doctest/doctest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace quantd::http {
namespace {

class Recorder final : public SseSubscriber {
 public:
  void deliver(std::shared_ptr<const std::string> frame) override {
    std::lock_guard lock(mu_);
    frames_.push_back(*frame);
  }
  std::vector<std::string> frames() const {
    std::lock_guard lock(mu_);
    return frames_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> frames_;
};

TEST_CASE("format_event frames events and splits data lines") {
  CHECK(SseHub::format_event("order", "{\"id\":1}") == "event: order\ndata: {\"id\":1}\n\n");
  CHECK(SseHub::format_event("", "x") == "data: x\n\n");
  CHECK(SseHub::format_event("e", "") == "event: e\ndata: \n\n");
  CHECK(SseHub::format_event("e", "a\nb\r\nc\rd") ==
        "event: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  CHECK(SseHub::format_event("e", "a\n") == "event: e\ndata: a\n\n");
  CHECK(SseHub::format_event("e", "a\n\nb") == "event: e\ndata: a\ndata: \ndata: b\n\n");
  // An event name cannot smuggle in extra fields.
  CHECK(SseHub::format_event("x\ndata: evil\r", "ok") == "event: xdata: evil\ndata: ok\n\n");
}

TEST_CASE("publish reaches every subscriber; unsubscribing and expiry stop delivery") {
  SseHub hub;
  auto a = std::make_shared<Recorder>();
  auto b = std::make_shared<Recorder>();
  SseHub::Subscription sa = hub.subscribe(a);
  SseHub::Subscription sb = hub.subscribe(b);
  CHECK(hub.subscriber_count() == 2);

  hub.publish("tick", "1");
  CHECK(a->frames() == std::vector<std::string>{"event: tick\ndata: 1\n\n"});
  CHECK(b->frames() == a->frames());

  sb.reset();
  CHECK(hub.subscriber_count() == 1);
  hub.publish("tick", "2");
  CHECK(a->frames().size() == 2);
  CHECK(b->frames().size() == 1);

  // An expired subscriber is skipped and pruned even if its Subscription lives on.
  auto c = std::make_shared<Recorder>();
  SseHub::Subscription sc = hub.subscribe(c);
  c.reset();
  hub.publish("tick", "3");
  CHECK(hub.subscriber_count() == 1);

  SseHub::Subscription moved = std::move(sa);
  hub.publish("tick", "4");
  CHECK(a->frames().size() == 4);
  moved = SseHub::Subscription();
  CHECK(hub.subscriber_count() == 0);
}

TEST_CASE("a subscription may outlive its hub") {
  auto a = std::make_shared<Recorder>();
  SseHub::Subscription s;
  {
    SseHub hub;
    s = hub.subscribe(a);
  }
  s.reset();  // must not touch the destroyed hub
  CHECK(a->frames().empty());
}

TEST_CASE("publish is safe from many threads at once") {
  SseHub hub;
  auto a = std::make_shared<Recorder>();
  SseHub::Subscription sa = hub.subscribe(a);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&hub, t] {
      const std::string event = std::string("t").append(std::to_string(t));
      for (int i = 0; i < 250; ++i) hub.publish(event, std::to_string(i));
    });
  }
  // Subscribe and unsubscribe concurrently with the publishers.
  for (int i = 0; i < 100; ++i) {
    auto extra = std::make_shared<Recorder>();
    SseHub::Subscription s = hub.subscribe(extra);
  }
  for (auto& thread : threads) thread.join();
  CHECK(a->frames().size() == 1000);
  CHECK(hub.subscriber_count() == 1);
}

}  // namespace
}  // namespace quantd::http
