// PgConnection against a real, private PostgreSQL 15 (pg_process.h).
#include "quantd/storage/pg_connection.h"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "pg_process.h"

namespace quantd::storage {
namespace {

using Params = std::vector<std::optional<std::string>>;

PgConnection must_connect(const std::string& url) {
  auto conn = PgConnection::connect(url);
  INFO(conn.status().message());
  REQUIRE(conn.ok());
  return std::move(conn).value();
}

TEST_CASE("PgConnection: parameters round-trip, including NULL, a quote and unicode") {
  test::PgProcess pg;
  auto conn = must_connect(pg.url());
  REQUIRE(conn.exec("CREATE TABLE t (id integer PRIMARY KEY, name text, note text)").ok());
  const Params row{"1", "O'Brien \"x\"; DROP TABLE t; --", std::nullopt};
  auto ins = conn.exec("INSERT INTO t (id, name, note) VALUES ($1, $2, $3)", row);
  REQUIRE(ins.ok());
  CHECK(ins->affected() == 1);
  const Params row2{"2", "삼성전자 ünïcødé ✓", "note"};
  REQUIRE(conn.exec("INSERT INTO t VALUES ($1, $2, $3)", row2).ok());

  auto sel = conn.exec("SELECT id, name, note FROM t ORDER BY id");
  REQUIRE(sel.ok());
  REQUIRE(sel->rows() == 2);
  CHECK(sel->cols() == 3);
  CHECK(sel->get(0, 0) == std::optional<std::string>("1"));
  CHECK(sel->get(0, 1) == row[1]);
  CHECK_FALSE(sel->get(0, 2).has_value());
  CHECK(sel->get(1, 1) == row2[1]);
  CHECK(sel->get(1, 2) == std::optional<std::string>("note"));
  CHECK(sel->affected() == 2);  // PQcmdTuples reports SELECT's row count too

  const Params one{"1"};
  auto del = conn.exec("DELETE FROM t WHERE id = $1", one);
  REQUIRE(del.ok());
  CHECK(del->affected() == 1);
}

TEST_CASE("PgConnection: errors name the SQLSTATE and never the parameter values") {
  test::PgProcess pg;
  auto conn = must_connect(pg.url());

  const Params secret{"hunter2-secret"};
  auto bad = conn.exec("SELEC $1", secret);
  REQUIRE_FALSE(bad.ok());
  CHECK(sqlstate_of(bad.status()) == "42601");
  CHECK(bad.status().message().find("syntax error") != std::string::npos);
  CHECK(bad.status().message().find("hunter2") == std::string::npos);

  REQUIRE(conn.exec("CREATE TABLE u (k text PRIMARY KEY)").ok());
  REQUIRE(conn.exec("INSERT INTO u VALUES ($1)", secret).ok());
  auto dup = conn.exec("INSERT INTO u VALUES ($1)", secret);
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().code() == StatusCode::kAlreadyExists);
  CHECK(sqlstate_of(dup.status()) == "23505");
  // The server's DETAIL would say "Key (k)=(hunter2-secret) already exists": it is left out.
  CHECK(dup.status().message().find("hunter2") == std::string::npos);
  // The connection is still usable after an error.
  CHECK(conn.exec("SELECT 1").ok());
}

TEST_CASE("PgConnection: a bad connection string or a closed port is an error, with no password") {
  test::PgProcess pg;
  auto conn = PgConnection::connect(
      "postgresql://quantd:pa55word@127.0.0.1:" + std::to_string(pg.port()) + "/no_such_db");
  REQUIRE_FALSE(conn.ok());
  CHECK(conn.status().code() == StatusCode::kUnavailable);
  CHECK(conn.status().message().find("pa55word") == std::string::npos);
  // key=value conninfo works as well as the URL.
  auto kv = PgConnection::connect("host=127.0.0.1 port=" + std::to_string(pg.port()) +
                                  " user=quantd dbname=postgres");
  CHECK(kv.ok());
}

TEST_CASE("PgConnection: transaction commits on success and rolls back on error") {
  test::PgProcess pg;
  auto conn = must_connect(pg.url());
  REQUIRE(conn.exec("CREATE TABLE j (id integer PRIMARY KEY)").ok());

  Status failed = conn.transaction([](PgConnection& c) {
    const Params p{"1"};
    if (auto r = c.exec("INSERT INTO j VALUES ($1)", p); !r.ok()) return r.status();
    return Status::invalid_argument("the caller gave up");
  });
  CHECK(failed.code() == StatusCode::kInvalidArgument);
  auto after_fail = conn.exec("SELECT count(*) FROM j");
  REQUIRE(after_fail.ok());
  CHECK(after_fail->get(0, 0) == std::optional<std::string>("0"));

  // A failing statement inside aborts the transaction; the error is what comes back.
  Status dup = conn.transaction([](PgConnection& c) {
    const Params p{"5"};
    if (auto r = c.exec("INSERT INTO j VALUES ($1)", p); !r.ok()) return r.status();
    if (auto r = c.exec("INSERT INTO j VALUES ($1)", p); !r.ok()) return r.status();
    return Status::ok_status();
  });
  CHECK(sqlstate_of(dup) == "23505");

  Status ok = conn.transaction([](PgConnection& c) {
    const Params p{"2"};
    if (auto r = c.exec("INSERT INTO j VALUES ($1)", p); !r.ok()) return r.status();
    return Status::ok_status();
  });
  CHECK(ok.ok());
  auto after_ok = conn.exec("SELECT id FROM j");
  REQUIRE(after_ok.ok());
  REQUIRE(after_ok->rows() == 1);
  CHECK(after_ok->get(0, 0) == std::optional<std::string>("2"));
}

TEST_CASE("PgConnection: a killed server gives unavailable; after restart a new connect works") {
  test::PgProcess pg;
  auto conn = must_connect(pg.url());
  REQUIRE(conn.exec("CREATE TABLE k (id integer)").ok());
  REQUIRE(conn.exec("INSERT INTO k VALUES (7)").ok());

  pg.stop(SIGKILL);
  auto lost = conn.exec("SELECT 1");
  REQUIRE_FALSE(lost.ok());
  INFO(lost.status().message());
  CHECK(lost.status().code() == StatusCode::kUnavailable);
  CHECK_FALSE(conn.connected());

  pg.restart();
  auto again = must_connect(pg.url());
  // Committed before the crash: fsync is off, but the WAL reached the OS page cache.
  auto sel = again.exec("SELECT id FROM k");
  INFO(sel.status().message() << "\npostgres log:\n" << pg.log());
  REQUIRE(sel.ok());
  CHECK(sel->rows() == 1);
}

}  // namespace
}  // namespace quantd::storage
