// A thin RAII wrapper over libpq (SCALEOUT.md §4.1): one connection, text parameters, errors as
// Status values that name the SQLSTATE. Not thread-safe: one PgConnection per thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "quantd/core/status.h"

// libpq's types, declared here so callers do not include libpq-fe.h.
struct pg_conn;
struct pg_result;

namespace quantd::storage {

// The rows of one statement. Owns the PGresult (PQclear on destruction).
class PgResult {
 public:
  int rows() const;
  int cols() const;
  // The text value of a cell; nullopt for SQL NULL. Out-of-range indexes are a bug (asserts).
  std::optional<std::string> get(int row, int col) const;
  // Rows touched by INSERT/UPDATE/DELETE (PQcmdTuples); 0 for other statements.
  long long affected() const;

 private:
  friend class PgConnection;
  struct Clear {
    void operator()(pg_result* r) const;
  };
  explicit PgResult(pg_result* r) : res_(r) {}
  std::unique_ptr<pg_result, Clear> res_;
};

class PgConnection {
 public:
  // Connects with a postgresql:// URL or a key=value conninfo string. The error message never
  // contains the password (libpq's own message does not, and the conninfo is not echoed).
  static Result<PgConnection> connect(const std::string& conninfo_or_url);

  // Runs one statement with $1..$n text parameters (nullopt is NULL). Errors name the SQLSTATE
  // and the server's primary message, never the parameter values (they may hold secrets).
  // A lost connection gives kUnavailable; a constraint violation kAlreadyExists (23505) or
  // kFailedPrecondition (other class 23); anything else kInternal.
  Result<PgResult> exec(const std::string& sql,
                        std::span<const std::optional<std::string>> params = {});

  // BEGIN; fn(*this); COMMIT. When fn returns an error, or COMMIT fails, ROLLBACK and return it.
  Status transaction(const std::function<Status(PgConnection&)>& fn);

  // False once the server is gone (PQstatus is not CONNECTION_OK).
  bool connected() const;

 private:
  struct Finish {
    void operator()(pg_conn* c) const;
  };
  explicit PgConnection(pg_conn* c) : conn_(c) {}
  std::unique_ptr<pg_conn, Finish> conn_;
};

// The SQLSTATE a Status from PgConnection names ("42601"), or "" when it names none.
std::string sqlstate_of(const Status& status);

}  // namespace quantd::storage
