// `quantd backup FILE [--db PATH | --config FILE]` and `quantd backup --check FILE`: an online
// backup of the database (safe while the daemon runs) and an integrity check of a backup.
#include <filesystem>
#include <iostream>
#include <string>

#include "quantd/app/commands.h"
#include "quantd/config/config.h"
#include "quantd/storage/backup.h"

namespace quantd::app {

namespace {

constexpr const char* kUsage = R"(usage: quantd backup FILE [--db PATH | --config FILE]
       quantd backup --check FILE

Copies the database (--db, else database.path of --config, else quantd.db) into FILE with
SQLite's online backup API: safe while the daemon runs. FILE is written as FILE.tmp, synced and
renamed, with mode 0600 (it holds the same secrets as the database).
--check runs PRAGMA integrity_check on FILE: exit 0 when ok, 1 with the problems otherwise.
Restoring is in docs/operations.md.
)";

int check(const std::string& file) {
  if (Status st = storage::check_database(file); !st.ok()) {
    std::cerr << "quantd backup --check: " << st.message() << "\n";
    return 1;
  }
  std::cout << file << ": ok (PRAGMA integrity_check)\n";
  return 0;
}

}  // namespace

int run_backup_command(Args args) {
  std::string file, db_path, config_path;
  bool check_only = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--check") {
      check_only = true;
    } else if (a == "--db" || a == "--config") {
      if (i + 1 >= args.size()) {
        std::cerr << "quantd backup: " << a << " needs a value\n" << kUsage;
        return 2;
      }
      (a == "--db" ? db_path : config_path) = args[++i];
    } else if (a.starts_with("-") || !file.empty()) {
      std::cerr << "quantd backup: unexpected argument '" << a << "'\n" << kUsage;
      return 2;
    } else {
      file = a;
    }
  }
  if (file.empty() || (check_only && (!db_path.empty() || !config_path.empty()))) {
    std::cerr << kUsage;
    return 2;
  }
  if (check_only) return check(file);
  if (db_path.empty()) {
    auto config = config::load_config_or_default(config_path);
    if (!config.ok()) {
      std::cerr << config.status().message() << "\n";
      return 2;
    }
    db_path = config->database.path;
  }
  std::error_code ec;
  if (std::filesystem::equivalent(db_path, file, ec)) {
    std::cerr << "quantd backup: FILE is the database itself\n";
    return 2;
  }
  if (Status st = storage::backup_database(db_path, file); !st.ok()) {
    std::cerr << "quantd backup: " << st.message() << "\n";
    return 1;
  }
  std::cout << "backed up " << db_path << " to " << file << " ("
            << std::filesystem::file_size(file, ec) << " bytes)\n";
  return 0;
}

}  // namespace quantd::app
