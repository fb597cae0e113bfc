#include "quantd/storage/pg_connection.h"

#include <libpq-fe.h>

#include <cassert>
#include <cstdlib>
#include <vector>

namespace quantd::storage {
namespace {

// libpq's messages end with a newline and may span lines (DETAIL, HINT): keep the first line.
std::string first_line(const char* text) {
  std::string s = text ? text : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

// Maps a failed result to a Status. Only the SQLSTATE and the primary message go into it: the
// DETAIL field can quote the offending values ("Key (k)=(secret) already exists"), so it is left
// out.
Status error_status(pg_conn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const std::string code = state ? state : "";
  std::string text = primary ? primary : first_line(PQerrorMessage(conn));
  if (text.empty()) text = "no message";
  const std::string message = "postgres: SQLSTATE " + (code.empty() ? "none" : code) + ": " + text;
  // Class 08 (connection), 57P01-03 (shutdown, crash), or a dead socket: reconnect and retry.
  if (PQstatus(conn) != CONNECTION_OK || code.rfind("08", 0) == 0 || code == "57P01" ||
      code == "57P02" || code == "57P03") {
    return Status::unavailable(message);
  }
  if (code == "23505") return Status::already_exists(message);
  if (code.rfind("23", 0) == 0) return Status::failed_precondition(message);
  return Status::internal(message);
}

}  // namespace

void PgResult::Clear::operator()(pg_result* r) const { PQclear(r); }

int PgResult::rows() const { return PQntuples(res_.get()); }
int PgResult::cols() const { return PQnfields(res_.get()); }

std::optional<std::string> PgResult::get(int row, int col) const {
  assert(row >= 0 && row < rows() && col >= 0 && col < cols());
  if (PQgetisnull(res_.get(), row, col)) return std::nullopt;
  return std::string(PQgetvalue(res_.get(), row, col),
                     static_cast<std::size_t>(PQgetlength(res_.get(), row, col)));
}

long long PgResult::affected() const {
  const char* n = PQcmdTuples(res_.get());
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

void PgConnection::Finish::operator()(pg_conn* c) const { PQfinish(c); }

Result<PgConnection> PgConnection::connect(const std::string& conninfo_or_url) {
  // PQconnectdb takes both forms. Its failure text names host and port, never the password,
  // and we deliberately do not echo the conninfo.
  PgConnection conn(PQconnectdb(conninfo_or_url.c_str()));
  if (!conn.conn_) return Status::unavailable("postgres: out of memory creating a connection");
  if (PQstatus(conn.conn_.get()) != CONNECTION_OK) {
    return Status::unavailable("postgres: cannot connect: " +
                               first_line(PQerrorMessage(conn.conn_.get())));
  }
  return conn;
}

bool PgConnection::connected() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }

Result<PgResult> PgConnection::exec(const std::string& sql,
                                    std::span<const std::optional<std::string>> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  // Text format for every parameter and the result: types are inferred by the server.
  PgResult res(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                            values.data(), nullptr, nullptr, 0));
  const ExecStatusType st = res.res_ ? PQresultStatus(res.res_.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return res;
  return error_status(conn_.get(), res.res_.get());
}

Status PgConnection::transaction(const std::function<Status(PgConnection&)>& fn) {
  if (auto begin = exec("BEGIN"); !begin.ok()) return begin.status();
  Status status = fn(*this);
  if (status.ok()) {
    auto commit = exec("COMMIT");
    if (commit.ok()) return Status::ok_status();
    status = commit.status();
  }
  // Best effort: on a dead connection the server has rolled back already.
  (void)exec("ROLLBACK");
  return status;
}

std::string sqlstate_of(const Status& status) {
  const std::string marker = "SQLSTATE ";
  const auto at = status.message().find(marker);
  if (at == std::string::npos) return "";
  const std::string code = status.message().substr(at + marker.size(), 5);
  return code == "none:" ? "" : code;
}

}  // namespace quantd::storage
