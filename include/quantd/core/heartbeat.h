// Heartbeat: the time a loop last turned, advanced by the loop and read by a watchdog.
//
// Threading: beat() and last() are lock-free and may be called from any thread; the watchdog
// reads a value at most one beat old.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace quantd {

class Heartbeat {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts as if it had just beaten.
  Heartbeat() { beat(); }

  // Records that the loop turned now.
  void beat() noexcept {
    at_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  }

  // When the loop last turned.
  Clock::time_point last() const noexcept {
    return Clock::time_point(Clock::duration(at_.load(std::memory_order_relaxed)));
  }

  // How long ago the loop last turned (zero if it beat after `now` was read).
  Clock::duration age(Clock::time_point now = Clock::now()) const noexcept {
    const Clock::time_point at = last();
    return now > at ? now - at : Clock::duration::zero();
  }

 private:
  std::atomic<Clock::rep> at_{0};
};

}  // namespace quantd
