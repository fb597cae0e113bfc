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
  // Browsers' EventSource cannot send an Authorization header, so the stream is open (no
  // token); its events carry ids, statuses and progress only, never results or secrets.
  router.add_sse("/api/events", ctx.backtests.events(), {.open = true});
  router.add("GET", "/api/openapi.json",
             guard([](const http::Request&) { return http::json(200, openapi_document()); }));
}

}  // namespace quantd::app
