// Backtests: submit (202), list, get, results (equity, drawdown, trades, orders, bars), cancel,
// delete, and the side-by-side comparison.
#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "api_internal.h"
#include "equity_stream_internal.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/domain/aggregate.h"
#include "quantd/domain/krx.h"
#include "quantd/storage/backtest_repository.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/bar_source_repository.h"
#include "quantd/storage/equity_json.h"
#include "quantd/storage/strategy_repository.h"

namespace quantd::app::api {
namespace {

constexpr std::int64_t kDefaultCash = 100'000'000;
constexpr std::int64_t kMaxCash = 10'000'000'000'000;  // 10 trillion won
constexpr std::size_t kMaxCompare = 10;

const std::set<std::string> kFields = {"strategy_id", "symbols",      "interval",  "from",
                                       "to",          "cash",         "costs",     "params",
                                       "market",      "close_at_end", "trade_from"};
const std::set<std::string> kCostFields = {"commission_bps", "tax_bps", "slippage_bps",
                                           "slippage_ticks"};

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The id in the path and its record, or the problem to answer.
struct Loaded {
  std::optional<storage::BacktestRecord> record;
  std::optional<http::Response> problem;
};
Loaded load(const ApiContext& ctx, const http::Request& request) {
  Loaded out;
  auto id = parse_id(request.param("id"));
  if (!id) {
    out.problem = no_such("backtest", request.param("id"));
    return out;
  }
  storage::BacktestRepository repo(ctx.db);
  auto r = repo.get(domain::BacktestId(*id));
  if (!r.ok()) {
    out.problem = from_status(r.status());
    return out;
  }
  out.record = std::move(r).value();
  return out;
}

http::Response not_done(const storage::BacktestRecord& r) {
  std::string detail = "Backtest " + std::to_string(r.id.value()) + " is " +
                       std::string(storage::to_string(r.status));
  if (r.status == storage::BacktestStatus::kQueued ||
      r.status == storage::BacktestStatus::kRunning) {
    detail += "; its results are available once it is done (follow GET /api/events).";
  } else {
    detail += " and has no results.";
  }
  return http::problem(409, "Conflict", detail);
}

// The stored JSON document `part` of a done backtest, served as stored.
http::Response result_part(const ApiContext& ctx, const http::Request& request,
                           storage::ResultPart part) {
  Loaded l = load(ctx, request);
  if (l.problem) return *l.problem;
  if (l.record->status != storage::BacktestStatus::kDone) return not_done(*l.record);
  storage::BacktestRepository repo(ctx.db);
  auto text = repo.result(l.record->id, part);
  if (!text.ok()) return from_status(text.status());
  return http::text(200, std::move(text).value(), "application/json");
}

std::optional<std::size_t> query_max_points(const http::Request& request, Errors& errors) {
  auto it = request.query.find("max_points");
  if (it == request.query.end() || it->second.empty()) return std::nullopt;
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || n < 2 || n > 10'000'000) {
    errors.add("max_points", "must be a whole number of at least 2");
    return std::nullopt;
  }
  return n;
}

http::Response series(const ApiContext& ctx, const http::Request& request, EquityShape shape) {
  Errors errors;
  auto max_points = query_max_points(request, errors);
  if (!errors.empty()) return validation_failed(errors);
  Loaded l = load(ctx, request);
  if (l.problem) return *l.problem;
  if (l.record->status != storage::BacktestStatus::kDone) return not_done(*l.record);
  storage::BacktestRepository repo(ctx.db);
  // Charts ask for a screen's width of points: the stored preview has them without reading a
  // minute-bar run's million points. Its 2,000 points are re-encoded (well under a millisecond)
  // so that every answer comes from one writer, byte for byte.
  if (max_points && *max_points <= storage::kEquityPreviewPoints) {
    auto preview = repo.equity_preview(l.record->id);
    if (!preview.ok()) return from_status(preview.status());
    if (*preview) {
      storage::EquityJsonReader points;
      Status read = points.feed(**preview);
      if (read.ok()) read = points.finish();
      if (!read.ok()) return from_status(read);
      auto curve = storage::EquityReader::open(storage::encode_equity(
          {points.ts, points.equity, points.benchmark, points.drawdown, 0.0}));
      if (!curve.ok()) return from_status(curve.status());
      return equity_response(std::move(curve).value(), max_points, shape);
    }
  }
  auto curve = repo.equity(l.record->id);
  if (!curve.ok()) return from_status(curve.status());
  return equity_response(std::move(curve).value(), max_points, shape);
}

}  // namespace

