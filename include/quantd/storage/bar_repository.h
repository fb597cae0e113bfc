// BarRepository: OHLCV bars, stored as chunks of packed columns in `bar_chunks`
// (migrations/0011_columnar_bars.sql; the chunk format is bar_chunk.h), one series per
// (symbol, interval), with a one-row summary per series in `bar_series`.
//
// Design: a thin adapter over the caller thread's SQLite connection (Database::connection()), so
// one BarRepository may be used from several threads at once; SQLite's busy timeout serialises
// writers. Every method catches SQLite's exceptions and returns a Status. Writes are one
// transaction each: they happen completely or not at all. This is the only code that reads or
// writes bar_chunks and bar_series.
//
// Invariants: the chunks of a series hold disjoint, ascending ts ranges, each at most
// kBarChunkBars bars (a chunk per ~5 trading days of minute bars). A write rewrites only the
// chunks its bars fall into (a bar between two chunks joins the earlier one), and none of them
// when nothing changed. Loading is the backtest's hot path: it reads only the chunks overlapping
// the range and decodes them straight into the result (tens of ms for a million bars).
//
// Revisions: bar_series.revision is taken from one counter for the whole database each time a
// write changes any bar of the series, so it increases with every change and a series removed
// and imported again never gets an old value back. A sweep records it to tell later whether the
// bars it ran on are still the stored ones.
#pragma once

#include <cstdint>
#include <memory>
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
  std::int64_t revision = 0;  // see "Revisions" above
};

// How many bars a chunk written by BarRepository holds at most. ~16 bytes a bar packed (whole-won
// prices, minute steps), so a full chunk is ~32 KB: per-row costs (B-tree cell, statement step,
// header, checksum) vanish in a million-bar load (~500 rows), while one appended minute rewrites
// ~32 KB, not a megabyte, and a range load decodes at most two chunks' worth of bars outside it.
inline constexpr std::size_t kBarChunkBars = 2048;

class BarRepository;

// One write to one series in one transaction, fed in batches: how a file larger than memory is
// imported all-or-nothing (the upload handler parses a spooled body batch by batch). Created by
// BarRepository::begin_import on the calling thread's connection, which it holds in a write
// transaction (BEGIN IMMEDIATE) until commit() or destruction, which rolls back. Use it from that
// thread only, and do not use the connection for anything else meanwhile.
class BarImport {
 public:
  ~BarImport();
  BarImport(const BarImport&) = delete;
  BarImport& operator=(const BarImport&) = delete;

  // Merges `bars` into the series (in any order; a ts given twice, here or in an earlier batch,
  // counts twice and the last one wins, as in BarRepository::upsert). Errors: invalid_argument
  // for a bar off the interval's grid, internal for SQLite or a damaged stored chunk; after an
  // error the import is failed: every later call fails and nothing is stored.
  Status add(std::span<const domain::Bar> bars);

  // Commits what the batches did and returns the totals. Errors: those of a failed add(), or
  // internal when the commit fails; then nothing was stored.
  Result<ImportSummary> commit();

 private:
  friend class BarRepository;
  struct State;
  explicit BarImport(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class BarRepository {
 public:
  // `db` must be migrated (0011_columnar_bars applied) and outlive the repository.
  explicit BarRepository(Database& db) : db_(db) {}

  // Stores `bars` for (symbol, interval) in one transaction: new timestamps are inserted, stored
  // ones overwritten. Running it again with the same bars changes nothing (all unchanged).
  // Bars need not be sorted; each ts should appear once (if not, the last one wins and the
  // counts see it twice). Returns what happened, or invalid_argument for an invalid symbol, or
  // internal (SQLite's message) when the write fails; then nothing was stored.
  // A re-import that changes nothing writes nothing and leaves the revision as it was.
  Result<ImportSummary> upsert(const domain::Symbol& symbol, domain::Interval interval,
                               std::span<const domain::Bar> bars);

  // Starts a batched write of (symbol, interval) (see BarImport). Errors: invalid_argument for
  // an invalid symbol, internal when the transaction cannot begin (e.g. the busy timeout).
  Result<std::unique_ptr<BarImport>> begin_import(const domain::Symbol& symbol,
                                                  domain::Interval interval);

  // The bars of (symbol, interval) with from <= ts <= to (a missing bound is open), ascending by
  // ts. An unknown series gives an empty vector. Errors: internal (SQLite's message).
  Result<std::vector<domain::Bar>> load(const domain::Symbol& symbol, domain::Interval interval,
                                        std::optional<TimestampMs> from = std::nullopt,
                                        std::optional<TimestampMs> to = std::nullopt);

  // Whether (symbol, interval) has a bar with from <= ts <= to. Decodes at most the two chunks
  // at the ends of the range. Errors: internal.
  Result<bool> has_bars(const domain::Symbol& symbol, domain::Interval interval,
                        std::optional<TimestampMs> from = std::nullopt,
                        std::optional<TimestampMs> to = std::nullopt);

  // The series' revision (see "Revisions"), one primary-key read; nullopt when nothing is
  // stored for it. Errors: internal.
  Result<std::optional<std::int64_t>> revision(const domain::Symbol& symbol,
                                               domain::Interval interval);

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
