#include "quantd/storage/bar_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "quantd/core/memory.h"
#include "quantd/core/time.h"

namespace quantd::storage {
namespace {

using domain::Bar;

// The hot loops use SQLite's C API directly: SQLiteCpp's per-column objects copy a shared_ptr
// each, which would dominate a million-row load, and it does not expose its sqlite3_stmt.
// Errors are thrown as SQLite::Exception like SQLiteCpp's own, and caught at the same edge.
class RawStatement {
 public:
  RawStatement(SQLite::Database& db, const char* sql) : db_(db.getHandle()) {
    check(sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr));
  }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;
  ~RawStatement() { sqlite3_finalize(stmt_); }

  // Binds text that outlives the statement (no copy).
  void bind_static(int index, const std::string& text) {
    check(
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC));
  }
  void bind(int index, std::int64_t v) { check(sqlite3_bind_int64(stmt_, index, v)); }
  void bind(int index, double v) { check(sqlite3_bind_double(stmt_, index, v)); }
  // Steps once; true for a row, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw SQLite::Exception(db_, rc);
    return false;
  }
  void reset() { sqlite3_reset(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }
  sqlite3* db() const { return db_; }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

std::string series_name(const domain::Symbol& symbol, domain::Interval interval) {
  return symbol.str() + " " + std::string(domain::to_string(interval));
}

// Rows of the series with ts in [from, to].
std::int64_t count_rows(SQLite::Database& db, const std::string& symbol, std::string_view interval,
                        TimestampMs from, TimestampMs to) {
  SQLite::Statement q(db,
                      "SELECT COUNT(*) FROM bars WHERE symbol = ?1 AND interval = ?2 AND ts >= ?3 "
                      "AND ts <= ?4");
  q.bindNoCopy(1, symbol);
  q.bind(2, std::string(interval));
  q.bind(3, static_cast<std::int64_t>(from));
  q.bind(4, static_cast<std::int64_t>(to));
  q.executeStep();
  return q.getColumn(0).getInt64();
}

}  // namespace

