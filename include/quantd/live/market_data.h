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
  // `db` (migrated) is not owned and must outlive the source. Thread-safe (each thread reads
  // through its own connection).
  explicit ReplaySource(storage::Database& db, bool expose_in_progress = false)
      : db_(db), expose_in_progress_(expose_in_progress) {}
  // The bars storage::load_bars gives for [from, to] (stored series, else aggregated 1m bars),
  // those complete at `now` only. With expose_in_progress, also the bar in progress at `now`:
  // for 1m the stored bar of now's minute; otherwise the stored bar of the current bucket, or the
  // bucket aggregated from its stored 1m bars up to and including now's minute. Errors: internal.
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

  // Completed bars of (symbol, interval) with ts > after_ts (the last bar the caller already
  // has; std::numeric_limits<TimestampMs>::min() for all), as of `now`, ascending. A bar is
  // complete when now >= domain::bar_complete_at(bar.ts, interval); the answer stops at the
  // first bar that is not, so bars are handed out in time order and none is skipped.
  // Cache: one entry per (symbol, interval) and minute (floor of `now`). A call in the same
  // minute whose range the entry covers is a hit and reads nothing; otherwise the source is read
  // once for [after_ts + 1, now] (widened to the entry's range in the same minute) and the entry
  // replaced. The lock is held only for the lookup: two threads missing the same series at once
  // may both read the source (equal answers; one is kept). Bars are assumed stamped on whole
  // minutes, as bar_complete_at's moments are, so an entry stays valid for its minute.
  // Errors: the source's (a failed read is not cached).
  Result<std::vector<domain::Bar>> completed(const domain::Symbol& symbol,
                                             domain::Interval interval, TimestampMs after_ts,
                                             TimestampMs now);

  // The first completed bar of (symbol, interval) with ts >= from_ts at `now`, or nullopt when
  // it has not completed yet (or does not exist). Through the same cache; errors as completed().
  Result<std::optional<domain::Bar>> first_completed(const domain::Symbol& symbol,
                                                     domain::Interval interval, TimestampMs from_ts,
                                                     TimestampMs now);

  // The latest completed 1-minute bar at `now` (its close is the paper broker's last price):
  // looked for within 1, then 10, then 400 days before `now`; nullopt when there is none.
  // Through the same cache; errors as completed().
  Result<std::optional<domain::Bar>> last_bar(const domain::Symbol& symbol, TimestampMs now);

  // Lookups served from the cache / that read the source, since construction (tests, health).
  // Thread-safe.
  std::uint64_t hits() const;
  std::uint64_t misses() const;

  MinuteBarSource& source() { return source_; }

 private:
  struct Entry {
    TimestampMs minute = 0;         // the minute (floor of now) this entry was loaded in
    TimestampMs from = 0;           // every bar of the source with ts >= from is in `bars`
    std::vector<domain::Bar> bars;  // the source's answer, ascending; may hold one in progress,
                                    // so each call filters by completion at its own `now`
  };
  using Key = std::pair<std::string, domain::Interval>;

  // The cached source answer for (symbol, interval) holding every bar with ts >= from, loaded in
  // now's minute; loads it (without holding mu_) when missing, older or narrower.
  Result<std::shared_ptr<const Entry>> lookup(const domain::Symbol& symbol,
                                              domain::Interval interval, TimestampMs from,
                                              TimestampMs now);

  MinuteBarSource& source_;
  mutable std::mutex mu_;
  std::map<Key, std::shared_ptr<const Entry>> cache_;  // guarded by mu_
  std::uint64_t hits_ = 0;                             // guarded by mu_
  std::uint64_t misses_ = 0;                           // guarded by mu_
};

}  // namespace quantd::live
