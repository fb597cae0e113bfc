// Live trading: activate/deactivate a strategy, sessions with their orders, fills, positions,
// equity and evaluation log, the order list, an order's history and the operator's answer for
// one that needs attention, the latest cycle, and the kill switch.
#include <SQLiteCpp/SQLiteCpp.h>

#include <charconv>
#include <limits>
#include <set>

#include "api_internal.h"
#include "quantd/app/live_diff.h"
#include "quantd/live/live_service.h"
#include "quantd/live/order_journal.h"
#include "quantd/live/replay_demo.h"
#include "quantd/live/session_store.h"

namespace quantd::app::api {
namespace {

using live::SessionRecord;

constexpr std::int64_t kMaxCapital = 10'000'000'000'000;  // 10 trillion won
constexpr std::size_t kDefaultRows = 500;
constexpr std::size_t kMaxRows = 100'000;

http::Response no_live() {
  return http::problem(503, "Live trading unavailable",
                       "Live trading is not running in this process.");
}

json opt_ts(const std::optional<TimestampMs>& ts) {
  return ts ? json(format_utc_iso(*ts)) : json(nullptr);
}

json intent_view(const domain::Intent& i) {
  json j = live::intent_json(i);
  j["flat"] = i.is_flat();
  return j;
}

// The summary of a session the list and the detail share.
json session_json(const ApiContext& ctx, const SessionRecord& s) {
  live::SessionStore store(ctx.db);
  json positions = json::array();
  double value = 0;
  std::int64_t cash = s.cash;
  auto ledger = store.ledger(s.id, s.symbols);
  std::map<std::string, double> last_close;
  if (s.last_bar && s.trade_from) {
    auto evs =
        store.evaluations(s.id, std::max(*s.trade_from, *s.last_bar - 10 * kMsPerDay), *s.last_bar);
    if (evs.ok()) {
      for (const auto& e : *evs) last_close[e.symbol.str()] = e.close;
    }
  }
  if (ledger.ok()) {
    cash = ledger->first;
    for (const live::PositionRecord& p : ledger->second) {
      if (p.position.quantity == 0) continue;
      const double close =
          last_close.count(p.symbol.str()) ? last_close[p.symbol.str()] : p.position.entry_price;
      value += close * static_cast<double>(p.position.quantity);
      positions.push_back({{"symbol", p.symbol.str()},
                           {"quantity", p.position.quantity},
                           {"avg_price", p.position.entry_price},
                           {"last_close", close},
                           {"market_value", close * static_cast<double>(p.position.quantity)},
                           {"unrealized_pnl", (close - p.position.entry_price) *
                                                  static_cast<double>(p.position.quantity)},
                           {"entry_ts", format_utc_iso(p.position.entry_ts)},
                           {"exits", live::exits_json(p.position.exits)},
                           {"exit_levels", live::levels_json(p.levels)}});
    }
  }
  const double equity = static_cast<double>(cash) + value;
  // Today's P&L: against the last equity point before today (Seoul), else the capital.
  double day_open = static_cast<double>(s.capital);
  if (s.last_bar) {
    const TimestampMs today = seoul_day(*s.last_bar) * kMsPerDay - kSeoulOffsetMs;
    day_open = store.equity_before(s.id, today, day_open).value_or(day_open);
  }
  json strategy_id = s.strategy_id ? json(s.strategy_id->value()) : json(nullptr);
  std::string broker = "paper", environment = "sim";
  try {
    SQLite::Statement q(ctx.db.connection(),
                        "SELECT broker, environment FROM broker_accounts WHERE id = ?");
    q.bind(1, s.account_id.value());
    if (q.executeStep()) {
      broker = q.getColumn(0).getString();
      environment = q.getColumn(1).getString();
    }
  } catch (const std::exception&) {
    // The account row is read for display only; the defaults are what every session had before
    // KIS accounts existed.
  }
  json symbols = json::array();
  for (const auto& sym : s.symbols) symbols.push_back(sym.str());
  return {{"id", s.id.value()},
          {"strategy_id", strategy_id},
          {"strategy_name", s.strategy_name},
          {"strategy_version", s.strategy_version},
          {"state", live::to_string(s.state)},
          {"state_reason", s.state_reason.empty() ? json(nullptr) : json(s.state_reason)},
          {"broker", broker},
          {"environment", environment},
          {"replay", store.is_replay(s.id).value_or(false)},
          {"account_id", s.account_id.value()},
          {"symbols", symbols},
          {"interval", domain::to_string(s.interval)},
          {"market", domain::to_string(s.market)},
          {"capital", s.capital},
          {"cash", cash},
          {"equity", equity},
          {"pnl", equity - static_cast<double>(s.capital)},
          {"today_pnl", equity - day_open},
          {"positions", positions},
          {"settings", live::to_json(s.settings)},
          {"warmup_from", opt_ts(s.warmup_from)},
          {"trade_from", opt_ts(s.trade_from)},
          {"last_bar", opt_ts(s.last_bar)},
          {"data_note", s.data_note.empty() ? json(nullptr) : json(s.data_note)},
          {"created_at", format_utc_iso(s.created_at)},
          {"updated_at", format_utc_iso(s.updated_at)},
          {"stopped_at", opt_ts(s.stopped_at)}};
}

json order_json(const live::JournalOrder& o) {
  const live::OrderRequest& r = o.request;
  const bool attention =
      o.state == live::OrderState::kUnknown || o.state == live::OrderState::kNeedsAttention;
  json j{{"id", o.id.value()},
         {"account_id", o.account.value()},
         {"session_id", o.session ? json(o.session->value()) : json(nullptr)},
         {"target_id", o.target ? json(o.target->value()) : json(nullptr)},
         {"symbol", r.symbol.str()},
         {"side", domain::to_string(r.side)},
         {"reason", o.external ? std::string_view("external") : domain::to_string(o.reason)},
         {"type", live::to_string(r.type)},
         {"quantity", r.quantity},
         {"limit_price", r.limit_price},
         {"trigger_price", r.trigger_price},
         {"bar_ts", r.bar_ts != 0 ? json(format_utc_iso(r.bar_ts)) : json(nullptr)},
         {"decided_ts", o.decided_ts != 0 ? json(format_utc_iso(o.decided_ts)) : json(nullptr)},
         {"ref_price", o.ref_price},
         {"state", live::to_string(o.state)},
         {"attention", attention},
         {"attempts", o.attempts},
         {"sent_at", opt_ts(o.sent_at)},
         {"broker_order_no", o.ref ? json(o.ref->order_no) : json(nullptr)},
         {"filled_qty", o.filled_qty},
         {"filled_amount", o.filled_amount},
         {"avg_price", o.filled_qty > 0 ? json(static_cast<double>(o.filled_amount) /
                                               static_cast<double>(o.filled_qty))
                                        : json(nullptr)},
         {"reject_code", o.reject_code.empty() ? json(nullptr) : json(o.reject_code)},
         {"reject_message", o.reject_message.empty() ? json(nullptr) : json(o.reject_message)},
         {"created_at", format_utc_iso(o.created_at)},
         {"updated_at", format_utc_iso(o.updated_at)}};
  if (o.state == live::OrderState::kUnknown) {
    j["what_quantd_does"] =
        "The broker's answer was lost. quantd reads the broker's order book until it finds the "
        "order or proves it was never placed; the symbol is frozen until then, and the order is "
        "never sent again in the meantime.";
  } else if (o.state == live::OrderState::kNeedsAttention) {
    j["what_quantd_does"] =
        "Several broker orders match this one, so quantd cannot tell which is its own. The symbol "
        "stays frozen and the order is never sent again until you answer: compare the candidates "
        "with your broker's order history (time, side, quantity), then bind the order to the one "
        "quantd sent, or mark it not placed if none is (quantd then plans the trade again).";
  }
  return j;
}

std::optional<std::size_t> query_limit(const http::Request& request, Errors& errors) {
  auto it = request.query.find("limit");
  if (it == request.query.end() || it->second.empty()) return kDefaultRows;
  std::size_t v = 0;
  const auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < 1 || v > kMaxRows) {
    errors.add("limit", "must be a whole number between 1 and " + std::to_string(kMaxRows));
    return std::nullopt;
  }
  return v;
}

// The session in the path, or the problem to answer.
struct LoadedSession {
  std::optional<SessionRecord> record;
  std::optional<http::Response> problem;
};
LoadedSession load_session(const ApiContext& ctx, const http::Request& request) {
  LoadedSession out;
  auto id = parse_id(request.param("id"));
  if (!id) {
    out.problem = no_such("live session", request.param("id"));
    return out;
  }
  live::SessionStore store(ctx.db);
  auto r = store.get(domain::SessionId(*id));
  if (!r.ok()) {
    out.problem = from_status(r.status());
    return out;
  }
  out.record = std::move(r).value();
  return out;
}

http::Response activate(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("strategy", request.param("id"));
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  const json& b = body.value;
  Errors errors;
  static const std::set<std::string> kKnown = {"broker", "capital", "risk", "market"};
  for (const auto& [key, value] : b.items()) {
    if (!kKnown.contains(key)) {
      errors.add(key, "is not a field of an activation (known: broker, capital, risk, market)");
    }
  }
  live::Activation a;
  if (auto v = read_string(b, "broker", errors, false, 16, false)) a.broker = *v;
  if (b.contains("capital")) {
    a.capital = read_integer(b, "capital", errors, true,
                             std::numeric_limits<std::int64_t>::min() / 2, kMaxCapital);
  }
  if (b.contains("risk")) {
    if (!b["risk"].is_object()) {
      errors.add("risk", "must be an object of limits, e.g. {\"max_orders_per_min\": 6}");
    } else {
      a.risk = b["risk"];
    }
  }
  if (auto v = read_string(b, "market", errors, false, 16, false)) {
    a.market = domain::parse_market(*v);
    if (!a.market) errors.add("market", "must be one of kospi, kosdaq, konex, etf");
  }
  if (!errors.empty()) return validation_failed(errors);
  std::vector<live::FieldError> problems;
  auto session = ctx.live->activate(domain::StrategyId(*id), a, problems);
  if (!problems.empty()) {
    for (const auto& p : problems) errors.add(p.field, p.message);
    return validation_failed(errors);
  }
  if (!session.ok()) return from_status(session.status());
  http::Response r = http::json(202, session_json(ctx, *session));
  r.set_header("Location", "/api/live/sessions/" + std::to_string(session->id.value()));
  return r;
}

std::optional<bool> read_flatten(const http::Request& request, Errors& errors,
                                 std::optional<http::Response>& problem) {
  if (request.body.empty()) return false;
  JsonBody body = read_json_object(request);
  if (body.problem) {
    problem = body.problem;
    return std::nullopt;
  }
  for (const auto& [key, value] : body.value.items()) {
    if (key != "positions") errors.add(key, "is not a field of a deactivation (known: positions)");
  }
  auto v = read_string(body.value, "positions", errors, false, 16, false);
  if (v && *v != "keep" && *v != "flatten") {
    errors.add("positions",
               "must be \"keep\" (shares stay in the account) or \"flatten\" (sell "
               "them first)");
  }
  return v && *v == "flatten";
}

http::Response deactivate(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("strategy", request.param("id"));
  Errors errors;
  std::optional<http::Response> problem;
  auto flatten = read_flatten(request, errors, problem);
  if (problem) return *problem;
  if (!errors.empty()) return validation_failed(errors);
  auto session = ctx.live->deactivate(domain::StrategyId(*id), *flatten);
  if (!session.ok()) return from_status(session.status());
  return http::json(202, session_json(ctx, *session));
}

http::Response list_live(const ApiContext& ctx, const http::Request&) {
  if (ctx.live == nullptr) return no_live();
  live::SessionStore store(ctx.db);
  auto sessions = store.list(false);
  if (!sessions.ok()) return from_status(sessions.status());
  json list = json::array();
  for (const SessionRecord& s : *sessions) list.push_back(session_json(ctx, s));
  json accounts = json::array();
  bool halted = false;
  for (const live::AccountRecord& a : ctx.live->accounts()) {
    halted = halted || a.trading_state == live::TradingState::kHalted;
    accounts.push_back(
        {{"id", a.id.value()},
         {"broker", a.broker},
         {"environment", a.environment},
         {"label", a.label},
         {"trading_state", live::to_string(a.trading_state)},
         {"state_reason", a.state_reason.empty() ? json(nullptr) : json(a.state_reason)}});
  }
  // What "Go live" may choose: quantd's simulator always, KIS when configured (the account
  // masked; the real environment is real money and the UI asks for a deliberate confirmation).
  json brokers = json::array({{{"name", "paper"}, {"environment", "sim"}, {"account", nullptr}}});
  if (const auto& k = ctx.live->kis()) {
    brokers.push_back({{"name", "kis"}, {"environment", k->environment}, {"account", k->label}});
  }
  return http::json(200, {{"sessions", list},
                          {"accounts", accounts},
                          {"kill_switch", {{"engaged", halted}}},
                          {"cycle", ctx.live->latest_cycle()},
                          {"demo", ctx.demo ? ctx.demo->status() : json(nullptr)},
                          {"defaults",
                           {{"risk", live::to_json(ctx.live->defaults().risk)},
                            {"paper_cash", ctx.live->paper_cash()},
                            {"brokers", brokers}}}});
}

http::Response get_session(const ApiContext& ctx, const http::Request& request) {
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  json j = session_json(ctx, *s.record);
  j["script"] = s.record->script;
  j["params"] = params_json(s.record->params);
  return http::json(200, j);
}

// A JSON array of `items`, each turned into JSON by `view`.
template <class Items, class View>
json array_of(const Items& items, View view) {
  json list = json::array();
  for (const auto& item : items) list.push_back(view(item));
  return list;
}

json fill_json(const live::FillApplied& f) {
  return {{"order_id", f.order.value()},
          {"symbol", f.symbol.str()},
          {"side", domain::to_string(f.side)},
          {"quantity", f.quantity},
          {"price", f.price},
          {"notional", f.notional},
          {"commission", f.commission},
          {"tax", f.tax},
          {"cum_qty", f.cum_qty},
          {"ts", format_utc_iso(f.fill_ts)}};
}

// GET /api/live/sessions/{id}/orders and /fills: the newest `limit` rows of the journal, read by
// `fetch` (an OrderJournal member) and shown by `view`.
template <class Fetch, class View>
http::Response session_journal_list(const ApiContext& ctx, const http::Request& request,
                                    Fetch fetch, View view) {
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  Errors errors;
  auto limit = query_limit(request, errors);
  if (!errors.empty()) return validation_failed(errors);
  live::OrderJournal journal(ctx.db);
  auto rows = (journal.*fetch)(s.record->id, *limit);
  if (!rows.ok()) return from_status(rows.status());
  return http::json(200, array_of(*rows, view));
}

http::Response session_orders(const ApiContext& ctx, const http::Request& request) {
  return session_journal_list(ctx, request, &live::OrderJournal::session_orders, order_json);
}

http::Response session_fills(const ApiContext& ctx, const http::Request& request) {
  return session_journal_list(ctx, request, &live::OrderJournal::session_fills, fill_json);
}

http::Response session_positions(const ApiContext& ctx, const http::Request& request) {
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  return http::json(200, session_json(ctx, *s.record)["positions"]);
}

http::Response session_equity(const ApiContext& ctx, const http::Request& request) {
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  live::SessionStore store(ctx.db);
  auto points = store.equity(s.record->id, 0, std::numeric_limits<TimestampMs>::max());
  if (!points.ok()) return from_status(points.status());
  json list = json::array();
  double peak = static_cast<double>(s.record->capital);
  for (const live::EquityPoint& p : *points) {
    peak = std::max(peak, p.equity);
    list.push_back({{"ts", p.ts},
                    {"cash", p.cash},
                    {"positions_value", p.positions_value},
                    {"equity", p.equity},
                    {"drawdown", peak > 0 ? 1.0 - p.equity / peak : 0.0}});
  }
  return http::json(200, list);
}

http::Response session_evaluations(const ApiContext& ctx, const http::Request& request) {
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  Errors errors;
  auto limit = query_limit(request, errors);
  std::optional<TimestampMs> from;
  if (auto it = request.query.find("from"); it != request.query.end() && !it->second.empty()) {
    from = parse_timestamp(it->second);
    if (!from) errors.add("from", "must be a date or date-time");
  }
  if (!errors.empty()) return validation_failed(errors);
  live::SessionStore store(ctx.db);
  auto evs = store.evaluations(s.record->id, from.value_or(0),
                               std::numeric_limits<TimestampMs>::max(), *limit);
  if (!evs.ok()) return from_status(evs.status());
  json list = json::array();
  for (const live::EvaluationRecord& e : *evs) {
    list.push_back({{"bar_ts", e.bar_ts},
                    {"symbol", e.symbol.str()},
                    {"close", e.close},
                    {"position", e.ctx.position},
                    {"entry_price", e.ctx.entry_price},
                    {"bars_held", e.ctx.bars_held},
                    {"cash", e.ctx.cash},
                    {"equity", e.ctx.equity},
                    {"intent", e.intent ? intent_view(*e.intent) : json(nullptr)}});
  }
  return http::json(200, list);
}

// GET /api/live/sessions/{id}/diff?day=YYYY-MM-DD: backtest vs live for that trading day
// (default: the day of the session's last bar).
http::Response session_diff(const ApiContext& ctx, const http::Request& request) {
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  Errors errors;
  std::optional<CivilDate> day;
  if (auto it = request.query.find("day"); it != request.query.end() && !it->second.empty()) {
    day = parse_civil_date(it->second);
    if (!day) errors.add("day", "must be a date, YYYY-MM-DD (Seoul)");
  } else if (s.record->last_bar) {
    day = to_seoul(*s.record->last_bar).date;
  } else {
    return http::problem(409, "Conflict", "This session has not traded a bar yet.");
  }
  if (!errors.empty()) return validation_failed(errors);
  auto diff = backtest_vs_live(ctx.db, *s.record, *day);
  if (!diff.ok()) return from_status(diff.status());
  return http::json(200, *diff);
}

// GET /api/live/accounts/{id}: the broker's holdings against the sessions and the baseline.
http::Response account_view(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("broker account", request.param("id"));
  auto view = ctx.live->account_view(domain::AccountId(*id));
  if (!view.ok()) return from_status(view.status());
  if (view->value("broker", "") == "kis") {
    (*view)["push"] = ctx.kis_push ? ctx.kis_push() : nlohmann::json{{"enabled", false}};
  }
  return http::json(200, *view);
}

http::Response deactivate_session(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  LoadedSession s = load_session(ctx, request);
  if (s.problem) return *s.problem;
  live::SessionStore store(ctx.db);
  if (store.is_replay(s.record->id).value_or(false)) {
    // A replay stops through the demo (it flattens on its next bar, then stops).
    if (ctx.demo == nullptr) return http::problem(409, "Conflict", "This replay has ended.");
    if (Status st = ctx.demo->stop(s.record->id); !st.ok()) {
      return http::problem(409, "Conflict", st.message());
    }
    return http::json(202, session_json(ctx, *s.record));
  }
  if (!s.record->strategy_id) {
    return http::problem(409, "Conflict", "This session's strategy was deleted.");
  }
  Errors errors;
  std::optional<http::Response> problem;
  auto flatten = read_flatten(request, errors, problem);
  if (problem) return *problem;
  if (!errors.empty()) return validation_failed(errors);
  auto session = ctx.live->deactivate(*s.record->strategy_id, *flatten);
  if (!session.ok()) return from_status(session.status());
  return http::json(202, session_json(ctx, *session));
}

http::Response list_orders(const ApiContext& ctx, const http::Request& request) {
  Errors errors;
  auto limit = query_limit(request, errors);
  std::optional<live::OrderState> state;
  if (auto it = request.query.find("state"); it != request.query.end() && !it->second.empty()) {
    state = live::parse_order_state(it->second);
    if (!state) {
      errors.add("state",
                 "must be one of denied, pending_submit, unknown, accepted, partially_filled, "
                 "filled, cancel_pending, cancelled, expired, rejected, not_placed, "
                 "needs_attention");
    }
  }
  if (!errors.empty()) return validation_failed(errors);
  live::OrderJournal journal(ctx.db);
  auto orders = journal.orders_in_state(state, *limit);
  if (!orders.ok()) return from_status(orders.status());
  json list = json::array();
  for (const auto& o : *orders) list.push_back(order_json(o));
  return http::json(200, list);
}

json entry_json(const live::JournalEntry& e) {
  return {{"ts", format_utc_iso(e.ts)},
          {"kind", e.kind},
          {"from", e.from_state.empty() ? json(nullptr) : json(e.from_state)},
          {"to", e.to_state.empty() ? json(nullptr) : json(e.to_state)},
          {"source", e.source},
          {"detail", e.detail}};
}

// One order with its journal history and, when it needs attention, the broker's candidates.
http::Response order_detail(const ApiContext& ctx, std::int64_t id) {
  live::OrderJournal journal(ctx.db);
  auto order = journal.get(domain::OrderId(id));
  if (!order.ok()) return from_status(order.status());
  auto history = journal.order_history(order->id);
  if (!history.ok()) return from_status(history.status());
  json j = order_json(*order);
  j["history"] = json::array();
  j["candidates"] = nullptr;
  for (const live::JournalEntry& e : *history) {
    j["history"].push_back(entry_json(e));
    if (e.to_state == "needs_attention") j["candidates"] = e.detail.value("candidates", json());
  }
  if (order->state != live::OrderState::kNeedsAttention) j["candidates"] = nullptr;
  return http::json(200, j);
}

http::Response get_order(const ApiContext& ctx, const http::Request& request) {
  const std::string text = request.param("id");
  const auto id = parse_id(text);
  if (!id) return no_such("order", text);
  return order_detail(ctx, *id);
}

http::Response answer_order(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  const std::string text = request.param("id");
  const auto id = parse_id(text);
  if (!id) return no_such("order", text);
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  const json& b = body.value;
  Errors errors;
  for (const auto& [key, value] : b.items()) {
    if (key != "bind_to" && key != "not_placed" && key != "note") {
      errors.add(key, "is not a field here (known: bind_to, not_placed, note)");
    }
  }
  live::OperatorAnswer answer;
  answer.bind_to = read_string(b, "bind_to", errors, false, 32, false);
  const auto not_placed = read_bool(b, "not_placed", errors);
  if (auto note = read_string(b, "note", errors, false, 500)) answer.note = *note;
  if (not_placed == std::optional<bool>(false)) {
    errors.add("not_placed", "may only be true (leave it out to bind the order)");
  }
  if (errors.empty() && answer.bind_to.has_value() == not_placed.has_value()) {
    errors.add(answer.bind_to ? "not_placed" : "bind_to",
               answer.bind_to ? "give either bind_to or not_placed, not both"
                              : "is required: the broker's order number of the order quantd "
                                "sent, or \"not_placed\": true when none of them is");
  }
  if (!errors.empty()) return validation_failed(errors);
  auto r = ctx.live->answer_order(domain::OrderId(*id), answer);
  if (!r.ok()) return from_status(r.status());
  return order_detail(ctx, *id);
}

http::Response latest_cycle(const ApiContext& ctx, const http::Request&) {
  if (ctx.live == nullptr) return no_live();
  json c = ctx.live->latest_cycle();
  if (c.is_null()) {
    return http::problem(404, "Not found", "No live cycle has finished yet.");
  }
  return http::json(200, c);
}

// {"scope": "account" | "session" | "all", "id": N, "reason": "..."}
struct Scope {
  live::KillScope scope = live::KillScope::kAll;
  std::int64_t id = 0;
  std::string reason;
};
std::optional<Scope> read_scope(const http::Request& request, Errors& errors,
                                std::optional<http::Response>& problem) {
  JsonBody body = read_json_object(request);
  if (body.problem) {
    problem = body.problem;
    return std::nullopt;
  }
  const json& b = body.value;
  for (const auto& [key, value] : b.items()) {
    if (key != "scope" && key != "id" && key != "reason") {
      errors.add(key, "is not a field here (known: scope, id, reason)");
    }
  }
  Scope s;
  auto scope = read_string(b, "scope", errors, true, 16, false);
  if (scope) {
    if (*scope == "account") {
      s.scope = live::KillScope::kAccount;
    } else if (*scope == "session") {
      s.scope = live::KillScope::kSession;
    } else if (*scope == "all") {
      s.scope = live::KillScope::kAll;
    } else {
      errors.add("scope", "must be \"account\", \"session\" or \"all\"");
    }
  }
  if (scope && *scope != "all") {
    auto id = read_integer(b, "id", errors, true, 1, std::numeric_limits<std::int64_t>::max() / 2);
    if (id) s.id = *id;
  }
  if (auto r = read_string(b, "reason", errors, false, 500)) s.reason = *r;
  if (!errors.empty()) return std::nullopt;
  return s;
}

http::Response kill(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  Errors errors;
  std::optional<http::Response> problem;
  auto scope = read_scope(request, errors, problem);
  if (problem) return *problem;
  if (!scope) return validation_failed(errors);
  if (Status st = ctx.live->kill(scope->scope, scope->id, scope->reason); !st.ok()) {
    return from_status(st);
  }
  return list_live(ctx, request);
}

http::Response resume(const ApiContext& ctx, const http::Request& request) {
  if (ctx.live == nullptr) return no_live();
  Errors errors;
  std::optional<http::Response> problem;
  auto scope = read_scope(request, errors, problem);
  if (problem) return *problem;
  if (!scope) return validation_failed(errors);
  auto r = ctx.live->resume(scope->scope, scope->id);
  if (!r.ok()) return from_status(r.status());
  return list_live(ctx, request);
}

}  // namespace

