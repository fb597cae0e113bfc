// Market data for live sessions: where completed bars come from, and a per-minute cache so each
// symbol is read once per minute however many sessions use it.
//
// Design note. A MinuteBarSource hands out bars as its origin has them: stored bars for the
// replay feed, the broker's chart for KIS (issue 11). A source may show a bar that is still in
// progress (KIS shows the current minute; ReplaySource can be asked to, to prove no look-ahead):
// MarketDataService is the one place that decides what is complete (domain::bar_complete_at), so
// a strategy never sees a bar before its interval has passed (LIVE.md I7, §7.2), whatever the
// source does.
//
// Bars of an interval longer than 1m come from the same loader rule as backtests: the stored
// series of that interval when it has bars in the range, otherwise 1-minute bars aggregated by
// domain::aggregate_bars. So a live session sees exactly the bars a backtest of the same data
// sees.
//
// Threading: MarketDataService is thread-safe (live workers and the paper broker call it
// concurrently); its cache is guarded by one mutex held only for lookups, never during a load.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"

namespace quantd::storage {
class Database;
}

namespace quantd::live {

class MinuteBarSource {
 public:
  virtual ~MinuteBarSource() = default;
  // Bars of `symbol` at `interval` with from <= ts <= to (open times), ascending, as the source
  // has them when asked at `now` (possibly including one still in progress). Complete or an
  // error; an unknown symbol is an empty list.
  virtual Result<std::vector<domain::Bar>> bars(const domain::Symbol& symbol,
                                                domain::Interval interval, TimestampMs from,
                                                TimestampMs to, TimestampMs now) = 0;
  // "replay", "kis", ...
  virtual std::string_view name() const = 0;
};

// The replay feed (`live.feed = "replay"`): stored bars, released as the daemon's clock passes
// their completion. With `expose_in_progress` it also hands out the bar still in progress at
// `now` (what a careless live source would do); MarketDataService must drop it.
class ReplaySource final : public MinuteBarSource {
 public:
  explicit ReplaySource(storage::Database& db, bool expose_in_progress = false)
      : db_(db), expose_in_progress_(expose_in_progress) {}
  Result<std::vector<domain::Bar>> bars(const domain::Symbol& symbol, domain::Interval interval,
                                        TimestampMs from, TimestampMs to, TimestampMs now) override;
  std::string_view name() const override { return "replay"; }

 private:
  storage::Database& db_;
  bool expose_in_progress_;
};

class MarketDataService {
 public:
  // `source` is not owned and must outlive the service.
  explicit MarketDataService(MinuteBarSource& source) : source_(source) {}

  // Completed bars of (symbol, interval) with ts > after_ts, as of `now`, ascending. A bar is
  // complete when now >= domain::bar_complete_at(bar.ts, interval). Served from the per-minute
  // cache when another caller asked for the same series in the same minute. Errors: the source's.
  Result<std::vector<domain::Bar>> completed(const domain::Symbol& symbol,
                                             domain::Interval interval, TimestampMs after_ts,
                                             TimestampMs now);

  // The first completed bar of (symbol, interval) with ts >= from_ts, if there is one at `now`.
  Result<std::optional<domain::Bar>> first_completed(const domain::Symbol& symbol,
                                                     domain::Interval interval, TimestampMs from_ts,
                                                     TimestampMs now);

  // The close of the latest completed 1-minute bar at `now` (the paper broker's last price).
  Result<std::optional<domain::Bar>> last_bar(const domain::Symbol& symbol, TimestampMs now);

  // Loads through the cache (hits and misses since start, for tests and health).
  std::uint64_t hits() const;
  std::uint64_t misses() const;

  MinuteBarSource& source() { return source_; }

 private:
  struct Entry {
    TimestampMs minute = 0;         // the minute (floor of now) this entry was computed for
    TimestampMs from = 0;           // bars with ts >= from are in `bars`
    std::vector<domain::Bar> bars;  // completed at `minute`
  };
  using Key = std::pair<std::string, domain::Interval>;

  MinuteBarSource& source_;
  mutable std::mutex mu_;
  std::map<Key, std::shared_ptr<const Entry>> cache_;  // guarded by mu_
  std::uint64_t hits_ = 0;                             // guarded by mu_
  std::uint64_t misses_ = 0;                           // guarded by mu_
};

}  // namespace quantd::live
