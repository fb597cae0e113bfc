// Scheduler: wakes on KRX session minute boundaries (Asia/Seoul) and publishes one
// EvaluateSession per id it is given (the daemon's live sessions) for the minute that just
// completed, including the post-close 15:31 tick for the 15:30 bar (SessionTicker). It does
// nothing else.
//
// Threading: runs its own Asio io_context on one thread with a steady_timer. The Clock is
// injected: each wait is computed as (next boundary − clock.now()) and capped at 1 s, so a clock
// that jumps is noticed within a second, and at once after wake(). With a ManualClock tests control
// what time the scheduler believes it is. start()/stop() from one controlling thread; stop() is
// idempotent and joins. wake(), ticks(), published() and next_wake() are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "quantd/bus/messages.h"
#include "quantd/core/clock.h"
#include "quantd/core/heartbeat.h"
#include "quantd/scheduler/krx_calendar.h"

namespace quantd::scheduler {

class Scheduler {
 public:
  // Ids to evaluate, read at each tick (the daemon: its non-terminal live sessions). Called on
  // the scheduler thread; an exception skips that tick's messages (logged).
  using Ids = std::function<std::vector<std::int64_t>()>;
  // Publishes one message; returns false when the receiving side refused it (full/closed).
  // Called on the scheduler thread.
  using Publish = std::function<bool(const bus::EvaluateSession&)>;

  // One call per tick with the minute that completed, which publishes what it wants and returns
  // how many messages it published (the daemon's live service: it also opens the minute's cycle
  // record first). Called on the scheduler thread; an exception skips that tick (logged).
  using Tick = std::function<std::size_t(TimestampMs minute)>;

  // `clock` must outlive the scheduler.
  Scheduler(const Clock& clock, KrxCalendar calendar, Ids ids, Publish publish);
  Scheduler(const Clock& clock, KrxCalendar calendar, Tick tick);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Starts the thread and returns once it has read the clock and armed its timer: minutes that
  // completed before that are not published, any later clock move is. No-op if running.
  void start();
  // Cancels the wait and joins the thread. Idempotent.
  void stop();

  // Re-reads the clock at once instead of at the next (≤ 1 s) wake-up: fires the tick for a
  // minute that has completed meanwhile (coalescing as on any wake) and re-arms the timer. For a
  // clock that was just moved (POST /api/debug/clock, tests stepping a ManualClock). Returns
  // without waiting for the tick. Does nothing when the scheduler is not running.
  void wake();

  // Ticks fired and messages published since construction (for health and tests).
  std::uint64_t ticks() const { return ticks_.load(); }
  std::uint64_t published() const { return published_.load(); }
  // Next wake-up time the scheduler is waiting for (UTC ms), 0 before start.
  TimestampMs next_wake() const { return next_wake_.load(); }
  // Beats at every turn of the timer loop (at least once a second while running, see above): a
  // heartbeat much older than that means a tick is stuck. Thread-safe.
  const Heartbeat& heartbeat() const { return heartbeat_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::atomic<std::uint64_t> ticks_{0};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<TimestampMs> next_wake_{0};
  Heartbeat heartbeat_;
};

}  // namespace quantd::scheduler
