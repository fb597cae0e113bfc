#include "quantd/live/market_data.h"

#include <doctest/doctest.h>

#include <limits>
#include <thread>
#include <vector>

#include "live_test_support.h"
#include "quantd/domain/aggregate.h"

using namespace quantd;
using namespace quantd::live;
using domain::aggregate_bars;
using domain::Bar;
using domain::Interval;
using domain::Symbol;
using testing::CountingSource;
using testing::session_day;
using testing::TempDb;

namespace {

const Symbol kSym("005930");
constexpr CivilDate kDay{2024, 3, 4};   // a Monday
constexpr CivilDate kNext{2024, 3, 5};  // the next trading day
constexpr TimestampMs kAll = std::numeric_limits<TimestampMs>::min();

TimestampMs at(CivilDate d, int hh, int mm, int ss = 0) { return from_seoul(d, hh, mm, ss); }

std::vector<Bar> through(const std::vector<Bar>& bars, TimestampMs last_ts) {
  std::vector<Bar> v;
  for (const Bar& b : bars) {
    if (b.ts <= last_ts) v.push_back(b);
  }
  return v;
}

}  // namespace

TEST_CASE(
    "ReplaySource: stored bars in [from, to] that are complete at now, or also the one in "
    "progress") {
  TempDb t;
  const std::vector<Bar> day = session_day(kDay, 10'000);
  t.store(kSym, Interval::k1m, day);
  ReplaySource plain(*t.db);
  ReplaySource leaky(*t.db, /*expose_in_progress=*/true);

  // 1m at 09:03:30: 09:00..09:02 are complete; 09:03 is in progress.
  const TimestampMs now = at(kDay, 9, 3, 30);
  auto got = plain.bars(kSym, Interval::k1m, at(kDay, 9, 0), at(kDay, 15, 30), now);
  REQUIRE(got.ok());
  CHECK(*got == through(day, at(kDay, 9, 2)));
  auto leaked = leaky.bars(kSym, Interval::k1m, at(kDay, 9, 0), at(kDay, 15, 30), now);
  REQUIRE(leaked.ok());
  CHECK(*leaked == through(day, at(kDay, 9, 3)));
  // [from, to] bounds the answer.
  auto window = plain.bars(kSym, Interval::k1m, at(kDay, 9, 1), at(kDay, 9, 1), now);
  REQUIRE(window.ok());
  REQUIRE(window->size() == 1);
  CHECK(window->front() == day[1]);

  // 5m at 09:07:30: the 09:00 bucket is complete; the 09:05 bucket in progress is built from
  // 09:05..09:07 only, never from the minutes still to come.
  const TimestampMs now5 = at(kDay, 9, 7, 30);
  auto five = plain.bars(kSym, Interval::k5m, at(kDay, 9, 0), now5, now5);
  REQUIRE(five.ok());
  REQUIRE(five->size() == 1);
  CHECK(five->front() == aggregate_bars(day, Interval::k5m).front());
  auto five_leaked = leaky.bars(kSym, Interval::k5m, at(kDay, 9, 0), now5, now5);
  REQUIRE(five_leaked.ok());
  REQUIRE(five_leaked->size() == 2);
  CHECK(five_leaked->back() == aggregate_bars(through(day, at(kDay, 9, 7)), Interval::k5m).back());
  CHECK(five_leaked->back().ts == at(kDay, 9, 5));

  // 1d at 12:00:30: no daily bar is complete; the leaky source shows today's bar so far.
  const TimestampMs noon = at(kDay, 12, 0, 30);
  auto daily = plain.bars(kSym, Interval::k1d, at(kDay, 0, 0), noon, noon);
  REQUIRE(daily.ok());
  CHECK(daily->empty());
  auto daily_leaked = leaky.bars(kSym, Interval::k1d, at(kDay, 0, 0), noon, noon);
  REQUIRE(daily_leaked.ok());
  REQUIRE(daily_leaked->size() == 1);
  CHECK(daily_leaked->front() ==
        aggregate_bars(through(day, at(kDay, 12, 0)), Interval::k1d).front());
}

TEST_CASE("MarketDataService: aggregated bars equal the backtest's and appear only once complete") {
  TempDb t;
  const std::vector<Bar> day = session_day(kDay, 10'000);
  t.store(kSym, Interval::k1m, day);
  ReplaySource source(*t.db);
  MarketDataService md(source);

  const std::vector<Bar> five = aggregate_bars(day, Interval::k5m);
  const std::vector<Bar> daily = aggregate_bars(day, Interval::k1d);
  REQUIRE(daily.size() == 1);

  auto before = md.completed(kSym, Interval::k5m, kAll, at(kDay, 9, 4, 59));
  REQUIRE(before.ok());
  CHECK(before->empty());
  auto first = md.completed(kSym, Interval::k5m, kAll, at(kDay, 9, 5));
  REQUIRE(first.ok());
  REQUIRE(first->size() == 1);
  CHECK(first->front() == five.front());
  CHECK(first->front().ts == at(kDay, 9, 0));

  // The 15:15 bucket (holding the 15:20 and 15:30 bars) and the daily bar complete at 15:31.
  auto late = md.completed(kSym, Interval::k5m, kAll, at(kDay, 15, 30, 59));
  REQUIRE(late.ok());
  CHECK(late->size() == five.size() - 1);
  CHECK(late->back().ts == at(kDay, 15, 10));
  auto closed = md.completed(kSym, Interval::k5m, kAll, at(kDay, 15, 31));
  REQUIRE(closed.ok());
  CHECK(*closed == five);
  CHECK(closed->back().ts == at(kDay, 15, 15));
  CHECK(closed->back().close == day.back().close);

  auto no_day = md.completed(kSym, Interval::k1d, kAll, at(kDay, 15, 30, 59));
  REQUIRE(no_day.ok());
  CHECK(no_day->empty());
  auto the_day = md.completed(kSym, Interval::k1d, kAll, at(kDay, 15, 31));
  REQUIRE(the_day.ok());
  CHECK(*the_day == daily);

  // after_ts: only bars stamped after the last one the caller already has.
  auto after = md.completed(kSym, Interval::k5m, five[2].ts, at(kDay, 15, 31));
  REQUIRE(after.ok());
  CHECK(*after == std::vector<Bar>(five.begin() + 3, five.end()));
  auto none_after = md.completed(kSym, Interval::k5m, five.back().ts, at(kDay, 15, 31));
  REQUIRE(none_after.ok());
  CHECK(none_after->empty());

  // first_completed: the first complete bar stamped at or after from_ts, once it is complete.
  auto not_yet = md.first_completed(kSym, Interval::k5m, at(kDay, 9, 5), at(kDay, 9, 9, 59));
  REQUIRE(not_yet.ok());
  CHECK_FALSE(not_yet->has_value());
  auto now_done = md.first_completed(kSym, Interval::k5m, at(kDay, 9, 5), at(kDay, 9, 10));
  REQUIRE(now_done.ok());
  REQUIRE(now_done->has_value());
  CHECK(**now_done == five[1]);
  auto mid_bucket = md.first_completed(kSym, Interval::k5m, at(kDay, 9, 3), at(kDay, 9, 10));
  REQUIRE(mid_bucket.ok());
  REQUIRE(mid_bucket->has_value());
  CHECK(**mid_bucket == five[1]);  // the 09:00 bucket starts before from_ts
}

TEST_CASE("MarketDataService never hands out a bar in progress, whatever the source shows") {
  TempDb t;
  std::vector<Bar> bars = session_day(kDay, 10'000);
  const std::vector<Bar> next = session_day(kNext, 20'000);
  bars.insert(bars.end(), next.begin(), next.end());
  t.store(kSym, Interval::k1m, bars);
  ReplaySource plain(*t.db);
  ReplaySource leaky(*t.db, /*expose_in_progress=*/true);
  MarketDataService honest(plain);
  MarketDataService guarded(leaky);

  // Every 30 s of the session (and around the close), every interval: the same bars from both,
  // and each of them complete by bar_complete_at.
  int leaked_seen = 0;
  for (TimestampMs now = at(kNext, 8, 59); now <= at(kNext, 15, 32); now += 30 * kMsPerSecond) {
    for (Interval iv : {Interval::k1m, Interval::k5m, Interval::k60m, Interval::k1d}) {
      CAPTURE(format_seoul(now));
      CAPTURE(to_string(iv));
      const TimestampMs after = at(kDay, 15, 0);
      auto a = honest.completed(kSym, iv, after, now);
      auto b = guarded.completed(kSym, iv, after, now);
      REQUIRE(a.ok());
      REQUIRE(b.ok());
      CHECK(*a == *b);
      for (const Bar& bar : *b) CHECK(domain::bar_complete_at(bar.ts, iv) <= now);
      auto raw = leaky.bars(kSym, iv, after + 1, now, now);
      REQUIRE(raw.ok());
      if (raw->size() > b->size()) ++leaked_seen;
    }
  }
  CHECK(leaked_seen > 500);  // the leaky source really did show bars in progress
}

TEST_CASE("MarketDataService: one source read per series and minute, however many callers") {
  TempDb t;
  t.store(kSym, Interval::k1m, session_day(kDay, 10'000));
  ReplaySource replay(*t.db);
  CountingSource source(replay);
  MarketDataService md(source);

  const TimestampMs now = at(kDay, 10, 0, 5);
  std::vector<Bar> first;
  for (int i = 0; i < 50; ++i) {
    auto got = md.completed(kSym, Interval::k5m, at(kDay, 9, 0) - 1, now + i * 1000);
    REQUIRE(got.ok());
    if (i == 0) first = *got;
    CHECK(*got == first);
  }
  CHECK(source.reads == 1);
  CHECK(md.misses() == 1);
  CHECK(md.hits() == 49);
  CHECK(first.size() == 12);  // 09:00 .. 09:55

  // A later after_ts is served from the same entry; another interval is another series.
  auto later = md.completed(kSym, Interval::k5m, at(kDay, 9, 30), now);
  REQUIRE(later.ok());
  CHECK(later->size() == 5);
  CHECK(source.reads == 1);
  auto other = md.completed(kSym, Interval::k1m, at(kDay, 9, 30), now);
  REQUIRE(other.ok());
  CHECK(source.reads == 2);

  // The next minute reads again, and sees the bar that completed.
  auto next_minute = md.completed(kSym, Interval::k5m, at(kDay, 9, 0) - 1, at(kDay, 10, 5));
  REQUIRE(next_minute.ok());
  CHECK(source.reads == 3);
  CHECK(next_minute->size() == 13);

  // An earlier after_ts in the same minute needs a wider read (once).
  auto wider = md.completed(kSym, Interval::k5m, kAll, at(kDay, 10, 5, 30));
  REQUIRE(wider.ok());
  CHECK(*wider == *next_minute);
  CHECK(source.reads == 4);
  auto again = md.completed(kSym, Interval::k5m, at(kDay, 9, 10), at(kDay, 10, 5, 40));
  REQUIRE(again.ok());
  CHECK(source.reads == 4);

  // A failed read is an error, and is not cached.
  source.fail_next = 1;
  auto failed = md.completed(kSym, Interval::k15m, kAll, at(kDay, 10, 5, 50));
  CHECK_FALSE(failed.ok());
  auto retried = md.completed(kSym, Interval::k15m, kAll, at(kDay, 10, 5, 50));
  REQUIRE(retried.ok());
  CHECK(retried->size() == 4);
}

TEST_CASE("MarketDataService is safe under concurrent callers") {
  TempDb t;
  const std::vector<Bar> day = session_day(kDay, 10'000);
  t.store(kSym, Interval::k1m, day);
  ReplaySource replay(*t.db);
  CountingSource source(replay);
  MarketDataService md(source);
  const TimestampMs now = at(kDay, 11, 0, 1);
  const std::vector<Bar> expected = through(day, at(kDay, 10, 59));

  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 50; ++k) {
        auto got = md.completed(kSym, Interval::k1m, kAll, now);
        if (!got.ok() || *got != expected) ++wrong;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(wrong == 0);
  // Threads that miss at the same moment may each read; never more than one per thread.
  CHECK(source.reads >= 1);
  CHECK(source.reads <= 8);
  CHECK(md.hits() + md.misses() == 400);
}

TEST_CASE("MarketDataService::last_bar: the latest complete 1-minute bar, across days") {
  TempDb t;
  const std::vector<Bar> day = session_day(kDay, 10'000);
  t.store(kSym, Interval::k1m, day);
  ReplaySource source(*t.db);
  MarketDataService md(source);

  auto mid = md.last_bar(kSym, at(kDay, 10, 0, 30));
  REQUIRE(mid.ok());
  REQUIRE(mid->has_value());
  CHECK((*mid)->ts == at(kDay, 9, 59));
  // Before the next session's first bar completes: the previous day's closing print; also
  // after a weekend.
  auto overnight = md.last_bar(kSym, at(kNext, 9, 0, 30));
  REQUIRE(overnight.ok());
  REQUIRE(overnight->has_value());
  CHECK(**overnight == day.back());
  auto monday = md.last_bar(kSym, at({2024, 3, 11}, 9, 0, 30));
  REQUIRE(monday.ok());
  REQUIRE(monday->has_value());
  CHECK(**monday == day.back());
  // Before any bar, or for an unknown symbol: none.
  auto early = md.last_bar(kSym, at(kDay, 9, 0, 59));
  REQUIRE(early.ok());
  CHECK_FALSE(early->has_value());
  auto unknown = md.last_bar(Symbol("NONE"), at(kDay, 10, 0));
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->has_value());
}
