// Response: what a handler returns, free of Beast and Asio, plus the helpers every handler uses.
//
// Errors are RFC 9457 problem documents (`application/problem+json`); see problem().
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantd/core/status.h"

namespace quantd::http {

// A body made piece by piece while it is written, for responses too large to build whole (a
// million-point equity curve is about 100 MB of JSON): memory stays at one piece per response.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Appends the next piece of the body to `out` (empty on entry; tens of kilobytes is a good
  // size). Returns true while more follows, false once the body is complete (`out` may hold its
  // last piece). An error cuts the response short: the status line is already sent, so the
  // server closes the connection without the final chunk (the client sees an incomplete body)
  // and logs the message. Called on the connection's strand, one call at a time, but possibly
  // from different threads; it may block briefly (a database read), as handlers do.
  virtual Result<bool> next(std::string& out) = 0;
};

struct Response {
  int status = 200;          // must be 100..599; anything else is sent as a 500
  std::string content_type;  // empty: no Content-Type header
  std::string body;          // dropped on the wire for HEAD, 1xx, 204 and 304
  // When set, the body comes from here instead of `body`: sent with chunked transfer coding
  // (HTTP/1.1) or up to the connection's close (HTTP/1.0), each piece under the server's
  // per-write timeout. Not read for HEAD, 1xx, 204 and 304.
  std::shared_ptr<BodyStream> stream;
  // Extra headers, sent in order. Content-Type, Content-Length and Connection are managed by the
  // server; set them here only through content_type.
  std::vector<std::pair<std::string, std::string>> headers;

  // Fault injection, for test doubles built on this server (tools/kis_mock); production handlers
  // leave both alone. `delay`: the server holds the response this long before writing it, on a
  // timer (no I/O thread is blocked). `close_without_reply`: the server writes nothing and closes
  // the connection, as a peer that crashed after reading the request would; status, headers and
  // body are ignored and the access log records status 0.
  std::chrono::milliseconds delay{0};
  bool close_without_reply = false;

  // The value of the first extra header named `name` (case-insensitive), or nullopt. The view
  // points into this Response.
  std::optional<std::string_view> header(std::string_view name) const;
  // Replaces every extra header named `name` (case-insensitive) with one `name: value`.
  Response& set_header(std::string name, std::string value);
};

// `body` serialized as `application/json`. Never throws: invalid UTF-8 in strings is replaced
// with U+FFFD.
Response json(int status, const nlohmann::json& body);

// An RFC 9457 problem document, `application/problem+json`:
//   {"type": "about:blank", "title": title, "status": status, "detail": detail,
//    "errors": [{"field": ..., "message": ...}]}
// `errors` is included only when it is a non-empty array; it is the list of validation failures,
// each an object with "field" and "message". `title` is the short, fixed summary of the status
// ("Not Found"); `detail` is a sentence the user can act on. Never throws.
Response problem(int status, std::string title, std::string detail,
                 nlohmann::json errors = nlohmann::json::array());

// `body` as-is with the given content type.
Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");

// A response whose body `stream` produces while it is written (see BodyStream).
Response streamed(int status, std::shared_ptr<BodyStream> stream, std::string content_type);

// A response with no body (e.g. 204).
Response empty(int status);

// The standard reason phrase for a status code ("Not Found"), or "Unknown Status".
std::string_view reason_phrase(int status);

}  // namespace quantd::http
