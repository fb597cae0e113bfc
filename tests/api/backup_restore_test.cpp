// Issue 12's "a backup restores": `quantd backup` of a running daemon's database while it
// writes, the backup checked and restored into a new daemon; scheduled backups with rotation.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "api_client.h"

using namespace quantd::apitest;
using namespace std::chrono_literals;
using quantd::testing::Daemon;
using quantd::testing::run_quantd;
using quantd::testing::TempDir;

namespace {

std::set<std::string> strategy_names(int port) {
  const auto r = call(port, "GET", "/api/strategies");
  REQUIRE(r.status == 200);
  std::set<std::string> names;
  const json& list = r.body.is_array() ? r.body : r.body["strategies"];
  for (const json& s : list) names.insert(s["name"].get<std::string>());
  return names;
}

}  // namespace

TEST_CASE("backup: taken from a live daemon while it writes, checked, restored into a new one") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  Daemon live(db);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(
        call(live.port(), "POST", "/api/strategies", sma_strategy("before " + std::to_string(i)))
            .status == 201);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      if (call(live.port(), "POST", "/api/strategies", sma_strategy("during " + std::to_string(i)))
              .status == 201) {
        ++written;
      }
    }
  });
  while (written < 5) std::this_thread::sleep_for(5ms);
  const std::string backup = dir.file("backup.db");
  const auto run = run_quantd({"backup", backup, "--db", db});
  stop = true;
  writer.join();
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("backed up") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(backup.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(!std::filesystem::exists(backup + ".tmp"));

  const auto checked = run_quantd({"backup", "--check", backup});
  CHECK(checked.exit_code == 0);
  CHECK(checked.out.find("ok") != std::string::npos);
  std::ofstream(dir.file("junk.db")) << std::string(4096, 'j');
  CHECK(run_quantd({"backup", "--check", dir.file("junk.db")}).exit_code == 1);
  CHECK(run_quantd({"backup"}).exit_code == 2);

  // Restore as docs/operations.md says: the backup file becomes a new daemon's database.
  const std::string restored = dir.file("restored.db");
  std::filesystem::copy_file(backup, restored);
  Daemon again(restored);
  const auto names = strategy_names(again.port());
  for (int i = 0; i < 5; ++i) CHECK(names.contains("before " + std::to_string(i)));
  CHECK(names.size() >= 10);  // and those written before the backup began
  CHECK(names.size() <= strategy_names(live.port()).size());
}

TEST_CASE("backup: the daemon's scheduled backups rotate, keeping the newest `keep`") {
  TempDir dir;
  const std::string backups = dir.file("backups");
  const std::string config = dir.file("config.toml");
  // 0.0003 h is about one second.
  std::ofstream(config) << "[backup]\ndir = \"" << backups
                        << "\"\nevery_hours = 0.0003\nkeep = 2\n";
  Daemon d(dir.file("quantd.db"), {"--config", config});
  REQUIRE(call(d.port(), "POST", "/api/strategies", sma_strategy("kept")).status == 201);
  std::size_t taken = 0;
  for (int i = 0; i < 100 && taken < 4; ++i) {
    std::this_thread::sleep_for(100ms);
    const std::string log = d.log();
    taken = 0;
    for (std::size_t at = log.find("backup: /"); at != std::string::npos;
         at = log.find("backup: /", at + 1)) {
      ++taken;
    }
  }
  CHECK(taken >= 4);
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(backups)) {
    CHECK(entry.path().filename().string().starts_with("quantd-"));
    ++files;
  }
  CHECK(files == 2);
  const auto metrics = quantd::testing::http_request(d.port(), "GET", "/metrics");
  CHECK(metrics.body.find("quantd_backups_total{result=\"ok\"}") != std::string::npos);
}
