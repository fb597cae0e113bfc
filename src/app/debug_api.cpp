// Test hooks over HTTP: POST /api/debug/clock moves the daemon's manual clock (--debug-clock), so
// a harness can step a trading day minute by minute. Without the flag the route answers 404.
#include "api_internal.h"

namespace quantd::app {

nlohmann::json clock_json(const Clock& clock, bool manual) {
  const TimestampMs now = clock.now();
  return {{"now", format_utc_iso(now)}, {"now_ms", now}, {"manual", manual}};
}

namespace api {
namespace {

// The longest single step; far beyond any test, small enough that now + step cannot overflow.
constexpr std::int64_t kMaxAdvanceMs = 3660 * kMsPerDay;

http::Response move_clock(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.debug_clock) {
    return http::problem(404, "Not Found",
                         "The debug clock is off: start quantd serve with --debug-clock (a test "
                         "hook, loopback only) to move the daemon's clock.");
  }
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  const auto ts = read_time(body.value, "ts", errors);
  const auto advance = read_integer(body.value, "advance_ms", errors, false, 0, kMaxAdvanceMs);
  if (!errors.empty()) return validation_failed(errors);
  if (ts.has_value() == advance.has_value()) {
    errors.add(ts ? "advance_ms" : "ts",
               ts ? "give either ts or advance_ms, not both"
                  : "is required (a time such as \"2026-07-09T09:31:00+09:00\"), or give "
                    "advance_ms");
    return validation_failed(errors);
  }
  const TimestampMs now = ctx.debug_clock->now();
  const TimestampMs target = ts ? *parse_timestamp(*ts) : now + *advance;
  // advance_to refuses atomically, so a concurrent mover cannot slip in between the check and the
  // move and take the clock backwards.
  if (!ctx.debug_clock->advance_to(target)) {
    return http::problem(409, "Conflict",
                         "The clock never moves backwards: it is at " +
                             format_utc_iso(ctx.debug_clock->now()) + ", so " +
                             format_utc_iso(target) + " is refused.");
  }
  if (ctx.clock_moved) ctx.clock_moved();
  return http::json(200, clock_json(*ctx.debug_clock, true));
}

}  // namespace

void register_debug_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "POST", "/api/debug/clock", ctx, guard, move_clock);
}

}  // namespace api
}  // namespace quantd::app
