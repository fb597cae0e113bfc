// quantd download-bars --symbol 005930 --interval 1d --from 2015-01-01 [--to DATE] [--db PATH]
//                      [--config FILE] [--restart]
//
// History from KIS into the database (kis::download_bars), with the [kis] settings and keys of
// the config file (or QUANTD_KIS_APP_KEY / _APP_SECRET / _ACCOUNT). Progress goes to stderr,
// one line a window; the summary to stdout. Interrupted, it keeps what it stored and the next
// run resumes from the last stored day (--restart fetches the whole range again).
#include <iostream>
#include <optional>
#include <string>

#include "quantd/app/commands.h"
#include "quantd/config/config.h"
#include "quantd/core/clock.h"
#include "quantd/core/embedded.h"
#include "quantd/core/logging.h"
#include "quantd/core/time.h"
#include "quantd/kis/bar_download.h"
#include "quantd/kis/kis_messages.h"
#include "quantd/kis/kis_rest.h"
#include "quantd/storage/database.h"

namespace quantd::app {
namespace {

constexpr const char* kUsage =
    "usage: quantd download-bars --symbol CODE --interval 1d|1m --from DATE [--to DATE]\n"
    "                            [--db PATH] [--config FILE] [--restart]\n"
    "  --symbol CODE   a KRX code, e.g. 005930\n"
    "  --interval I    1d (daily, unadjusted) or 1m (today's minutes; past minutes need the\n"
    "                  real environment)\n"
    "  --from DATE     YYYY-MM-DD, the first day wanted; --to: the last (default today)\n"
    "  --db PATH       the quantd database (default: database.path of the config, quantd.db)\n"
    "  --config FILE   a quantd config with [kis] (keys may come from QUANTD_KIS_APP_KEY,\n"
    "                  QUANTD_KIS_APP_SECRET and QUANTD_KIS_ACCOUNT instead)\n"
    "  --restart       fetch the whole range again instead of resuming after the last stored day\n"
    "  --debug-clock=TIME  run as if it were TIME (tests against a KIS mock on its own clock)\n";

int usage_error(const std::string& message) {
  std::cerr << "download-bars: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int run_download_bars_command(Args args) {
  std::string db_path, config_path;
  std::optional<domain::Symbol> symbol;
  std::optional<domain::Interval> interval;
  std::optional<CivilDate> from, to;
  bool restart = false;
  std::optional<TimestampMs> debug_now;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (flag == "--restart") {
      restart = true;
      continue;
    }
    if (flag.starts_with("--debug-clock=")) {
      debug_now = parse_timestamp(flag.substr(std::string_view("--debug-clock=").size()));
      if (!debug_now) return usage_error("--debug-clock: expected a time such as 2026-07-09T15:40");
      continue;
    }
    std::optional<std::string> value;
    if (const auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (flag != "--db" && flag != "--config" && flag != "--symbol" && flag != "--interval" &&
        flag != "--from" && flag != "--to") {
      return usage_error("unknown flag " + flag);
    }
    if (!value) {
      if (i + 1 >= args.size()) return usage_error(flag + " needs a value");
      value = args[++i];
    }
    if (flag == "--db") {
      db_path = *value;
    } else if (flag == "--config") {
      config_path = *value;
    } else if (flag == "--symbol") {
      if (!domain::is_valid_symbol(*value))
        return usage_error("--symbol: invalid \"" + *value + "\"");
      symbol = domain::Symbol(*value);
    } else if (flag == "--interval") {
      interval = domain::parse_interval(*value);
      if (!interval) return usage_error("--interval: unknown interval \"" + *value + "\"");
    } else {
      auto day = parse_civil_date(*value);
      if (!day) return usage_error(flag + ": expected a date YYYY-MM-DD, got \"" + *value + "\"");
      (flag == "--from" ? from : to) = day;
    }
  }
  if (!symbol) return usage_error("--symbol is required");
  if (!interval) return usage_error("--interval is required");
  if (!from) return usage_error("--from is required");

  auto loaded = config::load_config_or_default(config_path);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 2;
  }
  config::Config config = std::move(loaded).value();
  if (!db_path.empty()) config.database.path = db_path;
  config.live.feed = "kis";  // validate() then asks for the keys
  if (Status st = config::validate(config); !st.ok()) {
    std::cerr << "download-bars: " << st.message() << "\n";
    return 2;
  }
  auto env = kis::parse_environment(config.kis.environment);
  auto account = kis::parse_account(config.kis.account);
  if (!account.ok()) {
    std::cerr << "download-bars: kis.account: " << account.status().message() << "\n";
    return 2;
  }
  if (Status s = setup_logging("warn"); !s.ok()) {
    std::cerr << "download-bars: " << s.message() << "\n";
    return 1;
  }
  auto db = storage::Database::open(storage::DatabaseOptions{config.database.path});
  if (!db.ok()) {
    std::cerr << "download-bars: " << db.status().message() << "\n";
    return 1;
  }
  if (auto m = (*db)->migrate(embedded::migrations()); !m.ok()) {
    std::cerr << "download-bars: " << m.status().message() << "\n";
    return 1;
  }
  SystemClock system;
  ManualClock manual(debug_now.value_or(0));
  const Clock& clock = debug_now ? static_cast<const Clock&>(manual) : system;
  kis::KisRestOptions o;
  o.environment = *env;
  o.rest_url = config.kis.rest_url;
  o.rate_per_s = config.kis.rate_limit_per_s;
  o.ca_file = config.kis.ca_file;
  auto rest =
      kis::KisRest::create(o, {config.kis.app_key, config.kis.app_secret, *account}, **db, clock);
  if (!rest.ok()) {
    std::cerr << "download-bars: " << rest.status().message() << "\n";
    return 1;
  }
  const TimestampMs now = clock.now();
  kis::DownloadRequest request{*symbol, *interval, *from, to.value_or(to_seoul(now).date),
                               !restart};
  const std::string series = symbol->str() + " " + std::string(domain::to_string(*interval));
  auto done = kis::download_bars(**rest, **db, request, now, [&](const kis::DownloadProgress& p) {
    std::cerr << series << ": through " << format_seoul_date(from_seoul(p.reached)) << " ("
              << static_cast<int>(p.fraction * 100) << "%), " << p.bars << " bars\n";
    return true;
  });
  if (!done.ok()) {
    std::cerr << "download-bars: " << series << ": " << done.status().message() << "\n";
    return 1;
  }
  std::cout << "downloaded " << done->bars << " bars for " << series << " from KIS ("
            << kis::to_string(*env) << "), " << done->inserted << " new, " << done->calls
            << " calls\n";
  return 0;
}

}  // namespace quantd::app
