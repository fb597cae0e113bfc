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
class Statement;
}  // namespace SQLite

namespace quantd::storage {

struct DatabaseOptions {
  std::string path = "quantd.db";
  int busy_timeout_ms = 5000;
};

// A prepared statement borrowed from Database::statement(): it is reset when this handle goes
// away, so a cached SELECT never keeps its connection's read snapshot (and WAL) pinned. Movable,
// not copyable; use like a pointer.
class CachedStatement {
 public:
  explicit CachedStatement(SQLite::Statement& s) : s_(&s) {}
  ~CachedStatement();
  CachedStatement(CachedStatement&& other) noexcept : s_(other.s_) { other.s_ = nullptr; }
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  CachedStatement& operator=(CachedStatement&&) = delete;
  SQLite::Statement* operator->() const { return s_; }
  SQLite::Statement& operator*() const { return *s_; }

 private:
  SQLite::Statement* s_;
};

class Database;

// A write transaction (BEGIN IMMEDIATE: it takes the write lock at once, so it never fails half
// way for a lock another connection took after its first read) on one of the calling thread's
// connections of `db`, run through cached statements. Rolls back unless commit() was called.
// Throws like SQLiteCpp.
class WriteTransaction {
 public:
  WriteTransaction(Database& db, SQLite::Database& conn);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit();

 private:
  Database& db_;
  SQLite::Database& conn_;
  bool done_ = false;
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

  // The calling thread's prepared statement for `sql` on connection() (or durable_connection()),
  // prepared on first use and kept with the connection, reset and with its bindings cleared.
  // Preparing is most of the cost of a small query, and the live cycle runs thousands of them a
  // minute. Use it for fixed SQL on hot paths, one use at a time per (thread, sql): a statement
  // still being stepped must not be asked for again until it is done. Throws like SQLiteCpp.
  CachedStatement statement(const std::string& sql, bool durable = false);
  // The same on `conn`, which must be connection() or durable_connection() of this thread.
  CachedStatement statement(SQLite::Database& conn, const std::string& sql);

  // Applies every migration in `files` (sorted by name) not yet recorded in schema_migrations.
  // Returns the number applied, or an error "migration FILE failed: SQLITE MESSAGE".
  Result<int> migrate(std::span<const EmbeddedFile> files);

  // Versions recorded in schema_migrations, ascending.
  Result<std::vector<std::int64_t>> applied_migrations();

  // Copies what the write-ahead log holds back into the database file without waiting for
  // readers (a PASSIVE checkpoint), so the log stays small. For a writer with idle time ahead
  // (the live cycle, between minutes). Errors are logged, never thrown.
  void checkpoint();

  // A cheap liveness check (SELECT 1 on the calling thread's connection).
  bool healthy();

  const std::string& path() const { return options_.path; }

 private:
  explicit Database(DatabaseOptions options);
  struct Connection;
  std::unique_ptr<SQLite::Database> open_connection(bool durable) const;
  Connection& cached_connection(bool durable);

  const DatabaseOptions options_;
  // Distinguishes Databases (and their two connection kinds) in the per-thread connection cache.
  const std::uint64_t instance_id_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Connection>> connections_;  // guarded by mu_
};

}  // namespace quantd::storage
