#include "quantd/storage/database.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "quantd/core/embedded.h"

using namespace quantd;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("quantd-db-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("open applies WAL and foreign keys; migrations run once and are recorded") {
  TempDir dir;
  auto db = storage::Database::open({(dir.path / "q.db").string()});
  REQUIRE(db.ok());
  auto& conn = (*db)->connection();
  CHECK(conn.execAndGet("PRAGMA journal_mode").getString() == "wal");
  CHECK(conn.execAndGet("PRAGMA foreign_keys").getInt() == 1);

  auto applied = (*db)->migrate(embedded::migrations());
  REQUIRE(applied.ok());
  CHECK(*applied == static_cast<int>(embedded::migrations().size()));
  auto again = (*db)->migrate(embedded::migrations());
  REQUIRE(again.ok());
  CHECK(*again == 0);
  auto versions = (*db)->applied_migrations();
  REQUIRE(versions.ok());
  REQUIRE(!versions->empty());
  CHECK(versions->front() == 1);
  CHECK(conn.tableExists("strategies"));
  CHECK(conn.tableExists("backtests"));
}

TEST_CASE("a failing migration leaves the database as it was and names the file") {
  TempDir dir;
  auto db = storage::Database::open({(dir.path / "q.db").string()});
  REQUIRE(db.ok());
  const EmbeddedFile files[] = {
      {"0001_ok.sql", "CREATE TABLE a(x INTEGER);"},
      {"0002_broken.sql", "CREATE TABLE b(y INTEGER); INSERT INTO nope VALUES(1);"},
  };
  auto r = (*db)->migrate(files);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("migration 0002_broken.sql failed: no such table: nope") !=
        std::string::npos);
  auto& conn = (*db)->connection();
  CHECK(conn.tableExists("a"));
  CHECK_FALSE(conn.tableExists("b"));  // rolled back with its migration
  auto versions = (*db)->applied_migrations();
  REQUIRE(versions.ok());
  CHECK(*versions == std::vector<std::int64_t>{1});
}

TEST_CASE("each thread gets its own connection") {
  TempDir dir;
  auto db = storage::Database::open({(dir.path / "q.db").string()});
  REQUIRE(db.ok());
  SQLite::Database* main_conn = &(*db)->connection();
  CHECK(&(*db)->connection() == main_conn);
  SQLite::Database* other = nullptr;
  std::thread t([&] {
    other = &(*db)->connection();
    CHECK((*db)->healthy());
  });
  t.join();
  CHECK(other != main_conn);
}

TEST_CASE("a file that is not a database is a clear error") {
  TempDir dir;
  const auto p = dir.path / "junk.db";
  {
    std::FILE* f = std::fopen(p.c_str(), "wb");
    std::fputs("this is not sqlite, just some text that is long enough to be a header......", f);
    std::fclose(f);
  }
  auto db = storage::Database::open({p.string()});
  REQUIRE_FALSE(db.ok());
  CHECK(db.status().message().find(p.string()) != std::string::npos);
}
