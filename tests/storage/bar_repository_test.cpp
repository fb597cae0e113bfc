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
  // Make the next chunk write fail inside SQLite.
  t.db->connection().exec(
      "CREATE TRIGGER fail_bar BEFORE INSERT ON bar_chunks "
      "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
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

// ---- columnar storage (issue 13) --------------------------------------------------------------

namespace {

using quantd::storage::kBarChunkBars;

// n minute bars from minute(0), one every minute (no session gaps: the chunk arithmetic stays
// readable).
std::vector<Bar> series(int n, double base = 1000) {
  std::vector<Bar> bars;
  for (int i = 0; i < n; ++i) bars.push_back(bar(i, base + i % 97, 100 + i));
  return bars;
}

struct ChunkRow {
  TimestampMs first_ts;
  std::int64_t count;
};

std::vector<ChunkRow> chunk_rows(Database& db) {
  std::vector<ChunkRow> rows;
  SQLite::Statement q(db.connection(), "SELECT first_ts, count FROM bar_chunks ORDER BY first_ts");
  while (q.executeStep()) rows.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64()});
  return rows;
}

}  // namespace

TEST_CASE("bars are stored as chunks of at most kBarChunkBars") {
  TempDb t;
  BarRepository repo(*t.db);
  const int n = static_cast<int>(2 * kBarChunkBars + 100);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, series(n)).ok());
  const auto rows = chunk_rows(*t.db);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].count == static_cast<std::int64_t>(kBarChunkBars));
  CHECK(rows[1].first_ts == minute(static_cast<int>(kBarChunkBars)));
  CHECK(rows[2].count == 100);
  auto all = repo.load(kSamsung, Interval::k1m);
  REQUIRE(all.ok());
  CHECK(*all == series(n));
}

TEST_CASE("range loads are exact at and around chunk boundaries") {
  TempDb t;
  BarRepository repo(*t.db);
  const int n = static_cast<int>(3 * kBarChunkBars + 7);
  const auto bars = series(n);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, bars).ok());
  const int k = static_cast<int>(kBarChunkBars);
  const std::vector<std::pair<int, int>> ranges = {
      {k - 1, k}, {k, k},          {k - 1, k - 1}, {0, k - 1}, {k, 2 * k - 1}, {k + 1, 2 * k + 1},
      {-5, 0},    {n - 1, n + 10}, {n + 1, n + 5}, {-10, -1},  {17, 3 * k},    {2 * k, 2 * k}};
  for (const auto& [a, b] : ranges) {
    CAPTURE(a);
    CAPTURE(b);
    auto got = repo.load(kSamsung, Interval::k1m, minute(a), minute(b));
    REQUIRE(got.ok());
    std::vector<Bar> want;
    for (const Bar& x : bars) {
      if (x.ts >= minute(a) && x.ts <= minute(b)) want.push_back(x);
    }
    CHECK(*got == want);
    auto any = repo.has_bars(kSamsung, Interval::k1m, minute(a), minute(b));
    REQUIRE(any.ok());
    CHECK(*any == !want.empty());
  }
  // Between two bars of one chunk (a gap inside it): nothing.
  auto gap = repo.has_bars(kSamsung, Interval::k1m, minute(5) + 1, minute(6) - 1);
  REQUIRE(gap.ok());
  CHECK_FALSE(*gap);
}

TEST_CASE("a merge rewrites only the chunks its bars fall into") {
  TempDb t;
  BarRepository repo(*t.db);
  const int k = static_cast<int>(kBarChunkBars);
  std::vector<Bar> bars = series(3 * k);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, bars).ok());
  // Mark every chunk, to see which ones a write replaces.
  t.db->connection().exec("ALTER TABLE bar_chunks ADD COLUMN mark INTEGER DEFAULT 0");
  t.db->connection().exec("UPDATE bar_chunks SET mark = 1");

  // One changed bar in the middle chunk, one unchanged bar in the last.
  std::vector<Bar> change = {bar(k + 5, 7), bars[static_cast<std::size_t>(2 * k + 1)]};
  auto s = repo.upsert(kSamsung, Interval::k1m, change);
  REQUIRE(s.ok());
  CHECK(s->updated == 1);
  CHECK(s->unchanged == 1);
  CHECK(s->inserted == 0);
  std::vector<int> marks;
  SQLite::Statement q(t.db->connection(), "SELECT mark FROM bar_chunks ORDER BY first_ts");
  while (q.executeStep()) marks.push_back(q.getColumn(0).getInt());
  CHECK(marks == std::vector<int>{1, 0, 1});
  bars[static_cast<std::size_t>(k + 5)] = bar(k + 5, 7);
  auto all = repo.load(kSamsung, Interval::k1m);
  REQUIRE(all.ok());
  CHECK(*all == bars);
}

