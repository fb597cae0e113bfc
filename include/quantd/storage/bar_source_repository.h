// BarSourceRepository: where each stored bar series came from (`bar_sources`, migration 0003),
// so the UI can label the synthetic sample data as such and show which file a series came from.
//
// Threading: a thin adapter over the calling thread's SQLite connection; share it freely. Every
// method catches SQLite's exceptions and returns a Status.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

struct BarSource {
  domain::Symbol symbol;
  domain::Interval interval = domain::Interval::k1d;
  std::string source;  // "csv", "sample", "cli" or "kis"
  std::string note;    // e.g. the uploaded file's name
  TimestampMs updated_at = 0;
};

class BarSourceRepository {
 public:
  // `db` must be migrated (0003) and outlive the repository.
  explicit BarSourceRepository(Database& db) : db_(db) {}

  // Records (or replaces) the source of a series. Errors: internal.
  Status record(const BarSource& source);

  // Every recorded source, ordered by symbol then interval. Errors: internal.
  Result<std::vector<BarSource>> list();

  // True when (symbol, interval) has at least one stored bar with from <= ts <= to (a missing
  // bound is open): BarRepository::has_bars. Errors: internal.
  Result<bool> any_bars(const domain::Symbol& symbol, domain::Interval interval,
                        std::optional<TimestampMs> from, std::optional<TimestampMs> to);

  // Forgets a series' source (when its bars are deleted). Missing rows are fine. Errors: internal.
  Status remove(const domain::Symbol& symbol, domain::Interval interval);

 private:
  Database& db_;
};

}  // namespace quantd::storage
