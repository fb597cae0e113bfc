// What a stored backtest or sweep runs with, read back from its row, and the pieces every run's
// result is made of. Shared by BacktestService and SweepService; not a public contract.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "quantd/analytics/metrics.h"
#include "quantd/backtest/engine.h"
#include "quantd/core/status.h"
#include "quantd/domain/bar.h"
#include "quantd/storage/database.h"
#include "quantd/strategy/registry.h"

namespace quantd::app {

// The settings a job runs with, read from the row's JSON (backtests.settings, sweeps.settings).
struct Settings {
  std::vector<domain::Symbol> symbols;
  domain::Interval interval = domain::Interval::k1d;
  std::optional<TimestampMs> from;
  std::optional<TimestampMs> to;
  backtest::BacktestConfig config;
  domain::Market market = domain::Market::kKospi;
};

// Throws on a corrupt document: the worker turns that into a failed job with the reason.
Settings read_settings(const std::string& text);
strategy::Params read_params(const std::string& text);

// The metrics as the API serves them (NaN as null, counts as integers).
nlohmann::json metrics_json(const analytics::Metrics& m);

// The equal-weight buy-and-hold benchmark (no costs) at each equity point of `r`.
std::vector<double> benchmark_curve(const backtest::BacktestResult& r,
                                    std::span<const std::vector<domain::Bar>> bars,
                                    std::int64_t cash);

// " between 2024-01-02 and the end" for messages; empty without a range.
std::string range_text(const Settings& s);

// Every symbol's bars of the settings' interval and range (minute bars aggregated where only
// those are stored). Errors: failed_precondition naming a symbol without bars, internal.
Result<std::vector<std::vector<domain::Bar>>> load_settings_bars(storage::Database& db,
                                                                 const Settings& settings);

// A 64-bit digest of bars (every field of every bar, in order) as 16 hex digits: equal digests
// mean the same data, so a rebuilt sweep run can tell whether the bars changed since.
std::string bars_fingerprint(std::span<const std::span<const domain::Bar>> bars);

}  // namespace quantd::app
