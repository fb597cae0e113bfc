// Online backups of quantd's database with SQLite's backup API (sqlite3_backup_*), safe while
// the daemon runs: the copy is one consistent read snapshot of the WAL database, taken on its
// own connection, and writers go on meanwhile (WAL lets them).
//
// A backup is written to FILE.tmp (created with mode 0600: the database holds API keys and
// tokens), switched to a self-contained rollback-journal file, fsynced, renamed over FILE, and the
// folder fsynced, so FILE is either the old file or the complete new one, even across a crash.
//
// Errors are Status values naming the file and SQLite's or the OS's message; no exception
// leaves these functions. Thread-safe: each call opens its own connections.
#pragma once

#include <chrono>
#include <string>

#include "quantd/core/status.h"

namespace quantd::storage {

// Copies the database at `source` into `dest` as described above. `busy_timeout`: how long to
// wait for a lock (a writer checkpointing) before giving up. Errors: NotFound when `source` does
// not exist; Internal for SQLite or filesystem failures (the .tmp file is removed).
Status backup_database(const std::string& source, const std::string& dest,
                       std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));

// Runs PRAGMA integrity_check on the database at `path` (read-only). Ok when it answers "ok";
// InvalidArgument listing the first problems it reports; NotFound when the file is missing;
// Internal when it cannot be opened as a database.
Status check_database(const std::string& path);

}  // namespace quantd::storage
