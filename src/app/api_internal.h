// Shared helpers of the API handlers (strategy_api.cpp, bars_api.cpp, backtest_api.cpp): reading
// JSON bodies and fields with precise errors, and turning Status values into problem responses.
// Not part of any public contract.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/app/api.h"
#include "quantd/core/status.h"
#include "quantd/domain/bar.h"
#include "quantd/http/request.h"
#include "quantd/http/response.h"
#include "quantd/storage/strategy_repository.h"
#include "quantd/strategy/registry.h"

namespace quantd::app::api {

using nlohmann::json;

// Validation failures collected while reading a request, reported together as one 422.
class Errors {
 public:
  void add(std::string field, std::string message) {
    list_.push_back({{"field", std::move(field)}, {"message", std::move(message)}});
  }
  bool empty() const { return list_.empty(); }
  const json& list() const { return list_; }

 private:
  json list_ = json::array();
};

// The 422 problem for `errors`; `detail` defaults to a summary naming the first error.
http::Response validation_failed(const Errors& errors, std::string detail = {});

// Maps a Status to a problem: invalid_argument 422, not_found 404, already_exists and
// failed_precondition 409, resource_exhausted 429 (with Retry-After), unavailable 503; anything
// else 500 with a generic detail (the real message is logged, never sent).
http::Response from_status(const Status& status);

// The request body parsed as a JSON object, or the problem to answer: 400 for malformed JSON,
// an empty body or a JSON value that is not an object.
struct JsonBody {
  json value;
  std::optional<http::Response> problem;
};
JsonBody read_json_object(const http::Request& request);

// 507 Insufficient Storage when ctx.storage_full names a reason (new stored work is refused
// before anything is read or written); nullopt when there is room.
std::optional<http::Response> storage_refusal(const ApiContext& ctx);

// A positive integer id from a path parameter; nullopt when malformed.
std::optional<std::int64_t> parse_id(std::string_view text);
// 404 "no <what> with id '<text>'" for a malformed or unknown id.
http::Response no_such(std::string_view what, std::string_view text);

// Field readers: each returns the value when present and valid; when absent returns nullopt
// (and records "is required" if `required`); when of the wrong type or out of range records an
// error and returns nullopt.
std::optional<std::string> read_string(const json& body, const char* field, Errors& errors,
                                       bool required, std::size_t max_length,
                                       bool allow_empty = true);
std::optional<double> read_number(const json& body, const char* field, Errors& errors,
                                  bool required, double min, double max);
std::optional<std::int64_t> read_integer(const json& body, const char* field, Errors& errors,
                                         bool required, std::int64_t min, std::int64_t max);
std::optional<bool> read_bool(const json& body, const char* field, Errors& errors);
std::optional<std::vector<domain::Symbol>> read_symbols(const json& body, const char* field,
                                                        Errors& errors, bool required);
std::optional<domain::Interval> read_interval(const json& body, const char* field, Errors& errors);
// A JSON object of finite numbers ({"fast": 10}); names 1..64 chars of [A-Za-z0-9_].
std::optional<strategy::Params> read_params(const json& body, const char* field, Errors& errors);
// A date or date-time string parse_timestamp() accepts; returned as given.
std::optional<std::string> read_time(const json& body, const char* field, Errors& errors);

json params_json(const strategy::Params& params);

// A backtest request's common fields checked against the stored strategy and data: what a
// backtest (POST /api/backtests) or a sweep (POST /api/sweeps) runs with.
struct PreparedRun {
  storage::StrategyRecord strategy;
  json settings;                      // as backtests.settings stores it
  strategy::Params params;            // every parameter, defaults included
  std::vector<std::string> declared;  // the parameters the strategy declares
  std::vector<domain::Symbol> symbols;
  domain::Interval interval = domain::Interval::k1d;
  std::optional<TimestampMs> from;  // the range asked for, `to` inclusive
  std::optional<TimestampMs> to;
};
// Reads the backtest fields of `body` (plus `extra_fields`, which the caller reads). Problems
// with the request go to `errors`; a server-side failure sets `problem`; either way nullopt.
std::optional<PreparedRun> prepare_run(const ApiContext& ctx, const json& body,
                                       const std::set<std::string>& extra_fields, Errors& errors,
                                       std::optional<http::Response>& problem);
json symbols_json(const std::vector<domain::Symbol>& symbols);

// The header a successful POST /api/login answers with: the new session's id (its handle).
inline constexpr std::string_view kSessionIdHeader = "X-Quantd-Session";

// A handler of the API: the context and the request in, the response out.
using ApiHandler = http::Response (*)(const ApiContext& ctx, const http::Request& request);

// Registers `handler` on (method, pattern), wrapped by `guard`; `options` declares what the
// route takes (a JSON body unless it says otherwise).
inline void add_route(http::Router& router, const char* method, const char* pattern,
                      const ApiContext& ctx, const HandlerGuard& guard, ApiHandler handler,
                      http::RouteOptions options = {}) {
  router.add(method, pattern,
             guard([ctx, handler](const http::Request& request) { return handler(ctx, request); }),
             std::move(options));
}

// Registration of each route group (one per source file).
void register_strategy_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_bars_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_backtest_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_debug_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_live_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_demo_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_auth_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_audit_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);
void register_sweep_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard);

// Stores the sample data set (idempotent) and announces it; the list of series stored.
Result<json> store_sample_data(const ApiContext& ctx);

}  // namespace quantd::app::api
