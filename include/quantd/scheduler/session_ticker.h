// SessionTicker: the pure timing rules of the scheduler, separate from any timer so tests can
// drive a whole simulated day.
//
// The scheduler wakes on minute boundaries. At a boundary B inside (open, close] of a trading day
// the minute [B − 1 min, B) has just completed, and that minute is due for evaluation. Boundaries
// are computed from absolute time, never by adding delays, so there is no drift. After a stall
// (a suspended machine, a long GC-like pause) the minutes missed coalesce: on_wake returns only
// the latest completed minute, never a flood. Not thread-safe: owned by the scheduler's strand.
#pragma once

#include <optional>

#include "quantd/core/time.h"
#include "quantd/scheduler/krx_calendar.h"

namespace quantd::scheduler {

class SessionTicker {
 public:
  explicit SessionTicker(const KrxCalendar& calendar) : calendar_(calendar) {}

  // When to wake next: the first minute boundary after `now` that completes a session minute
  // (possibly on a later trading day).
  TimestampMs next_wake(TimestampMs now) const;

  // Called when woken at `now`: the open time of the session minute to evaluate, if one completed
  // since the last one returned; nullopt outside the session or when already fired.
  std::optional<TimestampMs> on_wake(TimestampMs now);

  // Open time of the latest session minute completed at or before `now`, if any today.
  std::optional<TimestampMs> latest_completed_minute(TimestampMs now) const;

 private:
  const KrxCalendar& calendar_;
  std::optional<TimestampMs> last_fired_;
};

}  // namespace quantd::scheduler
