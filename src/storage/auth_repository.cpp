#include "quantd/storage/auth_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace quantd::storage {
namespace {

constexpr const char* kSessionColumns =
    "id, token_hash, created_at, last_seen_at, expires_at, user_agent, client";

SessionRecord read_session(SQLite::Statement& q) {
  SessionRecord r;
  r.id = q.getColumn(0).getInt64();
  r.token_hash = q.getColumn(1).getString();
  r.created_at = q.getColumn(2).getInt64();
  r.last_seen_at = q.getColumn(3).getInt64();
  r.expires_at = q.getColumn(4).getInt64();
  r.user_agent = q.getColumn(5).getString();
  r.client = q.getColumn(6).getString();
  return r;
}

Status sql_error(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

}  // namespace

Result<std::optional<std::string>> AuthRepository::password_hash() {
  try {
    // Asked on every guarded request: a cached statement.
    CachedStatement q = db_.statement("SELECT hash FROM auth_password WHERE id = 1");
    if (!q->executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(q->getColumn(0).getString());
  } catch (const std::exception& e) {
    return sql_error("cannot read the password", e);
  }
}

Status AuthRepository::set_password_hash(const std::string& hash, TimestampMs now) {
  try {
    SQLite::Database& conn = db_.connection();
    SQLite::Transaction tx(conn, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(
        conn,
        "INSERT INTO auth_password(id, hash, set_at) VALUES(1, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at");
    q.bind(1, hash);
    q.bind(2, now);
    q.exec();
    conn.exec("DELETE FROM auth_sessions");
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return sql_error("cannot store the password", e);
  }
}

Result<bool> AuthRepository::clear_password() {
  try {
    SQLite::Database& conn = db_.connection();
    SQLite::Transaction tx(conn, SQLite::TransactionBehavior::IMMEDIATE);
    const int removed = conn.exec("DELETE FROM auth_password");
    conn.exec("DELETE FROM auth_sessions");
    tx.commit();
    return removed > 0;
  } catch (const std::exception& e) {
    return sql_error("cannot clear the password", e);
  }
}

Result<std::int64_t> AuthRepository::create_session(const SessionRecord& s) {
  try {
    SQLite::Database& conn = db_.connection();
    SQLite::Statement q(conn,
                        "INSERT INTO auth_sessions(token_hash, created_at, last_seen_at, "
                        "expires_at, user_agent, client) VALUES(?, ?, ?, ?, ?, ?)");
    q.bind(1, s.token_hash);
    q.bind(2, s.created_at);
    q.bind(3, s.last_seen_at);
    q.bind(4, s.expires_at);
    q.bind(5, s.user_agent);
    q.bind(6, s.client);
    q.exec();
    return conn.getLastInsertRowid();
  } catch (const std::exception& e) {
    return sql_error("cannot store the session", e);
  }
}

Result<std::optional<SessionRecord>> AuthRepository::find_session(const std::string& token_hash) {
  try {
    CachedStatement q = db_.statement(std::string("SELECT ") + kSessionColumns +
                                      " FROM auth_sessions WHERE token_hash = ?");
    q->bind(1, token_hash);
    if (!q->executeStep()) return std::optional<SessionRecord>();
    return std::optional<SessionRecord>(read_session(*q));
  } catch (const std::exception& e) {
    return sql_error("cannot read the session", e);
  }
}

Status AuthRepository::touch_session(std::int64_t id, TimestampMs now) {
  try {
    CachedStatement q = db_.statement("UPDATE auth_sessions SET last_seen_at = ? WHERE id = ?");
    q->bind(1, now);
    q->bind(2, id);
    q->exec();
    return {};
  } catch (const std::exception& e) {
    return sql_error("cannot update the session", e);
  }
}

Result<std::vector<SessionRecord>> AuthRepository::list_sessions() {
  try {
    SQLite::Statement q(db_.connection(), std::string("SELECT ") + kSessionColumns +
                                              " FROM auth_sessions ORDER BY id DESC");
    std::vector<SessionRecord> out;
    while (q.executeStep()) out.push_back(read_session(q));
    return out;
  } catch (const std::exception& e) {
    return sql_error("cannot list the sessions", e);
  }
}

Status AuthRepository::delete_session(std::int64_t id) {
  try {
    SQLite::Statement q(db_.connection(), "DELETE FROM auth_sessions WHERE id = ?");
    q.bind(1, id);
    if (q.exec() == 0) return Status::not_found("no session with id " + std::to_string(id));
    return {};
  } catch (const std::exception& e) {
    return sql_error("cannot delete the session", e);
  }
}

Result<int> AuthRepository::delete_expired(TimestampMs now, TimestampMs idle_before) {
  try {
    SQLite::Statement q(db_.connection(),
                        "DELETE FROM auth_sessions WHERE expires_at <= ? OR last_seen_at <= ?");
    q.bind(1, now);
    q.bind(2, idle_before);
    return q.exec();
  } catch (const std::exception& e) {
    return sql_error("cannot delete expired sessions", e);
  }
}

}  // namespace quantd::storage
