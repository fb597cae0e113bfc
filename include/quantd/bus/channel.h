// Channel<T>: a typed, bounded, multi-producer multi-consumer queue — the bus between components.
//
// Design: a mutex-guarded ring of fixed capacity with two condition variables. Every pushed item
// is delivered to exactly one pop (nothing lost, nothing twice). close() wakes every waiter:
// after it, push fails with kUnavailable and pop drains what is left, then reports closed.
// Messages are small value types carrying ids, so a networked implementation could replace this
// without touching producers or consumers. All members are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include "quantd/core/status.h"

namespace quantd::bus {

enum class PushMode {
  kBlock,     // wait while full (until closed)
  kFailFast,  // return resource_exhausted at once when full
};

enum class PopResult { kItem, kTimeout, kClosed };

template <typename T>
class Channel {
 public:
  // capacity >= 1.
  explicit Channel(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // Enqueues `item`. Errors: unavailable when closed (also when closed while blocked);
  // resource_exhausted when full and mode is kFailFast.
  Status push(T item, PushMode mode = PushMode::kBlock) {
    std::unique_lock lock(mu_);
    if (mode == PushMode::kBlock) {
      not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    }
    if (closed_) return Status::unavailable("channel closed");
    if (items_.size() >= capacity_) return Status::resource_exhausted("channel full");
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
    return {};
  }

  // Dequeues into `out`, waiting up to `timeout`. Returns kItem, kTimeout, or kClosed once the
  // channel is closed and drained.
  template <typename Rep, typename Period>
  PopResult pop(T& out, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock lock(mu_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); })) {
      return PopResult::kTimeout;
    }
    if (items_.empty()) return PopResult::kClosed;
    out = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return PopResult::kItem;
  }

  // Non-blocking pop: the item, or nullopt when empty (or closed and drained).
  std::optional<T> try_pop() {
    std::unique_lock lock(mu_);
    if (items_.empty()) return std::nullopt;
    T out = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return out;
  }

  // Idempotent. Wakes all blocked producers and consumers.
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return closed_;
  }
  std::size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;  // guarded by mu_; never grows past capacity_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace quantd::bus
