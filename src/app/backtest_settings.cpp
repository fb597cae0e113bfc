#include <bit>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "backtest_settings_internal.h"
#include "quantd/backtest/report.h"
#include "quantd/core/time.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/bar_repository.h"

namespace quantd::app {
namespace {

using nlohmann::json;

std::optional<TimestampMs> read_time(const json& j, const char* key, bool end_of_day) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  const std::string text = j.at(key).get<std::string>();
  auto t = parse_timestamp(text);
  if (!t) throw std::invalid_argument(std::string(key) + ": not a date: " + text);
  if (end_of_day && text.size() == 10) *t += kMsPerDay - 1;
  return t;
}

// One step of a strong 64-bit mix (the finalizer of MurmurHash3's successor, SplitMix64).
std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  return h ^ (h >> 31);
}

}  // namespace

json metrics_json(const analytics::Metrics& m) {
  json out = json::object();
  for (const backtest::MetricField& f : backtest::metric_fields(m)) {
    if (!std::isfinite(f.value)) {
      out[f.name] = nullptr;
    } else if (f.integer) {
      out[f.name] = static_cast<std::int64_t>(f.value);
    } else {
      out[f.name] = f.value;
    }
  }
  return out;
}

Settings read_settings(const std::string& text) {
  const json j = json::parse(text);
  Settings s;
  for (const auto& sym : j.at("symbols")) s.symbols.emplace_back(sym.get<std::string>());
  if (s.symbols.empty()) throw std::invalid_argument("settings: no symbols");
  auto interval = domain::parse_interval(j.value("interval", std::string("1d")));
  if (!interval) throw std::invalid_argument("settings: bad interval");
  s.interval = *interval;
  s.from = read_time(j, "from", false);
  s.to = read_time(j, "to", true);
  s.config.initial_cash = j.value("cash", s.config.initial_cash);
  s.config.costs.commission_bps = j.value("commission_bps", s.config.costs.commission_bps);
  if (j.contains("tax_bps") && !j["tax_bps"].is_null()) {
    s.config.costs.tax_bps = j["tax_bps"].get<double>();
  }
  s.config.costs.slippage_bps = j.value("slippage_bps", 0.0);
  s.config.costs.slippage_ticks = j.value("slippage_ticks", 0);
  s.config.close_at_end = j.value("close_at_end", false);
  s.config.trade_from = read_time(j, "trade_from", false);
  s.config.interval = s.interval;
  auto market = domain::parse_market(j.value("market", std::string("kospi")));
  if (!market) throw std::invalid_argument("settings: bad market");
  s.market = *market;
  return s;
}

strategy::Params read_params(const std::string& text) {
  strategy::Params p;
  const json j = json::parse(text);
  for (const auto& [k, v] : j.items()) p[k] = v.get<double>();
  return p;
}

// The equal-weight buy-and-hold benchmark (no costs) at each equity point: `cash` spread evenly
// over the symbols at their first open, each marked at its latest close.
std::vector<double> benchmark_curve(const backtest::BacktestResult& r,
                                    std::span<const std::vector<domain::Bar>> bars,
                                    std::int64_t cash) {
  const std::size_t n_symbols = bars.size();
  std::vector<std::size_t> cursor(n_symbols, 0);
  std::vector<double> ratio(n_symbols, 1.0);
  std::vector<double> out(r.equity_ts.size());
  for (std::size_t i = 0; i < r.equity_ts.size(); ++i) {
    const TimestampMs t = r.equity_ts[i];
    double sum = 0;
    for (std::size_t s = 0; s < n_symbols; ++s) {
      const auto& b = bars[s];
      while (cursor[s] < b.size() && b[cursor[s]].ts <= t) {
        ratio[s] = b[cursor[s]].close / b.front().open;
        ++cursor[s];
      }
      sum += ratio[s];
    }
    out[i] = static_cast<double>(cash) * sum / static_cast<double>(n_symbols);
  }
  return out;
}

std::string range_text(const Settings& s) {
  if (!s.from && !s.to) return "";
  return " between " + (s.from ? format_seoul_date(*s.from) : std::string("the start")) + " and " +
         (s.to ? format_seoul_date(*s.to) : std::string("the end"));
}

Result<std::vector<std::vector<domain::Bar>>> load_settings_bars(storage::Database& db,
                                                                 const Settings& settings) {
  storage::BarRepository repo(db);
  std::vector<std::vector<domain::Bar>> bars(settings.symbols.size());
  for (std::size_t i = 0; i < settings.symbols.size(); ++i) {
    const domain::Symbol& sym = settings.symbols[i];
    auto loaded = storage::load_bars(repo, sym, settings.interval, settings.from, settings.to);
    if (!loaded.ok()) return loaded.status();
    if (loaded->empty()) {
      return Status::failed_precondition("no " + std::string(domain::to_string(settings.interval)) +
                                         " bars stored for " + sym.str() + range_text(settings) +
                                         "; import data on the Data page first");
    }
    bars[i] = std::move(*loaded);
  }
  return bars;
}

std::string bars_fingerprint(std::span<const std::span<const domain::Bar>> bars) {
  std::uint64_t h = 0x5157414E54440001ULL;
  for (const auto& series : bars) {
    h = mix(h, series.size());
    for (const domain::Bar& b : series) {
      h = mix(h, static_cast<std::uint64_t>(b.ts));
      h = mix(h, std::bit_cast<std::uint64_t>(b.open));
      h = mix(h, std::bit_cast<std::uint64_t>(b.high));
      h = mix(h, std::bit_cast<std::uint64_t>(b.low));
      h = mix(h, std::bit_cast<std::uint64_t>(b.close));
      h = mix(h, static_cast<std::uint64_t>(b.volume));
    }
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace quantd::app
