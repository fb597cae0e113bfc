// quantd import-bars --db PATH --symbol SYM --interval I FILE.csv [FILE.csv ...]
//
// Each file is parsed and validated completely before anything is written, then stored in one
// transaction: a bad row stores nothing from that file. Files are handled in the order given and
// the first failure stops the command (files before it stay imported). Importing the same file
// again changes nothing.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "quantd/app/commands.h"
#include "quantd/core/embedded.h"
#include "quantd/core/logging.h"
#include "quantd/core/time.h"
#include "quantd/data/bar_csv.h"
#include "quantd/domain/bar.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/database.h"

namespace quantd::app {
namespace {

constexpr const char* kUsage =
    "usage: quantd import-bars --db PATH --symbol SYM --interval I FILE.csv [FILE.csv ...]\n"
    "  --db PATH       the quantd database (created and migrated if needed)\n"
    "  --symbol SYM    series name, e.g. 005930 (1..32 of A-Z a-z 0-9 . _ -)\n"
    "  --interval I    1m, 5m, 15m, 30m, 60m or 1d\n"
    "  FILE.csv        ts,open,high,low,close,volume or Date,Open,High,Low,Close,Adj Close,Volume\n"
    "                  (times: YYYY-MM-DD or YYYY-MM-DD[T ]HH:MM[:SS], Asia/Seoul unless an\n"
    "                  offset is given; Yahoo's Adj Close is ignored, bars keep Close)\n";

int usage_error(const std::string& message) {
  std::cerr << "import-bars: " << message << "\n" << kUsage;
  return 2;
}

struct Options {
  std::string db;
  std::optional<domain::Symbol> symbol;
  std::optional<domain::Interval> interval;
  std::vector<std::string> files;
};

}  // namespace

int run_import_bars_command(Args args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (!a.starts_with("--") || a == "-") {
      o.files.push_back(a);
      continue;
    }
    // --flag VALUE or --flag=VALUE
    std::string flag = a;
    std::optional<std::string> value;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      flag = a.substr(0, eq);
      value = a.substr(eq + 1);
    }
    if (flag != "--db" && flag != "--symbol" && flag != "--interval") {
      return usage_error("unknown flag " + flag);
    }
    if (!value) {
      if (i + 1 >= args.size()) return usage_error(flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--db") {
      if (value->empty()) return usage_error("--db needs a path");
      o.db = *value;
    } else if (flag == "--symbol") {
      if (!domain::is_valid_symbol(*value)) {
        return usage_error("--symbol: invalid symbol \"" + *value +
                           "\" (1..32 of A-Z a-z 0-9 . _ -)");
      }
      o.symbol = domain::Symbol(*value);
    } else {
      o.interval = domain::parse_interval(*value);
      if (!o.interval) {
        return usage_error("--interval: unknown interval \"" + *value +
                           "\" (1m, 5m, 15m, 30m, 60m or 1d)");
      }
    }
  }
  if (o.db.empty()) return usage_error("--db is required");
  if (!o.symbol) return usage_error("--symbol is required");
  if (!o.interval) return usage_error("--interval is required");
  if (o.files.empty()) return usage_error("missing FILE.csv");

  // Migration notices and the like go to stderr; stdout carries only the summaries.
  if (Status s = setup_logging("warn"); !s.ok()) {
    std::cerr << "import-bars: " << s.message() << "\n";
    return 1;
  }
  auto db = storage::Database::open(storage::DatabaseOptions{o.db});
  if (!db.ok()) {
    std::cerr << "import-bars: " << db.status().message() << "\n";
    return 1;
  }
  if (auto m = (*db)->migrate(embedded::migrations()); !m.ok()) {
    std::cerr << "import-bars: " << m.status().message() << "\n";
    return 1;
  }
  storage::BarRepository repo(**db);
  const std::string series = o.symbol->str() + " " + std::string(domain::to_string(*o.interval));
  for (const std::string& file : o.files) {
    auto bars = data::read_bars_csv(file);
    if (!bars.ok()) {
      std::cerr << bars.status().message() << "\n";
      return 1;
    }
    if (bars->empty()) {
      std::cerr << file << ": no bars (only a header)\n";
      return 1;
    }
    auto summary = repo.upsert(*o.symbol, *o.interval, *bars);
    if (!summary.ok()) {
      std::cerr << "import-bars: " << file << ": " << summary.status().message() << "\n";
      return 1;
    }
    std::cout << "imported " << bars->size() << " bars for " << series << " ("
              << format_seoul(*summary->first_ts) << " .. " << format_seoul(*summary->last_ts)
              << "), " << summary->inserted << " new, " << summary->updated << " updated, "
              << summary->unchanged << " unchanged\n";
  }
  return 0;
}

}  // namespace quantd::app
