// The strict framing checks a request passes before Beast's parser and the RequestGuard see it
// (internal to http). Pure functions of the bytes read so far, so the server and the HTTP fuzzer
// (fuzz/http_fuzzer.cpp) run exactly the same checks.
#pragma once

#include <boost/beast/http.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "quantd/http/response.h"

namespace quantd::http::detail {

// What the bytes buffered so far say about a request's header.
struct RawHeaderVerdict {
  enum class Kind {
    kNeedMore,  // incomplete and within the limits: read more
    kParse,     // complete, or malformed or too large in a way Beast's parser names: parse it
    kRefuse,    // refused before parsing: `refusal` is the answer
  };
  Kind kind = Kind::kNeedMore;
  std::optional<Response> refusal;
};

// Checks the raw bytes of a request's header as they accumulate: a request target longer than
// `target_limit` answers 414 (not Beast's 431), and a folded header line (obs-fold, which Beast
// would silently unfold) answers 400.
RawHeaderVerdict check_raw_header(std::string_view data, std::size_t target_limit,
                                  std::size_t header_limit);

// Framing Beast accepts but that two parsers could read differently (request smuggling behind a
// proxy): more than one Content-Length, Transfer-Encoding on HTTP/1.0, with Content-Length, or
// other than exactly `chunked`. The reason to refuse, or empty when the header is unambiguous.
std::string ambiguous_framing(const boost::beast::http::request_header<>& header);

}  // namespace quantd::http::detail
