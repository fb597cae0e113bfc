// Stored equity curves (BacktestRepository::equity): the compact form written by finish(), and a
// curve stored as JSON text before migration 0010 converted on its first read, in bounded memory,
// even when the database will not take the write yet.
#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <unistd.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <memory>
#include <vector>

#include "quantd/core/embedded.h"
#include "quantd/core/memory.h"
#include "quantd/storage/backtest_repository.h"
#include "quantd/storage/equity_json.h"

namespace {

namespace fs = std::filesystem;
using namespace quantd;

struct TempDb {
  fs::path dir;
  std::unique_ptr<storage::Database> db;
  // Migrates up to (and including) `last_migration`, e.g. "0009" for a database from before
  // compact results.
  explicit TempDb(const std::string& last_migration = "9999", int busy_timeout_ms = 5000) {
    dir = fs::temp_directory_path() / ("quantd-results-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    auto opened = storage::Database::open({(dir / "q.db").string(), busy_timeout_ms});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    migrate(last_migration);
  }
  void migrate(const std::string& last) {
    std::vector<EmbeddedFile> files;
    for (const EmbeddedFile& f : embedded::migrations()) {
      if (f.path.substr(0, 4) <= last) files.push_back(f);
    }
    REQUIRE(db->migrate(files).ok());
  }
  ~TempDb() {
    db.reset();
    fs::remove_all(dir);
  }
};

struct Curve {
  std::vector<TimestampMs> ts;
  std::vector<double> equity, benchmark, drawdown;
};

// A curve like the engine's: whole-won equity with its drawdown from a 100,000,000 start.
Curve make_curve(std::size_t n) {
  Curve c;
  double peak = 1e8;
  for (std::size_t i = 0; i < n; ++i) {
    c.ts.push_back(1'700'000'000'000 + static_cast<TimestampMs>(i) * 60'000);
    const double e = 1e8 + std::round(3e6 * std::sin(static_cast<double>(i) / 900.0)) +
                     static_cast<double>(i % 7);
    c.equity.push_back(e);
    c.benchmark.push_back(1e8 * (1 + 0.01 * std::cos(static_cast<double>(i) / 300.0)));
    peak = std::max(peak, e);
    c.drawdown.push_back(1.0 - e / peak);
  }
  return c;
}

// What the daemon stored before migration 0010: the JSON text, as equity_json() wrote it.
std::string old_text(const Curve& c) {
  storage::EquityJsonWriter writer;
  std::string out = "[";
  for (std::size_t i = 0; i < c.ts.size(); ++i) {
    if (i > 0) out += ',';
    writer.point(out, {c.ts[i], c.equity[i], c.benchmark[i], c.drawdown[i]});
  }
  out += ']';
  return out;
}

// A done backtest whose result row holds `equity` as the old code stored it (TEXT).
domain::BacktestId store_old_result(storage::Database& db, const std::string& equity) {
  storage::BacktestRepository repo(db);
  storage::BacktestRecord job;
  job.script = "builtin:sma_cross";
  job.settings_json = R"({"symbols":["A"],"interval":"1m","cash":100000000})";
  auto id = repo.create(job, 1);
  REQUIRE(id.ok());
  SQLite::Database& conn = db.connection();
  SQLite::Statement done(conn,
                         "UPDATE backtests SET status = 'done', finished_at = 2 WHERE id = ?");
  done.bind(1, id->value());
  done.exec();
  SQLite::Statement row(conn,
                        "INSERT INTO backtest_results(backtest_id, equity, trades, orders) "
                        "VALUES(?, ?, '[]', '[]')");
  row.bind(1, id->value());
  row.bindNoCopy(2, equity);
  row.exec();
  return *id;
}

std::string column_type(storage::Database& db, domain::BacktestId id) {
  SQLite::Statement q(db.connection(),
                      "SELECT typeof(equity) FROM backtest_results WHERE backtest_id = ?");
  q.bind(1, id.value());
  REQUIRE(q.executeStep());
  return q.getColumn(0).getString();
}

std::int64_t stored_bytes(storage::Database& db, domain::BacktestId id) {
  SQLite::Statement q(db.connection(),
                      "SELECT length(CAST(equity AS BLOB)) FROM backtest_results "
                      "WHERE backtest_id = ?");
  q.bind(1, id.value());
  REQUIRE(q.executeStep());
  return q.getColumn(0).getInt64();
}

void check_points(storage::EquityReader& reader, const Curve& c) {
  REQUIRE(reader.size() == c.ts.size());
  for (std::size_t i = 0; i < c.ts.size(); ++i) {
    const storage::EquityPoint p = reader.next();
    CAPTURE(i);
    REQUIRE(p.ts == c.ts[i]);
    REQUIRE(std::bit_cast<std::uint64_t>(p.equity) == std::bit_cast<std::uint64_t>(c.equity[i]));
    REQUIRE(p.benchmark == c.benchmark[i]);
    REQUIRE(p.drawdown == c.drawdown[i]);
  }
}

TEST_CASE("results: finish() stores the compact curve; equity() reads it back exactly") {
  TempDb t;
  storage::BacktestRepository repo(*t.db);
  auto id = repo.create({}, 1);
  REQUIRE(id.ok());
  REQUIRE(*repo.claim(*id, 2));
  const Curve c = make_curve(10'000);
  storage::BacktestOutput out;
  out.metrics_json = "{}";
  out.equity = storage::encode_equity({c.ts, c.equity, c.benchmark, c.drawdown, 1e8});
  out.trades_json = "[]";
  out.orders_json = "[]";
  out.equity_preview_json = "[]";
  REQUIRE(*repo.finish(*id, out, 3));
  CHECK(column_type(*t.db, *id) == "blob");
  CHECK(stored_bytes(*t.db, *id) == static_cast<std::int64_t>(out.equity.size()));
  auto reader = repo.equity(*id);
  REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  check_points(*reader, c);
  CHECK(**repo.equity_preview(*id) == "[]");
}

TEST_CASE("results: a database from before 0010 migrates; its old rows convert on first read") {
  TempDb t("0009");
  const Curve c = make_curve(20'000);
  const std::string text = old_text(c);
  const domain::BacktestId id = store_old_result(*t.db, text);
  t.migrate("9999");
  auto applied = t.db->applied_migrations();
  REQUIRE(applied.ok());
  CHECK(applied->back() >= 10);
  CHECK(column_type(*t.db, id) == "text");  // untouched by the migration itself

  storage::BacktestRepository repo(*t.db);
  auto first = repo.equity(id);
  REQUIRE_MESSAGE(first.ok(), first.status().message());
  check_points(*first, c);
  CHECK(column_type(*t.db, id) == "blob");
  const std::int64_t compact = stored_bytes(*t.db, id);
  MESSAGE(c.ts.size() << " points: " << text.size() << " bytes of JSON, " << compact << " compact");
  CHECK(compact * 5 < static_cast<std::int64_t>(text.size()));

  // The second read is of the compact form, with the same points.
  auto second = repo.equity(id);
  REQUIRE(second.ok());
  check_points(*second, c);
  CHECK(stored_bytes(*t.db, id) == compact);
}

TEST_CASE("results: an old row that cannot be written back yet is served and converts later") {
  TempDb t("9999", /*busy_timeout_ms=*/50);
  const Curve c = make_curve(500);
  const domain::BacktestId id = store_old_result(*t.db, old_text(c));
  storage::BacktestRepository repo(*t.db);
  {
    // Another writer holds the database: the conversion cannot be stored.
    SQLite::Database other(t.db->path(), SQLite::OPEN_READWRITE);
    other.exec("BEGIN IMMEDIATE");
    auto served = repo.equity(id);
    REQUIRE_MESSAGE(served.ok(), served.status().message());
    check_points(*served, c);
    other.exec("ROLLBACK");
  }
  CHECK(column_type(*t.db, id) == "text");
  auto later = repo.equity(id);
  REQUIRE(later.ok());
  check_points(*later, c);
  CHECK(column_type(*t.db, id) == "blob");
}

TEST_CASE("results: a damaged curve is an error that says what is wrong") {
  TempDb t;
  storage::BacktestRepository repo(*t.db);
  const domain::BacktestId bad_json =
      store_old_result(*t.db, "[{\"ts\":1,\"equity\":2,\"benchmark\":3}]");
  auto r = repo.equity(bad_json);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInternal);
  CHECK(r.status().message().find("no member 'drawdown'") != std::string::npos);
  CHECK(column_type(*t.db, bad_json) == "text");  // nothing written

  const Curve c = make_curve(100);
  std::string document = storage::encode_equity({c.ts, c.equity, c.benchmark, c.drawdown, 1e8});
  document.resize(document.size() - 3);
  const domain::BacktestId cut = store_old_result(*t.db, "[]");
  SQLite::Statement q(t.db->connection(),
                      "UPDATE backtest_results SET equity = ? WHERE backtest_id = ?");
  q.bind(1, document.data(), static_cast<int>(document.size()));
  q.bind(2, cut.value());
  q.exec();
  r = repo.equity(cut);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("equity curve: ") != std::string::npos);

  CHECK(repo.equity(domain::BacktestId(999)).status().code() == StatusCode::kNotFound);
}

TEST_CASE("results: converting a million-point JSON curve holds a fraction of its text") {
  TempDb t;
  const Curve c = make_curve(1'000'000);
  domain::BacktestId id(0);
  std::size_t text_bytes = 0;
  {
    const std::string text = old_text(c);
    text_bytes = text.size();
    id = store_old_result(*t.db, text);
  }
  REQUIRE(reset_peak_resident());
  const auto before = resident_bytes();
  REQUIRE(before.has_value());
  storage::BacktestRepository repo(*t.db);
  auto reader = repo.equity(id);
  REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  const auto peak = peak_resident_bytes();
  REQUIRE(peak.has_value());
  const std::size_t growth = *peak > *before ? *peak - *before : 0;
  MESSAGE("converting " << text_bytes << " bytes of JSON: peak RSS +" << growth / 1'000'000
                        << " MB; compact form " << stored_bytes(*t.db, id) << " bytes");
  // The text is ~95 MB; the columns of a million points are 32 MB, the compact form a few.
  CHECK(growth < text_bytes / 2);
  CHECK(stored_bytes(*t.db, id) <= 20'000'000);
  check_points(*reader, c);
}

}  // namespace