std::optional<PreparedRun> prepare_run(const ApiContext& ctx, const json& b,
                                       const std::set<std::string>& extra_fields, Errors& errors,
                                       std::optional<http::Response>& problem) {
  for (const auto& [key, value] : b.items()) {
    if (!kFields.contains(key) && !extra_fields.contains(key)) {
      errors.add(key, std::string(extra_fields.empty() ? "is not a field of a backtest request"
                                                       : "is not a field of this request") +
                          " (known: strategy_id, symbols, from, to, cash, costs, params, market, "
                          "close_at_end, trade_from" +
                          (extra_fields.empty() ? std::string() : ", " + join(extra_fields)) + ")");
    }
  }
  auto strategy_id =
      read_integer(b, "strategy_id", errors, true, 1, std::numeric_limits<std::int64_t>::max() / 2);
  auto symbols = read_symbols(b, "symbols", errors, false);
  auto interval = read_interval(b, "interval", errors);
  auto from = read_time(b, "from", errors);
  auto to = read_time(b, "to", errors);
  auto trade_from = read_time(b, "trade_from", errors);
  auto cash = read_integer(b, "cash", errors, false, 1'000, kMaxCash);
  auto overrides = read_params(b, "params", errors);
  auto close_at_end = read_bool(b, "close_at_end", errors);
  std::string market = "kospi";
  if (auto m = read_string(b, "market", errors, false, 16)) {
    if (!domain::parse_market(*m)) {
      errors.add("market", "must be one of kospi, kosdaq, konex, etf; got '" + *m + "'");
    } else {
      market = *m;
    }
  }
  json costs = json::object();
  if (b.contains("costs") && !b["costs"].is_null()) {
    const json& c = b["costs"];
    if (!c.is_object()) {
      errors.add("costs", "must be an object such as {\"commission_bps\": 1.5}");
    } else {
      for (const auto& [key, value] : c.items()) {
        if (!kCostFields.contains(key)) {
          errors.add("costs." + key,
                     "is not a cost setting (known: commission_bps, tax_bps, "
                     "slippage_bps, slippage_ticks)");
        }
      }
      Errors cost_errors;
      auto commission = read_number(c, "commission_bps", cost_errors, false, 0, 10'000);
      auto tax = read_number(c, "tax_bps", cost_errors, false, 0, 10'000);
      auto slippage = read_number(c, "slippage_bps", cost_errors, false, 0, 10'000);
      auto ticks = read_integer(c, "slippage_ticks", cost_errors, false, 0, 1000);
      for (const auto& e : cost_errors.list()) {
        errors.add("costs." + e["field"].get<std::string>(), e["message"].get<std::string>());
      }
      if (commission) costs["commission_bps"] = *commission;
      if (tax) costs["tax_bps"] = *tax;
      if (slippage) costs["slippage_bps"] = *slippage;
      if (ticks) costs["slippage_ticks"] = *ticks;
    }
  }
  if (from && to && *parse_timestamp(*from) > *parse_timestamp(*to)) {
    errors.add("from", "is later than 'to'");
  }
  if (trade_from && to && *parse_timestamp(*trade_from) > *parse_timestamp(*to)) {
    errors.add("trade_from", "is later than 'to': nothing would trade");
  }
  if (!errors.empty()) return std::nullopt;

  storage::StrategyRepository strategies(ctx.db);
  auto strategy = strategies.get(domain::StrategyId(*strategy_id));
  if (!strategy.ok()) {
    if (strategy.status().code() != StatusCode::kNotFound) {
      problem = from_status(strategy.status());
      return std::nullopt;
    }
    errors.add("strategy_id", "there is no strategy with id " + std::to_string(*strategy_id));
    return std::nullopt;
  }
  const std::vector<domain::Symbol> run_symbols = symbols.value_or(strategy->symbols);
  const domain::Interval run_interval = interval.value_or(strategy->interval);
  if (run_symbols.empty()) {
    errors.add("symbols", "the strategy lists no symbols; name at least one");
    return std::nullopt;
  }
  strategy::Params params = strategy->params;
  if (overrides) {
    for (const auto& [k, v] : *overrides) params[k] = v;
  }
  CompiledStrategy compiled = compile_strategy(strategy->script, params);
  if (!compiled.problems.empty()) {
    for (const auto& p : compiled.problems) {
      errors.add(p.field == "params" ? "params" : "strategy_id",
                 p.field == "params" ? p.message
                                     : "strategy " + std::to_string(*strategy_id) +
                                           " does not compile: " + describe_problems({p}));
    }
    return std::nullopt;
  }

  // Refuse a run that can only fail for lack of data, naming what is missing.
  storage::BarSourceRepository bars(ctx.db);
  std::optional<TimestampMs> from_ts, to_ts;
  if (from) from_ts = parse_timestamp(*from);
  if (to) to_ts = *parse_timestamp(*to) + (to->size() == 10 ? kMsPerDay - 1 : 0);
  for (std::size_t i = 0; i < run_symbols.size(); ++i) {
    auto any = bars.any_bars(run_symbols[i], run_interval, from_ts, to_ts);
    if (!any.ok()) {
      problem = from_status(any.status());
      return std::nullopt;
    }
    bool found = *any;
    if (!found && run_interval != domain::Interval::k1m) {
      auto minutes = bars.any_bars(run_symbols[i], domain::Interval::k1m, from_ts, to_ts);
      if (!minutes.ok()) {
        problem = from_status(minutes.status());
        return std::nullopt;
      }
      found = *minutes;
    }
    if (!found) {
      errors.add(symbols ? "symbols[" + std::to_string(i) + "]" : std::string("symbols"),
                 "no " + std::string(domain::to_string(run_interval)) + " bars are stored for " +
                     run_symbols[i].str() + (from || to ? " in that date range" : "") +
                     "; import them on the Data page (or load the sample data)");
    }
  }
  if (!errors.empty()) return std::nullopt;

  json settings{{"symbols", symbols_json(run_symbols)},
                {"interval", domain::to_string(run_interval)},
                {"from", from ? json(*from) : json(nullptr)},
                {"to", to ? json(*to) : json(nullptr)},
                {"cash", cash.value_or(kDefaultCash)},
                {"commission_bps", costs.value("commission_bps", 1.5)},
                {"tax_bps", costs.contains("tax_bps") ? costs["tax_bps"] : json(nullptr)},
                {"slippage_bps", costs.value("slippage_bps", 0.0)},
                {"slippage_ticks", costs.value("slippage_ticks", 0)},
                {"market", market},
                {"close_at_end", close_at_end.value_or(false)},
                {"trade_from", trade_from ? json(*trade_from) : json(nullptr)}};
  // Record every parameter the run uses, defaults included, so the result states them all.
  strategy::Params effective;
  for (const auto& p : compiled.params) effective[p.name] = p.default_value;
  for (const auto& [k, v] : params) effective[k] = v;
  PreparedRun out;
  out.strategy = std::move(strategy).value();
  out.settings = std::move(settings);
  out.params = std::move(effective);
  for (const auto& p : compiled.params) out.declared.push_back(p.name);
  out.symbols = run_symbols;
  out.interval = run_interval;
  out.from = from_ts;
  out.to = to_ts;
  return out;
}

namespace {

http::Response create(const ApiContext& ctx, const http::Request& request) {
  if (auto full = storage_refusal(ctx)) return *full;
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  std::optional<http::Response> problem;
  auto run = prepare_run(ctx, body.value, {}, errors, problem);
  if (problem) return *problem;
  if (!run) return validation_failed(errors);
  storage::BacktestRecord job;
  job.strategy_id = run->strategy.id;
  job.strategy_version = run->strategy.version;
  job.strategy_name = run->strategy.name;
  job.script = run->strategy.script;
  job.params_json = params_json(run->params).dump();
  job.settings_json = run->settings.dump();
  auto id = ctx.backtests.submit(ctx.db, job);
  if (!id.ok()) return from_status(id.status());
  http::Response r = http::json(202, {{"id", id->value()}, {"status", "queued"}});
  r.set_header("Location", "/api/backtests/" + std::to_string(id->value()));
  return r;
}

http::Response compare(const ApiContext& ctx, const http::Request& request) {
  Errors errors;
  auto it = request.query.find("ids");
  std::vector<std::int64_t> ids;
  if (it == request.query.end() || it->second.empty()) {
    errors.add("ids", "is required: two or more backtest ids separated by commas, e.g. ?ids=3,5");
    return validation_failed(errors);
  }
  std::string_view rest = it->second;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    auto id = parse_id(part);
    if (!id) {
      // Built by append: GCC 12 warns falsely (-Wrestrict) on "'" + std::string(part) here.
      errors.add("ids", std::string("'").append(part).append("' is not a backtest id"));
    } else if (std::find(ids.begin(), ids.end(), *id) == ids.end()) {
      ids.push_back(*id);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (errors.empty() && (ids.size() < 2 || ids.size() > kMaxCompare)) {
    errors.add("ids", "name from 2 to " + std::to_string(kMaxCompare) + " different backtests");
  }
  if (!errors.empty()) return validation_failed(errors);
  storage::BacktestRepository repo(ctx.db);
  json list = json::array();
  for (std::int64_t id : ids) {
    auto r = repo.get(domain::BacktestId(id));
    if (!r.ok()) return from_status(r.status());
    list.push_back(BacktestService::to_json(*r, false));
  }
  return http::json(200, {{"backtests", list}});
}

http::Response list(const ApiContext& ctx, const http::Request& request) {
  std::optional<domain::StrategyId> strategy;
  if (auto it = request.query.find("strategy_id"); it != request.query.end()) {
    auto id = parse_id(it->second);
    if (!id) {
      Errors errors;
      errors.add("strategy_id", "'" + it->second + "' is not a strategy id");
      return validation_failed(errors);
    }
    strategy = domain::StrategyId(*id);
  }
  storage::BacktestRepository repo(ctx.db);
  auto list = repo.list(strategy);
  if (!list.ok()) return from_status(list.status());
  json out = json::array();
  for (const auto& r : *list) out.push_back(BacktestService::to_json(r, false));
  return http::json(200, out);
}

http::Response get(const ApiContext& ctx, const http::Request& request) {
  Loaded l = load(ctx, request);
  if (l.problem) return *l.problem;
  return http::json(200, BacktestService::to_json(*l.record, true));
}

http::Response remove(const ApiContext& ctx, const http::Request& request) {
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("backtest", request.param("id"));
  if (Status st = ctx.backtests.remove(ctx.db, domain::BacktestId(*id)); !st.ok()) {
    return from_status(st);
  }
  return http::empty(204);
}

http::Response cancel(const ApiContext& ctx, const http::Request& request) {
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("backtest", request.param("id"));
  auto r = ctx.backtests.cancel(ctx.db, domain::BacktestId(*id));
  if (!r.ok()) return from_status(r.status());
  return http::json(200, BacktestService::to_json(*r, false));
}

// PATCH /api/backtests/{id} {"pinned": bool}: a pinned run is kept through retention.
http::Response patch(const ApiContext& ctx, const http::Request& request) {
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("backtest", request.param("id"));
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  for (const auto& [key, value] : body.value.items()) {
    if (key != "pinned") errors.add(key, "is not a field a backtest can change (known: pinned)");
  }
  auto pinned = read_bool(body.value, "pinned", errors);
  if (!pinned && errors.empty()) errors.add("pinned", "is required: true or false");
  if (!errors.empty()) return validation_failed(errors);
  storage::BacktestRepository repo(ctx.db);
  if (Status st = repo.set_pinned(domain::BacktestId(*id), *pinned); !st.ok()) {
    return from_status(st);
  }
  auto r = repo.get(domain::BacktestId(*id));
  if (!r.ok()) return from_status(r.status());
  return http::json(200, BacktestService::to_json(*r, false));
}

http::Response equity(const ApiContext& ctx, const http::Request& request) {
  return series(ctx, request, EquityShape::kPoints);
}

http::Response drawdown(const ApiContext& ctx, const http::Request& request) {
  return series(ctx, request, EquityShape::kDrawdown);
}

http::Response trades(const ApiContext& ctx, const http::Request& request) {
  return result_part(ctx, request, storage::ResultPart::kTrades);
}

http::Response orders(const ApiContext& ctx, const http::Request& request) {
  return result_part(ctx, request, storage::ResultPart::kOrders);
}

// Intraday bars as one candle per Asia/Seoul day, stamped at the day's first bar.
std::vector<domain::Bar> daily(const std::vector<domain::Bar>& bars) {
  std::vector<domain::Bar> out;
  std::int64_t day = std::numeric_limits<std::int64_t>::min();
  for (const domain::Bar& b : bars) {
    const std::int64_t d = seoul_day(b.ts);
    if (out.empty() || d != day) {
      out.push_back(b);
      day = d;
      continue;
    }
    domain::Bar& c = out.back();
    c.high = std::max(c.high, b.high);
    c.low = std::min(c.low, b.low);
    c.close = b.close;
    c.volume += b.volume;
  }
  return out;
}

// The bars a backtest ran on, for the candlestick chart with buy/sell markers.
http::Response bars(const ApiContext& ctx, const http::Request& request) {
  Loaded l = load(ctx, request);
  if (l.problem) return *l.problem;
  const json settings = json::parse(l.record->settings_json, nullptr, false);
  if (!settings.is_object() || !settings.contains("symbols")) {
    return from_status(Status::internal("backtest " + std::to_string(l.record->id.value()) +
                                        " has corrupt settings"));
  }
  std::string symbol;
  if (auto it = request.query.find("symbol"); it != request.query.end()) {
    symbol = it->second;
  } else if (!settings["symbols"].empty()) {
    symbol = settings["symbols"][0].get<std::string>();
  }
  bool listed = false;
  for (const auto& s : settings["symbols"]) listed = listed || s == symbol;
  Errors errors;
  if (!listed) errors.add("symbol", "'" + symbol + "' is not one of this backtest's symbols");
  std::size_t max_bars = 0;
  if (auto it = request.query.find("max_bars"); it != request.query.end()) {
    auto [p, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), max_bars);
    if (ec != std::errc() || p != it->second.data() + it->second.size() || max_bars < 2) {
      errors.add("max_bars", "must be a whole number of at least 2");
    }
  }
  if (!errors.empty()) return validation_failed(errors);

  auto interval = domain::parse_interval(settings.value("interval", std::string("1d")))
                      .value_or(domain::Interval::k1d);
  std::optional<TimestampMs> from, to;
  if (settings["from"].is_string()) from = parse_timestamp(settings["from"].get<std::string>());
  if (settings["to"].is_string()) {
    const std::string t = settings["to"].get<std::string>();
    to = parse_timestamp(t);
    if (to && t.size() == 10) *to += kMsPerDay - 1;
  }
  storage::BarRepository repo(ctx.db);
  auto loaded = repo.load(domain::Symbol(symbol), interval, from, to);
  if (!loaded.ok()) return from_status(loaded.status());
  std::vector<domain::Bar> shown = std::move(loaded).value();
  if (shown.empty() && interval != domain::Interval::k1m) {
    // The run built these bars from 1-minute bars (see BacktestService): show the same.
    auto minutes = repo.load(domain::Symbol(symbol), domain::Interval::k1m, from, to);
    if (!minutes.ok()) return from_status(minutes.status());
    shown = domain::aggregate_bars(*minutes, interval);
  }
  // A chart needs a screen's width of candles: past max_bars, intraday bars become daily candles
  // (Seoul days), and past that only the most recent max_bars are sent.
  if (max_bars > 0 && shown.size() > max_bars && interval != domain::Interval::k1d) {
    shown = daily(shown);
  }
  if (max_bars > 0 && shown.size() > max_bars) {
    shown.erase(shown.begin(), shown.end() - static_cast<std::ptrdiff_t>(max_bars));
  }
  json out = json::array();
  for (const auto& b : shown) {
    out.push_back({{"ts", b.ts},
                   {"open", b.open},
                   {"high", b.high},
                   {"low", b.low},
                   {"close", b.close},
                   {"volume", b.volume}});
  }
  return http::json(200, out);
}

}  // namespace

void register_backtest_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "GET", "/api/backtests", ctx, guard, list);
  add_route(router, "POST", "/api/backtests", ctx, guard, create);
  add_route(router, "GET", "/api/backtests/compare", ctx, guard, compare);
  add_route(router, "GET", "/api/backtests/{id}", ctx, guard, get);
  add_route(router, "DELETE", "/api/backtests/{id}", ctx, guard, remove);
  add_route(router, "PATCH", "/api/backtests/{id}", ctx, guard, patch);
  add_route(router, "POST", "/api/backtests/{id}/cancel", ctx, guard, cancel);
  add_route(router, "GET", "/api/backtests/{id}/equity", ctx, guard, equity);
  add_route(router, "GET", "/api/backtests/{id}/drawdown", ctx, guard, drawdown);
  add_route(router, "GET", "/api/backtests/{id}/trades", ctx, guard, trades);
  add_route(router, "GET", "/api/backtests/{id}/orders", ctx, guard, orders);
  add_route(router, "GET", "/api/backtests/{id}/bars", ctx, guard, bars);
}

}  // namespace quantd::app::api
