// Reading KIS's price charts (PROTOCOL §4.2, §4.3), shared by the live feed (KisChartSource) and
// the history download (download_bars): every page of a range, newest-first answers put in time
// order, each bar once.
#pragma once

#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/kis/kis_rest.h"

namespace quantd::kis {

// Daily bars of `symbol` dated first..last (Seoul dates) from inquire-daily-itemchartprice,
// unadjusted, walking back 100 rows a call. Ascending. Errors: the query's.
Result<std::vector<domain::Bar>> daily_chart(KisRest& rest, const domain::Symbol& symbol,
                                             CivilDate first, CivilDate last, Priority priority);

// Today's 1-minute bars of `symbol` stamped in [from, until] from inquire-time-itemchartprice,
// walking back 30 rows a call from `until` to `from` or the 09:00 open. `today` is the broker's
// date (the chart has no other day). Ascending; the newest may be a minute still in progress.
// Errors: the query's.
Result<std::vector<domain::Bar>> today_minutes(KisRest& rest, const domain::Symbol& symbol,
                                               TimestampMs from, TimestampMs until, CivilDate today,
                                               Priority priority);

}  // namespace quantd::kis
