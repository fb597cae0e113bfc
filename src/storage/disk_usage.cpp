#include "quantd/storage/disk_usage.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace quantd::storage {
namespace {

std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

std::string megabytes(std::int64_t bytes) { return std::to_string(bytes >> 20) + " MB"; }

}  // namespace

Result<DiskUsage> disk_usage(const std::string& path) {
  DiskUsage u;
  const bool in_memory = path.empty() || path == ":memory:";
  if (!in_memory) {
    u.database_bytes = file_size(path) + file_size(path + "-wal") + file_size(path + "-shm");
  }
  std::filesystem::path dir = in_memory ? "." : std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) {
    return Status::internal("cannot read the free space of " + dir.string() + ": " +
                            std::strerror(errno));
  }
  u.free_bytes = static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
  u.total_bytes = static_cast<std::int64_t>(fs.f_blocks) * static_cast<std::int64_t>(fs.f_frsize);
  return u;
}

std::optional<std::string> disk_refusal(const DiskUsage& usage, const DiskLimits& limits) {
  if (limits.max_database_bytes > 0 && usage.database_bytes >= limits.max_database_bytes) {
    return "the database holds " + megabytes(usage.database_bytes) + ", at its limit of " +
           megabytes(limits.max_database_bytes) +
           " (database.max_size_mb): delete old backtests or raise the limit";
  }
  if (limits.min_free_bytes > 0 && usage.free_bytes < limits.min_free_bytes) {
    return "only " + megabytes(usage.free_bytes) + " of disk are free, under the " +
           megabytes(limits.min_free_bytes) +
           " kept in reserve (database.min_free_mb): free some space first";
  }
  return std::nullopt;
}

bool disk_low(const DiskUsage& usage, const DiskLimits& limits) {
  if (limits.max_database_bytes > 0 && usage.database_bytes * 10 >= limits.max_database_bytes * 9) {
    return true;
  }
  return limits.min_free_bytes > 0 && usage.free_bytes < 2 * limits.min_free_bytes;
}

}  // namespace quantd::storage
