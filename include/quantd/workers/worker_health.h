// WorkerHealth: what each thread of a worker pool last did, so the daemon's watchdog
// (core/service_watchdog.h) can tell a pool that still turns from a stuck one.
//
// A worker marks every turn of its loop (idle()), and the start and end of each message it
// handles (begin(), end()). stalled() then names a worker that neither turned within
// `loop_limit` while idle nor finished its message within `busy_limit`.
//
// Threading: the marks are lock-free atomics, each written by its own worker; stalled() may be
// called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace quantd::workers {

class WorkerHealth {
 public:
  using Clock = std::chrono::steady_clock;

  // `workers` >= 1 slots, each as if its worker had just turned.
  explicit WorkerHealth(int workers)
      : count_(workers < 1 ? 1 : workers), slots_(std::make_unique<Slot[]>(count_)) {
    for (int i = 0; i < count_; ++i) idle(i);
  }

  void idle(int worker) noexcept {
    Slot& s = slots_[worker];
    s.turned.store(now_rep(), std::memory_order_relaxed);
    s.busy_since.store(0, std::memory_order_relaxed);
  }
  void begin(int worker) noexcept {
    const Clock::rep now = now_rep();
    slots_[worker].turned.store(now, std::memory_order_relaxed);
    slots_[worker].busy_since.store(now, std::memory_order_relaxed);
  }
  void end(int worker) noexcept { idle(worker); }

  // The first stuck worker, described ("worker 1 made no loop turn for 31 s", "worker 0 has
  // been on one message for 301 s"), or nullopt when every worker is healthy. A zero
  // `busy_limit` lets a message take as long as it needs.
  std::optional<std::string> stalled(Clock::time_point now, Clock::duration loop_limit,
                                     Clock::duration busy_limit) const {
    for (int i = 0; i < count_; ++i) {
      const Slot& s = slots_[i];
      const Clock::rep busy = s.busy_since.load(std::memory_order_relaxed);
      if (busy != 0) {
        const Clock::duration age = now - Clock::time_point(Clock::duration(busy));
        if (busy_limit > Clock::duration::zero() && age > busy_limit) {
          return "worker " + std::to_string(i) + " has been on one message for " + seconds(age);
        }
        continue;
      }
      const Clock::duration age =
          now - Clock::time_point(Clock::duration(s.turned.load(std::memory_order_relaxed)));
      if (age > loop_limit) {
        return "worker " + std::to_string(i) + " made no loop turn for " + seconds(age);
      }
    }
    return std::nullopt;
  }

 private:
  struct Slot {
    std::atomic<Clock::rep> turned{0};
    std::atomic<Clock::rep> busy_since{0};  // 0: not handling a message
  };

  static Clock::rep now_rep() noexcept { return Clock::now().time_since_epoch().count(); }
  static std::string seconds(Clock::duration d) {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
  }

  const int count_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace quantd::workers
