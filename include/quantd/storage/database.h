// Database: the one SQLite file quantd keeps everything in.
//
// Design: SQLite in WAL mode with foreign keys on and a busy timeout. A connection is never shared
// between threads: connection() hands each calling thread its own SQLite::Database, opened on first
// use and closed when the Database is destroyed. SQLiteCpp throws; repositories built on top catch
// SQLite::Exception at their edge and return Status values, so nothing throws across components.
//
// Migrations are `NNNN_name.sql` files embedded in the binary, applied in file-name order, each in
// its own transaction, and recorded in `schema_migrations(version, name, applied_at)`. A failing
// migration rolls back, leaving the file as it was, and names the file and SQLite's error.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "quantd/core/embedded.h"
#include "quantd/core/status.h"

namespace SQLite {
class Database;
}

namespace quantd::storage {

struct DatabaseOptions {
  std::string path = "quantd.db";
  int busy_timeout_ms = 5000;
};

class Database {
 public:
  // Opens (creating if needed) the file and checks that it is usable: returns an error naming the
  // path and SQLite's message when the file cannot be opened, is not a database, or WAL cannot be
  // enabled.
  static Result<std::unique_ptr<Database>> open(DatabaseOptions options);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // The calling thread's connection, opened on first use. Thread-safe. The reference stays valid
  // until the Database is destroyed; it must only be used from the calling thread.
  SQLite::Database& connection();

  // The calling thread's second connection, with PRAGMA synchronous = FULL: a commit on it is on
  // disk before the call returns, even across a power loss. The order journal writes through it
  // so an order is durably recorded before it is sent (LIVE.md I1, R13). Same rules as
  // connection().
  SQLite::Database& durable_connection();

  // Applies every migration in `files` (sorted by name) not yet recorded in schema_migrations.
  // Returns the number applied, or an error "migration FILE failed: SQLITE MESSAGE".
  Result<int> migrate(std::span<const EmbeddedFile> files);

  // Versions recorded in schema_migrations, ascending.
  Result<std::vector<std::int64_t>> applied_migrations();

  // A cheap liveness check (SELECT 1 on the calling thread's connection).
  bool healthy();

  const std::string& path() const { return options_.path; }

 private:
  explicit Database(DatabaseOptions options);
  std::unique_ptr<SQLite::Database> open_connection(bool durable) const;
  SQLite::Database& cached_connection(bool durable);

  const DatabaseOptions options_;
  // Distinguishes Databases (and their two connection kinds) in the per-thread connection cache.
  const std::uint64_t instance_id_;
  std::mutex mu_;
  std::vector<std::shared_ptr<SQLite::Database>> connections_;  // guarded by mu_
};

}  // namespace quantd::storage
