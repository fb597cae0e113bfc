// `quantd backtest`: runs a native strategy over bars from a CSV file or the database and prints
// the metrics (text, or one JSON object with --json). See docs/backtest.md.
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "backtest_flags_internal.h"
#include "quantd/app/commands.h"
#include "quantd/backtest/engine.h"
#include "quantd/backtest/report.h"
#include "quantd/core/embedded.h"
#include "quantd/data/bar_csv.h"
#include "quantd/domain/aggregate.h"
#include "quantd/lang/rule_strategy.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/database.h"
#include "quantd/strategy/registry.h"

namespace quantd::app {

namespace {

constexpr const char* kUsage =
    R"(usage: quantd backtest --strategy builtin:NAME|FILE.qs [--param k=v ...]
                       (--data FILE.csv [--data FILE2.csv ...] |
                        --db PATH --symbol SYM [--symbol SYM ...] --interval I)
                       [--from DATE] [--to DATE] [--interval I]
                       [--cash KRW] [--commission-bps X] [--tax-bps X]
                       [--slippage-bps X] [--slippage-ticks N] [--market kospi|kosdaq|konex|etf]
                       [--trade-from DATE] [--close-at-end] [--json]
                       [--trades-csv FILE] [--orders-csv FILE] [--equity-csv FILE]

  --strategy builtin:NAME  a native strategy: buy_and_hold, sma_cross (params fast, slow;
                           both take stop_loss, take_profit, trailing_stop as fractions)
  --strategy FILE.qs       a strategy-language script (any value not starting with builtin:;
                           see docs/language.md); --param overrides its params
  --param k=v              a strategy parameter (repeatable)
  --data FILE.csv          bars from CSV (ts,open,high,low,close,volume); the symbol is the file
                           name without extension unless --symbol names it
  --db PATH --symbol SYM   bars imported with `quantd import-bars` (repeat --symbol for a
                           multi-symbol run sharing one cash balance)
  --interval I             1m 5m 15m 30m 60m 1d; 1-minute bars are aggregated to I when needed
  --from/--to DATE         YYYY-MM-DD[THH:MM[:SS]] Asia/Seoul; a bare --to date includes that day
  --cash KRW               initial cash (default 100000000)
  --commission-bps X       per side (default 1.5)
  --tax-bps X              sell-side tax for every date (default: the KRX table by settlement date)
  --slippage-bps X         adverse slippage on market fills (default 0)
  --slippage-ticks N       adverse slippage in KRX ticks (default 0)
  --market M               market of the symbols for ticks and tax (default kospi)
  --trade-from DATE        bars before DATE only warm the strategy up (no trades, not in the
                           statistics): compares with a live session activated that day
  --close-at-end           sell open positions at the last bar's close
  --json                   print one JSON object (metrics, stats) instead of the summary
  --trades-csv FILE        write every trade
  --orders-csv FILE        write every order (decided, filled or rejected)
  --equity-csv FILE        write the equity and drawdown curve
)";

using Clock = std::chrono::steady_clock;
using Options = BacktestFlags;

// The command whose flags are being read (`quantd sweep` shares them) and its usage text.
const char* g_command = "backtest";
const char* g_usage = kUsage;

int usage_error(const std::string& message) {
  std::cerr << "quantd " << g_command << ": " << message << "\n\n" << g_usage;
  return 2;
}

int runtime_error(const std::string& message) {
  std::cerr << "quantd " << g_command << ": " << message << "\n";
  return 1;
}

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool is_bare_date(std::string_view s) { return s.size() == 10; }

// Returns an exit code if parsing failed, nullopt when `o` is complete.
std::optional<int> parse_args(Args args, Options& o, const ExtraFlag& extra) {
  bool have_cash = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&](std::string& out) -> bool {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    if (flag == "--help" || flag == "-h") {
      std::cout << g_usage;
      return 0;
    } else if (flag == "--json") {
      o.json = true;
    } else if (flag == "--close-at-end") {
      o.config.close_at_end = true;
    } else if (flag == "--strategy" || flag == "--param" || flag == "--data" || flag == "--db" ||
               flag == "--symbol" || flag == "--interval" || flag == "--from" || flag == "--to" ||
               flag == "--cash" || flag == "--commission-bps" || flag == "--tax-bps" ||
               flag == "--slippage-bps" || flag == "--slippage-ticks" || flag == "--market" ||
               flag == "--trades-csv" || flag == "--orders-csv" || flag == "--equity-csv" ||
               flag == "--trade-from") {
      if (!value(v)) return usage_error(flag + ": missing value");
      if (flag == "--strategy") {
        if (v.starts_with("builtin:")) {
          if (v.size() == 8)
            return usage_error("--strategy: expected builtin:NAME, got '" + v + "'");
          o.strategy = v.substr(8);
        } else {
          o.strategy = v;  // a strategy-language script file
          o.script = true;
        }
      } else if (flag == "--param") {
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) {
          return usage_error("--param: expected k=v, got '" + v + "'");
        }
        const auto num = parse_number(std::string_view(v).substr(eq + 1));
        if (!num) return usage_error("--param: '" + v + "': value is not a number");
        o.params[v.substr(0, eq)] = *num;
      } else if (flag == "--data") {
        o.data_files.push_back(v);
      } else if (flag == "--db") {
        o.db_path = v;
      } else if (flag == "--symbol") {
        if (!domain::is_valid_symbol(v)) {
          return usage_error("--symbol: '" + v +
                             "' is not a valid symbol (1-32 of A-Z a-z 0-9 . _ -)");
        }
        o.symbols.push_back(v);
      } else if (flag == "--interval") {
        o.interval = domain::parse_interval(v);
        if (!o.interval)
          return usage_error("--interval: expected 1m, 5m, 15m, 30m, 60m or 1d, got '" + v + "'");
      } else if (flag == "--from" || flag == "--to") {
        auto t = parse_timestamp(v);
        if (!t) return usage_error(flag + ": expected YYYY-MM-DD[THH:MM[:SS]], got '" + v + "'");
        if (flag == "--from") {
          o.from = *t;
        } else {
          o.to = is_bare_date(v) ? *t + kMsPerDay - 1 : *t;
        }
      } else if (flag == "--cash") {
        auto n = parse_int(v);
        if (!n || *n <= 0)
          return usage_error("--cash: expected a positive whole number of KRW, got '" + v + "'");
        o.config.initial_cash = *n;
        have_cash = true;
      } else if (flag == "--commission-bps" || flag == "--tax-bps" || flag == "--slippage-bps") {
        auto x = parse_number(v);
        if (!x || *x < 0 || *x > 10'000) {
          return usage_error(flag + ": expected a number of basis points in [0, 10000], got '" + v +
                             "'");
        }
        if (flag == "--commission-bps") o.config.costs.commission_bps = *x;
        if (flag == "--tax-bps") o.config.costs.tax_bps = *x;
        if (flag == "--slippage-bps") o.config.costs.slippage_bps = *x;
      } else if (flag == "--slippage-ticks") {
        auto n = parse_int(v);
        if (!n || *n < 0 || *n > 1000)
          return usage_error("--slippage-ticks: expected a whole number in [0, 1000], got '" + v +
                             "'");
        o.config.costs.slippage_ticks = static_cast<int>(*n);
      } else if (flag == "--market") {
        auto m = domain::parse_market(v);
        if (!m)
          return usage_error("--market: expected kospi, kosdaq, konex or etf, got '" + v + "'");
        o.market = *m;
      } else if (flag == "--trades-csv") {
        o.trades_csv = v;
      } else if (flag == "--equity-csv") {
        o.equity_csv = v;
      } else if (flag == "--orders-csv") {
        o.orders_csv = v;
      } else if (flag == "--trade-from") {
        auto t = parse_timestamp(v);
        if (!t)
          return usage_error("--trade-from: expected YYYY-MM-DD[THH:MM[:SS]], got '" + v + "'");
        o.config.trade_from = *t;
      }
    } else if (extra) {
      if (auto rc = extra(flag, value)) return rc;
    } else {
      return usage_error("unknown flag '" + flag + "'");
    }
  }
  (void)have_cash;
  if (o.strategy.empty())
    return usage_error("--strategy: required (e.g. --strategy builtin:sma_cross)");
  if (o.data_files.empty() && !o.db_path) return usage_error("--data or --db: one is required");
  if (!o.data_files.empty() && o.db_path) return usage_error("--data and --db: give only one");
  if (o.db_path) {
    if (o.symbols.empty()) return usage_error("--symbol: required with --db");
    if (!o.interval) return usage_error("--interval: required with --db");
  } else if (!o.symbols.empty() && o.symbols.size() != o.data_files.size()) {
    return usage_error("--symbol: give one per --data file (or none to use the file names)");
  }
  if (o.from && o.to && *o.from > *o.to) return usage_error("--from: later than --to");
  return std::nullopt;
}

