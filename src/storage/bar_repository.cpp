#include "quantd/storage/bar_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "bar_chunks_internal.h"
#include "quantd/core/memory.h"
#include "quantd/core/time.h"
#include "quantd/storage/bar_chunk.h"
#include "raw_statement_internal.h"

namespace quantd::storage {
namespace {

using detail::RawStatement;
using domain::Bar;

std::string series_name(const domain::Symbol& symbol, domain::Interval interval) {
  return symbol.str() + " " + std::string(domain::to_string(interval));
}

// A bar off its interval's grid is a file imported under the wrong interval (minute rows as
// "1d"): refused whole, before anything is written. The grid is Seoul time's (daily bars at
// midnight Asia/Seoul, intraday ones at whole multiples of their length).
Status check_grid(domain::Interval interval, std::span<const Bar> bars) {
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
  return Status::ok_status();
}

// The chunks of a series that may hold bars of [lo, hi]: the last one starting at or before lo,
// and every one starting in (lo, hi]. ?1 symbol, ?2 interval, ?3 lo, ?4 hi.
constexpr const char* kOverlapping =
    " FROM bar_chunks WHERE symbol = ?1 AND interval = ?2 AND first_ts <= ?4 AND first_ts >= "
    "COALESCE((SELECT MAX(first_ts) FROM bar_chunks WHERE symbol = ?1 AND interval = ?2 AND "
    "first_ts <= ?3), ?3)";

struct StoredChunk {
  TimestampMs first_ts = 0;
  TimestampMs last_ts = 0;
  std::vector<Bar> bars;
};

}  // namespace

namespace detail {

void write_chunk(SQLite::Database& db, const std::string& symbol, const std::string& interval,
                 std::span<const Bar> bars) {
  const std::vector<std::uint8_t> blob = encode_bar_chunk(bars);
  RawStatement ins(db,
                   "INSERT OR REPLACE INTO bar_chunks(symbol, interval, first_ts, last_ts, count, "
                   "data) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  ins.bind_static(1, symbol);
  ins.bind_static(2, interval);
  ins.bind(3, bars.front().ts);
  ins.bind(4, bars.back().ts);
  ins.bind(5, static_cast<std::int64_t>(bars.size()));
  ins.bind_blob(6, blob);
  ins.step();
}

void write_chunks(SQLite::Database& db, const std::string& symbol, const std::string& interval,
                  std::span<const Bar> bars) {
  for (std::size_t i = 0; i < bars.size(); i += kBarChunkBars) {
    write_chunk(db, symbol, interval, bars.subspan(i, std::min(kBarChunkBars, bars.size() - i)));
  }
}

std::int64_t next_bar_revision(SQLite::Database& db) {
  db.exec("UPDATE bar_revision SET value = value + 1 WHERE id = 1");
  return db.execAndGet("SELECT value FROM bar_revision WHERE id = 1").getInt64();
}

}  // namespace detail

// ---- BarImport --------------------------------------------------------------------------------

struct BarImport::State {
  State(SQLite::Database& conn, const domain::Symbol& s, domain::Interval i)
      : db(conn),
        tx(conn, SQLite::TransactionBehavior::IMMEDIATE),
        symbol(s),
        interval(i),
        symbol_text(s.str()),
        interval_text(domain::to_string(i)) {}

  // Merges one sorted batch into the chunks it falls into.
  void merge(std::span<const Bar> batch);
  // Merges `add` (sorted, may repeat a ts) into `chunk`'s bars; true when any bar changed.
  bool merge_into(std::vector<Bar>& out, std::span<const Bar> old, std::span<const Bar> add);

