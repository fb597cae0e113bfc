// The quantd command-line subcommands. Each takes the arguments after its name and returns the
// process exit code: 0 ok, 2 usage or config error (the message names the flag or key),
// 1 runtime failure. Messages go to stderr; results to stdout.
#pragma once

#include <span>
#include <string>

namespace quantd::app {

using Args = std::span<const std::string>;

int run_serve_command(Args args);  // quantd serve [--config FILE] [--listen HOST:PORT] [--db PATH]
int run_check_config_command(Args args);  // quantd check-config FILE
int run_backtest_command(Args args);      // quantd backtest ... (see README)
int run_sweep_command(Args args);         // quantd sweep ... (parameter sweeps, walk-forward)
int run_import_bars_command(
    Args args);  // quantd import-bars --db PATH --symbol SYM --interval I FILE.csv
// quantd download-bars --symbol CODE --interval 1d|1m --from DATE [--to DATE] [--db PATH]
//                      [--config FILE] [--restart]
int run_download_bars_command(Args args);
int run_check_command(Args args);  // quantd check [--param k=v ...] FILE.qs ...  (1: errors found)
int run_eval_command(Args args);   // quantd eval --data FILE.csv --expr EXPR [--param k=v ...]
int run_token_command(Args args);  // quantd token: prints a fresh random API token
// quantd passwd [--db PATH | --config FILE] [--clear]: sets or removes the UI's password
int run_passwd_command(Args args);
// quantd backup FILE [--db PATH | --config FILE]; quantd backup --check FILE
int run_backup_command(Args args);

}  // namespace quantd::app