Result<ImportSummary> BarRepository::upsert(const domain::Symbol& symbol, domain::Interval interval,
                                            std::span<const Bar> bars) {
  if (!domain::is_valid_symbol(symbol.str())) {
    return Status::invalid_argument("invalid symbol \"" + symbol.str() + "\"");
  }
  ImportSummary summary;
  if (bars.empty()) return summary;
  // A bar off its interval's grid is a file imported under the wrong interval (minute rows as
  // "1d"): refused whole, before anything is written. The grid is Seoul time's (daily bars at
  // midnight Asia/Seoul, intraday ones at whole multiples of their length).
  const std::int64_t step = domain::interval_ms(interval);
  for (const Bar& b : bars) {
    const std::int64_t off = ((b.ts + kSeoulOffsetMs) % step + step) % step;
    if (off == 0) continue;
    return Status::invalid_argument(
        "the bar at " + format_seoul(b.ts) + " is not on the " +
        std::string(domain::to_string(interval)) + " grid (" +
        (interval == domain::Interval::k1d
             ? std::string("daily bars are dates, at midnight Asia/Seoul")
             : "bars start at whole multiples of " + std::string(domain::to_string(interval))) +
        "): is the interval right? Nothing was imported.");
  }
  const auto [lo, hi] = std::minmax_element(bars.begin(), bars.end(),
                                            [](const Bar& a, const Bar& b) { return a.ts < b.ts; });
  summary.first_ts = lo->ts;
  summary.last_ts = hi->ts;
  const std::string interval_text(domain::to_string(interval));
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const std::int64_t before = count_rows(db, symbol.str(), interval_text, lo->ts, hi->ts);
    // The WHERE clause turns an identical re-import into a no-op, so sqlite3_changes() tells
    // written rows (inserted or updated) from unchanged ones.
    RawStatement ins(db,
                     "INSERT INTO bars(symbol, interval, ts, open, high, low, close, volume) "
                     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                     "ON CONFLICT(symbol, interval, ts) DO UPDATE SET "
                     "open = excluded.open, high = excluded.high, low = excluded.low, "
                     "close = excluded.close, volume = excluded.volume "
                     "WHERE open IS NOT excluded.open OR high IS NOT excluded.high OR "
                     "low IS NOT excluded.low OR close IS NOT excluded.close OR "
                     "volume IS NOT excluded.volume");
    ins.bind_static(1, symbol.str());
    ins.bind_static(2, interval_text);
    std::int64_t written = 0;
    for (const Bar& b : bars) {
      ins.bind(3, std::int64_t{b.ts});
      ins.bind(4, b.open);
      ins.bind(5, b.high);
      ins.bind(6, b.low);
      ins.bind(7, b.close);
      ins.bind(8, std::int64_t{b.volume});
      ins.step();
      written += sqlite3_changes(ins.db());
      ins.reset();
    }
    const std::int64_t after = count_rows(db, symbol.str(), interval_text, lo->ts, hi->ts);
    summary.inserted = after - before;
    SQLite::Statement series(
        db,
        "INSERT INTO bar_series(symbol, interval, first_ts, last_ts, count) "
        "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(symbol, interval) DO UPDATE SET "
        "first_ts = MIN(first_ts, excluded.first_ts), "
        "last_ts = MAX(last_ts, excluded.last_ts), "
        "count = count + excluded.count");
    series.bindNoCopy(1, symbol.str());
    series.bindNoCopy(2, interval_text);
    series.bind(3, std::int64_t{lo->ts});
    series.bind(4, std::int64_t{hi->ts});
    series.bind(5, summary.inserted);
    series.exec();
    tx.commit();
    summary.updated = written - summary.inserted;
    summary.unchanged = static_cast<std::int64_t>(bars.size()) - written;
  } catch (const std::exception& e) {
    return Status::internal("storing bars of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
  return summary;
}

Result<std::vector<Bar>> BarRepository::load(const domain::Symbol& symbol,
                                             domain::Interval interval,
                                             std::optional<TimestampMs> from,
                                             std::optional<TimestampMs> to) {
  const TimestampMs lo = from.value_or(std::numeric_limits<TimestampMs>::min());
  const TimestampMs hi = to.value_or(std::numeric_limits<TimestampMs>::max());
  std::vector<Bar> bars;
  if (lo > hi) return bars;
  const std::string interval_text(domain::to_string(interval));
  try {
    SQLite::Database& db = db_.connection();
    RawStatement q(db,
                   "SELECT ts, open, high, low, close, volume FROM bars "
                   "WHERE symbol = ?1 AND interval = ?2 AND ts >= ?3 AND ts <= ?4 "
                   "ORDER BY ts");
    q.bind_static(1, symbol.str());
    q.bind_static(2, interval_text);
    q.bind(3, std::int64_t{lo});
    q.bind(4, std::int64_t{hi});
    sqlite3_stmt* stmt = q.get();
    // Rows go into chunks of growing size, then into one exactly sized vector, each chunk freed
    // once copied: one scan of the table (a COUNT first would be a second one, ~25% of the load),
    // no reallocation, and at most one chunk more than the bars in memory at any time.
    std::vector<std::vector<Bar>> chunks;
    std::size_t total = 0;
    std::size_t chunk_size = 4096;
    while (q.step()) {
      if (chunks.empty() || chunks.back().size() == chunks.back().capacity()) {
        chunks.emplace_back().reserve(chunk_size);
        advise_huge_pages(chunks.back().data(), chunk_size * sizeof(Bar));
        chunk_size = std::min<std::size_t>(chunk_size * 2, std::size_t{1} << 18);
      }
      chunks.back().push_back(Bar{sqlite3_column_int64(stmt, 0), sqlite3_column_double(stmt, 1),
                                  sqlite3_column_double(stmt, 2), sqlite3_column_double(stmt, 3),
                                  sqlite3_column_double(stmt, 4), sqlite3_column_int64(stmt, 5)});
      ++total;
    }
    if (chunks.size() == 1) {
      bars = std::move(chunks.front());
    } else if (chunks.size() > 1) {
      bars.reserve(total);
      advise_huge_pages(bars.data(), total * sizeof(Bar));
      for (std::vector<Bar>& c : chunks) {
        bars.insert(bars.end(), c.begin(), c.end());
        std::vector<Bar>().swap(c);
      }
    }
  } catch (const std::exception& e) {
    return Status::internal("loading bars of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
  return bars;
}

Result<std::vector<BarCoverage>> BarRepository::coverage() {
  std::vector<BarCoverage> out;
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT symbol, interval, first_ts, last_ts, count FROM bar_series "
                        "ORDER BY symbol, interval");
    while (q.executeStep()) {
      const std::string interval_text = q.getColumn(1).getString();
      const std::optional<domain::Interval> interval = domain::parse_interval(interval_text);
      if (!interval) {
        return Status::internal("bar_series holds an unknown interval \"" + interval_text + "\"");
      }
      out.push_back(BarCoverage{domain::Symbol(q.getColumn(0).getString()), *interval,
                                q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                                q.getColumn(4).getInt64()});
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("reading bar coverage failed: ") + e.what());
  }
  return out;
}

Status BarRepository::remove(const domain::Symbol& symbol, domain::Interval interval) {
  int deleted = 0;
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const std::string interval_text(domain::to_string(interval));
    for (const char* sql : {"DELETE FROM bars WHERE symbol = ?1 AND interval = ?2",
                            "DELETE FROM bar_series WHERE symbol = ?1 AND interval = ?2"}) {
      SQLite::Statement del(db, sql);
      del.bindNoCopy(1, symbol.str());
      del.bindNoCopy(2, interval_text);
      const int n = del.exec();
      if (deleted == 0) deleted = n;
    }
    tx.commit();
  } catch (const std::exception& e) {
    return Status::internal("deleting bars of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
  if (deleted == 0) return Status::not_found("no bars stored for " + series_name(symbol, interval));
  return Status::ok_status();
}

}  // namespace quantd::storage
