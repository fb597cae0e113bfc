// OperationsStats: the counts GET /metrics reports from SQLite, read in one call per scrape:
// backtest jobs by status, live orders by state, and the live cycles with their wall time.
//
// Errors: Internal naming SQLite's message (the scrape then answers without these series).
// Thread-safe: runs on the calling thread's connection; reads only.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

struct OperationsStats {
  std::map<std::string, std::int64_t> backtests_by_status;  // every status, 0 when none
  std::map<std::string, std::int64_t> orders_by_state;      // states present in `orders`
  std::int64_t live_cycles = 0;                             // rows of live_cycles
  std::int64_t live_cycles_late = 0;                        // of which marked late
  // Cycles with a wall time, per bucket of the bounds asked for (not cumulative; one more
  // entry than bounds, for those above the last), and their total wall time.
  std::vector<std::uint64_t> cycle_wall_buckets;
  double cycle_wall_ms_sum = 0;
};

// `cycle_bounds_ms`: ascending bucket bounds for live_cycles.wall_ms.
Result<OperationsStats> read_operations_stats(Database& db,
                                              std::span<const double> cycle_bounds_ms);

}  // namespace quantd::storage
