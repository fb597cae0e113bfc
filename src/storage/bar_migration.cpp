// Migration 0011's C++ step (see migrations/0011_columnar_bars.sql): the row-per-bar table
// becomes chunks. SQL cannot pack the blobs, so the migration runs this right after its SQL, in
// the same transaction: a failure anywhere leaves the database at 0010 with every bar in place.
#include <spdlog/spdlog.h>

#include <string>
#include <vector>

#include "bar_chunks_internal.h"
#include "quantd/storage/bar_repository.h"
#include "raw_statement_internal.h"

namespace quantd::storage::detail {

std::int64_t convert_row_bars_to_chunks(SQLite::Database& db) {
  // bar_series is a summary of the bars; rebuilt from what is moved, so it matches exactly.
  db.exec("DELETE FROM bar_series");
  RawStatement rows(db,
                    "SELECT symbol, interval, ts, open, high, low, close, volume FROM bars "
                    "ORDER BY symbol, interval, ts");
  RawStatement series(db,
                      "INSERT INTO bar_series(symbol, interval, first_ts, last_ts, count, "
                      "revision) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  std::string symbol;
  std::string interval;
  std::vector<domain::Bar> chunk;
  chunk.reserve(kBarChunkBars);
  TimestampMs first = 0;
  TimestampMs last = 0;
  std::int64_t count = 0;
  std::int64_t total = 0;
  auto flush_chunk = [&] {
    if (chunk.empty()) return;
    write_chunk(db, symbol, interval, chunk);
    chunk.clear();
  };
  auto flush_series = [&] {
    flush_chunk();
    if (count == 0) return;
    series.bind_static(1, symbol);
    series.bind_static(2, interval);
    series.bind(3, first);
    series.bind(4, last);
    series.bind(5, count);
    series.bind(6, next_bar_revision(db));
    series.step();
    series.reset();
    total += count;
    count = 0;
  };
  while (rows.step()) {
    const std::span<const std::uint8_t> sym = rows.column_blob(0);
    const std::span<const std::uint8_t> iv = rows.column_blob(1);
    const std::string_view sym_text(reinterpret_cast<const char*>(sym.data()), sym.size());
    const std::string_view iv_text(reinterpret_cast<const char*>(iv.data()), iv.size());
    if (count == 0 || sym_text != symbol || iv_text != interval) {
      flush_series();
      symbol.assign(sym_text);
      interval.assign(iv_text);
      first = rows.column_int64(2);
    }
    if (chunk.size() == kBarChunkBars) flush_chunk();
    domain::Bar b;
    b.ts = rows.column_int64(2);
    b.open = rows.column_double(3);
    b.high = rows.column_double(4);
    b.low = rows.column_double(5);
    b.close = rows.column_double(6);
    b.volume = rows.column_int64(7);
    chunk.push_back(b);
    last = b.ts;
    ++count;
  }
  flush_series();
  db.exec("DROP TABLE bars");
  if (total > 0) spdlog::info("migration 0011: moved {} bars into chunks", total);
  return total;
}

}  // namespace quantd::storage::detail
