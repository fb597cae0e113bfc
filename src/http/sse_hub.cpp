#include "quantd/http/sse_hub.h"

#include <mutex>
#include <utility>
#include <vector>

namespace quantd::http {

struct SseHub::State {
  std::mutex mu;
  std::uint64_t next_id = 1;                                                    // guarded by mu
  std::vector<std::pair<std::uint64_t, std::weak_ptr<SseSubscriber>>> members;  // guarded by mu

  void remove(std::uint64_t id) {
    std::lock_guard lock(mu);
    std::erase_if(members, [id](const auto& m) { return m.first == id; });
  }
};

SseHub::Subscription::~Subscription() { reset(); }

SseHub::Subscription::Subscription(Subscription&& other) noexcept
    : state_(std::move(other.state_)), id_(std::exchange(other.id_, 0)) {}

SseHub::Subscription& SseHub::Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    reset();
    state_ = std::move(other.state_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void SseHub::Subscription::reset() {
  if (auto state = state_.lock()) state->remove(id_);
  state_.reset();
  id_ = 0;
}

SseHub::SseHub() : state_(std::make_shared<State>()) {}
SseHub::~SseHub() = default;

void SseHub::publish(std::string event, std::string data) {
  auto frame = std::make_shared<const std::string>(format_event(event, data));
  // Declared before the lock so the last reference to a subscriber, if dropped here, is dropped
  // after unlocking (its Subscription's destructor takes the lock).
  std::vector<std::shared_ptr<SseSubscriber>> targets;
  std::lock_guard lock(state_->mu);
  targets.reserve(state_->members.size());
  std::erase_if(state_->members, [&](const auto& m) {
    auto subscriber = m.second.lock();
    if (!subscriber) return true;
    targets.push_back(std::move(subscriber));
    return false;
  });
  // Delivering under the lock is what lets Subscription::reset() promise that no delivery is in
  // progress or still to come once it returns; deliver() only queues, so the lock is held briefly.
  for (const auto& subscriber : targets) subscriber->deliver(frame);
}

SseHub::Subscription SseHub::subscribe(std::weak_ptr<SseSubscriber> subscriber) {
  std::lock_guard lock(state_->mu);
  const std::uint64_t id = state_->next_id++;
  state_->members.emplace_back(id, std::move(subscriber));
  return Subscription(state_, id);
}

std::size_t SseHub::subscriber_count() const {
  std::lock_guard lock(state_->mu);
  return state_->members.size();
}

std::string SseHub::format_event(std::string_view event, std::string_view data) {
  std::string frame;
  frame.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    frame += "event: ";
    for (char c : event) {
      if (c != '\r' && c != '\n') frame += c;
    }
    frame += '\n';
  }
  // Every line of data gets its own "data:" field; the browser joins them back with '\n'.
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find_first_of("\r\n", start);
    frame += "data: ";
    frame +=
        data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    frame += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
    if (start == data.size()) break;  // a trailing newline does not add an empty line
  }
  frame += '\n';
  return frame;
}

}  // namespace quantd::http