TEST_CASE("appends fill the last chunk instead of making small ones; prepends join the first") {
  TempDb t;
  BarRepository repo(*t.db);
  std::vector<Bar> bars = series(5000);
  for (std::size_t i = 100; i < bars.size(); i += 300) {
    std::vector<Bar> batch(
        bars.begin() + static_cast<std::ptrdiff_t>(i),
        bars.begin() + static_cast<std::ptrdiff_t>(std::min(i + 300, bars.size())));
    auto s = repo.upsert(kSamsung, Interval::k1m, batch);
    REQUIRE(s.ok());
    CHECK(s->inserted == static_cast<std::int64_t>(batch.size()));
  }
  CHECK(chunk_rows(*t.db).size() == 3);  // 4900 bars: 2048 + 2048 + 804
  // The first 100 bars arrive last, before every chunk.
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, std::span(bars).first(100)).ok());
  auto all = repo.load(kSamsung, Interval::k1m);
  REQUIRE(all.ok());
  CHECK(*all == bars);
  const auto rows = chunk_rows(*t.db);
  CHECK(rows.front().first_ts == minute(0));
  std::int64_t total = 0;
  for (const auto& r : rows) {
    CHECK(r.count <= static_cast<std::int64_t>(kBarChunkBars));
    total += r.count;
  }
  CHECK(total == 5000);
  auto cov = repo.coverage();
  REQUIRE(cov.ok());
  CHECK((*cov)[0].count == 5000);
  CHECK((*cov)[0].first_ts == minute(0));
  CHECK((*cov)[0].last_ts == minute(4999));
}

TEST_CASE("revision: bumped by every change, not by a re-import, never reused after remove") {
  TempDb t;
  BarRepository repo(*t.db);
  auto none = repo.revision(kSamsung, Interval::k1m);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(repo.upsert(kSamsung, Interval::k1m, series(10)).ok());
  const std::int64_t r1 = repo.revision(kSamsung, Interval::k1m)->value();
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, series(10)).ok());  // identical
  CHECK(repo.revision(kSamsung, Interval::k1m)->value() == r1);

  REQUIRE(repo.upsert(kSamsung, Interval::k1d,
                      std::vector<Bar>{Bar{from_seoul({2024, 1, 2}), 1, 1, 1, 1, 1}})
              .ok());
  const std::int64_t other = repo.revision(kSamsung, Interval::k1d)->value();
  CHECK(other > r1);
  CHECK(repo.revision(kSamsung, Interval::k1m)->value() == r1);  // another series changed

  REQUIRE(repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(3, 5)}).ok());  // update
  const std::int64_t r2 = repo.revision(kSamsung, Interval::k1m)->value();
  CHECK(r2 > other);
  auto cov = repo.coverage();
  REQUIRE(cov.ok());
  CHECK((*cov)[1].revision == r2);  // ordered by interval text: 1d, then 1m

  REQUIRE(repo.remove(kSamsung, Interval::k1m).ok());
  CHECK_FALSE(repo.revision(kSamsung, Interval::k1m)->has_value());
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, series(10)).ok());
  CHECK(repo.revision(kSamsung, Interval::k1m)->value() > r2);
}

TEST_CASE("a batched import is one transaction: a failure in any batch stores nothing") {
  TempDb t;
  BarRepository repo(*t.db);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, series(10)).ok());
  const auto before = repo.revision(kSamsung, Interval::k1m)->value();
  const auto bars = series(6000, 2000);
  {
    auto import = repo.begin_import(kSamsung, Interval::k1m);
    REQUIRE(import.ok());
    REQUIRE((*import)->add(std::span(bars).first(3000)).ok());
    // A bar off the grid in the second batch fails the whole import.
    std::vector<Bar> bad(bars.begin() + 3000, bars.end());
    bad.back().ts += 1;
    CHECK_FALSE((*import)->add(bad).ok());
    CHECK_FALSE((*import)->commit().ok());
  }
  auto loaded = repo.load(kSamsung, Interval::k1m);
  REQUIRE(loaded.ok());
  CHECK(*loaded == series(10));
  CHECK(repo.revision(kSamsung, Interval::k1m)->value() == before);
  {
    auto import = repo.begin_import(kSamsung, Interval::k1m);
    REQUIRE(import.ok());
    REQUIRE((*import)->add(std::span(bars).subspan(3000)).ok());  // out of order on purpose
    REQUIRE((*import)->add(std::span(bars).first(3000)).ok());
    auto s = (*import)->commit();
    REQUIRE(s.ok());
    CHECK(s->inserted == 5990);
    CHECK(s->updated == 10);
    CHECK(*s->first_ts == minute(0));
    CHECK(*s->last_ts == minute(5999));
  }
  loaded = repo.load(kSamsung, Interval::k1m);
  REQUIRE(loaded.ok());
  CHECK(*loaded == bars);
}

