// The UI's login over HTTP: GET /api/auth (open: what the UI needs to decide whether to show the
// login form), POST /api/login (open), POST /api/logout, and the session list with revocation.
#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "quantd/auth/auth_service.h"
#include "quantd/auth/password.h"

namespace quantd::app::api {
namespace {

http::Response unavailable() {
  return http::problem(503, "Service Unavailable", "Logins are not available on this server.");
}

http::Response auth_state(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.auth) return unavailable();
  auto set = ctx.auth->password_set();
  if (!set.ok()) return from_status(set.status());
  const http::Caller& c = request.caller;
  using Via = http::Caller::Via;
  const char* via = c.via == Via::kSession     ? "session"
                    : c.via == Via::kToken     ? "token"
                    : c.via == Via::kUnguarded ? "loopback"
                                               : "anonymous";
  return http::json(200, {{"password_set", *set},
                          {"required", c.via != Via::kUnguarded},
                          {"logged_in", c.via == Via::kSession},
                          {"authorized", c.authorized()},
                          {"via", via},
                          {"session", c.via == Via::kSession ? json(c.session) : json(nullptr)}});
}

http::Response login(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.auth) return unavailable();
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  const auto password =
      read_string(body.value, "password", errors, true, auth::kMaxPasswordLength, false);
  if (!errors.empty()) return validation_failed(errors);
  const auto agent = request.header("User-Agent");
  auto outcome = ctx.auth->login(*password, request.remote, agent.value_or(""));
  if (!outcome.ok()) return from_status(outcome.status());
  switch (outcome->kind) {
    case auth::LoginOutcome::Kind::kLoggedIn: {
      http::Response r = http::empty(204);
      r.set_header("Set-Cookie", outcome->set_cookie);
      // The new session's handle (as /api/auth/sessions lists it, never the secret): the audit
      // log names it, so a login and what that session did later line up.
      r.set_header(std::string(kSessionIdHeader), std::to_string(outcome->session));
      return r;
    }
    case auth::LoginOutcome::Kind::kLimited: {
      http::Response r = http::problem(429, "Too Many Requests",
                                       "Too many wrong passwords: try again in " +
                                           std::to_string(outcome->retry_after_s) + " s.");
      r.set_header("Retry-After", std::to_string(outcome->retry_after_s));
      return r;
    }
    case auth::LoginOutcome::Kind::kWrongPassword:
      break;
  }
  return http::problem(401, "Unauthorized", "The password is wrong.");
}

http::Response logout(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.auth) return unavailable();
  if (request.caller.via == http::Caller::Via::kSession) {
    Status st = ctx.auth->revoke(request.caller.session);
    if (!st.ok() && st.code() != StatusCode::kNotFound) return from_status(st);
  }
  // Idempotent: a token or an ended session has nothing to revoke; the browser drops its cookie.
  http::Response r = http::empty(204);
  r.set_header("Set-Cookie", ctx.auth->clearing_cookie());
  return r;
}

http::Response list_sessions(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.auth) return unavailable();
  auto sessions = ctx.auth->sessions();
  if (!sessions.ok()) return from_status(sessions.status());
  json out = json::array();
  for (const storage::SessionRecord& s : *sessions) {
    out.push_back({{"id", s.id},
                   {"created_at", format_utc_iso(s.created_at)},
                   {"last_seen_at", format_utc_iso(s.last_seen_at)},
                   {"expires_at", format_utc_iso(s.expires_at)},
                   {"user_agent", s.user_agent},
                   {"client", s.client},
                   {"current", request.caller.via == http::Caller::Via::kSession &&
                                   request.caller.session == s.id}});
  }
  return http::json(200, out);
}

http::Response revoke_session(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.auth) return unavailable();
  const std::string text = request.param("id");
  const auto id = parse_id(text);
  if (!id) return no_such("session", text);
  if (Status st = ctx.auth->revoke(*id); !st.ok()) {
    return st.code() == StatusCode::kNotFound ? no_such("session", text) : from_status(st);
  }
  return http::empty(204);
}

}  // namespace

void register_auth_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "GET", "/api/auth", ctx, guard, auth_state, {.open = true});
  add_route(router, "POST", "/api/login", ctx, guard, login,
            {.accepts = "application/json", .open = true});
  add_route(router, "POST", "/api/logout", ctx, guard, logout);
  add_route(router, "GET", "/api/auth/sessions", ctx, guard, list_sessions);
  add_route(router, "DELETE", "/api/auth/sessions/{id}", ctx, guard, revoke_session);
}

}  // namespace quantd::app::api
