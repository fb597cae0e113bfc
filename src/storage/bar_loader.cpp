#include "quantd/storage/bar_loader.h"

#include <algorithm>

#include "quantd/domain/aggregate.h"

namespace quantd::storage {

Result<std::vector<domain::Bar>> load_bars(BarRepository& repo, const domain::Symbol& symbol,
                                           domain::Interval interval,
                                           std::optional<TimestampMs> from,
                                           std::optional<TimestampMs> to) {
  auto stored = repo.load(symbol, interval, from, to);
  if (!stored.ok() || !stored->empty() || interval == domain::Interval::k1m) return stored;

  // Widen the 1-minute read to whole buckets: a bucket never spans two Seoul days, so reading
  // through the end of `to`'s day completes the last one.
  const domain::BarAggregator buckets(interval);
  // Bounds beyond ±2^60 ms (36 million years) are open: the day arithmetic would overflow
  // near the limits of TimestampMs, which callers use to mean "everything".
  constexpr TimestampMs kFar = TimestampMs{1} << 60;
  std::optional<TimestampMs> lo;
  std::optional<TimestampMs> hi;
  if (from && *from > -kFar) lo = buckets.bucket_start(*from);
  if (to && *to < kFar) hi = (seoul_day(*to) + 1) * kMsPerDay - kSeoulOffsetMs - 1;
  auto minutes = repo.load(symbol, domain::Interval::k1m, lo, hi);
  if (!minutes.ok()) return minutes.status();
  std::vector<domain::Bar> bars = domain::aggregate_bars(*minutes, interval);
  std::erase_if(bars,
                [&](const domain::Bar& b) { return (from && b.ts < *from) || (to && b.ts > *to); });
  return bars;
}

}  // namespace quantd::storage
