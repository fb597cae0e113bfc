#include "quantd/domain/aggregate.h"

#include <algorithm>

namespace quantd::domain {

namespace {

constexpr std::int64_t kSessionOpenMs = 9 * kMsPerHour;
constexpr std::int64_t kClosingAuctionMs = 15 * kMsPerHour + 30 * kMsPerMinute;
// The last minute of continuous trading (15:19–15:20); the call auction follows until 15:30.
constexpr std::int64_t kLastContinuousMs = 15 * kMsPerHour + 19 * kMsPerMinute;

// The moment the last bar of a session day is complete: the 15:30 auction bar's minute has passed.
constexpr std::int64_t kSessionDoneMs = kClosingAuctionMs + kMsPerMinute;

TimestampMs seoul_day_start(TimestampMs ts) { return seoul_day(ts) * kMsPerDay - kSeoulOffsetMs; }

// Milliseconds since Seoul midnight.
std::int64_t seoul_time_of_day(TimestampMs ts) {
  return ts + kSeoulOffsetMs - seoul_day(ts) * kMsPerDay;
}

}  // namespace

TimestampMs bar_complete_at(TimestampMs bar_ts, Interval interval) {
  const TimestampMs day_start = seoul_day_start(bar_ts);
  if (interval == Interval::k1d) return day_start + kSessionDoneMs;
  const TimestampMs end = bar_ts + interval_ms(interval);
  if (interval == Interval::k1m) return end;
  // The bucket holding 15:19 also receives the folded 15:20–15:30 auction bars.
  const TimestampMs last_continuous = day_start + kLastContinuousMs;
  if (bar_ts <= last_continuous && last_continuous < end) return day_start + kSessionDoneMs;
  return end;
}

BarAggregator::BarAggregator(Interval target, AggregateOptions options)
    : target_(target), options_(options) {}

TimestampMs BarAggregator::bucket_start(TimestampMs ts) const {
  const std::int64_t day_start = seoul_day_start(ts);
  if (target_ == Interval::k1d) return day_start;
  std::int64_t tod = ts - day_start;
  if (options_.fold_closing_auction && target_ != Interval::k1m && tod > kLastContinuousMs &&
      tod <= kClosingAuctionMs) {
    tod = kLastContinuousMs;
  }
  const std::int64_t len = interval_ms(target_);
  return day_start + tod - tod % len;
}

std::optional<Bar> BarAggregator::add(const Bar& bar) {
  if (have_input_ && bar.ts <= last_input_ts_) return std::nullopt;
  if (options_.regular_session_only) {
    const std::int64_t tod = seoul_time_of_day(bar.ts);
    if (tod < kSessionOpenMs || tod > kClosingAuctionMs) return std::nullopt;
  }
  have_input_ = true;
  last_input_ts_ = bar.ts;
  const TimestampMs start = bucket_start(bar.ts);
  std::optional<Bar> done;
  if (current_ && current_->ts != start) {
    done = current_;
    current_.reset();
  }
  if (!current_) {
    current_ = bar;
    current_->ts = start;
  } else {
    current_->high = std::max(current_->high, bar.high);
    current_->low = std::min(current_->low, bar.low);
    current_->close = bar.close;
    current_->volume += bar.volume;
  }
  return done;
}

std::optional<Bar> BarAggregator::complete_until(TimestampMs now) {
  if (!current_) return std::nullopt;
  // Non-default options change which bars a bucket can still receive, so they keep the plain
  // interval end; the defaults (what backtests and live use) follow the session rule.
  const bool session_rule =
      target_ == Interval::k1d ? options_.regular_session_only : options_.fold_closing_auction;
  const TimestampMs end =
      session_rule ? bar_complete_at(current_->ts, target_) : current_->ts + interval_ms(target_);
  if (now < end) return std::nullopt;
  return flush();
}

std::optional<Bar> BarAggregator::flush() {
  std::optional<Bar> done = current_;
  current_.reset();
  return done;
}

std::vector<Bar> aggregate_bars(std::span<const Bar> one_minute, Interval target,
                                AggregateOptions options) {
  BarAggregator agg(target, options);
  std::vector<Bar> out;
  const std::int64_t ratio = interval_ms(target) / kMsPerMinute;
  out.reserve(one_minute.size() / static_cast<std::size_t>(std::min<std::int64_t>(ratio, 390)) + 1);
  for (const Bar& b : one_minute) {
    if (auto done = agg.add(b)) out.push_back(*done);
  }
  if (auto last = agg.flush()) out.push_back(*last);
  return out;
}

}  // namespace quantd::domain
