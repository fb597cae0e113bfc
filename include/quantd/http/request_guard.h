// RequestGuard: what every request must pass before it is routed, decided on its header alone
// (the body is not read yet), so a cross-site, rebound or unauthenticated client learns nothing
// about the routes and never makes the server buffer a body.
//
// The checks, in order, each answering a problem document:
//   1. Host: exactly one, naming the daemon (host_allowed()); none or two: 400; another name:
//      421 (a DNS-rebinding page sends its own name).
//   2. Cross-site: a state-changing request (anything but GET, HEAD, OPTIONS) whose `Origin` is
//      present must come from the daemon's own origin (http[s]:// plus an allowed host), and a
//      `Sec-Fetch-Site` other than `same-origin` or `none` is refused on state-changing requests
//      and on every /api path: 403. Clients that send neither (curl, scripts) pass.
//   3. Credentials, when a token or a login is configured (GuardConfig::auth_token,
//      SessionVerifier::required()): every request except GET/HEAD of a non-API path that no
//      route serves (the UI's files; GET /metrics needs credentials) and routes declared open needs
//      `Authorization: Bearer <token>` (compared in constant time) or the cookie `quantd_session`
//      of a live login session: 401 with `WWW-Authenticate: Bearer`. Open routes are served either
//      way, and learn who called (Request::caller) so /api/auth can say whether the caller is
//      logged in. A cookie session is a browser's: the cross-site checks of step 2 have already run
//      for it.
//   4. Content type: a state-changing request that carries a body or a Content-Type must send
//      the media type its route declares (RouteOptions::accepts): 415 naming both.
// Thread-safe; no I/O of its own (a SessionVerifier may read its store).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/http/request.h"
#include "quantd/http/response.h"

namespace quantd::http {

class Router;

// The cookie a login session is carried in.
inline constexpr std::string_view kSessionCookie = "quantd_session";

// What the guard asks about login sessions; implemented over the session store (auth/).
class SessionVerifier {
 public:
  virtual ~SessionVerifier() = default;
  // True when requests must authenticate even without a bearer token (a password is set, or the
  // daemon is exposed beyond loopback); true as well when that cannot be read (fail closed).
  // Thread-safe.
  virtual bool required() = 0;
  // The id of the live (not expired, not revoked) session whose cookie value is `secret`, or
  // nullopt. May record the session as seen. Thread-safe.
  virtual std::optional<std::int64_t> session_for(std::string_view secret) = 0;
};

struct GuardConfig {
  // Names besides the loopback ones (localhost, 127.0.0.1, [::1]) a Host may carry: "name"
  // (with the listening port or none) or "name:port" (exactly that). Compared case-insensitively.
  std::vector<std::string> hosts;
  std::string listen_host;  // the listen address; an IP literal that is not 0.0.0.0/:: is a name
  std::uint16_t port = 0;   // the bound port
  std::string auth_token;   // empty: no token required
  SessionVerifier* sessions = nullptr;  // not owned; null: no login sessions
};

// True if `authority` ("host", "host:port", "[v6]:port", as in a Host header) names the daemon
// under `config` (see GuardConfig::hosts).
bool host_allowed(std::string_view authority, const GuardConfig& config);

// Constant-time comparison of a presented secret with the expected one (both are hashed first,
// so neither the contents nor the length leak through timing).
bool secret_equals(std::string_view given, std::string_view expected);

// The value of the cookie `name` in the request's Cookie header(s), or nullopt.
std::optional<std::string_view> cookie_value(const Request& request, std::string_view name);

// The rejection for `request` (method, target, path and headers filled; the body not read yet),
// or nullopt when it may be routed; either way request.caller says who sent it (for a refused
// request, as far as the checks got). `has_body`: the framing announces a body
// (Content-Length > 0 or chunked). `router` supplies the matched route's options.
std::optional<Response> check_request(Request& request, bool has_body, const GuardConfig& config,
                                      const Router& router);

}  // namespace quantd::http