// The interval of bars from their smallest spacing (1d for anything a day or longer).
domain::Interval infer_interval(const std::vector<domain::Bar>& bars) {
  std::int64_t min_gap = kMsPerDay;
  for (std::size_t i = 1; i < bars.size(); ++i)
    min_gap = std::min(min_gap, bars[i].ts - bars[i - 1].ts);
  for (domain::Interval iv : {domain::Interval::k1m, domain::Interval::k5m, domain::Interval::k15m,
                              domain::Interval::k30m, domain::Interval::k60m}) {
    if (min_gap <= domain::interval_ms(iv)) return iv;
  }
  return domain::Interval::k1d;
}

std::vector<domain::Bar> filter_range(std::vector<domain::Bar> bars,
                                      std::optional<TimestampMs> from,
                                      std::optional<TimestampMs> to) {
  if (!from && !to) return bars;
  std::erase_if(bars,
                [&](const domain::Bar& b) { return (from && b.ts < *from) || (to && b.ts > *to); });
  return bars;
}

}  // namespace

void use_backtest_flags_for(const char* command, const char* usage) {
  g_command = command;
  g_usage = usage;
}

std::optional<int> parse_backtest_flags(Args args, BacktestFlags& o, const ExtraFlag& extra) {
  return parse_args(args, o, extra);
}

