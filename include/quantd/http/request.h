// Request: one parsed HTTP request as handlers see it, free of Beast and Asio.
//
// A Request is a plain value. The server fills it from the wire; tests build one with
// make_request() and call Router::handle() directly, without any I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantd/core/status.h"

namespace quantd::http {

// Who sent a request, as the RequestGuard (request_guard.h) established it before routing.
struct Caller {
  enum class Via : std::uint8_t {
    kUnguarded,  // no credential is configured at all: every caller may act (loopback only)
    kAnonymous,  // credentials are configured and the request carried no valid one
    kToken,      // the bearer token
    kSession,    // a login session's cookie
  };
  Via via = Via::kUnguarded;
  std::int64_t session = 0;  // the session's id (its non-secret handle) when via is kSession

  // False only for kAnonymous: the caller may use every route, not just the open ones.
  bool authorized() const { return via != Via::kAnonymous; }
  // "loopback", "anonymous", "token" or "session <id>": how the audit log names the caller.
  std::string actor() const;
};

struct Request {
  std::string method;  // as sent, e.g. "GET"; methods are case-sensitive (RFC 9110 §9.1)
  std::string target;  // the raw request-target, e.g. "/api/bars/005930?from=2024-01-02"
  std::string path;    // target's path, percent-decoded, without the query
  std::map<std::string, std::string> query;  // decoded; '+' is a space; first occurrence wins
  std::vector<std::pair<std::string, std::string>> headers;  // in wire order
  std::string body;
  // For a route with RouteOptions::streams_body: the file the body was spooled to (body is then
  // empty), removed by the server once the handler returns. Empty otherwise.
  std::string body_file;
  std::string remote;  // the peer, "ip:port"; empty when not from the network
  std::map<std::string, std::string> params;  // path parameters, filled by the Router
  Caller caller;                              // filled by the RequestGuard

  // The value of the first header named `name`, compared case-insensitively; nullopt if absent.
  // The view points into this Request.
  std::optional<std::string_view> header(std::string_view name) const;

  // The path parameter `name` (e.g. "id" for "/api/strategies/{id}"), percent-decoded; an empty
  // string if the matched route has no such parameter.
  std::string param(std::string_view name) const;
};

// Decodes %XX escapes (and '+' as a space if plus_is_space). Returns nullopt on a truncated or
// non-hex escape. Pure, thread-safe.
std::optional<std::string> url_decode(std::string_view text, bool plus_is_space);

// Builds a Request from a method and an origin-form target ("/path?query"): fills target, path
// and query. Errors: InvalidArgument if the target does not start with '/', has a malformed %
// escape, or decodes to a path containing a NUL byte. Used by the server and by tests.
Result<Request> make_request(std::string method, std::string target, std::string body = {});

}  // namespace quantd::http
