// Clock: the one seam through which components read the time, so tests can drive simulated time.
//
// SystemClock reads the real clock. ManualClock is advanced by tests; it is thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "quantd/core/time.h"

namespace quantd {

class Clock {
 public:
  virtual ~Clock() = default;
  // The current wall-clock time in UTC epoch milliseconds. Thread-safe.
  virtual TimestampMs now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimestampMs now() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampMs start) : now_(start) {}
  TimestampMs now() const override { return now_.load(); }
  void set(TimestampMs t) { now_.store(t); }
  void advance(std::int64_t ms) { now_.fetch_add(ms); }
  // Moves the clock to `t` unless `t` is earlier than now; returns false (clock unchanged) then.
  // Atomic against concurrent callers, so two of them never take the clock backwards.
  bool advance_to(TimestampMs t) {
    TimestampMs current = now_.load();
    while (current <= t) {
      if (now_.compare_exchange_weak(current, t)) return true;
    }
    return false;
  }

 private:
  std::atomic<TimestampMs> now_;
};

}  // namespace quantd
