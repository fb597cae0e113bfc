// "Try it without a broker": start, watch and stop a replay session (live/replay_demo.h) on the
// sample data or on any strategy's stored bars.
#include <limits>

#include "api_internal.h"
#include "quantd/live/replay_demo.h"
#include "quantd/live/session_store.h"
#include "quantd/storage/strategy_repository.h"

namespace quantd::app::api {
namespace {

// The demo's own strategy when none is named: a golden cross on the sample's steady uptrend,
// which trades every few weeks, so a two-minute replay shows entries, exits and a stop.
constexpr const char* kDemoScript = R"(# quantd's demo: a golden cross with a stop
param fast = 5
param slow = 20
let f = sma(close, fast)
let s = sma(close, slow)
buy  when crossover(f, s)
sell when crossunder(f, s)
stop_loss 4%
size 90% equity
)";
constexpr const char* kDemoSymbol = "SAMPLE-A";

http::Response no_demo() {
  return http::problem(503, "Demo unavailable", "The replay demo is not running in this process.");
}

http::Response start_demo(const ApiContext& ctx, const http::Request& request) {
  if (ctx.demo == nullptr) return no_demo();
  json b = json::object();
  if (!request.body.empty()) {
    JsonBody body = read_json_object(request);
    if (body.problem) return *body.problem;
    b = body.value;
  }
  Errors errors;
  for (const auto& [key, value] : b.items()) {
    if (key != "strategy_id" && key != "bars" && key != "pace_ms" && key != "capital") {
      errors.add(key, "is not a field here (known: strategy_id, bars, pace_ms, capital)");
    }
  }
  const auto strategy_id =
      read_integer(b, "strategy_id", errors, false, 1, std::numeric_limits<std::int64_t>::max());
  const auto bars = read_integer(b, "bars", errors, false, 2, 5000);
  const auto pace = read_integer(b, "pace_ms", errors, false, 0, 10'000);
  const auto capital = read_integer(b, "capital", errors, false, 1'000, 10'000'000'000'000);
  if (!errors.empty()) return validation_failed(errors);

  live::ReplayRequest r;
  r.bars = static_cast<int>(bars.value_or(120));
  r.pace_ms = static_cast<int>(pace.value_or(400));
  r.capital = capital.value_or(10'000'000);
  if (strategy_id) {
    storage::StrategyRepository strategies(ctx.db);
    auto s = strategies.get(domain::StrategyId(*strategy_id));
    if (!s.ok()) return from_status(s.status());
    r.name = s->name;
    r.strategy_id = s->id;
    r.strategy_version = s->version;
    r.script = s->script;
    r.params = s->params;
    r.symbols = s->symbols;
    r.interval = s->interval;
  } else {
    // The sample data is stored (idempotently) so the demo works on a fresh install.
    auto stored = store_sample_data(ctx);
    if (!stored.ok()) return from_status(stored.status());
    r.name = "golden cross on " + std::string(kDemoSymbol);
    r.script = kDemoScript;
    r.symbols = {domain::Symbol(kDemoSymbol)};
    r.interval = domain::Interval::k1d;
  }
  auto session = ctx.demo->start(r);
  if (!session.ok()) return from_status(session.status());
  http::Response out =
      http::json(202, {{"session_id", session->id.value()}, {"demo", ctx.demo->status()}});
  out.set_header("Location", "/api/live/sessions/" + std::to_string(session->id.value()));
  return out;
}

http::Response demo_status(const ApiContext& ctx, const http::Request&) {
  if (ctx.demo == nullptr) return no_demo();
  return http::json(200, ctx.demo->status());
}

http::Response stop_demo(const ApiContext& ctx, const http::Request&) {
  if (ctx.demo == nullptr) return no_demo();
  const json status = ctx.demo->status();
  if (!status.value("running", false)) {
    return http::problem(409, "Conflict", "No replay is running.");
  }
  if (Status st = ctx.demo->stop(domain::SessionId(status["session_id"].get<std::int64_t>()));
      !st.ok()) {
    return from_status(st);
  }
  return http::json(202, ctx.demo->status());
}

}  // namespace

void register_demo_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "POST", "/api/live/demo", ctx, guard, start_demo);
  add_route(router, "GET", "/api/live/demo", ctx, guard, demo_status);
  add_route(router, "POST", "/api/live/demo/stop", ctx, guard, stop_demo);
}

}  // namespace quantd::app::api