  SQLite::Database& db;
  SQLite::Transaction tx;
  domain::Symbol symbol;
  domain::Interval interval;
  std::string symbol_text;
  std::string interval_text;
  ImportSummary summary;
  std::int64_t given = 0;
  Status failed;
  bool done = false;
};

BarImport::BarImport(std::unique_ptr<State> state) : state_(std::move(state)) {}
BarImport::~BarImport() = default;  // the Transaction rolls back unless committed

bool BarImport::State::merge_into(std::vector<Bar>& out, std::span<const Bar> old,
                                  std::span<const Bar> add) {
  out.clear();
  out.reserve(old.size() + add.size());
  bool changed = false;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < old.size() || j < add.size()) {
    if (j == add.size() || (i < old.size() && old[i].ts < add[j].ts)) {
      out.push_back(old[i++]);
      continue;
    }
    const Bar& b = add[j++];
    if (i < old.size() && old[i].ts == b.ts) out.push_back(old[i++]);
    if (!out.empty() && out.back().ts == b.ts) {
      if (out.back() == b) {
        ++summary.unchanged;
      } else {
        ++summary.updated;
        out.back() = b;
        changed = true;
      }
    } else {
      ++summary.inserted;
      out.push_back(b);
      changed = true;
    }
  }
  return changed;
}

void BarImport::State::merge(std::span<const Bar> batch) {
  const TimestampMs lo = batch.front().ts;
  const TimestampMs hi = batch.back().ts;
  std::vector<StoredChunk> chunks;
  {
    RawStatement q(
        db, (std::string("SELECT first_ts, last_ts, data") + kOverlapping + " ORDER BY first_ts")
                .c_str());
    q.bind_static(1, symbol_text);
    q.bind_static(2, interval_text);
    q.bind(3, lo);
    q.bind(4, hi);
    while (q.step()) {
      auto bars = decode_bar_chunk(q.column_blob(2));
      if (!bars.ok()) {
        throw std::runtime_error("the chunk at " + format_seoul(q.column_int64(0)) + " is " +
                                 bars.status().message());
      }
      chunks.push_back({q.column_int64(0), q.column_int64(1), std::move(bars).value()});
    }
  }
  std::vector<Bar> merged;
  if (chunks.empty()) {  // the batch lies before every stored chunk, or the series is new
    merge_into(merged, {}, batch);
    detail::write_chunks(db, symbol_text, interval_text, merged);
    return;
  }
  // Each bar joins the last chunk starting at or before it (bars before the first chunk join
  // it), so chunk ranges stay disjoint; the chunks after the last one read start after hi.
  std::size_t next = 0;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    std::size_t end = batch.size();
    if (c + 1 < chunks.size()) {
      end = static_cast<std::size_t>(
          std::lower_bound(batch.begin() + static_cast<std::ptrdiff_t>(next), batch.end(),
                           chunks[c + 1].first_ts,
                           [](const Bar& b, TimestampMs t) { return b.ts < t; }) -
          batch.begin());
    }
    const std::span<const Bar> add = batch.subspan(next, end - next);
    next = end;
    if (add.empty()) continue;
    StoredChunk& chunk = chunks[c];
    if (chunk.bars.size() >= kBarChunkBars && add.front().ts > chunk.last_ts) {
      // Appending past a full chunk: new chunks, the full one stays as it is.
      merge_into(merged, {}, add);
      detail::write_chunks(db, symbol_text, interval_text, merged);
      continue;
    }
    if (!merge_into(merged, chunk.bars, add)) continue;
    if (merged.front().ts != chunk.first_ts) {
      RawStatement del(db,
                       "DELETE FROM bar_chunks WHERE symbol = ?1 AND interval = ?2 AND "
                       "first_ts = ?3");
      del.bind_static(1, symbol_text);
      del.bind_static(2, interval_text);
      del.bind(3, chunk.first_ts);
      del.step();
    }
    detail::write_chunks(db, symbol_text, interval_text, merged);
  }
}

Status BarImport::add(std::span<const Bar> bars) {
  State& s = *state_;
  if (s.done) return Status::failed_precondition("the import is already committed");
  if (!s.failed.ok()) return s.failed;
  if (bars.empty()) return Status::ok_status();
  if (Status grid = check_grid(s.interval, bars); !grid.ok()) return s.failed = grid;
  const auto by_ts = [](const Bar& a, const Bar& b) { return a.ts < b.ts; };
  std::vector<Bar> copy;
  std::span<const Bar> sorted = bars;
  if (!std::is_sorted(bars.begin(), bars.end(), by_ts)) {
    copy.assign(bars.begin(), bars.end());
    std::stable_sort(copy.begin(), copy.end(), by_ts);  // a repeated ts keeps its order
    sorted = copy;
  }
  s.given += static_cast<std::int64_t>(bars.size());
  if (!s.summary.first_ts || sorted.front().ts < *s.summary.first_ts) {
    s.summary.first_ts = sorted.front().ts;
  }
  if (!s.summary.last_ts || sorted.back().ts > *s.summary.last_ts) {
    s.summary.last_ts = sorted.back().ts;
  }
  try {
    s.merge(sorted);
  } catch (const std::exception& e) {
    return s.failed = Status::internal("storing bars of " + series_name(s.symbol, s.interval) +
                                       " failed: " + e.what());
  }
  return Status::ok_status();
}

