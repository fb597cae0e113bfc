#include "quantd/storage/operations_stats.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace quantd::storage {

Result<OperationsStats> read_operations_stats(Database& db,
                                              std::span<const double> cycle_bounds_ms) {
  OperationsStats out;
  try {
    SQLite::Database& conn = db.connection();
    // Every status the schema allows, so a series never disappears when its count drops to 0.
    for (const char* status : {"queued", "running", "done", "failed", "canceled"}) {
      out.backtests_by_status[status] = 0;
    }
    {
      SQLite::Statement q(conn, "SELECT status, count(*) FROM backtests GROUP BY status");
      while (q.executeStep()) {
        out.backtests_by_status[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
      }
    }
    {
      SQLite::Statement q(conn, "SELECT state, count(*) FROM orders GROUP BY state");
      while (q.executeStep()) {
        out.orders_by_state[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
      }
    }
    // One pass over live_cycles: a bucket index per row from the bounds, counted per index.
    std::string bucket = "CASE";
    for (std::size_t i = 0; i < cycle_bounds_ms.size(); ++i) {
      bucket += " WHEN wall_ms <= ?" + std::to_string(i + 1) + " THEN " + std::to_string(i);
    }
    bucket += " ELSE " + std::to_string(cycle_bounds_ms.size()) + " END";
    {
      SQLite::Statement q(conn, "SELECT count(*), total(late != 0) FROM live_cycles");
      if (q.executeStep()) {
        out.live_cycles = q.getColumn(0).getInt64();
        out.live_cycles_late = static_cast<std::int64_t>(q.getColumn(1).getDouble());
      }
    }
    out.cycle_wall_buckets.assign(cycle_bounds_ms.size() + 1, 0);
    SQLite::Statement q(conn, "SELECT " + bucket +
                                  " AS b, count(*), total(wall_ms) FROM live_cycles "
                                  "WHERE wall_ms IS NOT NULL GROUP BY b");
    for (std::size_t i = 0; i < cycle_bounds_ms.size(); ++i) {
      q.bind(static_cast<int>(i + 1), cycle_bounds_ms[i]);
    }
    while (q.executeStep()) {
      const auto b = static_cast<std::size_t>(q.getColumn(0).getInt64());
      if (b < out.cycle_wall_buckets.size()) {
        out.cycle_wall_buckets[b] = static_cast<std::uint64_t>(q.getColumn(1).getInt64());
      }
      out.cycle_wall_ms_sum += q.getColumn(2).getDouble();
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read operations stats: ") + e.what());
  }
  return out;
}

}  // namespace quantd::storage
