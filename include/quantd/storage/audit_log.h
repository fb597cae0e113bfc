// AuditLog: the record of every state-changing request (migrations/0008_auth.sql `audit_log`).
//
// Design: append-only from the server's I/O threads (one INSERT per write request, on the calling
// thread's connection), paged newest first by id. It keeps the newest kAuditKeep rows: a flood
// of refused requests cannot fill the disk. It stores what it is given: keeping bodies, secrets
// and passwords out of `summary` is the caller's job. Thread-safe; SQLite's exceptions are caught
// and returned as Status values.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

inline constexpr std::int64_t kAuditKeep = 100'000;

struct AuditEntry {
  std::int64_t id = 0;  // assigned by append()
  TimestampMs ts = 0;
  std::string actor;   // "token", "session <id>", "loopback", "anonymous"
  std::string client;  // the peer's address
  std::string method;
  std::string path;
  int status = 0;
  std::string summary;
};

class AuditLog {
 public:
  // `db` must be migrated and outlive the log.
  explicit AuditLog(Database& db) : db_(db) {}

  // Appends `entry` (its id ignored); now and then deletes rows older than the newest kAuditKeep.
  // Errors: internal.
  Status append(const AuditEntry& entry);

  // At most `limit` entries with id < `before` (every entry when nullopt), newest first.
  // Errors: internal.
  Result<std::vector<AuditEntry>> page(int limit, std::optional<std::int64_t> before);

 private:
  Database& db_;
  std::atomic<std::uint64_t> appended_{0};
};

}  // namespace quantd::storage
