// The OpenAPI 3.1 description of the API. One table of operations; tests/app/openapi_test.cpp
// checks that it lists exactly the routes the Router has, and docs/api.md mentions each.
#include <string>
#include <vector>

#include "quantd/app/api.h"
#include "quantd/core/version.h"

namespace quantd::app {
namespace {

using nlohmann::json;

struct Operation {
  const char* method;
  const char* path;
  const char* tag;
  const char* summary;
  const char* request_schema;       // a component schema name, "csv", or "" for no body
  const char* response_schema;      // a component schema name (prefix "[]" for an array), or ""
  int success;                      // the success status
  std::vector<const char*> errors;  // error statuses besides the common ones
  std::vector<const char*> query;   // query parameters, "name:description"
};

const std::vector<Operation>& operations() {
  static const std::vector<Operation> kOps = {
      {"GET",
       "/api/health",
       "system",
       "Daemon health: database, queues, workers, scheduler",
       "",
       "",
       200,
       {"503"},
       {}},
      {"GET", "/api/openapi.json", "system", "This document", "", "", 200, {}, {}},
      {"POST",
       "/api/debug/clock",
       "system",
       "Move the manual clock forward (only with serve --debug-clock; 404 otherwise): "
       "{\"ts\": TIME} or {\"advance_ms\": N}; never backwards (409)",
       "ClockMove",
       "Clock",
       200,
       {"400", "404", "409", "422"},
       {}},
      {"GET",
       "/api/events",
       "system",
       "Server-sent events: `backtest` {id, status, progress, error?}, `bars`, `strategies`, "
       "`live.session`, `live.order`, `live.fill`, `live.account`, `live.cycle`, "
       "`live.reconciliation`",
       "",
       "",
       200,
       {},
       {}},
      {"GET",
       "/api/strategies",
       "strategies",
       "List strategies with their last backtest",
       "",
       "[]Strategy",
       200,
       {},
       {}},
      {"POST",
       "/api/strategies",
       "strategies",
       "Create a strategy (validated; version 1)",
       "StrategyInput",
       "Strategy",
       201,
       {"400", "422"},
       {}},
      {"POST",
       "/api/strategies/validate",
       "strategies",
       "Check a script (and params) without saving: errors with line and column",
       "ValidateRequest",
       "ValidateResult",
       200,
       {"400", "422"},
       {}},
      {"GET",
       "/api/strategies/examples",
       "strategies",
       "Example strategies to start from",
       "",
       "",
       200,
       {},
       {}},
      {"GET",
       "/api/strategies/builtins",
       "strategies",
       "Native strategies (builtin:NAME) and their parameters",
       "",
       "",
       200,
       {},
       {}},
      {"GET",
       "/api/strategies/{id}",
       "strategies",
       "One strategy",
       "",
       "Strategy",
       200,
       {"404"},
       {}},
      {"PUT",
       "/api/strategies/{id}",
       "strategies",
       "Update a strategy (omitted fields keep their value); bumps the version",
       "StrategyInput",
       "Strategy",
       200,
       {"400", "404", "422"},
       {}},
      {"DELETE",
       "/api/strategies/{id}",
       "strategies",
       "Delete a strategy; its backtests stay, labelled with its name",
       "",
       "",
       204,
       {"404"},
       {}},
      {"GET",
       "/api/bars",
       "bars",
       "Stored series: symbol, interval, first/last timestamp, bar count, source",
       "",
       "[]Coverage",
       200,
       {},
       {}},
      {"POST",
       "/api/bars/{symbol}",
       "bars",
       "Import CSV bars for a symbol (all-or-nothing; row-level errors)",
       "csv",
       "ImportSummary",
       200,
       {"400", "422"},
       {"interval:1m, 5m, 15m, 30m, 60m or 1d (default 1d)",
        "file:the uploaded file's name, used in error messages"}},
      {"GET",
       "/api/bars/{symbol}",
       "bars",
       "Bars of a series, oldest first",
       "",
       "[]Bar",
       200,
       {"404", "422"},
       {"interval:default 1d", "from:first date (Asia/Seoul), e.g. 2024-01-02",
        "to:last date, inclusive", "limit:most recent bars to return (default 100000)"}},
      {"DELETE",
       "/api/bars/{symbol}",
       "bars",
       "Delete a series",
       "",
       "",
       204,
       {"404", "422"},
       {"interval:default 1d"}},
      {"POST",
       "/api/sample-data",
       "bars",
       "Load the synthetic sample data set (SAMPLE-A, SAMPLE-B, SAMPLE-C; not real prices)",
       "",
       "",
       201,
       {},
       {}},
      {"GET",
       "/api/backtests",
       "backtests",
       "List backtests, newest first",
       "",
       "[]Backtest",
       200,
       {"422"},
       {"strategy_id:only this strategy's backtests"}},
      {"POST",
       "/api/backtests",
       "backtests",
       "Queue a backtest; 202 with its id",
       "BacktestRequest",
       "Accepted",
       202,
       {"400", "422", "429"},
       {}},
      {"GET",
       "/api/backtests/compare",
       "backtests",
       "Several backtests side by side (settings and metrics)",
       "",
       "",
       200,
       {"404", "422"},
       {"ids:2 to 10 backtest ids separated by commas"}},
      {"GET",
       "/api/backtests/{id}",
       "backtests",
       "One backtest: status, progress 0-1, metrics (names as the CLI's --json), settings, script",
       "",
       "Backtest",
       200,
       {"404"},
       {}},
      {"DELETE",
       "/api/backtests/{id}",
       "backtests",
       "Delete a backtest (canceling it if running)",
       "",
       "",
       204,
       {"404"},
       {}},
      {"POST",
       "/api/backtests/{id}/cancel",
       "backtests",
       "Cancel a queued or running backtest",
       "",
       "Backtest",
       200,
       {"404", "409"},
       {}},
      {"GET",
       "/api/backtests/{id}/equity",
       "backtests",
       "Equity curve with the buy-and-hold benchmark and drawdown",
       "",
       "[]EquityPoint",
       200,
       {"404", "409", "422"},
       {"max_points:thin the series to at most this many points"}},
      {"GET",
       "/api/backtests/{id}/drawdown",
       "backtests",
       "Drawdown curve (fraction below peak)",
       "",
       "[]DrawdownPoint",
       200,
       {"404", "409", "422"},
       {"max_points:thin the series to at most this many points"}},
      {"GET",
       "/api/backtests/{id}/trades",
       "backtests",
       "Closed round trips",
       "",
       "[]Trade",
       200,
       {"404", "409"},
       {}},
      {"GET",
       "/api/backtests/{id}/orders",
       "backtests",
       "Every order with its fill",
       "",
       "[]Order",
       200,
       {"404", "409"},
       {}},
      {"GET",
       "/api/backtests/{id}/bars",
       "backtests",
       "The bars a backtest ran on (for the candlestick chart)",
       "",
       "[]Bar",
       200,
       {"404", "422"},
       {"symbol:one of the backtest's symbols (default: the first)",
        "max_bars:past this many, intraday bars become daily candles, then the latest are kept"}},
      {"POST",
       "/api/strategies/{id}/activate",
       "live",
       "Start a live session of the strategy (its code frozen as it is now): 202 with the session",
       "Activation",
       "LiveSession",
       202,
       {"400", "404", "409", "422", "503"},
       {}},
      {"POST",
       "/api/strategies/{id}/deactivate",
       "live",
       "Stop the strategy's live session: positions \"keep\" (default) or \"flatten\"",
       "Deactivation",
       "LiveSession",
       202,
       {"400", "404", "422", "503"},
       {}},
      {"GET",
       "/api/live",
       "live",
       "Every live session with state, capital, equity, P&L and positions; the accounts and the "
       "kill switch; the latest cycle",
       "",
       "LiveOverview",
       200,
       {"503"},
       {}},
      {"GET",
       "/api/live/sessions/{id}",
       "live",
       "One live session",
       "",
       "LiveSession",
       200,
       {"404"},
       {}},
      {"GET",
       "/api/live/sessions/{id}/orders",
       "live",
       "The session's orders with their lifecycle state, newest first",
       "",
       "[]LiveOrder",
       200,
       {"404", "422"},
       {"limit:at most this many (default 500)"}},
      {"GET",
       "/api/live/sessions/{id}/fills",
       "live",
       "The session's fills, newest first",
       "",
       "[]LiveFill",
       200,
       {"404", "422"},
       {"limit:at most this many (default 500)"}},
      {"GET",
       "/api/live/sessions/{id}/positions",
       "live",
       "The session's open positions",
       "",
       "[]LivePosition",
       200,
       {"404"},
       {}},
      {"GET",
       "/api/live/sessions/{id}/equity",
       "live",
       "The session's equity and drawdown at every bar it traded through",
       "",
       "[]LiveEquityPoint",
       200,
       {"404"},
       {}},
      {"GET",
       "/api/live/sessions/{id}/evaluations",
       "live",
       "The evaluation log: each bar, what the strategy saw, and what it decided",
       "",
       "[]LiveEvaluation",
       200,
       {"404", "422"},
       {"from:a date or date-time; only bars from then on",
        "limit:at most this many (default 500)"}},
      {"GET",
       "/api/live/sessions/{id}/diff",
       "live",
       "Backtest vs live for one trading day: the day replayed through the backtest, every "
       "divergence from the journal labelled by cause",
       "",
       "LiveDiff",
       200,
       {"404", "409", "422"},
       {"day:YYYY-MM-DD, Seoul (default: the day of the last bar)"}},
      {"POST",
       "/api/live/sessions/{id}/deactivate",
       "live",
       "The same as the strategy's deactivate",
       "Deactivation",
       "LiveSession",
       202,
       {"400", "404", "409", "422", "503"},
       {}},
      {"GET",
       "/api/live/accounts/{id}",
       "live",
       "The account view: the broker's holdings against the sessions' ledgers and the baseline, "
       "each difference explained; the last reconciliation",
       "",
       "LiveAccount",
       200,
       {"404", "503"},
       {}},
      {"GET",
       "/api/live/orders",
       "live",
       "Orders of every session, newest first, e.g. state=unknown or state=needs_attention",
       "",
       "[]LiveOrder",
       200,
       {"422"},
       {"state:an order state", "limit:at most this many (default 500)"}},
      {"GET",
       "/api/live/orders/{id}",
       "live",
       "One order with its journal history and, when it needs attention, the broker's candidates",
       "",
       "LiveOrderDetail",
       200,
       {"404"},
       {}},
      {"POST",
       "/api/live/orders/{id}/answer",
       "live",
       "The operator's answer for a needs_attention order: bind it to a candidate, or not placed",
       "OrderAnswer",
       "LiveOrderDetail",
       200,
       {"400", "404", "409", "422", "503"},
       {}},
      {"GET",
       "/api/live/cycles/latest",
       "live",
       "The last scheduler minute whose live cycle finished, with its timing",
       "",
       "LiveCycle",
       200,
       {"404", "503"},
       {}},
      {"POST",
       "/api/live/kill",
       "live",
       "The kill switch: halt an account, a session or all (no new orders; evaluation goes on)",
       "KillScope",
       "LiveOverview",
       200,
       {"400", "404", "409", "422", "503"},
       {}},
      {"POST",
       "/api/live/resume",
       "live",
       "Resume after a reconciliation of the account(s); 409 with what it found otherwise",
       "KillScope",
       "LiveOverview",
       200,
       {"400", "404", "409", "422", "503"},
       {}},
  };
  return kOps;
}

json ref(const std::string& name) {
  if (name.starts_with("[]")) {
    return {{"type", "array"}, {"items", {{"$ref", "#/components/schemas/" + name.substr(2)}}}};
  }
  return {{"$ref", "#/components/schemas/" + name}};
}

json object(json properties, std::vector<std::string> required = {}) {
  json j{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) j["required"] = required;
  return j;
}

json schemas() {
  const json str{{"type", "string"}};
  const json num{{"type", "number"}};
  const json integer{{"type", "integer"}};
  const json ts{{"type", "integer"}, {"description", "UTC epoch milliseconds"}};
  const json iso{{"type", "string"}, {"format", "date-time"}};
  const json symbols{{"type", "array"}, {"items", str}};
  const json params{{"type", "object"}, {"additionalProperties", num}};
  json s;
  s["Problem"] = object({{"type", str},
                         {"title", str},
                         {"status", integer},
                         {"detail", str},
                         {"errors",
                          {{"type", "array"},
                           {"items", object({{"field", str},
                                             {"message", str},
                                             {"line", integer},
                                             {"column", integer},
                                             {"row", integer}})}}}});
  s["StrategyInput"] =
      object({{"name", str},
              {"description", str},
              {"script",
               {{"type", "string"}, {"description", "strategy-language source or builtin:NAME"}}},
              {"symbols", symbols},
              {"interval", {{"type", "string"}, {"enum", {"1m", "5m", "15m", "30m", "60m", "1d"}}}},
              {"params", params}},
             {"name", "script", "symbols"});
  s["Strategy"] = object({{"id", integer},
                          {"name", str},
                          {"description", str},
                          {"script", str},
                          {"kind", {{"type", "string"}, {"enum", {"builtin", "script"}}}},
                          {"params", params},
                          {"symbols", symbols},
                          {"interval", str},
                          {"version", integer},
                          {"active", {{"type", "boolean"}}},
                          {"created_at", iso},
                          {"updated_at", iso}});
  s["ValidateRequest"] = object({{"script", str}, {"params", params}}, {"script"});
  s["ValidateResult"] = object({{"valid", {{"type", "boolean"}}},
                                {"kind", str},
                                {"errors", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                                {"params", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                                {"warmup_bars", integer}});
  s["Coverage"] = object({{"symbol", str},
                          {"interval", str},
                          {"first_ts", ts},
                          {"last_ts", ts},
                          {"count", integer},
                          {"source", {{"type", "string"}, {"enum", {"csv", "sample", "cli"}}}},
                          {"note", str},
                          {"synthetic", {{"type", "boolean"}}}});
  s["ImportSummary"] = object({{"symbol", str},
                               {"interval", str},
                               {"rows", integer},
                               {"inserted", integer},
                               {"updated", integer},
                               {"unchanged", integer},
                               {"first_ts", ts},
                               {"last_ts", ts}});
  s["Bar"] = object({{"ts", ts},
                     {"open", num},
                     {"high", num},
                     {"low", num},
                     {"close", num},
                     {"volume", integer}});
  s["BacktestRequest"] =
      object({{"strategy_id", integer},
              {"symbols", symbols},
              {"interval", str},
              {"from", {{"type", "string"}, {"description", "YYYY-MM-DD (Asia/Seoul)"}}},
              {"to", {{"type", "string"}, {"description", "YYYY-MM-DD, inclusive"}}},
              {"cash", {{"type", "integer"}, {"description", "KRW, default 100000000"}}},
              {"costs", object({{"commission_bps", num},
                                {"tax_bps", num},
                                {"slippage_bps", num},
                                {"slippage_ticks", integer}})},
              {"params", params},
              {"market", {{"type", "string"}, {"enum", {"kospi", "kosdaq", "konex", "etf"}}}},
              {"close_at_end", {{"type", "boolean"}}},
              {"trade_from",
               {{"type", "string"}, {"description", "bars before it only warm up (live parity)"}}}},
             {"strategy_id"});
  s["Accepted"] = object({{"id", integer}, {"status", str}});
  s["Backtest"] =
      object({{"id", integer},
              {"strategy_id", {{"type", {"integer", "null"}}}},
              {"strategy_name", str},
              {"strategy_version", integer},
              {"status",
               {{"type", "string"}, {"enum", {"queued", "running", "done", "failed", "canceled"}}}},
              {"progress", num},
              {"error", {{"type", {"string", "null"}}}},
              {"metrics", {{"type", {"object", "null"}}}},
              {"settings", {{"type", "object"}}},
              {"params", params},
              {"script", str},
              {"created_at", iso},
              {"started_at", iso},
              {"finished_at", iso}});
  s["Clock"] = object({{"now", iso}, {"now_ms", ts}, {"manual", {{"type", "boolean"}}}});
  s["ClockMove"] =
      object({{"ts", {{"type", "string"}, {"description", "a time; without an offset Asia/Seoul"}}},
              {"advance_ms", {{"type", "integer"}, {"minimum", 0}}}});
  s["EquityPoint"] = object({{"ts", ts}, {"equity", num}, {"benchmark", num}, {"drawdown", num}});
  s["DrawdownPoint"] = object({{"ts", ts}, {"drawdown", num}});
  s["Trade"] = object({{"symbol", str},
                       {"entry_ts", ts},
                       {"exit_ts", ts},
                       {"quantity", integer},
                       {"entry_price", num},
                       {"exit_price", num},
                       {"pnl", integer},
                       {"return", num},
                       {"commission", integer},
                       {"tax", integer},
                       {"exit_reason", str}});
  s["Order"] = object({{"id", integer},
                       {"symbol", str},
                       {"side", {{"type", "string"}, {"enum", {"buy", "sell"}}}},
                       {"reason", str},
                       {"status", {{"type", "string"}, {"enum", {"filled", "rejected"}}}},
                       {"decided_ts", ts},
                       {"quantity", integer},
                       {"fill", {{"type", {"object", "null"}}}}});
  s["Activation"] =
      object({{"broker", {{"type", "string"}, {"enum", {"paper"}}}},
              {"capital", {{"type", "integer"}, {"description", "KRW the session may use"}}},
              {"risk", object({{"max_order_qty", integer},
                               {"max_order_notional", integer},
                               {"max_position_pct", num},
                               {"max_orders_per_min", integer},
                               {"max_orders_per_symbol_day", integer},
                               {"max_rejects_in_row", integer},
                               {"daily_loss_pct", num}})},
              {"market", {{"type", "string"}, {"enum", {"kospi", "kosdaq", "konex", "etf"}}}}},
             {"capital"});
  s["Deactivation"] = object({{"positions", {{"type", "string"}, {"enum", {"keep", "flatten"}}}}});
  s["KillScope"] = object({{"scope", {{"type", "string"}, {"enum", {"account", "session", "all"}}}},
                           {"id", integer},
                           {"reason", str}},
                          {"scope"});
  const json session_state{
      {"type", "string"},
      {"enum", {"warming", "active", "reducing", "halted", "stopping", "stopped", "failed"}}};
  s["LivePosition"] = object({{"symbol", str},
                              {"quantity", integer},
                              {"avg_price", num},
                              {"last_close", num},
                              {"market_value", num},
                              {"unrealized_pnl", num},
                              {"entry_ts", iso},
                              {"exits", {{"type", "object"}}},
                              {"exit_levels", {{"type", "object"}}}});
  s["LiveSession"] = object({{"id", integer},
                             {"strategy_id", {{"type", {"integer", "null"}}}},
                             {"strategy_name", str},
                             {"strategy_version", integer},
                             {"state", session_state},
                             {"state_reason", {{"type", {"string", "null"}}}},
                             {"broker", str},
                             {"account_id", integer},
                             {"symbols", symbols},
                             {"interval", str},
                             {"capital", integer},
                             {"cash", integer},
                             {"equity", num},
                             {"pnl", num},
                             {"today_pnl", num},
                             {"positions", {{"type", "array"}, {"items", ref("LivePosition")}}},
                             {"settings", {{"type", "object"}}},
                             {"warmup_from", iso},
                             {"trade_from", iso},
                             {"last_bar", iso},
                             {"data_note", {{"type", {"string", "null"}}}},
                             {"created_at", iso},
                             {"updated_at", iso}});
  s["LiveOrder"] =
      object({{"id", integer},
              {"session_id", {{"type", {"integer", "null"}}}},
              {"symbol", str},
              {"side", {{"type", "string"}, {"enum", {"buy", "sell"}}}},
              {"reason", str},
              {"type", {{"type", "string"}, {"enum", {"limit", "market", "stop_market"}}}},
              {"quantity", integer},
              {"state",
               {{"type", "string"},
                {"enum",
                 {"denied", "pending_submit", "unknown", "accepted", "partially_filled", "filled",
                  "cancel_pending", "cancelled", "expired", "rejected", "not_placed",
                  "needs_attention"}}}},
              {"attention", {{"type", "boolean"}}},
              {"broker_order_no", {{"type", {"string", "null"}}}},
              {"filled_qty", integer},
              {"avg_price", {{"type", {"number", "null"}}}},
              {"reject_code", {{"type", {"string", "null"}}}},
              {"what_quantd_does", str},
              {"created_at", iso}});
  s["LiveOrderDetail"] = {
      {"allOf",
       {ref("LiveOrder"), object({{"history",
                                   {{"type", "array"},
                                    {"items", object({{"ts", iso},
                                                      {"kind", str},
                                                      {"from", {{"type", {"string", "null"}}}},
                                                      {"to", {{"type", {"string", "null"}}}},
                                                      {"source", str},
                                                      {"detail", {{"type", "object"}}}})}}},
                                  {"candidates",
                                   {{"type", {"array", "null"}},
                                    {"items", object({{"order_no", str},
                                                      {"order_time", str},
                                                      {"symbol", str},
                                                      {"side", str},
                                                      {"type", str},
                                                      {"quantity", integer},
                                                      {"limit_price", num},
                                                      {"filled_qty", integer},
                                                      {"remaining_qty", integer}})}}}})}}};
  s["OrderAnswer"] = object(
      {{"bind_to", str}, {"not_placed", {{"type", "boolean"}, {"enum", {true}}}}, {"note", str}});
  s["LiveFill"] = object({{"order_id", integer},
                          {"symbol", str},
                          {"side", str},
                          {"quantity", integer},
                          {"price", num},
                          {"notional", integer},
                          {"commission", integer},
                          {"tax", integer},
                          {"ts", iso}});
  s["LiveEquityPoint"] = object({{"ts", ts},
                                 {"cash", integer},
                                 {"positions_value", num},
                                 {"equity", num},
                                 {"drawdown", num}});
  s["LiveEvaluation"] = object({{"bar_ts", ts},
                                {"symbol", str},
                                {"close", num},
                                {"position", integer},
                                {"entry_price", num},
                                {"bars_held", integer},
                                {"cash", integer},
                                {"equity", num},
                                {"intent", {{"type", {"object", "null"}}}}});
  s["LiveCycle"] = object({{"minute", iso},
                           {"minute_ms", ts},
                           {"started_at", iso},
                           {"finished_at", iso},
                           {"sessions", integer},
                           {"orders_sent", integer},
                           {"bars_fed", integer},
                           {"wall_ms", num},
                           {"late", {{"type", "boolean"}}}});
  s["LiveAccount"] = object({{"id", integer},
                             {"broker", {{"type", "string"}}},
                             {"trading_state", {{"type", "string"}}},
                             {"holdings", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                             {"broker_view", {{"type", {"object", "null"}}}},
                             {"allocated_capital", integer},
                             {"last_reconciliation", {{"type", {"object", "null"}}}}});
  s["LiveDiff"] = object({{"session_id", integer},
                          {"day", {{"type", "string"}}},
                          {"rows", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                          {"summary", {{"type", "object"}}},
                          {"equity", {{"type", "object"}}}});
  s["LiveOverview"] =
      object({{"sessions", {{"type", "array"}, {"items", ref("LiveSession")}}},
              {"accounts", {{"type", "array"}, {"items", {{"type", "object"}}}}},
              {"kill_switch", object({{"engaged", {{"type", "boolean"}}}})},
              {"cycle", {{"type", {"object", "null"}}}},
              {"defaults", object({{"risk", {{"type", "object"}}}, {"paper_cash", integer}})}});
  return s;
}

json build() {
  json paths = json::object();
  for (const Operation& op : operations()) {
    json o{{"tags", {op.tag}}, {"summary", op.summary}};
    std::string method = op.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    o["operationId"] = method + std::string(op.path);
    json parameters = json::array();
    const std::string path = op.path;
    for (std::size_t at = path.find('{'); at != std::string::npos; at = path.find('{', at + 1)) {
      const std::string name = path.substr(at + 1, path.find('}', at) - at - 1);
      parameters.push_back({{"name", name},
                            {"in", "path"},
                            {"required", true},
                            {"schema", {{"type", name == "id" ? "integer" : "string"}}}});
    }
    for (const char* q : op.query) {
      const std::string text = q;
      const auto colon = text.find(':');
      parameters.push_back({{"name", text.substr(0, colon)},
                            {"in", "query"},
                            {"required", false},
                            {"description", text.substr(colon + 1)},
                            {"schema", {{"type", "string"}}}});
    }
    if (!parameters.empty()) o["parameters"] = parameters;
    const std::string request = op.request_schema;
    if (request == "csv") {
      o["requestBody"] = {{"required", true},
                          {"content", {{"text/csv", {{"schema", {{"type", "string"}}}}}}}};
    } else if (!request.empty()) {
      o["requestBody"] = {{"required", true},
                          {"content", {{"application/json", {{"schema", ref(request)}}}}}};
    }
    json responses = json::object();
    json ok{{"description", "Success"}};
    const std::string response = op.response_schema;
    if (std::string(op.path) == "/api/events") {
      ok["content"] = {{"text/event-stream", {{"schema", {{"type", "string"}}}}}};
    } else if (!response.empty()) {
      ok["content"] = {{"application/json", {{"schema", ref(response)}}}};
    }
    responses[std::to_string(op.success)] = ok;
    for (const char* status : op.errors) {
      responses[status] = {
          {"description", "Error"},
          {"content", {{"application/problem+json", {{"schema", ref("Problem")}}}}}};
    }
    if (std::string(op.path) != "/api/health") {
      responses["401"] = {
          {"description", "Missing or wrong bearer token (when auth_token is set)"}};
    }
    paths[op.path][method] = o;
  }
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "quantd API"},
            {"version", kVersion},
            {"description",
             "REST API of quantd, the self-hosted backtesting and KRX trading daemon. Errors are "
             "application/problem+json (RFC 9457). Timestamps in series are UTC epoch ms; dates "
             "in requests are Asia/Seoul. See docs/api.md."}}},
          {"components",
           {{"schemas", schemas()},
            {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
          {"security", json::array({{{"bearer", json::array()}}, json::object()})},
          {"paths", paths}};
}

}  // namespace

const nlohmann::json& openapi_document() {
  static const nlohmann::json kDocument = build();
  return kDocument;
}

}  // namespace quantd::app
