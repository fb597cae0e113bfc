// Router: maps (method, path) to a handler; the whole request-handling logic without any I/O.
//
// Design: routes are registered once at start-up (add/add_sse), then the Router is only read, so
// handle() and sse_hub_for() are safe to call from any number of threads at once. Patterns are
// '/'-separated segments; a segment "{name}" matches one non-empty path segment and is handed to
// the handler as request.param("name"). When several patterns match, literal segments beat
// parameters, left to right ("/api/strategies/new" beats "/api/strategies/{id}").
//
// Each route declares what it takes (RouteOptions): the media type of a state-changing request's
// body, and whether it is served without credentials. The server checks both before routing
// (see request_guard.h), so handlers never see a body of the wrong type.
//
// Dispatch order for a request (see handle()):
//   1. a route whose pattern and method match: its handler (HEAD also runs a GET handler);
//   2. a pattern matches but no method does: 405 problem with an `Allow` header;
//   3. a path under /api: 404 problem;
//   4. GET/HEAD with static assets: StaticAssets::serve();
//   5. otherwise: 404 problem.
// Every response to a path under /api/ carries `Cache-Control: no-store` unless the handler set
// its own Cache-Control.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantd/http/request.h"
#include "quantd/http/response.h"

namespace quantd::http {

class SseHub;
class StaticAssets;

// Handles one request. Called on a server I/O thread, possibly concurrently with itself for other
// requests, so it must be thread-safe and must not block for long (write a row, publish a
// message, return). It may throw: the Router turns any exception into a logged 500 problem.
using Handler = std::function<Response(const Request&)>;

// One registered route, for listings such as an OpenAPI document.
struct RouteInfo {
  std::string method;   // "GET", "POST", ...; SSE routes are listed as "GET"
  std::string pattern;  // as registered, e.g. "/api/strategies/{id}"
  bool sse = false;     // true for routes added with add_sse()
  friend bool operator==(const RouteInfo&, const RouteInfo&) = default;
};

// What a route takes; declared once at registration.
struct RouteOptions {
  // The media type a POST/PUT/PATCH/DELETE body must have (compared without parameters, case-
  // insensitively): "application/json" or "text/csv". Empty: any type (raw test endpoints).
  std::string accepts = "application/json";
  // Served without credentials even when a token or a password is configured (health checks,
  // the login itself); the handler still sees who called in Request::caller.
  bool open = false;
  // The body may be larger than ServerConfig::body_limit_bytes, up to upload_limit_bytes: the
  // server writes it to a file in ServerConfig::upload_dir as it arrives (never holding it in
  // memory) and the handler reads it from Request::body_file. The guard's checks (credentials,
  // origin, content type) all run on the header, before a byte of the body is read.
  bool streams_body = false;
};

class Router {
 public:
  using Handler = ::quantd::http::Handler;

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Registers `handler` for `method` on `pattern`. Preconditions (a violation is a programming
  // bug: logged, then abort): pattern starts with '/', each "{name}" fills a whole segment with a
  // unique non-empty name, method is non-empty, and (method, pattern) is not registered yet.
  // Not thread-safe: register every route before the Server starts.
  void add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});

  // Registers a server-sent-events stream on `pattern` for GET: each client that connects
  // receives every event published to `hub` from then on. `hub` is not owned and must outlive
  // this Router and any Server using it. Same preconditions as add().
  void add_sse(std::string pattern, SseHub& hub, RouteOptions options = {});

  // Every registered route, in registration order. Thread-safe after registration.
  std::vector<RouteInfo> routes() const;

  // Dispatches `request` as described at the top of this file and returns the response. Fills
  // request.params before calling the handler. `assets` may be null (then no static fallback).
  // A request to an SSE route answers 400: SSE streams are served by the Server (see
  // sse_hub_for()). Never throws; thread-safe. `route`, when given, receives the index in
  // routes() of the route that handled the request, or -1 when none did (for HttpMetrics).
  Response handle(Request request, const StaticAssets* assets = nullptr,
                  int* route = nullptr) const;

  // The index in routes() of the route `request` would be dispatched to, or -1. Thread-safe.
  int route_index(const Request& request) const;

  // The options of the route `request` would be dispatched to (HEAD as GET), or nullopt when no
  // route matches its method and path. Thread-safe.
  std::optional<RouteOptions> options_for(const Request& request) const;

  // The hub of the SSE route that `request` (a GET) matches, or null. Thread-safe.
  SseHub* sse_hub_for(const Request& request) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::http
