// quantd passwd [--db PATH | --config FILE] [--clear]: sets (or removes) the UI's password.
//
// The new password is read twice: from the terminal without echo, or, when stdin is not a
// terminal, as its first two lines (`printf 'pw\npw\n' | quantd passwd --db FILE`). Only its
// Argon2id hash is stored (auth/password.h). Setting or clearing it ends every login session, so
// a changed password locks out whoever knew the old one. A running daemon sees the change at
// its next request.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>

#include "quantd/app/commands.h"
#include "quantd/auth/password.h"
#include "quantd/config/config.h"
#include "quantd/core/clock.h"
#include "quantd/core/embedded.h"
#include "quantd/core/logging.h"
#include "quantd/storage/auth_repository.h"
#include "quantd/storage/database.h"

namespace quantd::app {
namespace {

constexpr const char* kUsage = R"(usage: quantd passwd [--db PATH | --config FILE] [--clear]

Sets the password the browser UI asks for (at least 10 characters), read twice from the terminal
without echo, or as the first two lines of stdin when it is not a terminal. Only an Argon2id hash
is stored, in the database. Every login session ends.
  --db PATH      the quantd database (default: database.path of --config, else quantd.db)
  --config FILE  read database.path from this config file
  --clear        remove the password (the UI then asks for none on loopback); sessions end
)";

int usage_error(const std::string& message) {
  std::cerr << "quantd passwd: " << message << "\n" << kUsage;
  return 2;
}

// One line from stdin; from a terminal, after `prompt` and without echo. nullopt at end of input.
std::optional<std::string> read_line(const char* prompt, bool terminal) {
  termios saved{};
  if (terminal) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    quiet.c_lflag |= ECHONL;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int run_passwd_command(Args args) {
  std::string db_path, config_path;
  bool clear = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--clear") {
      clear = true;
      continue;
    }
    if (a == "--db" || a == "--config") {
      if (i + 1 >= args.size() || args[i + 1].empty()) return usage_error(a + " needs a value");
      (a == "--db" ? db_path : config_path) = args[++i];
      continue;
    }
    return usage_error("unexpected argument '" + a + "'");
  }
  if (!db_path.empty() && !config_path.empty())
    return usage_error("give --db or --config, not both");
  if (db_path.empty()) {
    auto c = config::load_config_or_default(config_path);
    if (!c.ok()) {
      std::cerr << "quantd passwd: " << c.status().message() << "\n";
      return 2;
    }
    db_path = c->database.path;
  }
  if (Status st = setup_logging("warn"); !st.ok()) return 1;

  std::string password;
  if (!clear) {
    const bool terminal = isatty(STDIN_FILENO) == 1;
    auto first = read_line("New password: ", terminal);
    auto second = first ? read_line("Repeat it: ", terminal) : std::nullopt;
    if (!first || !second) {
      std::cerr << "quantd passwd: the password must be given twice (two lines on stdin)\n";
      return 2;
    }
    if (*first != *second) {
      std::cerr << "quantd passwd: the two passwords differ; nothing was changed\n";
      return 2;
    }
    if (Status st = auth::check_password_rules(*first); !st.ok()) {
      std::cerr << "quantd passwd: " << st.message() << "; nothing was changed\n";
      return 2;
    }
    password = std::move(*first);
  }

  auto opened = storage::Database::open({db_path, 5000});
  if (!opened.ok()) {
    std::cerr << "quantd passwd: " << opened.status().message() << "\n";
    return 1;
  }
  auto db = std::move(opened).value();
  if (auto migrated = db->migrate(embedded::migrations()); !migrated.ok()) {
    std::cerr << "quantd passwd: " << migrated.status().message() << "\n";
    return 1;
  }
  storage::AuthRepository repo(*db);
  if (clear) {
    auto removed = repo.clear_password();
    if (!removed.ok()) {
      std::cerr << "quantd passwd: " << removed.status().message() << "\n";
      return 1;
    }
    std::cout << (*removed ? "password removed; every login session ended\n"
                           : "no password was set\n");
    return 0;
  }
  auto hash = auth::hash_password(password);
  if (!hash.ok()) {
    std::cerr << "quantd passwd: " << hash.status().message() << "\n";
    return 1;
  }
  if (Status st = repo.set_password_hash(*hash, SystemClock().now()); !st.ok()) {
    std::cerr << "quantd passwd: " << st.message() << "\n";
    return 1;
  }
  std::cout << "password set in " << db_path << "; every login session ended\n";
  return 0;
}

}  // namespace quantd::app
