// What BarRepository and migration 0011's conversion step share: writing chunks of a series and
// taking a revision. Throw like SQLiteCpp; callers hold a write transaction.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <span>
#include <string>

#include "quantd/domain/bar.h"

namespace quantd::storage::detail {

// Writes `bars` (non-empty, ascending, unique) as one chunk, replacing a chunk of the series
// starting at the same ts.
void write_chunk(SQLite::Database& db, const std::string& symbol, const std::string& interval,
                 std::span<const domain::Bar> bars);

// Writes `bars` (ascending, unique) as chunks of kBarChunkBars, the last one partial.
void write_chunks(SQLite::Database& db, const std::string& symbol, const std::string& interval,
                  std::span<const domain::Bar> bars);

// Takes the next value of the database-wide bar revision counter (bar_revision).
std::int64_t next_bar_revision(SQLite::Database& db);

// Migration 0011's C++ step: moves every row of the old `bars` table into bar_chunks, series by
// series, rebuilds each series' bar_series row from what was moved, then drops `bars`. Runs inside
// the migration's transaction. Returns the number of bars converted.
std::int64_t convert_row_bars_to_chunks(SQLite::Database& db);

}  // namespace quantd::storage::detail