Result<ImportSummary> BarImport::commit() {
  State& s = *state_;
  if (s.done) return Status::failed_precondition("the import is already committed");
  if (!s.failed.ok()) return s.failed;
  try {
    if (s.summary.inserted + s.summary.updated > 0) {
      SQLite::Statement series(
          s.db,
          "INSERT INTO bar_series(symbol, interval, first_ts, last_ts, count, revision) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(symbol, interval) DO UPDATE SET "
          "first_ts = MIN(first_ts, excluded.first_ts), "
          "last_ts = MAX(last_ts, excluded.last_ts), "
          "count = count + excluded.count, revision = excluded.revision");
      series.bindNoCopy(1, s.symbol_text);
      series.bindNoCopy(2, s.interval_text);
      series.bind(3, std::int64_t{*s.summary.first_ts});
      series.bind(4, std::int64_t{*s.summary.last_ts});
      series.bind(5, s.summary.inserted);
      series.bind(6, detail::next_bar_revision(s.db));
      series.exec();
    }
    s.tx.commit();
  } catch (const std::exception& e) {
    s.failed = Status::internal("storing bars of " + series_name(s.symbol, s.interval) +
                                " failed: " + e.what());
    return s.failed;
  }
  s.done = true;
  return s.summary;
}

// ---- BarRepository ----------------------------------------------------------------------------

