#include "quantd/storage/bar_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "quantd/core/embedded.h"

namespace {

namespace fs = std::filesystem;
using quantd::from_seoul;
using quantd::StatusCode;
using quantd::TimestampMs;
using quantd::domain::Bar;
using quantd::domain::Interval;
using quantd::domain::Symbol;
using quantd::storage::BarRepository;
using quantd::storage::Database;

// A temporary database file with every migration applied, deleted afterwards.
struct TempDb {
  fs::path dir;
  std::unique_ptr<Database> db;
  TempDb() {
    dir = fs::temp_directory_path() / ("quantd-bars-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    auto opened = Database::open({(dir / "q.db").string()});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    REQUIRE(db->migrate(quantd::embedded::migrations()).ok());
  }
  ~TempDb() {
    db.reset();
    fs::remove_all(dir);
  }
};

TimestampMs minute(int m) { return from_seoul({2024, 1, 2}, 9, 0) + m * quantd::kMsPerMinute; }

Bar bar(int m, double close, std::int64_t volume = 100) {
  return Bar{minute(m), close, close + 10, close - 10, close, volume};
}

const Symbol kSamsung("005930");

}  // namespace

TEST_CASE("upsert inserts, then is idempotent, then counts updates") {
  TempDb t;
  BarRepository repo(*t.db);
  const std::vector<Bar> bars = {bar(0, 1000), bar(1, 1010), bar(2, 1020)};

  auto first = repo.upsert(kSamsung, Interval::k1m, bars);
  REQUIRE(first.ok());
  CHECK(first->inserted == 3);
  CHECK(first->updated == 0);
  CHECK(first->unchanged == 0);
  CHECK(first->first_ts == minute(0));
  CHECK(first->last_ts == minute(2));

  auto again = repo.upsert(kSamsung, Interval::k1m, bars);
  REQUIRE(again.ok());
  CHECK(again->inserted == 0);
  CHECK(again->updated == 0);
  CHECK(again->unchanged == 3);

  const std::vector<Bar> changed = {bar(3, 1030), bar(1, 1011), bar(2, 1020, 101), bar(0, 1000)};
  auto third = repo.upsert(kSamsung, Interval::k1m, changed);
  REQUIRE(third.ok());
  CHECK(third->inserted == 1);
  CHECK(third->updated == 2);
  CHECK(third->unchanged == 1);
  CHECK(third->first_ts == minute(0));
  CHECK(third->last_ts == minute(3));

  auto loaded = repo.load(kSamsung, Interval::k1m);
  REQUIRE(loaded.ok());
  CHECK(*loaded == std::vector<Bar>{bar(0, 1000), bar(1, 1011), bar(2, 1020, 101), bar(3, 1030)});
}

TEST_CASE("load returns one series in time order, bounds inclusive") {
  TempDb t;
  BarRepository repo(*t.db);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(4, 4), bar(0, 10), bar(2, 2)})
              .ok());
  REQUIRE(repo.upsert(kSamsung, Interval::k5m, std::vector<Bar>{bar(0, 50)}).ok());
  REQUIRE(repo.upsert(Symbol("000660"), Interval::k1m, std::vector<Bar>{bar(1, 60)}).ok());

  auto all = repo.load(kSamsung, Interval::k1m);
  REQUIRE(all.ok());
  CHECK(*all == std::vector<Bar>{bar(0, 10), bar(2, 2), bar(4, 4)});

  auto range = repo.load(kSamsung, Interval::k1m, minute(2), minute(4));
  REQUIRE(range.ok());
  CHECK(*range == std::vector<Bar>{bar(2, 2), bar(4, 4)});
  auto from_only = repo.load(kSamsung, Interval::k1m, minute(1), std::nullopt);
  REQUIRE(from_only.ok());
  CHECK(from_only->size() == 2);
  auto to_only = repo.load(kSamsung, Interval::k1m, std::nullopt, minute(1));
  REQUIRE(to_only.ok());
  CHECK(*to_only == std::vector<Bar>{bar(0, 10)});
  auto empty_range = repo.load(kSamsung, Interval::k1m, minute(4), minute(2));
  REQUIRE(empty_range.ok());
  CHECK(empty_range->empty());

  auto unknown = repo.load(Symbol("NOPE"), Interval::k1m);
  REQUIRE(unknown.ok());
  CHECK(unknown->empty());
}

TEST_CASE("coverage lists every series; remove deletes one") {
  TempDb t;
  BarRepository repo(*t.db);
  auto none = repo.coverage();
  REQUIRE(none.ok());
  CHECK(none->empty());

  REQUIRE(
      repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(0, 1), bar(7, 1), bar(3, 1)}).ok());
  Bar day = bar(0, 1);
  day.ts = from_seoul(quantd::CivilDate{2024, 1, 2});  // daily bars are dates: midnight Asia/Seoul
  REQUIRE(repo.upsert(kSamsung, Interval::k1d, std::vector<Bar>{day}).ok());
  REQUIRE(repo.upsert(Symbol("000660"), Interval::k1m, std::vector<Bar>{bar(5, 1)}).ok());

  auto cov = repo.coverage();
  REQUIRE(cov.ok());
  REQUIRE(cov->size() == 3);
  CHECK((*cov)[0].symbol == Symbol("000660"));
  CHECK((*cov)[0].count == 1);
  CHECK((*cov)[1].symbol == kSamsung);
  CHECK((*cov)[1].interval == Interval::k1d);
  CHECK((*cov)[2].interval == Interval::k1m);
  CHECK((*cov)[2].first_ts == minute(0));
  CHECK((*cov)[2].last_ts == minute(7));
  CHECK((*cov)[2].count == 3);

  // Overlapping imports: the summary counts each bar once and widens the range.
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(7, 2), bar(9, 1), bar(-2, 1)})
              .ok());
  auto wider = repo.coverage();
  REQUIRE(wider.ok());
  CHECK((*wider)[2].first_ts == minute(-2));
  CHECK((*wider)[2].last_ts == minute(9));
  CHECK((*wider)[2].count == 5);
  auto all = repo.load(kSamsung, Interval::k1m);
  REQUIRE(all.ok());
  CHECK(all->size() == 5);

  CHECK(repo.remove(kSamsung, Interval::k1m).ok());
  const quantd::Status gone = repo.remove(kSamsung, Interval::k1m);
  CHECK(gone.code() == StatusCode::kNotFound);
  CHECK(gone.message() == "no bars stored for 005930 1m");
  auto after = repo.coverage();
  REQUIRE(after.ok());
  CHECK(after->size() == 2);
  auto other = repo.load(kSamsung, Interval::k1d);
  REQUIRE(other.ok());
  CHECK(other->size() == 1);
}

