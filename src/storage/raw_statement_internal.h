// RawStatement: a prepared statement driven through SQLite's C API, for the bar hot paths.
//
// SQLiteCpp's per-column objects copy a shared_ptr each, which would dominate a million-row
// read, and it does not expose its sqlite3_stmt. Errors are thrown as SQLite::Exception like
// SQLiteCpp's own, and caught at the same repository edge.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string>

namespace quantd::storage::detail {

class RawStatement {
 public:
  RawStatement(SQLite::Database& db, const char* sql) : db_(db.getHandle()) {
    check(sqlite3_prepare_v2(db_, sql, -1, &stmt_, nullptr));
  }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;
  ~RawStatement() { sqlite3_finalize(stmt_); }

  // Binds text that outlives the statement (no copy).
  void bind_static(int index, const std::string& text) {
    check(
        sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC));
  }
  void bind(int index, std::int64_t v) { check(sqlite3_bind_int64(stmt_, index, v)); }
  // Binds a blob that outlives the step (no copy).
  void bind_blob(int index, std::span<const std::uint8_t> blob) {
    check(
        sqlite3_bind_blob(stmt_, index, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC));
  }
  // Steps once; true for a row, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) throw SQLite::Exception(db_, rc);
    return false;
  }
  void reset() { sqlite3_reset(stmt_); }
  std::int64_t column_int64(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  // The blob in column i, valid until the next step or reset.
  std::span<const std::uint8_t> column_blob(int i) const {
    const void* p = sqlite3_column_blob(stmt_, i);
    const int n = sqlite3_column_bytes(stmt_, i);
    return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
  }
  sqlite3* db() const { return db_; }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw SQLite::Exception(db_, rc);
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace quantd::storage::detail
