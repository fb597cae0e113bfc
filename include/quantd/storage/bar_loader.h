// load_bars: the one rule for reading a series of bars from storage, shared by backtests (API
// worker and CLI) and live trading (ReplaySource), so both see exactly the same bars.
//
// The rule: the stored series of `interval` when it has bars in [from, to]; otherwise the stored
// 1-minute bars aggregated to `interval` by domain::aggregate_bars (regular session, closing
// auction folded into the bucket holding 15:19, daily bars stamped at Seoul midnight). An
// aggregated bar is always built from every 1-minute bar of its bucket: the 1-minute bars are read
// from the start of the bucket holding `from` through the end of the Seoul day holding `to`, and
// only buckets stamped in [from, to] are returned. So a `from` inside a bucket never yields a
// partial first bar (that bucket starts before `from` and is left out), and the bar stamped at or
// before `to` is the whole bucket, exactly as a stored bar of that interval would be.
//
// Thread-safety: as BarRepository (each thread reads through its own connection).
#pragma once

#include <optional>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/storage/bar_repository.h"

namespace quantd::storage {

// The bars of (symbol, interval) stamped in [from, to] (a missing bound is open), ascending, by
// the rule above. An unknown series, or one without bars in the range, is an empty vector.
// Errors: internal (SQLite's message), from either read.
Result<std::vector<domain::Bar>> load_bars(BarRepository& repo, const domain::Symbol& symbol,
                                           domain::Interval interval,
                                           std::optional<TimestampMs> from,
                                           std::optional<TimestampMs> to);

}  // namespace quantd::storage
