// BarRepository: OHLCV bars in the `bars` table (migrations/0002_bars.sql), keyed by
// (symbol, interval, ts).
//
// Design: a thin adapter over the caller thread's SQLite connection (Database::connection()), so
// one BarRepository may be used from several threads at once; SQLite's busy timeout serialises
// writers. Every method catches SQLite's exceptions and returns a Status. Writes are one
// transaction each: they happen completely or not at all. Loading is the backtest's hot path: one
// prepared statement walking the primary key in time order, reading columns with the C API.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

// What an upsert did. inserted + updated + unchanged == the number of bars given.
struct ImportSummary {
  std::int64_t inserted = 0;            // bars whose timestamp was not stored yet
  std::int64_t updated = 0;             // stored bars whose values changed
  std::int64_t unchanged = 0;           // stored bars that already had exactly these values
  std::optional<TimestampMs> first_ts;  // earliest / latest ts of the given bars; nullopt if none
  std::optional<TimestampMs> last_ts;
};

// The stored range of one series.
struct BarCoverage {
  domain::Symbol symbol;
  domain::Interval interval = domain::Interval::k1d;
  TimestampMs first_ts = 0;
  TimestampMs last_ts = 0;
  std::int64_t count = 0;
};

class BarRepository {
 public:
  // `db` must be migrated (0002_bars applied) and outlive the repository.
  explicit BarRepository(Database& db) : db_(db) {}

  // Stores `bars` for (symbol, interval) in one transaction: new timestamps are inserted, stored
  // ones overwritten. Running it again with the same bars changes nothing (all unchanged).
  // Bars need not be sorted; each ts should appear once (if not, the last one wins and the
  // counts see it twice). Returns what happened, or invalid_argument for an invalid symbol, or
  // internal (SQLite's message) when the write fails; then nothing was stored.
  Result<ImportSummary> upsert(const domain::Symbol& symbol, domain::Interval interval,
                               std::span<const domain::Bar> bars);

  // The bars of (symbol, interval) with from <= ts <= to (a missing bound is open), ascending by
  // ts. An unknown series gives an empty vector. Errors: internal (SQLite's message).
  Result<std::vector<domain::Bar>> load(const domain::Symbol& symbol, domain::Interval interval,
                                        std::optional<TimestampMs> from = std::nullopt,
                                        std::optional<TimestampMs> to = std::nullopt);

  // Every stored series with its first/last ts and bar count, ordered by symbol then interval
  // (as text). Reads the bar_series summary that upsert and remove keep, one row per series.
  // Errors: internal.
  Result<std::vector<BarCoverage>> coverage();

  // Deletes every bar of (symbol, interval) and its summary in one transaction. Returns not_found
  // when there were none, internal when SQLite fails.
  Status remove(const domain::Symbol& symbol, domain::Interval interval);

 private:
  Database& db_;
};

}  // namespace quantd::storage
