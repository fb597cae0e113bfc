// Market: the replayed 1-minute bars and everything the mock derives from them at a mock time —
// the last price, today's open/high/low and volume, minute and daily chart rows, the previous
// close and the daily price band (PROTOCOL §7.2, §7.3).
//
// Time model (README.md "Bars and time"): bar T (its open time, KST) trades during [T, T+1 min).
// At mock time `now` a bar is complete when now >= T + 1 min; while T <= now < T + 1 min it is in
// progress and only its opening print is known: open = high = low = close = its open, volume
// prorated by the elapsed share of the minute. A bar with T > now has not happened.
//
// Prices are integral KRW (bar prices are rounded to the won). Immutable after construction, so
// every const member is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/krx.h"

namespace quantd::kis_mock {

struct MinuteRow {
  TimestampMs ts = 0;  // open time
  std::int64_t open = 0, high = 0, low = 0, close = 0, volume = 0;
  bool in_progress = false;
};

struct DayRow {
  std::int64_t day = 0;  // Seoul days since epoch
  std::int64_t open = 0, high = 0, low = 0, close = 0, volume = 0;
  std::int64_t value = 0;  // traded value, Σ close × volume of its minutes (KRW)
};

struct PriceLimits {
  std::int64_t base = 0;   // stck_sdpr: the previous close (or the first open without history)
  std::int64_t width = 0;  // rstc_wdth_prc: 30 % of base truncated to base's tick
  std::int64_t upper = 0;  // stck_mxpr
  std::int64_t lower = 0;  // stck_llam
};

// What inquire-price and the chart summaries show at a mock time.
struct Quote {
  std::int64_t price = 0;                    // the last print today, else the previous close
  std::int64_t open = 0, high = 0, low = 0;  // today's, 0 before the first print
  std::int64_t volume = 0, value = 0;        // today's cumulative
  PriceLimits limits;
  std::optional<DayRow> previous_day;  // the last day before today with bars
};

class Market {
 public:
  // `bars` per symbol (any order; sorted here). `markets` and `names` are optional per symbol.
  Market(std::map<std::string, std::vector<domain::Bar>> bars,
         std::map<std::string, domain::Market> markets, std::map<std::string, std::string> names);

  bool has(const std::string& symbol) const { return symbols_.count(symbol) != 0; }
  std::vector<std::string> symbols() const;
  // The Korean name (a built-in table for well-known codes, --name, else the code itself).
  std::string name(const std::string& symbol) const;
  domain::Market market_of(const std::string& symbol) const;
  // The earliest bar of any symbol; nullopt without bars.
  std::optional<TimestampMs> first_bar_ts() const;

  // The rows of day `day` (Seoul days) with open time <= `upto`, as they are at `now`: complete
  // bars, plus the in-progress one when `include_in_progress`; ascending. Precondition: has().
  std::vector<MinuteRow> minute_rows(const std::string& symbol, std::int64_t day, TimestampMs upto,
                                     TimestampMs now, bool include_in_progress) const;

  // Daily rows up to and including `now`'s day (today's from what has traded by `now`),
  // ascending. Precondition: has().
  std::vector<DayRow> day_rows(const std::string& symbol, TimestampMs now) const;

  // The quote at `now`. Precondition: has().
  Quote quote(const std::string& symbol, TimestampMs now) const;

  // The price band of `symbol` on Seoul day `day` (§7.3). Precondition: has().
  PriceLimits limits(const std::string& symbol, std::int64_t day) const;

  // The tick size at `price` on Seoul day `day` for this symbol's market (§7.2).
  std::int64_t tick(const std::string& symbol, std::int64_t price, std::int64_t day) const;

  // The bars of `symbol` with open time in [from, to), ascending. Precondition: has().
  std::vector<MinuteRow> bars_between(const std::string& symbol, TimestampMs from,
                                      TimestampMs to) const;

 private:
  struct Series {
    std::vector<MinuteRow> bars;         // complete values, ascending
    std::vector<DayRow> days;            // complete-day aggregates, ascending
    std::vector<std::size_t> day_begin;  // index of each day's first bar in `bars`
  };
  const Series& series(const std::string& symbol) const { return symbols_.at(symbol); }

  std::map<std::string, Series> symbols_;
  std::map<std::string, domain::Market> markets_;
  std::map<std::string, std::string> names_;
};

// A bar as seen at `now` (see the time model), or nullopt when it has not started.
std::optional<MinuteRow> row_at(const MinuteRow& bar, TimestampMs now);

}  // namespace quantd::kis_mock
