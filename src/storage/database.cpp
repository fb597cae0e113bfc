#include "quantd/storage/database.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <unordered_map>

#include "bar_chunks_internal.h"
#include "quantd/core/time.h"

namespace quantd::storage {

// One thread's connection and the statements prepared on it (destroyed before it).
struct Database::Connection {
  std::unique_ptr<SQLite::Database> db;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements;
};

namespace {

std::atomic<std::uint64_t> g_next_instance{1};

// Per-thread cache: Database instance id -> that thread's connection. Weak pointers, so a
// destroyed Database's connections close with it and are never reused.
thread_local std::unordered_map<std::uint64_t, std::weak_ptr<void>> t_connections;

// "0007_add_bars.sql" -> 7; -1 when the name does not start with digits and '_'.
std::int64_t migration_version(std::string_view name) {
  const auto us = name.find('_');
  if (us == std::string_view::npos || us == 0) return -1;
  std::int64_t v = -1;
  const auto [p, ec] = std::from_chars(name.data(), name.data() + us, v);
  if (ec != std::errc() || p != name.data() + us) return -1;
  return v;
}

// A migration whose work SQL cannot do has a C++ step, run right after its SQL in the same
// transaction (so both apply or neither). Keyed by the whole file name, so a test's own
// migration files never trigger one.
void run_cpp_step(const std::string& name, SQLite::Database& db) {
  if (name == "0011_columnar_bars.sql") detail::convert_row_bars_to_chunks(db);
}

}  // namespace

Database::Database(DatabaseOptions options)
    : options_(std::move(options)), instance_id_(g_next_instance.fetch_add(1)) {}

Database::~Database() {
  std::lock_guard lock(mu_);
  connections_.clear();
}

std::unique_ptr<SQLite::Database> Database::open_connection(bool durable) const {
  auto db = std::make_unique<SQLite::Database>(
      options_.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
  db->setBusyTimeout(options_.busy_timeout_ms);
  db->exec("PRAGMA foreign_keys = ON");
  db->exec(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  // Writers checkpoint the WAL themselves only once it is large (~40 MB); the busy writer (the
  // live cycle) checkpoints between minutes instead (Database::checkpoint), off its hot path.
  db->exec("PRAGMA wal_autocheckpoint = 10000");
  return db;
}

Result<std::unique_ptr<Database>> Database::open(DatabaseOptions options) {
  std::unique_ptr<Database> db(new Database(std::move(options)));
  try {
    auto conn = db->open_connection(false);
    const std::string mode = conn->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal" && db->options_.path != ":memory:") {
      return Status::internal("database " + db->options_.path + ": cannot enable WAL (mode is " +
                              mode + ")");
    }
    conn->execAndGet("SELECT count(*) FROM sqlite_master");  // fails if not a database
  } catch (const std::exception& e) {
    return Status::internal("cannot open database " + db->options_.path + ": " + e.what());
  }
  return db;
}

SQLite::Database& Database::connection() { return *cached_connection(false).db; }

SQLite::Database& Database::durable_connection() { return *cached_connection(true).db; }

CachedStatement::~CachedStatement() {
  if (s_ == nullptr) return;
  try {
    s_->reset();
  } catch (const std::exception&) {
    // reset() reports the error of the last step, which the user of the statement already saw.
  }
}

WriteTransaction::WriteTransaction(Database& db, SQLite::Database& conn) : db_(db), conn_(conn) {
  db_.statement(conn_, "BEGIN IMMEDIATE")->exec();
}

WriteTransaction::~WriteTransaction() {
  if (done_) return;
  try {
    db_.statement(conn_, "ROLLBACK")->exec();
  } catch (const std::exception& e) {
    spdlog::error("database: rollback failed: {}", e.what());
  }
}

void WriteTransaction::commit() {
  db_.statement(conn_, "COMMIT")->exec();
  done_ = true;
}

CachedStatement Database::statement(const std::string& sql, bool durable) {
  Connection& c = cached_connection(durable);
  auto it = c.statements.find(sql);
  if (it == c.statements.end()) {
    it = c.statements.emplace(sql, std::make_unique<SQLite::Statement>(*c.db, sql)).first;
  } else {
    try {
      it->second->reset();
    } catch (const std::exception&) {
    }
    it->second->clearBindings();
  }
  return CachedStatement(*it->second);
}

CachedStatement Database::statement(SQLite::Database& conn, const std::string& sql) {
  return statement(sql, &conn == cached_connection(true).db.get());
}

Database::Connection& Database::cached_connection(bool durable) {
  const std::uint64_t key = instance_id_ * 2 + (durable ? 1 : 0);
  auto it = t_connections.find(key);
  if (it != t_connections.end()) {
    if (auto conn = it->second.lock()) return *static_cast<Connection*>(conn.get());
  }
  auto conn = std::make_shared<Connection>();
  conn->db = open_connection(durable);
  {
    std::lock_guard lock(mu_);
    connections_.push_back(conn);
  }
  t_connections[key] = conn;
  return *conn;
}

void Database::checkpoint() {
  try {
    connection().exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch (const std::exception& e) {
    spdlog::warn("database checkpoint failed: {}", e.what());
  }
}

bool Database::healthy() {
  try {
    return connection().execAndGet("SELECT 1").getInt() == 1;
  } catch (const std::exception& e) {
    spdlog::warn("database health check failed: {}", e.what());
    return false;
  }
}

Result<int> Database::migrate(std::span<const EmbeddedFile> files) {
  std::vector<const EmbeddedFile*> sorted;
  for (const auto& f : files) {
    if (!f.path.empty()) sorted.push_back(&f);
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const EmbeddedFile* a, const EmbeddedFile* b) { return a->path < b->path; });
  SQLite::Database& db = connection();
  int applied = 0;
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot create schema_migrations: ") + e.what());
  }
  for (const EmbeddedFile* f : sorted) {
    const std::string name(f->path);
    const std::int64_t version = migration_version(name);
    if (version < 0) {
      return Status::internal("migration " + name + " failed: file name must be NNNN_name.sql");
    }
    try {
      SQLite::Statement seen(db, "SELECT 1 FROM schema_migrations WHERE version = ?");
      seen.bind(1, version);
      if (seen.executeStep()) continue;
      SQLite::Transaction tx(db);
      db.exec(std::string(f->data));
      run_cpp_step(name, db);
      SQLite::Statement rec(
          db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES(?,?,?)");
      rec.bind(1, version);
      rec.bind(2, name);
      rec.bind(3, format_utc_iso(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()));
      rec.exec();
      tx.commit();
      ++applied;
      spdlog::info("applied migration {}", name);
    } catch (const std::exception& e) {
      return Status::internal("migration " + name + " failed: " + e.what());
    }
  }
  return applied;
}

Result<std::vector<std::int64_t>> Database::applied_migrations() {
  std::vector<std::int64_t> out;
  try {
    SQLite::Statement q(connection(), "SELECT version FROM schema_migrations ORDER BY version");
    while (q.executeStep()) out.push_back(q.getColumn(0).getInt64());
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read schema_migrations: ") + e.what());
  }
  return out;
}

}  // namespace quantd::storage
