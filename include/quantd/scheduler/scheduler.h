// Scheduler: wakes on KRX session minute boundaries (Asia/Seoul) and publishes one
// EvaluateStrategy per active strategy for the minute that just completed. It does nothing else.
//
// Threading: runs its own Asio io_context on one thread with a steady_timer. The Clock is
// injected: each wait is computed as (next boundary − clock.now()), so with a ManualClock tests
// control what time the scheduler believes it is. start()/stop() from one controlling thread;
// stop() is idempotent and joins.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "quantd/bus/messages.h"
#include "quantd/core/clock.h"
#include "quantd/scheduler/krx_calendar.h"

namespace quantd::scheduler {

class Scheduler {
 public:
  // Ids of the strategies to evaluate, read at each tick (from storage in the daemon).
  using ActiveStrategies = std::function<std::vector<std::int64_t>()>;
  // Publishes one message; returns false when the receiving channel refused it (full/closed).
  using Publish = std::function<bool(const bus::EvaluateStrategy&)>;

  Scheduler(const Clock& clock, KrxCalendar calendar, ActiveStrategies active, Publish publish);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void start();
  void stop();

  // Ticks fired and messages published since start (for health and tests).
  std::uint64_t ticks() const { return ticks_.load(); }
  std::uint64_t published() const { return published_.load(); }
  // Next wake-up time the scheduler is waiting for (UTC ms), 0 before start.
  TimestampMs next_wake() const { return next_wake_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint64_t> ticks_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<TimestampMs> next_wake_{0};
};

}  // namespace quantd::scheduler