std::optional<int> load_series(const BacktestFlags& o, std::vector<LoadedSeries>& series,
                               domain::Interval& interval) {
  interval = o.interval.value_or(domain::Interval::k1d);
  if (!o.data_files.empty()) {
    std::optional<domain::Interval> data_interval;
    for (std::size_t i = 0; i < o.data_files.size(); ++i) {
      auto bars = data::read_bars_csv(o.data_files[i]);
      if (!bars.ok()) return runtime_error(bars.status().message());
      LoadedSeries s;
      s.symbol =
          o.symbols.empty() ? std::filesystem::path(o.data_files[i]).stem().string() : o.symbols[i];
      if (!domain::is_valid_symbol(s.symbol)) s.symbol = "DATA" + std::to_string(i + 1);
      const domain::Interval native = infer_interval(*bars);
      if (o.interval && *o.interval != native) {
        if (native != domain::Interval::k1m) {
          return usage_error("--interval: " + o.data_files[i] + " holds " +
                             std::string(domain::to_string(native)) +
                             " bars; only 1m bars can be aggregated to " +
                             std::string(domain::to_string(*o.interval)));
        }
        *bars = domain::aggregate_bars(*bars, *o.interval);
      }
      if (!o.interval) data_interval = native;
      s.bars = filter_range(std::move(*bars), o.from, o.to);
      series.push_back(std::move(s));
    }
    if (data_interval) interval = *data_interval;
  } else {
    auto db = storage::Database::open(storage::DatabaseOptions{*o.db_path});
    if (!db.ok()) return runtime_error(db.status().message());
    auto migrated = (*db)->migrate(embedded::migrations());
    if (!migrated.ok()) return runtime_error(migrated.status().message());
    storage::BarRepository repo(**db);
    for (const std::string& sym : o.symbols) {
      LoadedSeries s;
      s.symbol = sym;
      auto bars = storage::load_bars(repo, domain::Symbol(sym), interval, o.from, o.to);
      if (!bars.ok()) return runtime_error(bars.status().message());
      s.bars = std::move(*bars);
      series.push_back(std::move(s));
    }
  }
  for (const LoadedSeries& s : series) {
    if (s.bars.empty()) {
      return runtime_error("no bars for " + s.symbol + " at " +
                           std::string(domain::to_string(interval)) +
                           (o.from || o.to ? " in the requested range" : ""));
    }
  }
  return std::nullopt;
}

int run_backtest_command(Args args) {
  Options o;
  if (auto rc = parse_args(args, o, {})) return *rc;

  Result<std::unique_ptr<strategy::StrategyFactory>> factory =
      Status::invalid_argument("no strategy");
  if (o.script) {
    std::ifstream in(o.strategy, std::ios::binary);
    if (!in.is_open()) return usage_error("--strategy: cannot read " + o.strategy);
    std::ostringstream source;
    source << in.rdbuf();
    factory = lang::make_rule_strategy(source.str(), o.params, o.strategy);
    if (!factory.ok()) {
      std::cerr << "quantd backtest: --strategy: " << factory.status().message() << "\n";
      return 2;
    }
  } else {
    factory = strategy::make_native_strategy(o.strategy, o.params);
  }
  if (!factory.ok()) {
    const std::string& m = factory.status().message();
    return usage_error((m.find("parameter") != std::string::npos ? "--param: " : "--strategy: ") +
                       m);
  }

  const auto load_start = Clock::now();
  std::vector<LoadedSeries> series;
  domain::Interval interval = domain::Interval::k1d;
  if (auto rc = load_series(o, series, interval)) return *rc;
  const double load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();

  std::vector<backtest::SymbolBars> inputs;
  std::vector<std::string> names;
  for (const LoadedSeries& s : series) {
    inputs.push_back({domain::Symbol(s.symbol), o.market, s.bars});
    names.push_back(s.symbol);
  }
  o.config.interval = interval;
  auto result = backtest::run_backtest(o.config, inputs, **factory);
  if (!result.ok()) return runtime_error(result.status().message());

  backtest::ReportInfo info;
  info.strategy = (*factory)->describe();
  info.symbols = names;
  info.interval = interval;
  info.config = o.config;
  info.load_seconds = load_seconds;

  if (o.trades_csv) {
    std::ofstream f(*o.trades_csv, std::ios::binary);
    backtest::write_trades_csv(f, *result, names);
    if (!f) return runtime_error("--trades-csv: cannot write " + *o.trades_csv);
  }
  if (o.orders_csv) {
    std::ofstream f(*o.orders_csv, std::ios::binary);
    backtest::write_orders_csv(f, *result, names);
    if (!f) return runtime_error("--orders-csv: cannot write " + *o.orders_csv);
  }
  if (o.equity_csv) {
    std::ofstream f(*o.equity_csv, std::ios::binary);
    backtest::write_equity_csv(f, *result);
    if (!f) return runtime_error("--equity-csv: cannot write " + *o.equity_csv);
  }
  std::cout << (o.json ? backtest::to_json(*result, info) : backtest::to_text(*result, info));
  std::cout.flush();
  return 0;
}

}  // namespace quantd::app
