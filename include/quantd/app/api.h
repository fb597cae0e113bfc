// The REST API of the UI: strategies, bars, backtests, the event stream and the OpenAPI document.
// Every route is listed in docs/api.md and in openapi_document(); tests/app/openapi_test.cpp
// checks both against Router::routes().
//
// Handlers follow the architecture's rule for the HTTP side: validate, write a row, publish a
// message, return. They run on server I/O threads, concurrently; everything they share is
// thread-safe (repositories over per-thread SQLite connections, the BacktestService). Errors are
// RFC 9457 problem documents: 400 malformed JSON, 404 unknown id, 409 wrong state, 413 body too
// large (the server), 422 validation errors with `errors: [{field, message}]`, 429 queue full.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "quantd/app/backtest_service.h"
#include "quantd/core/clock.h"
#include "quantd/http/router.h"
#include "quantd/storage/database.h"

namespace quantd::auth {
class AuthService;
}  // namespace quantd::auth

namespace quantd::storage {
class AuditLog;
}  // namespace quantd::storage

namespace quantd::live {
class LiveService;
class ReplayDemo;
}  // namespace quantd::live

namespace quantd::app {

class BarDownloads;
class SweepService;

// What the API handlers use. Everything must outlive the Router's server.
struct ApiContext {
  storage::Database& db;
  BacktestService& backtests;
  const Clock& clock;
  // With --debug-clock: `clock` itself, which POST /api/debug/clock moves; null otherwise (the
  // route then answers 404).
  ManualClock* debug_clock = nullptr;
  // Called after the debug clock moved (the daemon wakes its scheduler). May be empty.
  std::function<void()> clock_moved;
  live::LiveService* live = nullptr;  // null: the live routes answer 503
  live::ReplayDemo* demo = nullptr;   // null: the demo routes answer 503
  BarDownloads* downloads = nullptr;  // null: the download routes answer 503
  // The KIS WebSocket's state for the KIS account's view ("push"); empty without it.
  std::function<nlohmann::json()> kis_push;
  auth::AuthService* auth = nullptr;   // null: the login routes answer 503
  storage::AuditLog* audit = nullptr;  // null: GET /api/audit answers 503
  // Why new stored work (a backtest, a bar upload) must be refused for lack of disk (507), or
  // nullopt; empty: never refused.
  std::function<std::optional<std::string>()> storage_full;
  SweepService* sweeps = nullptr;  // null: the sweep routes answer 503
};

// Wraps a handler, e.g. with the bearer-token check; the identity is fine.
using HandlerGuard = std::function<http::Handler(http::Handler)>;

// Registers every route of the API on `router` (each handler wrapped by `guard`), including the
// SSE stream GET /api/events fed by ctx.backtests.events(). GET /api/health is the daemon's own.
// Call once, before the server starts.
void register_api_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);

// The clock as GET /api/health and POST /api/debug/clock show it:
// {"now": ISO-8601 UTC, "now_ms": epoch ms, "manual": bool}.
nlohmann::json clock_json(const Clock& clock, bool manual);

// Records one state-changing request in `log` (an http::StateChangeObserver's work): who, from
// where, method, path, status and a short summary made from the response (a problem's title and
// detail, a created id), never from the body. Logs and swallows a failure to write. Thread-safe.
void record_audit(storage::AuditLog& log, const Clock& clock, const http::Request& request,
                  const http::Response& response);

// The OpenAPI 3.1 document served at GET /api/openapi.json. Pure; thread-safe.
const nlohmann::json& openapi_document();

}  // namespace quantd::app
