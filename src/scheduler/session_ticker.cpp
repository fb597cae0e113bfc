#include "quantd/scheduler/session_ticker.h"

namespace quantd::scheduler {

namespace {

// The last boundary of a day: the minute that starts at the close (the closing-auction print)
// completes one minute later.
TimestampMs last_boundary(const KrxCalendar& calendar, CivilDate day) {
  return calendar.session_close(day) + kMsPerMinute;
}

}  // namespace

std::optional<TimestampMs> SessionTicker::latest_completed_minute(TimestampMs now) const {
  const CivilDate today = civil_from_days(seoul_day(now));
  if (!calendar_.is_trading_day(today)) return std::nullopt;
  const TimestampMs open = calendar_.session_open(today);
  if (now < open + kMsPerMinute) return std::nullopt;  // no minute completed yet
  const TimestampMs boundary =
      std::min(floor_div(now, kMsPerMinute) * kMsPerMinute, last_boundary(calendar_, today));
  return boundary - kMsPerMinute;
}

TimestampMs SessionTicker::next_wake(TimestampMs now) const {
  CivilDate day = civil_from_days(seoul_day(now));
  if (calendar_.is_trading_day(day)) {
    const TimestampMs open = calendar_.session_open(day);
    if (now < open + kMsPerMinute) return open + kMsPerMinute;
    const TimestampMs next_boundary = (floor_div(now, kMsPerMinute) + 1) * kMsPerMinute;
    if (next_boundary <= last_boundary(calendar_, day)) return next_boundary;
  }
  day = calendar_.next_trading_day(day);
  return calendar_.session_open(day) + kMsPerMinute;
}

std::optional<TimestampMs> SessionTicker::on_wake(TimestampMs now) {
  const auto minute = latest_completed_minute(now);
  if (!minute || (last_fired_ && *minute <= *last_fired_)) return std::nullopt;
  // A minute that completed long ago (the machine slept through the session end) is stale.
  if (now - (*minute + kMsPerMinute) >= 15 * kMsPerMinute) {
    last_fired_ = minute;
    return std::nullopt;
  }
  last_fired_ = minute;
  return minute;
}

}  // namespace quantd::scheduler
