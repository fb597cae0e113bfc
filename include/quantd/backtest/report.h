// Rendering a BacktestResult: the CLI's text summary and JSON object, and the trades/equity CSVs.
//
// Output is deterministic: the same result gives byte-identical text. Doubles are written in the
// shortest form that reads back exactly (std::to_chars); NaN (an undefined statistic) is JSON
// null and "n/a" in text. Times are Asia/Seoul "YYYY-MM-DDTHH:MM:SS", the form CSV input uses.
// Pure functions; thread-safe.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "quantd/backtest/engine.h"

namespace quantd::backtest {

struct ReportInfo {
  std::string strategy;  // e.g. StrategyFactory::describe()
  std::vector<std::string> symbols;
  domain::Interval interval = domain::Interval::k1d;
  BacktestConfig config;
  double load_seconds = 0;  // time to load the bars (reported in stats)
};

// The metric names and values in output order, e.g. {"final_equity", 123.0}. Integer-valued
// metrics (trades, fees, durations in bars) are flagged so they print without a fraction.
struct MetricField {
  const char* name;
  double value;
  bool integer;
};
std::vector<MetricField> metric_fields(const analytics::Metrics& m);

// {"strategy", "symbols", "interval", "from", "to", "settings", "metrics", "stats"} followed by
// a newline. stats: bars, load_seconds, run_seconds, bars_per_second (simulation loop alone).
std::string to_json(const BacktestResult& result, const ReportInfo& info);

// A readable multi-line summary.
std::string to_text(const BacktestResult& result, const ReportInfo& info);

// Header entry_ts,exit_ts,symbol,qty,entry_price,exit_price,pnl,fees,exit_reason; one row per
// trade; fees = commission + tax of both sides.
void write_trades_csv(std::ostream& out, const BacktestResult& result,
                      std::span<const std::string> symbols);

// Header ts,equity,drawdown; one row per equity point.
void write_equity_csv(std::ostream& out, const BacktestResult& result);

// Every order: decided_ts,symbol,side,reason,status,qty,fill_ts,price,notional,commission,tax
// (the fill columns empty for a rejected order); times Asia/Seoul.
void write_orders_csv(std::ostream& out, const BacktestResult& result,
                      std::span<const std::string> symbols);

// Shortest exact decimal form of a double: whole numbers as integers, others per std::to_chars
// ("null" for NaN/inf when json is true, "n/a" else).
std::string format_double(double v, bool json = true);

}  // namespace quantd::backtest
