// Strategies: CRUD, validation as you type, examples and the builtin catalogue.
#include <map>
#include <set>

#include "api_internal.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/core/embedded.h"
#include "quantd/storage/backtest_repository.h"
#include "quantd/storage/strategy_repository.h"

namespace quantd::app::api {
namespace {

constexpr std::size_t kMaxName = 100;
constexpr std::size_t kMaxDescription = 2000;
constexpr std::size_t kMaxScript = 64 * 1024;

// Fields a client may send back unchanged from a GET; they are ignored.
const std::set<std::string> kReadOnlyFields = {
    "id", "version", "kind", "active", "created_at", "updated_at", "last_backtest", "backtests"};
const std::set<std::string> kWritableFields = {"name",    "description", "script",
                                               "symbols", "interval",    "params"};

std::string kind_of(std::string_view script) {
  const auto first = script.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && script.substr(first).starts_with("builtin:") ? "builtin"
                                                                                         : "script";
}

json strategy_json(const storage::StrategyRecord& r) {
  return {{"id", r.id.value()},
          {"name", r.name},
          {"description", r.description},
          {"script", r.script},
          {"kind", kind_of(r.script)},
          {"params", params_json(r.params)},
          {"symbols", symbols_json(r.symbols)},
          {"interval", domain::to_string(r.interval)},
          {"version", r.version},
          {"active", r.active},
          {"created_at", format_utc_iso(r.created_at)},
          {"updated_at", format_utc_iso(r.updated_at)}};
}

json problem_json(const StrategyProblem& p) {
  json j{{"field", p.field}, {"message", p.message}};
  if (p.line > 0) {
    j["line"] = p.line;
    j["column"] = p.column;
    j["length"] = p.length;
    j["message"] = std::to_string(p.line) + ":" + std::to_string(p.column) + ": " + p.message;
    j["text"] = p.message;
  }
  if (!p.snippet.empty()) j["snippet"] = p.snippet;
  return j;
}

void reject_unknown_fields(const json& body, Errors& errors) {
  for (const auto& [key, value] : body.items()) {
    if (!kWritableFields.contains(key) && !kReadOnlyFields.contains(key)) {
      errors.add(key,
                 "is not a field of a strategy (known: name, description, script, symbols, "
                 "interval, params)");
    }
  }
}

// Reads a create (all required fields) or update (`base` holds current values) body into a
// record, compiling the script; answers the problem to send, if any.
std::optional<http::Response> read_strategy(const json& body, storage::StrategyRecord& record,
                                            bool is_update) {
  Errors errors;
  reject_unknown_fields(body, errors);
  const bool required = !is_update;
  if (auto v = read_string(body, "name", errors, required, kMaxName, false)) record.name = *v;
  if (auto v = read_string(body, "description", errors, false, kMaxDescription)) {
    record.description = *v;
  }
  if (auto v = read_string(body, "script", errors, required, kMaxScript, false)) record.script = *v;
  if (auto v = read_symbols(body, "symbols", errors, required)) record.symbols = *v;
  if (auto v = read_interval(body, "interval", errors)) record.interval = *v;
  if (auto v = read_params(body, "params", errors)) record.params = *v;
  if (!errors.empty()) return validation_failed(errors);

  CompiledStrategy compiled = compile_strategy(record.script, record.params);
  if (!compiled.problems.empty()) {
    json list = json::array();
    for (const auto& p : compiled.problems) list.push_back(problem_json(p));
    return http::problem(422, "Validation failed",
                         "The strategy does not compile: " + describe_problems(compiled.problems),
                         list);
  }
  return std::nullopt;
}

// The last backtest of each strategy and the count, for the list view.
std::map<std::int64_t, std::pair<int, json>> backtest_summaries(storage::Database& db) {
  std::map<std::int64_t, std::pair<int, json>> out;
  storage::BacktestRepository repo(db);
  auto list = repo.list(std::nullopt, 2000);
  if (!list.ok()) return out;
  for (const auto& b : *list) {  // newest first
    if (!b.strategy_id) continue;
    auto& [count, last] = out[b.strategy_id->value()];
    if (count++ == 0) {
      json m = json::parse(b.metrics_json.empty() ? "null" : b.metrics_json, nullptr, false);
      last = {{"id", b.id.value()},
              {"status", storage::to_string(b.status)},
              {"total_return",
               m.is_object() && m.contains("total_return") ? m["total_return"] : json(nullptr)},
              {"created_at", format_utc_iso(b.created_at)}};
    }
  }
  return out;
}

struct ExampleHeader {
  std::string title;        // the first comment line, without a trailing "(...)" aside
  std::string description;  // the comment paragraph after it, joined into one line
};

// Reads the leading comment block of an example script: "# Title\n#\n# text...\n# text\n\n".
ExampleHeader parse_example_header(std::string_view script) {
  ExampleHeader h;
  bool in_description = false;
  while (!script.empty()) {
    const auto eol = script.find('\n');
    std::string_view line = script.substr(0, eol);
    script = eol == std::string_view::npos ? std::string_view() : script.substr(eol + 1);
    if (!line.starts_with("#")) break;
    line.remove_prefix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (h.title.empty()) {
      h.title = std::string(line.substr(0, line.find(" (")));
    } else if (line.empty()) {
      if (in_description) break;
      in_description = true;
    } else {
      in_description = true;
      if (!h.description.empty()) h.description += ' ';
      h.description += line;
    }
  }
  return h;
}

// Examples a newcomer can start from. Scripts need the strategy language; builtins always run.
json examples() {
  json list = json::array();
  list.push_back({{"key", "sma_cross"},
                  {"name", "Golden cross 20/60"},
                  {"description",
                   "Buy when the 20-day average crosses above the 60-day average; sell on the "
                   "opposite cross. A native C++ strategy with two parameters."},
                  {"script", "builtin:sma_cross"},
                  {"params", {{"fast", 20}, {"slow", 60}}},
                  {"symbols", {"SAMPLE-A"}},
                  {"interval", "1d"}});
  list.push_back({{"key", "buy_and_hold"},
                  {"name", "Buy and hold"},
                  {"description", "Buy on the first bar and hold to the end: the baseline."},
                  {"script", "builtin:buy_and_hold"},
                  {"params", json::object()},
                  {"symbols", {"SAMPLE-A"}},
                  {"interval", "1d"}});
  for (const EmbeddedFile& file : embedded::strategy_examples()) {
    const ExampleHeader header = parse_example_header(file.data);
    // The file name is the key: ".qs" keeps it apart from builtins of the same name.
    const std::string key(file.path);
    list.push_back({{"key", key},
                    {"name", header.title.empty() ? key : header.title},
                    {"description", header.description},
                    {"script", std::string(file.data)},
                    {"params", json::object()},
                    {"symbols", {"SAMPLE-A", "SAMPLE-B", "SAMPLE-C"}},
                    {"interval", "1d"}});
  }
  for (auto& e : list)
    e["supported"] = kind_of(e["script"].get<std::string>()) == "builtin" || scripts_supported();
  return list;
}

json builtins() {
  json list = json::array();
  for (const auto& info : strategy::native_strategies()) {
    json params = json::array();
    for (const auto& p : info.params) {
      params.push_back({{"name", p.name},
                        {"default", p.default_value},
                        {"min", p.min},
                        {"max", p.max},
                        {"integer", p.integer},
                        {"help", p.help},
                        {"below_max", p.below_max}});
    }
    list.push_back({{"name", info.name},
                    {"script", "builtin:" + info.name},
                    {"help", info.help},
                    {"params", params}});
  }
  return list;
}

http::Response list(const ApiContext& ctx, const http::Request&) {
  storage::StrategyRepository repo(ctx.db);
  auto list = repo.list();
  if (!list.ok()) return from_status(list.status());
  auto summaries = backtest_summaries(ctx.db);
  json out = json::array();
  for (const auto& r : *list) {
    json j = strategy_json(r);
    auto it = summaries.find(r.id.value());
    j["backtests"] = it == summaries.end() ? 0 : it->second.first;
    j["last_backtest"] = it == summaries.end() ? json(nullptr) : it->second.second;
    out.push_back(std::move(j));
  }
  return http::json(200, out);
}

http::Response create(const ApiContext& ctx, const http::Request& request) {
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  storage::StrategyRecord record;
  if (auto problem = read_strategy(body.value, record, false)) return *problem;
  storage::StrategyRepository repo(ctx.db);
  auto stored = repo.create(record, ctx.clock.now());
  if (!stored.ok()) return from_status(stored.status());
  ctx.backtests.publish("strategies", {{"id", stored->id.value()}, {"change", "created"}});
  http::Response r = http::json(201, strategy_json(*stored));
  r.set_header("Location", "/api/strategies/" + std::to_string(stored->id.value()));
  return r;
}

http::Response validate(const ApiContext&, const http::Request& request) {
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  auto script = read_string(body.value, "script", errors, true, kMaxScript);
  auto params = read_params(body.value, "params", errors);
  if (!errors.empty()) return validation_failed(errors);
  CompiledStrategy compiled = compile_strategy(*script, params.value_or(strategy::Params{}));
  json list = json::array();
  for (const auto& p : compiled.problems) list.push_back(problem_json(p));
  json declared = json::array();
  for (const auto& p : compiled.params) {
    declared.push_back({{"name", p.name}, {"default", p.default_value}, {"help", p.help}});
  }
  return http::json(200, {{"valid", compiled.problems.empty()},
                          {"kind", compiled.kind.empty() ? kind_of(*script) : compiled.kind},
                          {"errors", list},
                          {"params", declared},
                          {"warmup_bars", compiled.warmup_bars}});
}

http::Response list_examples(const ApiContext&, const http::Request&) {
  return http::json(200, examples());
}

http::Response list_builtins(const ApiContext&, const http::Request&) {
  return http::json(200, builtins());
}

http::Response get(const ApiContext& ctx, const http::Request& request) {
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("strategy", request.param("id"));
  storage::StrategyRepository repo(ctx.db);
  auto r = repo.get(domain::StrategyId(*id));
  if (!r.ok()) return from_status(r.status());
  return http::json(200, strategy_json(*r));
}

http::Response update(const ApiContext& ctx, const http::Request& request) {
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("strategy", request.param("id"));
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  storage::StrategyRepository repo(ctx.db);
  auto current = repo.get(domain::StrategyId(*id));
  if (!current.ok()) return from_status(current.status());
  storage::StrategyRecord record = *current;
  if (auto problem = read_strategy(body.value, record, true)) return *problem;
  auto stored = repo.update(record, ctx.clock.now());
  if (!stored.ok()) return from_status(stored.status());
  ctx.backtests.publish("strategies", {{"id", *id}, {"change", "updated"}});
  return http::json(200, strategy_json(*stored));
}

http::Response remove(const ApiContext& ctx, const http::Request& request) {
  auto id = parse_id(request.param("id"));
  if (!id) return no_such("strategy", request.param("id"));
  storage::StrategyRepository repo(ctx.db);
  auto existing = repo.get(domain::StrategyId(*id));
  if (!existing.ok()) return from_status(existing.status());
  if (existing->active) {
    return http::problem(409, "Conflict",
                         "Strategy " + std::to_string(*id) +
                             " is live; deactivate it (POST /api/strategies/" +
                             std::to_string(*id) + "/deactivate) before deleting it.");
  }
  if (Status st = repo.remove(domain::StrategyId(*id)); !st.ok()) return from_status(st);
  ctx.backtests.publish("strategies", {{"id", *id}, {"change", "deleted"}});
  return http::empty(204);
}

}  // namespace

void register_strategy_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "GET", "/api/strategies", ctx, guard, list);
  add_route(router, "POST", "/api/strategies", ctx, guard, create);
  add_route(router, "POST", "/api/strategies/validate", ctx, guard, validate);
  add_route(router, "GET", "/api/strategies/examples", ctx, guard, list_examples);
  add_route(router, "GET", "/api/strategies/builtins", ctx, guard, list_builtins);
  add_route(router, "GET", "/api/strategies/{id}", ctx, guard, get);
  add_route(router, "PUT", "/api/strategies/{id}", ctx, guard, update);
  add_route(router, "DELETE", "/api/strategies/{id}", ctx, guard, remove);
}

}  // namespace quantd::app::api
