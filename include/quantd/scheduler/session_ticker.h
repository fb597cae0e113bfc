// SessionTicker: the pure timing rules of the scheduler, separate from any timer so tests can
// drive a whole simulated day.
//
// The scheduler wakes on minute boundaries. At a boundary B inside (open, close + 1 min] of a
// trading day the minute [B − 1 min, B) has just completed, and that minute is due for
// evaluation: 09:01 evaluates 09:00, ..., 15:30 evaluates 15:29, and the post-close tick at 15:31
// evaluates the 15:30 closing-auction bar, which also completes the day's last aggregated bucket
// and its daily bar (domain::bar_complete_at; LIVE.md §7.2). Boundaries are computed from
// absolute time, never by adding delays, so there is no drift. After a stall (a suspended
// machine, a long GC-like pause) the minutes missed coalesce: on_wake returns only the latest
// completed minute, never a flood; a minute that completed 15 minutes or more ago is stale and
// is not returned. Not thread-safe: owned by the scheduler's strand.
#pragma once

#include <optional>

#include "quantd/core/time.h"
#include "quantd/scheduler/krx_calendar.h"

namespace quantd::scheduler {

class SessionTicker {
 public:
  explicit SessionTicker(const KrxCalendar& calendar) : calendar_(calendar) {}

  // When to wake next: the first minute boundary after `now` that completes a session minute
  // (possibly on a later trading day; at most the day's close + 1 min).
  TimestampMs next_wake(TimestampMs now) const;

  // Called when woken at `now`: the open time of the session minute to evaluate, if one completed
  // since the last one returned; nullopt outside the session or when already fired.
  std::optional<TimestampMs> on_wake(TimestampMs now);

  // Open time of the latest session minute (open .. close, the close minute included) completed
  // at or before `now`, if any today.
  std::optional<TimestampMs> latest_completed_minute(TimestampMs now) const;

 private:
  const KrxCalendar& calendar_;
  std::optional<TimestampMs> last_fired_;
};

}  // namespace quantd::scheduler
