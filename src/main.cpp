// quantd: one binary for the HTTP server, scheduler, backtest and live pools, and the CLI tools.
#include <iostream>
#include <string>
#include <vector>

#include "quantd/app/commands.h"
#include "quantd/core/version.h"

namespace {

constexpr const char* kHelp = R"(quantd — self-hosted backtesting and automated trading daemon

usage: quantd [COMMAND] [ARGS...]

commands:
  serve [--config FILE] [--listen HOST:PORT] [--db PATH]
                      run the daemon (the default when no command is given)
  check-config FILE   validate a config file; names every bad key
  token               print a fresh random API token for server.auth_token
  passwd [--db PATH] [--clear]
                      set (or remove) the password the browser UI asks for
  backup FILE [--db PATH | --config FILE]
                      online backup of the database into FILE (safe while serving)
  backup --check FILE run PRAGMA integrity_check on a backup
  import-bars --db PATH --symbol SYM --interval I FILE.csv
                      import OHLCV bars from CSV into the database
  download-bars --symbol CODE --interval 1d|1m --from DATE [--config FILE] [--db PATH]
                      download history from KIS into the database (resumable)
  backtest --strategy builtin:NAME|FILE.qs (--data FILE.csv | --db PATH --symbol SYM --interval I) ...
                      run a backtest and print its metrics (see `quantd backtest --help`)
  sweep --strategy ... --grid NAME=VALUES ... [--walk-forward IN:OUT] ...
                      a parameter sweep or walk-forward analysis (see `quantd sweep --help`)
  check FILE.qs       check a strategy-language script; prints every error (exit 1 if any)
  eval --data FILE.csv --expr "EXPR" [--param k=v ...]
                      print an expression's series over the bars as ts,value CSV
  --version           print the version
  --help              print this help

exit codes: 0 ok, 2 usage or config error, 1 runtime failure
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return quantd::app::run_serve_command({});
  const std::string command = args[0];
  const std::span<const std::string> rest(args.data() + 1, args.size() - 1);
  if (command == "--version" || command == "version") {
    std::cout << "quantd " << quantd::kVersion << "\n";
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kHelp;
    return 0;
  }
  if (command == "serve") return quantd::app::run_serve_command(rest);
  if (command.starts_with("--")) return quantd::app::run_serve_command(args);  // flags of serve
  if (command == "check-config") return quantd::app::run_check_config_command(rest);
  if (command == "import-bars") return quantd::app::run_import_bars_command(rest);
  if (command == "download-bars") return quantd::app::run_download_bars_command(rest);
  if (command == "backtest") return quantd::app::run_backtest_command(rest);
  if (command == "sweep") return quantd::app::run_sweep_command(rest);
  if (command == "check") return quantd::app::run_check_command(rest);
  if (command == "eval") return quantd::app::run_eval_command(rest);
  if (command == "token") return quantd::app::run_token_command(rest);
  if (command == "passwd") return quantd::app::run_passwd_command(rest);
  if (command == "backup") return quantd::app::run_backup_command(rest);
  std::cerr << "quantd: unknown command '" << command << "'\n\n" << kHelp;
  return 2;
}
