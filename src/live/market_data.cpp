#include "quantd/live/market_data.h"

#include <algorithm>
#include <array>
#include <limits>

#include "quantd/domain/aggregate.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/bar_repository.h"

namespace quantd::live {

namespace {

TimestampMs floor_minute(TimestampMs ts) { return floor_div(ts, kMsPerMinute) * kMsPerMinute; }

// after_ts + 1 without overflowing when the caller asks for everything.
TimestampMs first_after(TimestampMs after_ts) {
  return after_ts == std::numeric_limits<TimestampMs>::max() ? after_ts : after_ts + 1;
}

// The leading run of `bars` (ascending) from the first with ts >= from that is complete at `now`.
// It stops at the first incomplete bar rather than skipping it, so a caller that remembers the
// last bar it got never misses one (a stored series whose bars complete out of order, such as an
// unfolded 15:20 bar after the 15:15 bucket, is handed out in time order).
std::pair<std::vector<domain::Bar>::const_iterator, std::vector<domain::Bar>::const_iterator>
completed_run(const std::vector<domain::Bar>& bars, domain::Interval interval, TimestampMs from,
              TimestampMs now) {
  auto first = std::lower_bound(bars.begin(), bars.end(), from,
                                [](const domain::Bar& b, TimestampMs t) { return b.ts < t; });
  auto last = first;
  while (last != bars.end() && domain::bar_complete_at(last->ts, interval) <= now) ++last;
  return {first, last};
}

}  // namespace

Result<std::vector<domain::Bar>> ReplaySource::bars(const domain::Symbol& symbol,
                                                    domain::Interval interval, TimestampMs from,
                                                    TimestampMs to, TimestampMs now) {
  storage::BarRepository repo(db_);
  auto loaded = storage::load_bars(repo, symbol, interval, from, to);
  if (!loaded.ok()) return loaded.status();
  std::vector<domain::Bar> out = std::move(loaded).value();
  std::erase_if(
      out, [&](const domain::Bar& b) { return domain::bar_complete_at(b.ts, interval) > now; });
  if (!expose_in_progress_) return out;

  // The bar in progress at `now`, as a careless live source would show it: the stored bar of
  // the current bucket, or the bucket aggregated from its 1-minute bars up to and including the
  // minute in progress.
  const TimestampMs minute = floor_minute(now);
  const TimestampMs bucket = interval == domain::Interval::k1m
                                 ? minute
                                 : domain::BarAggregator(interval).bucket_start(minute);
  if (bucket < from || bucket > to || domain::bar_complete_at(bucket, interval) <= now) return out;
  if (!out.empty() && out.back().ts >= bucket) return out;
  auto native = repo.load(symbol, interval, bucket, bucket);
  if (!native.ok()) return native.status();
  if (!native->empty()) {
    out.push_back(native->front());
    return out;
  }
  if (interval == domain::Interval::k1m) return out;
  auto minutes = repo.load(symbol, domain::Interval::k1m, bucket, minute);
  if (!minutes.ok()) return minutes.status();
  const domain::BarAggregator buckets(interval);
  std::erase_if(*minutes,
                [&](const domain::Bar& b) { return buckets.bucket_start(b.ts) != bucket; });
  const std::vector<domain::Bar> partial = domain::aggregate_bars(*minutes, interval);
  if (!partial.empty() && partial.back().ts == bucket) out.push_back(partial.back());
  return out;
}

Result<std::shared_ptr<const MarketDataService::Entry>> MarketDataService::lookup(
    const domain::Symbol& symbol, domain::Interval interval, TimestampMs from, TimestampMs now) {
  const TimestampMs minute = floor_minute(now);
  Key key{symbol.str(), interval};
  TimestampMs load_from = from;
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second->minute == minute) {
      if (it->second->from <= from) {
        ++hits_;
        return it->second;
      }
      load_from = std::min(load_from, it->second->from);  // widen rather than narrow
    }
    ++misses_;
  }
  // Loaded without the lock: a slow source never blocks readers of other series. Two callers
  // missing the same series at once both load it; the answers are equal and one is kept.
  auto loaded = source_.bars(symbol, interval, load_from, now, now);
  if (!loaded.ok()) return loaded.status();
  auto entry = std::make_shared<Entry>();
  entry->minute = minute;
  entry->from = load_from;
  entry->bars = std::move(loaded).value();
  std::lock_guard lock(mu_);
  auto& slot = cache_[key];
  if (!slot || slot->minute < minute || (slot->minute == minute && slot->from > load_from)) {
    slot = entry;
  }
  return std::shared_ptr<const Entry>(std::move(entry));
}

Result<std::vector<domain::Bar>> MarketDataService::completed(const domain::Symbol& symbol,
                                                              domain::Interval interval,
                                                              TimestampMs after_ts,
                                                              TimestampMs now) {
  const TimestampMs from = first_after(after_ts);
  auto entry = lookup(symbol, interval, from, now);
  if (!entry.ok()) return entry.status();
  auto [first, last] = completed_run((*entry)->bars, interval, from, now);
  return std::vector<domain::Bar>(first, last);
}

Result<std::optional<domain::Bar>> MarketDataService::first_completed(const domain::Symbol& symbol,
                                                                      domain::Interval interval,
                                                                      TimestampMs from_ts,
                                                                      TimestampMs now) {
  auto entry = lookup(symbol, interval, from_ts, now);
  if (!entry.ok()) return entry.status();
  auto [first, last] = completed_run((*entry)->bars, interval, from_ts, now);
  if (first == last) return std::optional<domain::Bar>();
  return std::optional<domain::Bar>(*first);
}

Result<std::optional<domain::Bar>> MarketDataService::last_bar(const domain::Symbol& symbol,
                                                               TimestampMs now) {
  // Widening windows: today's bar in the common case, else the last trading day before a
  // weekend or holiday, else anything within about a year.
  constexpr std::array<std::int64_t, 3> kWindowDays = {1, 10, 400};
  for (std::int64_t days : kWindowDays) {
    const TimestampMs from = now - days * kMsPerDay;
    auto entry = lookup(symbol, domain::Interval::k1m, from, now);
    if (!entry.ok()) return entry.status();
    auto [first, last] = completed_run((*entry)->bars, domain::Interval::k1m, from, now);
    if (first != last) return std::optional<domain::Bar>(*(last - 1));
  }
  return std::optional<domain::Bar>();
}

std::uint64_t MarketDataService::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

std::uint64_t MarketDataService::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace quantd::live
