// BackupSchedule: the daemon's scheduled backups ([backup] in the config): every `every`, an
// online backup (storage/backup.h) of the database into `dir` as quantd-YYYYMMDDTHHMMSS.mmmZ.db
// (UTC, so names sort by time), then all but the newest `keep` of those files are deleted. Other
// files in the folder are never touched.
//
// The first backup is due `every` after the newest one already in the folder (at once when there
// is none or it is older), so restarts neither skip nor pile up backups.
//
// Threading: one thread of its own, sleeping between backups; start() and stop() from one
// controlling thread, stop() idempotent and joins (a backup in progress finishes first).
// take_now(), stats() and list_backups() are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "quantd/core/status.h"

namespace quantd::storage {

struct BackupScheduleOptions {
  std::string dir;                                          // created (mode 0700) when missing
  std::chrono::milliseconds every{std::chrono::hours(24)};  // > 0
  int keep = 7;                                             // >= 1
};

struct BackupStats {
  std::uint64_t taken = 0;
  std::uint64_t failed = 0;
  std::int64_t last_success_ms = 0;  // UTC epoch ms of the newest backup taken by this process
};

// The backups in `dir` (full paths), newest first; only names this schedule writes.
std::vector<std::string> list_backups(const std::string& dir);

// The backup file name for UTC epoch milliseconds `ms` ("quantd-20260709T083000.123Z.db").
std::string backup_name(std::int64_t ms);

class BackupSchedule {
 public:
  // `db_path`: the database to copy. Does nothing until start().
  BackupSchedule(std::string db_path, BackupScheduleOptions options);
  ~BackupSchedule();
  BackupSchedule(const BackupSchedule&) = delete;
  BackupSchedule& operator=(const BackupSchedule&) = delete;

  // Creates the folder if needed and starts the thread. Errors: Internal naming the folder when
  // it cannot be created. No-op when running.
  Status start();
  void stop();

  // One backup now, then the rotation. Returns the new file's path; errors as backup_database().
  Result<std::string> take_now();

  BackupStats stats() const;

 private:
  void run();

  const std::string db_path_;
  const BackupScheduleOptions options_;
  std::thread thread_;  // touched only by the controlling thread

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  BackupStats stats_;      // guarded by mu_
  std::mutex take_mu_;     // one backup at a time (the thread and take_now())
};

}  // namespace quantd::storage
