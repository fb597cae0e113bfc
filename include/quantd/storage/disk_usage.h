// Disk use of the database and the room left on its file system (issue 12, finding 11): what
// /api/health reports, and what refuses new backtests with 507 before the disk fills up.
//
// Pure apart from stat(2)/statvfs(2) on the database's files; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "quantd/core/status.h"

namespace quantd::storage {

struct DiskUsage {
  std::int64_t database_bytes = 0;  // the file plus its -wal and -shm
  std::int64_t free_bytes = 0;      // available to the daemon on the database's file system
  std::int64_t total_bytes = 0;
};

struct DiskLimits {
  std::int64_t max_database_bytes = 0;  // 0: no limit (database.max_size_mb)
  std::int64_t min_free_bytes = 0;      // new jobs refused below it (database.min_free_mb)
};

// The usage of the database at `path` (":memory:" or "" count as 0 bytes on the working
// directory's file system). Errors: internal when the file system cannot be asked.
Result<DiskUsage> disk_usage(const std::string& path);

// Why new work must be refused under `limits` (a sentence naming the limit and the numbers),
// or nullopt when there is room.
std::optional<std::string> disk_refusal(const DiskUsage& usage, const DiskLimits& limits);

// True when the disk is close to a limit (free space under twice the minimum, or the database
// past 90% of its maximum): health says "degraded" before jobs are refused.
bool disk_low(const DiskUsage& usage, const DiskLimits& limits);

}  // namespace quantd::storage
