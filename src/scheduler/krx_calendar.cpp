#include "quantd/scheduler/krx_calendar.h"

namespace quantd::scheduler {

KrxCalendar::KrxCalendar(std::vector<CivilDate> holidays)
    : holidays_(holidays.begin(), holidays.end()) {}

bool KrxCalendar::is_trading_day(CivilDate date) const {
  const int wd = weekday_from_days(days_from_civil(date));
  return wd != 0 && wd != 6 && !holidays_.contains(date);
}

bool KrxCalendar::is_first_trading_day_of_year(CivilDate date) const {
  for (CivilDate d{date.year, 1, 1}; d < date; d = civil_from_days(days_from_civil(d) + 1)) {
    if (is_trading_day(d)) return false;
  }
  return true;
}

TimestampMs KrxCalendar::session_open(CivilDate date) const {
  return from_seoul(date, is_first_trading_day_of_year(date) ? 10 : 9, 0);
}

TimestampMs KrxCalendar::session_close(CivilDate date) const { return from_seoul(date, 15, 30); }

CivilDate KrxCalendar::next_trading_day(CivilDate date) const {
  CivilDate d = civil_from_days(days_from_civil(date) + 1);
  while (!is_trading_day(d)) d = civil_from_days(days_from_civil(d) + 1);
  return d;
}

}  // namespace quantd::scheduler