Result<std::unique_ptr<BarImport>> BarRepository::begin_import(const domain::Symbol& symbol,
                                                               domain::Interval interval) {
  if (!domain::is_valid_symbol(symbol.str())) {
    return Status::invalid_argument("invalid symbol \"" + symbol.str() + "\"");
  }
  try {
    return std::unique_ptr<BarImport>(
        new BarImport(std::make_unique<BarImport::State>(db_.connection(), symbol, interval)));
  } catch (const std::exception& e) {
    return Status::internal("storing bars of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
}

Result<ImportSummary> BarRepository::upsert(const domain::Symbol& symbol, domain::Interval interval,
                                            std::span<const Bar> bars) {
  if (!domain::is_valid_symbol(symbol.str())) {
    return Status::invalid_argument("invalid symbol \"" + symbol.str() + "\"");
  }
  if (bars.empty()) return ImportSummary{};
  // Checked before the write lock is taken, so a wrong file never waits for one.
  if (Status grid = check_grid(interval, bars); !grid.ok()) return grid;
  auto import = begin_import(symbol, interval);
  if (!import.ok()) return import.status();
  if (Status added = (*import)->add(bars); !added.ok()) return added;
  return (*import)->commit();
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
    // The chunks' counts first (their rows' leading columns, no blob read), so the result is
    // sized once, on huge pages, and decoded into in place.
    std::size_t total = 0;
    {
      RawStatement q(db, (std::string("SELECT TOTAL(count)") + kOverlapping).c_str());
      q.bind_static(1, symbol.str());
      q.bind_static(2, interval_text);
      q.bind(3, lo);
      q.bind(4, hi);
      if (q.step()) total = static_cast<std::size_t>(q.column_int64(0));
    }
    if (total == 0) return bars;
    bars.reserve(total);
    advise_huge_pages(bars.data(), total * sizeof(Bar));
    bars.resize(total);
    RawStatement q(
        db, (std::string("SELECT first_ts, data") + kOverlapping + " ORDER BY first_ts").c_str());
    q.bind_static(1, symbol.str());
    q.bind_static(2, interval_text);
    q.bind(3, lo);
    q.bind(4, hi);
    std::size_t used = 0;
    while (q.step()) {
      const std::span<const std::uint8_t> blob = q.column_blob(1);
      auto count = bar_chunk_count(blob);
      if (count.ok() && used + *count > bars.size()) bars.resize(used + *count);  // a new write
      auto decoded =
          count.ok() ? decode_bar_chunk(blob, bars.data() + used, bars.size() - used) : count;
      if (!decoded.ok()) {
        return Status::internal("loading bars of " + series_name(symbol, interval) +
                                ": the chunk at " + format_seoul(q.column_int64(0)) + " is " +
                                decoded.status().message());
      }
      used += *decoded;
    }
    bars.resize(used);
    // Only the end chunks can reach outside [lo, hi].
    const auto by_ts = [](const Bar& b, TimestampMs t) { return b.ts < t; };
    const auto last = std::upper_bound(bars.begin(), bars.end(), hi,
                                       [](TimestampMs t, const Bar& b) { return t < b.ts; });
    bars.erase(last, bars.end());
    bars.erase(bars.begin(), std::lower_bound(bars.begin(), bars.end(), lo, by_ts));
  } catch (const std::exception& e) {
    return Status::internal("loading bars of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
  return bars;
}

Result<bool> BarRepository::has_bars(const domain::Symbol& symbol, domain::Interval interval,
                                     std::optional<TimestampMs> from,
                                     std::optional<TimestampMs> to) {
  const TimestampMs lo = from.value_or(std::numeric_limits<TimestampMs>::min());
  const TimestampMs hi = to.value_or(std::numeric_limits<TimestampMs>::max());
  if (lo > hi) return false;
  const std::string interval_text(domain::to_string(interval));
  try {
    RawStatement q(db_.connection(), (std::string("SELECT first_ts, last_ts, data") + kOverlapping +
                                      " AND last_ts >= ?3 ORDER BY first_ts")
                                         .c_str());
    q.bind_static(1, symbol.str());
    q.bind_static(2, interval_text);
    q.bind(3, lo);
    q.bind(4, hi);
    while (q.step()) {
      // A chunk's first and last bars are at its first_ts and last_ts: one of them inside the
      // range answers without decoding.
      const TimestampMs first = q.column_int64(0);
      const TimestampMs last = q.column_int64(1);
      if ((first >= lo && first <= hi) || (last >= lo && last <= hi)) return true;
      auto bars = decode_bar_chunk(q.column_blob(2));
      if (!bars.ok()) return bars.status();
      for (const Bar& b : *bars) {
        if (b.ts >= lo && b.ts <= hi) return true;
      }
    }
  } catch (const std::exception& e) {
    return Status::internal("reading bars of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
  return false;
}

Result<std::optional<std::int64_t>> BarRepository::revision(const domain::Symbol& symbol,
                                                            domain::Interval interval) {
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT revision FROM bar_series WHERE symbol = ?1 AND interval = ?2");
    q.bindNoCopy(1, symbol.str());
    q.bind(2, std::string(domain::to_string(interval)));
    if (!q.executeStep()) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(q.getColumn(0).getInt64());
  } catch (const std::exception& e) {
    return Status::internal("reading the revision of " + series_name(symbol, interval) +
                            " failed: " + e.what());
  }
}

Result<std::vector<BarCoverage>> BarRepository::coverage() {
  std::vector<BarCoverage> out;
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT symbol, interval, first_ts, last_ts, count, revision FROM "
                        "bar_series ORDER BY symbol, interval");
    while (q.executeStep()) {
      const std::string interval_text = q.getColumn(1).getString();
      const std::optional<domain::Interval> interval = domain::parse_interval(interval_text);
      if (!interval) {
        return Status::internal("bar_series holds an unknown interval \"" + interval_text + "\"");
      }
      out.push_back(BarCoverage{domain::Symbol(q.getColumn(0).getString()), *interval,
                                q.getColumn(2).getInt64(), q.getColumn(3).getInt64(),
                                q.getColumn(4).getInt64(), q.getColumn(5).getInt64()});
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
    for (const char* sql : {"DELETE FROM bar_chunks WHERE symbol = ?1 AND interval = ?2",
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
