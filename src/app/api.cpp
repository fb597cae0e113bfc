#include "quantd/app/api.h"

#include "api_internal.h"

namespace quantd::app {

void register_api_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  api::register_strategy_routes(router, ctx, guard);
  api::register_bars_routes(router, ctx, guard);
  api::register_backtest_routes(router, ctx, guard);
  api::register_debug_routes(router, ctx, guard);
  api::register_live_routes(router, ctx, guard);
  api::register_demo_routes(router, ctx, guard);
  api::register_auth_routes(router, ctx, guard);
  api::register_audit_routes(router, ctx, guard);
  api::register_sweep_routes(router, ctx, guard);
  // Guarded like every route: a browser's EventSource sends the session cookie (it cannot send
  // an Authorization header), scripts send the token.
  router.add_sse("/api/events", ctx.backtests.events());
  router.add("GET", "/api/openapi.json",
             guard([](const http::Request&) { return http::json(200, openapi_document()); }));
}

}  // namespace quantd::app
