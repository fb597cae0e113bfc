#include "quantd/backtest/report.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace quantd::backtest {

std::string format_double(double v, bool json) {
  if (!std::isfinite(v)) return json ? "null" : "n/a";
  if (v == 0) return "0";  // also folds -0
  if (std::fabs(v) < 9.0e15 && v == std::trunc(v)) {
    return std::to_string(static_cast<std::int64_t>(v));  // 100000000, not 1e+08
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char b[8];
          std::snprintf(b, sizeof b, "\\u%04x", c);
          out += b;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string format_int(std::int64_t v) { return std::to_string(v); }

std::string field_value(const MetricField& f, bool json) {
  if (f.integer && std::isfinite(f.value)) return format_int(static_cast<std::int64_t>(f.value));
  return format_double(f.value, json);
}

}  // namespace

std::vector<MetricField> metric_fields(const analytics::Metrics& m) {
  return {
      {"initial_cash", static_cast<double>(m.initial_cash), true},
      {"final_equity", m.final_equity, false},
      {"total_return", m.total_return, false},
      {"cagr", m.cagr, false},
      {"annual_volatility", m.annual_volatility, false},
      {"sharpe", m.sharpe, false},
      {"sortino", m.sortino, false},
      {"max_drawdown", m.max_drawdown, false},
      {"max_drawdown_duration_bars", static_cast<double>(m.max_drawdown_duration_bars), true},
      {"max_drawdown_duration_days", m.max_drawdown_duration_days, false},
      {"calmar", m.calmar, false},
      {"trades", static_cast<double>(m.trades), true},
      {"win_rate", m.win_rate, false},
      {"avg_win", m.avg_win, false},
      {"avg_loss", m.avg_loss, false},
      {"profit_factor", m.profit_factor, false},
      {"expectancy", m.expectancy, false},
      {"exposure", m.exposure, false},
      {"total_fees", static_cast<double>(m.total_fees), true},
      {"total_taxes", static_cast<double>(m.total_taxes), true},
      {"benchmark_return", m.benchmark_return, false},
      {"benchmark_cagr", m.benchmark_cagr, false},
  };
}

std::string to_json(const BacktestResult& result, const ReportInfo& info) {
  std::string o = "{";
  o += "\"strategy\":" + json_string(info.strategy);
  o += ",\"symbols\":[";
  for (std::size_t i = 0; i < info.symbols.size(); ++i) {
    if (i > 0) o += ',';
    o += json_string(info.symbols[i]);
  }
  o += "],\"interval\":" + json_string(domain::to_string(info.interval));
  if (!result.equity_ts.empty()) {
    o += ",\"from\":" + json_string(format_seoul(result.equity_ts.front()));
    o += ",\"to\":" + json_string(format_seoul(result.equity_ts.back()));
  }
  const BacktestConfig& c = info.config;
  o += ",\"settings\":{\"cash\":" + format_int(c.initial_cash);
  o += ",\"commission_bps\":" + format_double(c.costs.commission_bps);
  o += ",\"tax_bps\":" + (c.costs.tax_bps ? format_double(*c.costs.tax_bps) : std::string("null"));
  o += ",\"slippage_bps\":" + format_double(c.costs.slippage_bps);
  o += ",\"slippage_ticks\":" + format_int(c.costs.slippage_ticks);
  o += std::string(",\"close_at_end\":") + (c.close_at_end ? "true" : "false");
  if (c.trade_from) o += ",\"trade_from\":" + json_string(format_seoul(*c.trade_from));
  o += "},\"metrics\":{";
  bool first = true;
  for (const MetricField& f : metric_fields(result.metrics)) {
    if (!first) o += ',';
    o += '"';
    o += f.name;
    o += "\":";
    o += field_value(f, true);
    first = false;
  }
  const double bps =
      result.run_seconds > 0 ? static_cast<double>(result.bars) / result.run_seconds : 0.0;
  o += "},\"stats\":{\"bars\":" + format_int(result.bars);
  o += ",\"orders\":" + format_int(static_cast<std::int64_t>(result.orders.size()));
  o += ",\"load_seconds\":" + format_double(info.load_seconds);
  o += ",\"run_seconds\":" + format_double(result.run_seconds);
  o += ",\"bars_per_second\":" + format_double(bps);
  o += "}}\n";
  return o;
}

std::string to_text(const BacktestResult& result, const ReportInfo& info) {
  std::string o;
  o += "strategy  " + info.strategy + "\n";
  o += "symbols  ";
  for (const std::string& s : info.symbols) o += " " + s;
  o += "\ninterval  " + std::string(domain::to_string(info.interval)) + "\n";
  if (!result.equity_ts.empty()) {
    o += "period    " + format_seoul(result.equity_ts.front()) + " .. " +
         format_seoul(result.equity_ts.back()) + "\n";
  }
  o += "\n";
  for (const MetricField& f : metric_fields(result.metrics)) {
    char line[128];
    std::snprintf(line, sizeof line, "%-28s %s\n", f.name, field_value(f, false).c_str());
    o += line;
  }
  char line[160];
  const double bps =
      result.run_seconds > 0 ? static_cast<double>(result.bars) / result.run_seconds : 0.0;
  std::snprintf(line, sizeof line,
                "\n%lld bars, %zu orders; load %.3f s, run %.3f s (%.0f bars/s)\n",
                static_cast<long long>(result.bars), result.orders.size(), info.load_seconds,
                result.run_seconds, bps);
  o += line;
  return o;
}

void write_trades_csv(std::ostream& out, const BacktestResult& result,
                      std::span<const std::string> symbols) {
  out << "entry_ts,exit_ts,symbol,qty,entry_price,exit_price,pnl,fees,exit_reason\n";
  for (const analytics::Trade& t : result.trades) {
    out << format_seoul(t.entry_ts) << ',' << format_seoul(t.exit_ts) << ','
        << (t.symbol_index < symbols.size() ? symbols[t.symbol_index] : std::string("?")) << ','
        << t.quantity << ',' << format_double(t.entry_price) << ',' << format_double(t.exit_price)
        << ',' << t.pnl << ',' << (t.commission + t.tax) << ',' << domain::to_string(t.exit_reason)
        << '\n';
  }
}

void write_orders_csv(std::ostream& out, const BacktestResult& result,
                      std::span<const std::string> symbols) {
  out << "decided_ts,symbol,side,reason,status,qty,fill_ts,price,notional,commission,tax\n";
  for (const domain::Order& o : result.orders) {
    out << format_seoul(o.decided_ts) << ','
        << (o.symbol_index < symbols.size() ? symbols[o.symbol_index] : std::string("?")) << ','
        << domain::to_string(o.side) << ',' << domain::to_string(o.reason) << ','
        << domain::to_string(o.status) << ',' << o.quantity << ',';
    if (o.status == domain::OrderStatus::kFilled) {
      out << format_seoul(o.fill.ts) << ',' << format_double(o.fill.price) << ',' << o.fill.notional
          << ',' << o.fill.commission << ',' << o.fill.tax;
    } else {
      out << ",,,,";
    }
    out << '\n';
  }
}

void write_equity_csv(std::ostream& out, const BacktestResult& result) {
  out << "ts,equity,drawdown\n";
  for (std::size_t i = 0; i < result.equity.size(); ++i) {
    out << format_seoul(result.equity_ts[i]) << ',' << format_double(result.equity[i]) << ','
        << format_double(i < result.drawdown.size() ? result.drawdown[i] : 0.0) << '\n';
  }
}

}  // namespace quantd::backtest
