#include "quantd/storage/backup.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "quantd/core/embedded.h"
#include "quantd/storage/backup_schedule.h"
#include "quantd/storage/database.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using quantd::storage::BackupSchedule;
using quantd::storage::Database;

struct Folder {
  fs::path path =
      fs::temp_directory_path() / ("quantd-backup-test-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  Folder() { fs::create_directories(path); }
  ~Folder() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// A migrated database with `rows` strategies, left open (WAL) like the daemon's.
std::unique_ptr<Database> make_db(const std::string& path, int rows) {
  auto opened = Database::open({path});
  REQUIRE(opened.ok());
  auto db = std::move(opened).value();
  REQUIRE(db->migrate(quantd::embedded::migrations()).ok());
  for (int i = 0; i < rows; ++i) {
    db->connection().exec(
        "INSERT INTO strategies (name, script, params, symbols, interval, created_at, updated_at) "
        "VALUES ('s" +
        std::to_string(i) + "', 'builtin:sma_cross', '{}', '[]', '1d', 0, 0)");
  }
  return db;
}

std::int64_t count_strategies(const std::string& path) {
  SQLite::Database sql(path, SQLite::OPEN_READONLY);
  return sql.execAndGet("SELECT count(*) FROM strategies").getInt64();
}

}  // namespace

TEST_CASE("backup: a consistent copy of an open WAL database, mode 0600, no .tmp left") {
  Folder f;
  auto db = make_db(f.file("live.db"), 25);
  ::umask(022);  // a permissive umask must not widen the backup's mode
  const std::string out = f.file("copy.db");
  REQUIRE(quantd::storage::backup_database(f.file("live.db"), out).ok());
  CHECK(count_strategies(out) == 25);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(!fs::exists(out + ".tmp"));
  CHECK(!fs::exists(out + "-wal"));  // a self-contained rollback-journal file
  CHECK(quantd::storage::check_database(out).ok());
  // Replacing an older backup at the same path.
  db->connection().exec("DELETE FROM strategies WHERE name = 's0'");
  REQUIRE(quantd::storage::backup_database(f.file("live.db"), out).ok());
  CHECK(count_strategies(out) == 24);
}

TEST_CASE("backup: while another thread writes, every backup is a committed state") {
  Folder f;
  auto db = make_db(f.file("live.db"), 0);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      // Two rows per transaction: a torn copy would show an odd count.
      SQLite::Transaction tx(db->connection());
      for (int k = 0; k < 2; ++k) {
        db->connection().exec(
            "INSERT INTO strategies (name, script, params, symbols, interval, created_at, "
            "updated_at) VALUES ('w" +
            std::to_string(i) + "-" + std::to_string(k) + "', 'x', '{}', '[]', '1d', 0, 0)");
      }
      tx.commit();
    }
  });
  std::this_thread::sleep_for(50ms);
  for (int i = 0; i < 5; ++i) {
    const std::string out = f.file("b" + std::to_string(i) + ".db");
    REQUIRE(quantd::storage::backup_database(f.file("live.db"), out).ok());
    CHECK(count_strategies(out) % 2 == 0);
    CHECK(quantd::storage::check_database(out).ok());
  }
  stop = true;
  writer.join();
}

TEST_CASE("backup: errors name the file; --check finds a damaged file") {
  Folder f;
  CHECK(quantd::storage::backup_database(f.file("none.db"), f.file("x.db")).code() ==
        quantd::StatusCode::kNotFound);
  CHECK(quantd::storage::check_database(f.file("none.db")).code() == quantd::StatusCode::kNotFound);
  std::ofstream(f.file("junk.db")) << std::string(8192, 'x');
  const auto junk = quantd::storage::check_database(f.file("junk.db"));
  CHECK(!junk.ok());
  CHECK(junk.message().find("junk.db") != std::string::npos);

  // A real database with a page overwritten in the middle.
  auto db = make_db(f.file("live.db"), 400);
  db.reset();
  REQUIRE(quantd::storage::backup_database(f.file("live.db"), f.file("ok.db")).ok());
  const auto size = fs::file_size(f.file("ok.db"));
  {
    std::fstream io(f.file("ok.db"), std::ios::in | std::ios::out | std::ios::binary);
    io.seekp(static_cast<std::streamoff>(size / 2));
    io << std::string(4096, '\x7f');
  }
  CHECK(!quantd::storage::check_database(f.file("ok.db")).ok());
}

TEST_CASE("backup schedule: UTC-named files, the newest `keep` kept, other files untouched") {
  Folder f;
  auto db = make_db(f.file("live.db"), 3);
  const std::string dir = f.file("backups");
  fs::create_directories(dir);
  std::ofstream(dir + "/notes.txt") << "mine";
  std::ofstream(dir + "/quantd-manual.db") << "mine";
  BackupSchedule schedule(f.file("live.db"), {dir, 100ms, 2});
  REQUIRE(schedule.start().ok());
  for (int i = 0; i < 100 && schedule.stats().taken < 5; ++i) std::this_thread::sleep_for(50ms);
  schedule.stop();
  CHECK(schedule.stats().taken >= 5);
  CHECK(schedule.stats().failed == 0);
  const auto kept = quantd::storage::list_backups(dir);
  REQUIRE(kept.size() == 2);
  CHECK(kept[0] > kept[1]);  // newest first; UTC names sort by time
  CHECK(fs::path(kept[0]).filename().string().starts_with("quantd-20"));
  for (const auto& path : kept) CHECK(count_strategies(path) == 3);
  CHECK(fs::exists(dir + "/notes.txt"));
  CHECK(fs::exists(dir + "/quantd-manual.db"));
  CHECK(quantd::storage::backup_name(1783557060123) == "quantd-20260709T003100.123Z.db");
}

TEST_CASE("backup schedule: a restart waits for the period after the newest backup") {
  Folder f;
  auto db = make_db(f.file("live.db"), 1);
  const std::string dir = f.file("backups");
  {
    BackupSchedule first(f.file("live.db"), {dir, 1h, 7});
    REQUIRE(first.start().ok());  // creates the folder, takes the first backup at once
    for (int i = 0; i < 100 && first.stats().taken < 1; ++i) std::this_thread::sleep_for(20ms);
    first.stop();
    CHECK(first.stats().taken == 1);
    struct stat st {};
    REQUIRE(::stat(dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
  }
  BackupSchedule second(f.file("live.db"), {dir, 1h, 7});
  REQUIRE(second.start().ok());
  std::this_thread::sleep_for(300ms);
  second.stop();
  CHECK(second.stats().taken == 0);
  CHECK(quantd::storage::list_backups(dir).size() == 1);
}