TEST_CASE("a damaged stored chunk is an error naming it, not wrong bars") {
  TempDb t;
  BarRepository repo(*t.db);
  REQUIRE(repo.upsert(kSamsung, Interval::k1m, series(100)).ok());
  {
    SQLite::Database& c = t.db->connection();
    SQLite::Statement q(c, "SELECT data FROM bar_chunks");
    REQUIRE(q.executeStep());
    const auto* p = static_cast<const std::uint8_t*>(q.getColumn(0).getBlob());
    std::vector<std::uint8_t> blob(p, p + q.getColumn(0).getBytes());
    q.reset();
    blob[60] ^= 0xFF;
    SQLite::Statement upd(c, "UPDATE bar_chunks SET data = ?");
    upd.bind(1, blob.data(), static_cast<int>(blob.size()));
    upd.exec();
  }
  auto r = repo.load(kSamsung, Interval::k1m);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("damaged bar chunk: checksum mismatch") != std::string::npos);
  CHECK_FALSE(repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(5, 1)}).ok());
}

TEST_CASE("migration 0011 moves every bar of a database at 0010 into chunks") {
  fs::path dir = fs::temp_directory_path() / ("quantd-bars-mig-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    auto opened = Database::open({(dir / "q.db").string()});
    REQUIRE(opened.ok());
    auto& db = **opened;
    std::vector<quantd::EmbeddedFile> upto_10;
    for (const auto& f : quantd::embedded::migrations()) {
      if (f.path < "0011") upto_10.push_back(f);
    }
    REQUIRE(db.migrate(upto_10).ok());
    // Bars as the row-per-bar code wrote them: two series, one long enough for several chunks.
    SQLite::Database& c = db.connection();
    SQLite::Transaction tx(c);
    SQLite::Statement ins(c, "INSERT INTO bars VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
    const auto long_series = series(5000);
    for (const Bar& b : long_series) {
      ins.bind(1, "005930");
      ins.bind(2, "1m");
      ins.bind(3, b.ts);
      ins.bind(4, b.open);
      ins.bind(5, b.high);
      ins.bind(6, b.low);
      ins.bind(7, b.close);
      ins.bind(8, b.volume);
      ins.exec();
      ins.reset();
    }
    c.exec("INSERT INTO bars VALUES('000660', '1d', " + std::to_string(from_seoul({2024, 1, 2})) +
           ", 1.5, 2.25, 1, 2, 7)");
    c.exec("INSERT INTO bar_series VALUES('005930', '1m', " + std::to_string(minute(0)) + ", " +
           std::to_string(minute(4999)) + ", 5000)");
    c.exec("INSERT INTO bar_series VALUES('000660', '1d', " +
           std::to_string(from_seoul({2024, 1, 2})) + ", " +
           std::to_string(from_seoul({2024, 1, 2})) + ", 1)");
    tx.commit();

    auto applied = db.migrate(quantd::embedded::migrations());
    REQUIRE(applied.ok());
    CHECK(*applied >= 1);
    CHECK_FALSE(c.tableExists("bars"));
    BarRepository repo(db);
    auto loaded = repo.load(kSamsung, Interval::k1m);
    REQUIRE(loaded.ok());
    CHECK(*loaded == long_series);
    auto daily = repo.load(Symbol("000660"), Interval::k1d);
    REQUIRE(daily.ok());
    CHECK(*daily == std::vector<Bar>{{from_seoul({2024, 1, 2}), 1.5, 2.25, 1, 2, 7}});
    auto cov = repo.coverage();
    REQUIRE(cov.ok());
    REQUIRE(cov->size() == 2);
    CHECK((*cov)[1].count == 5000);
    CHECK((*cov)[0].revision > 0);
    CHECK((*cov)[1].revision > 0);
    CHECK((*cov)[0].revision != (*cov)[1].revision);
    CHECK(chunk_rows(db).size() == 4);
    // Later writes take revisions above the converted ones.
    REQUIRE(repo.upsert(kSamsung, Interval::k1m, std::vector<Bar>{bar(1, 3)}).ok());
    CHECK(repo.revision(kSamsung, Interval::k1m)->value() >
          std::max((*cov)[0].revision, (*cov)[1].revision));
  }
  fs::remove_all(dir);
}
