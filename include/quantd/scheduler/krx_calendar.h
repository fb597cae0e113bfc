// KrxCalendar: which days KRX trades and when its regular session runs (Asia/Seoul).
//
// Regular session 09:00–15:30 KST on weekdays that are not holidays. The first trading day of a
// year opens at 10:00 (KRX's New Year opening ceremony); other irregular days (the CSAT day) are
// not modelled. Immutable after construction; thread-safe.
#pragma once

#include <set>
#include <vector>

#include "quantd/core/time.h"

namespace quantd::scheduler {

class KrxCalendar {
 public:
  explicit KrxCalendar(std::vector<CivilDate> holidays);

  // Weekday and not a holiday.
  bool is_trading_day(CivilDate date) const;
  // Session open and close on `date` as UTC ms; only meaningful on trading days.
  TimestampMs session_open(CivilDate date) const;
  TimestampMs session_close(CivilDate date) const;
  // The first trading day strictly after `date`.
  CivilDate next_trading_day(CivilDate date) const;

 private:
  bool is_first_trading_day_of_year(CivilDate date) const;
  std::set<CivilDate> holidays_;
};

}  // namespace quantd::scheduler