TEST_CASE("a failing upsert stores nothing") {
  TempDb t;
  BarRepository repo(*t.db);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(0, 1)}).ok());
  // Make the third row of the next upsert fail inside SQLite.
  t.db->connection().exec(
      "CREATE TRIGGER fail_bar BEFORE INSERT ON bars WHEN NEW.ts = " + std::to_string(minute(2)) +
      " BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  auto r = repo.upsert(kSamsung, Interval::k1m,
                       std::vector<Bar>{bar(0, 2), bar(1, 1), bar(2, 1), bar(3, 1)});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInternal);
  CHECK(r.status().message() == "storing bars of 005930 1m failed: injected failure");
  auto loaded = repo.load(kSamsung, Interval::k1m);
  REQUIRE(loaded.ok());
  CHECK(*loaded == std::vector<Bar>{bar(0, 1)});
  auto cov = repo.coverage();
  REQUIRE(cov.ok());
  REQUIRE(cov->size() == 1);
  CHECK((*cov)[0].count == 1);
  CHECK((*cov)[0].last_ts == minute(0));
}

TEST_CASE("upsert rejects an invalid symbol and accepts an empty batch") {
  TempDb t;
  BarRepository repo(*t.db);
  auto bad = repo.upsert(Symbol("no spaces"), Interval::k1m, std::vector<Bar>{bar(0, 1)});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  auto empty = repo.upsert(kSamsung, Interval::k1m, {});
  REQUIRE(empty.ok());
  CHECK(empty->inserted == 0);
  CHECK_FALSE(empty->first_ts.has_value());
}

TEST_CASE("a bar off its interval's grid is refused whole, naming it (finding 10)") {
  TempDb t;
  BarRepository repo(*t.db);
  // Minute rows imported as daily bars: the second one is at 09:01 Seoul.
  Bar a = bar(0, 1);
  a.ts = from_seoul(quantd::CivilDate{2024, 1, 2});
  Bar b = a;
  b.ts += quantd::kMsPerMinute;
  auto r = repo.upsert(kSamsung, Interval::k1d, std::vector<Bar>{a, b});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("not on the 1d grid") != std::string::npos);
  CHECK(r.status().message().find("2024-01-02T00:01") != std::string::npos);
  auto cov = repo.coverage();
  REQUIRE(cov.ok());
  CHECK(cov->empty());  // nothing was written
  // Seconds inside a 5-minute bar.
  Bar c = bar(5, 1);
  c.ts += 30 * quantd::kMsPerSecond;
  auto five = repo.upsert(kSamsung, Interval::k5m, std::vector<Bar>{c});
  REQUIRE_FALSE(five.ok());
  CHECK(five.status().message().find("whole multiples of 5m") != std::string::npos);
  CHECK(repo.upsert(kSamsung, Interval::k5m, std::vector<Bar>{bar(5, 1)}).ok());
}

TEST_CASE("values round-trip exactly, and threads use their own connections") {
  TempDb t;
  BarRepository repo(*t.db);
  // Before the epoch, on the daily grid (midnight Asia/Seoul, 1969-12-31).
  const Bar odd{-quantd::kSeoulOffsetMs - quantd::kMsPerDay,
                0.1,
                1e300,
                1e-300,
                3.0000000000000004,
                9'000'000'000'000'000'000};
  REQUIRE(repo.upsert(kSamsung, Interval::k1d, std::vector<Bar>{odd}).ok());
  std::vector<Bar> seen;
  std::thread reader([&] {
    auto r = repo.load(kSamsung, Interval::k1d);
    if (r.ok()) seen = *r;
  });
  reader.join();
  CHECK(seen == std::vector<Bar>{odd});
}

TEST_CASE("load returns a long series completely and in order") {
  TempDb t;
  BarRepository repo(*t.db);
  std::vector<Bar> bars;
  for (int i = 0; i < 20'000; ++i) bars.push_back(bar(i, 1000 + i % 97, i));
  auto stored = repo.upsert(kSamsung, Interval::k1m, bars);
  REQUIRE(stored.ok());
  CHECK(stored->inserted == 20'000);
  auto loaded = repo.load(kSamsung, Interval::k1m);
  REQUIRE(loaded.ok());
  CHECK(*loaded == bars);
  auto tail = repo.load(kSamsung, Interval::k1m, minute(15'000), std::nullopt);
  REQUIRE(tail.ok());
  CHECK(*tail == std::vector<Bar>(bars.begin() + 15'000, bars.end()));
}