void register_live_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "POST", "/api/strategies/{id}/activate", ctx, guard, activate);
  add_route(router, "POST", "/api/strategies/{id}/deactivate", ctx, guard, deactivate);
  add_route(router, "GET", "/api/live", ctx, guard, list_live);
  add_route(router, "GET", "/api/live/sessions/{id}", ctx, guard, get_session);
  add_route(router, "GET", "/api/live/sessions/{id}/orders", ctx, guard, session_orders);
  add_route(router, "GET", "/api/live/sessions/{id}/fills", ctx, guard, session_fills);
  add_route(router, "GET", "/api/live/sessions/{id}/positions", ctx, guard, session_positions);
  add_route(router, "GET", "/api/live/sessions/{id}/equity", ctx, guard, session_equity);
  add_route(router, "GET", "/api/live/sessions/{id}/evaluations", ctx, guard, session_evaluations);
  add_route(router, "GET", "/api/live/sessions/{id}/diff", ctx, guard, session_diff);
  add_route(router, "POST", "/api/live/sessions/{id}/deactivate", ctx, guard, deactivate_session);
  add_route(router, "GET", "/api/live/accounts/{id}", ctx, guard, account_view);
  add_route(router, "GET", "/api/live/orders", ctx, guard, list_orders);
  add_route(router, "GET", "/api/live/orders/{id}", ctx, guard, get_order);
  add_route(router, "POST", "/api/live/orders/{id}/answer", ctx, guard, answer_order);
  add_route(router, "GET", "/api/live/cycles/latest", ctx, guard, latest_cycle);
  add_route(router, "POST", "/api/live/kill", ctx, guard, kill);
  add_route(router, "POST", "/api/live/resume", ctx, guard, resume);
}

}  // namespace quantd::app::api
