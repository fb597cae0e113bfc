#include "quantd/storage/bar_loader.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "quantd/core/embedded.h"
#include "quantd/domain/aggregate.h"

namespace {

namespace fs = std::filesystem;
using quantd::CivilDate;
using quantd::from_seoul;
using quantd::domain::aggregate_bars;
using quantd::domain::Bar;
using quantd::domain::Interval;
using quantd::domain::Symbol;
using quantd::storage::BarRepository;
using quantd::storage::Database;
using quantd::storage::load_bars;

struct LoaderDb {
  fs::path dir;
  std::unique_ptr<Database> db;
  LoaderDb() {
    dir = fs::temp_directory_path() / ("quantd-loader-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    auto opened = Database::open({(dir / "q.db").string()});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    REQUIRE(db->migrate(quantd::embedded::migrations()).ok());
  }
  ~LoaderDb() {
    db.reset();
    fs::remove_all(dir);
  }
};

// A regular session of 1-minute bars (09:00..15:20 and the 15:30 closing print) with distinct
// prices per minute, so any missing or extra minute changes an aggregated bar.
std::vector<Bar> session(CivilDate day, double base) {
  std::vector<Bar> v;
  for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
    if (m > 15 * 60 + 20 && m < 15 * 60 + 30) continue;
    const double p = base + m;
    v.push_back(Bar{from_seoul(day, m / 60, m % 60), p, p + 3, p - 2, p + 1, m});
  }
  return v;
}

const Symbol kSym("005930");
constexpr CivilDate kDay1{2024, 3, 4};
constexpr CivilDate kDay2{2024, 3, 5};

}  // namespace

TEST_CASE("load_bars: aggregates stored 1m bars exactly as aggregate_bars does over whole days") {
  LoaderDb t;
  BarRepository repo(*t.db);
  std::vector<Bar> minutes = session(kDay1, 10'000);
  const std::vector<Bar> day2 = session(kDay2, 20'000);
  minutes.insert(minutes.end(), day2.begin(), day2.end());
  REQUIRE(repo.upsert(kSym, Interval::k1m, minutes).ok());

  for (Interval iv :
       {Interval::k5m, Interval::k15m, Interval::k30m, Interval::k60m, Interval::k1d}) {
    CAPTURE(to_string(iv));
    auto all = load_bars(repo, kSym, iv, std::nullopt, std::nullopt);
    REQUIRE(all.ok());
    CHECK(*all == aggregate_bars(minutes, iv));
    // A bare-date range (from the day's midnight to its last millisecond) gives that day alone.
    auto one = load_bars(repo, kSym, iv, from_seoul(kDay2), from_seoul({2024, 3, 6}) - 1);
    REQUIRE(one.ok());
    CHECK(*one == aggregate_bars(day2, iv));
  }
  // 1m is the stored series itself.
  auto raw = load_bars(repo, kSym, Interval::k1m, std::nullopt, std::nullopt);
  REQUIRE(raw.ok());
  CHECK(*raw == minutes);
}

TEST_CASE("load_bars: a range inside a bucket never yields a partial bar") {
  LoaderDb t;
  BarRepository repo(*t.db);
  const std::vector<Bar> minutes = session(kDay1, 10'000);
  REQUIRE(repo.upsert(kSym, Interval::k1m, minutes).ok());
  const std::vector<Bar> whole = aggregate_bars(minutes, Interval::k5m);

  // from 09:03: the 09:00 bucket starts before `from` and is left out, not cut to 09:03–09:04.
  // to 09:17: the 09:15 bucket is stamped inside the range and comes whole (09:15–09:19).
  auto cut =
      load_bars(repo, kSym, Interval::k5m, from_seoul(kDay1, 9, 3), from_seoul(kDay1, 9, 17));
  REQUIRE(cut.ok());
  REQUIRE(cut->size() == 3);
  CHECK((*cut)[0] == whole[1]);  // 09:05
  CHECK((*cut)[1] == whole[2]);  // 09:10
  CHECK((*cut)[2] == whole[3]);  // 09:15, all five minutes
  CHECK((*cut)[2].close == minutes[19].close);

  // from inside the closing bucket (15:25, folded into 15:15): that bucket is before `from`.
  auto late = load_bars(repo, kSym, Interval::k5m, from_seoul(kDay1, 15, 25), std::nullopt);
  REQUIRE(late.ok());
  CHECK(late->empty());
  // from exactly at the bucket start: the closing bucket, 15:15 through the 15:30 print.
  auto closing = load_bars(repo, kSym, Interval::k5m, from_seoul(kDay1, 15, 15), std::nullopt);
  REQUIRE(closing.ok());
  REQUIRE(closing->size() == 1);
  CHECK(closing->front() == whole.back());
  CHECK(closing->front().close == minutes.back().close);

  // A daily bar asked from mid-day is stamped at midnight, before `from`: left out, not partial.
  auto daily = load_bars(repo, kSym, Interval::k1d, from_seoul(kDay1, 10, 0), std::nullopt);
  REQUIRE(daily.ok());
  CHECK(daily->empty());
}

TEST_CASE("load_bars: a stored series of the interval wins over aggregation") {
  LoaderDb t;
  BarRepository repo(*t.db);
  REQUIRE(repo.upsert(kSym, Interval::k1m, session(kDay1, 10'000)).ok());
  const std::vector<Bar> stored_daily = {Bar{from_seoul(kDay1), 1, 2, 0.5, 1.5, 7}};
  REQUIRE(repo.upsert(kSym, Interval::k1d, stored_daily).ok());
  auto daily = load_bars(repo, kSym, Interval::k1d, std::nullopt, std::nullopt);
  REQUIRE(daily.ok());
  CHECK(*daily == stored_daily);
  // Outside the stored daily range the 1m fallback applies (no 1m bars there either: empty).
  auto later = load_bars(repo, kSym, Interval::k1d, from_seoul(kDay2), std::nullopt);
  REQUIRE(later.ok());
  CHECK(later->empty());
  // Unknown symbol: empty, not an error.
  auto none = load_bars(repo, Symbol("NONE"), Interval::k5m, std::nullopt, std::nullopt);
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("load_bars: the limits of TimestampMs mean an open range") {
  LoaderDb t;
  BarRepository repo(*t.db);
  const std::vector<Bar> minutes = session(kDay1, 10'000);
  REQUIRE(repo.upsert(kSym, Interval::k1m, minutes).ok());
  auto all = load_bars(repo, kSym, Interval::k5m, std::numeric_limits<std::int64_t>::min(),
                       std::numeric_limits<std::int64_t>::max());
  REQUIRE(all.ok());
  CHECK(*all == aggregate_bars(minutes, Interval::k5m));
}
