#include "quantd/storage/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace quantd::storage {

namespace {

namespace fs = std::filesystem;

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, Closer>;

Result<Connection> open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK) {
    return Status::internal("cannot open " + path + ": " +
                            (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  return db;
}

Status exec(sqlite3* db, const char* sql, const std::string& path) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    return Status::internal(path + ": " + sql + ": " + message);
  }
  return {};
}

Status fsync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return Status::internal("cannot open " + path + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (rc != 0) return Status::internal("fsync " + path + ": " + std::strerror(error));
  return {};
}

Status copy_into(const std::string& source, const std::string& tmp,
                 std::chrono::milliseconds busy_timeout) {
  auto src = open(source, SQLITE_OPEN_READONLY);
  if (!src.ok()) return src.status();
  sqlite3_busy_timeout(src->get(), static_cast<int>(busy_timeout.count()));
  auto dst = open(tmp, SQLITE_OPEN_READWRITE);
  if (!dst.ok()) return dst.status();
  sqlite3_backup* backup = sqlite3_backup_init(dst->get(), "main", src->get(), "main");
  if (backup == nullptr) {
    return Status::internal("cannot back up " + source + ": " + sqlite3_errmsg(dst->get()));
  }
  // All pages in one step: one read snapshot, so the copy is consistent however busy the
  // writers are. A lock held by a checkpoint is waited out, up to busy_timeout.
  const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
  int rc = SQLITE_OK;
  while (true) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    return Status::internal("backup of " + source + " failed: " + sqlite3_errstr(rc));
  }
  // The pages came from a WAL database; a backup should be one self-contained file.
  if (Status st = exec(dst->get(), "PRAGMA journal_mode = DELETE", tmp); !st.ok()) return st;
  sqlite3* raw = dst->release();
  if (sqlite3_close(raw) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(raw);
    sqlite3_close_v2(raw);
    return Status::internal("cannot close " + tmp + ": " + message);
  }
  return {};
}

}  // namespace

Status backup_database(const std::string& source, const std::string& dest,
                       std::chrono::milliseconds busy_timeout) {
  std::error_code ec;
  if (!fs::exists(source, ec)) return Status::not_found("no database at " + source);
  const std::string tmp = dest + ".tmp";
  fs::remove(tmp, ec);  // left by a backup that was interrupted
  // Created by us with 0600 before SQLite opens it: SQLite would use 0644 less the umask.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::internal("cannot create " + tmp + ": " + std::strerror(errno));
  ::close(fd);
  auto fail = [&](Status st) {
    fs::remove(tmp, ec);
    fs::remove(tmp + "-journal", ec);
    return st;
  };
  if (Status st = copy_into(source, tmp, busy_timeout); !st.ok()) return fail(std::move(st));
  if (Status st = fsync_path(tmp, false); !st.ok()) return fail(std::move(st));
  if (::rename(tmp.c_str(), dest.c_str()) != 0) {
    return fail(
        Status::internal("cannot rename " + tmp + " to " + dest + ": " + std::strerror(errno)));
  }
  const fs::path parent = fs::absolute(fs::path(dest), ec).parent_path();
  return fsync_path(parent.string(), true);
}

Status check_database(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Status::not_found("no file at " + path);
  auto db = open(path, SQLITE_OPEN_READONLY);
  if (!db.ok()) return db.status();
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db->get(), "PRAGMA integrity_check(20)", -1, &raw, nullptr) != SQLITE_OK) {
    return Status::internal(path + ": " + sqlite3_errmsg(db->get()));
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  std::string problems;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), 0));
    const std::string line = text ? text : "";
    if (line == "ok") continue;
    if (!problems.empty()) problems += "\n";
    problems += line;
  }
  if (rc != SQLITE_DONE) return Status::internal(path + ": " + sqlite3_errmsg(db->get()));
  if (!problems.empty()) {
    return Status::invalid_argument(path + " fails PRAGMA integrity_check:\n" + problems);
  }
  return {};
}

}  // namespace quantd::storage
