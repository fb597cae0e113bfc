// The KIS REST envelope (PROTOCOL §3.3) and request-field reading (§3.1): how every answer of the
// mock is shaped, and how it reads headers, query parameters and upper-case POST bodies.
//
// Answers follow the examples in shared/kis/examples byte for byte in field names and order:
// `rt_cd` "0" success / other failure, an 8-char `msg_cd`, a Korean `msg1`, then `output`,
// `output1`/`output2` and the paging keys. Gateway errors (EGW...) are HTTP 500 with the same
// envelope; tokenP errors are HTTP 403 with an OAuth body `error_code`/`error_description`.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "quantd/http/request.h"
#include "quantd/http/response.h"

namespace quantd::kis_mock {

// Field order matters to a reader comparing with the examples, so answers keep insertion order.
using Json = nlohmann::ordered_json;

// The Korean message the mock sends with `msg_cd` (the real one where PROTOCOL.md quotes it; a
// documented invention otherwise, see README.md "Codes"). "" for an unknown code.
std::string message_for(std::string_view msg_cd);

// The text KIS sends on the paper host for a real-only TR id (PROTOCOL §1, §9).
inline constexpr std::string_view kNotPaperTr = "모의투자 TR 이 아닙니다.";

// `body` as `application/json; charset=UTF-8` with HTTP `status`.
http::Response kis_json(int status, const Json& body);

// {"rt_cd": rt_cd, "msg_cd": msg_cd, "msg1": msg1} (msg1 = message_for(msg_cd) when empty).
Json envelope(std::string_view rt_cd, std::string_view msg_cd, std::string_view msg1 = {});

// Appends the envelope fields (rt_cd, msg_cd, msg1) to `body` after what it holds, as the
// quotation and inquiry examples order them.
void append_envelope(Json& body, std::string_view rt_cd, std::string_view msg_cd);

// An error answer: the envelope with rt_cd "1" and HTTP `status` (500 for gateway codes, 200 for
// business rejections).
http::Response kis_error(int status, std::string_view msg_cd, std::string_view msg1 = {});

// A malformed or missing input field, as KIS answers it: HTTP 200, rt_cd "2", msg_cd OPSQ2001,
// msg1 "ERROR : INPUT INVALID_CHECK_<FIELD>" (observed for INQR_DVSN, python-kis issue #81).
http::Response input_error(std::string_view field);

// The tokenP/revokeP/Approval error body: HTTP 403 {"error_code", "error_description"}.
http::Response oauth_error(std::string_view code);

// Sets the response headers KIS sends: `tr_id` (echo) and `tr_cont` (paging flag, may be "").
void set_kis_headers(http::Response& response, std::string_view tr_id, std::string_view tr_cont);

// The query parameter `name`, compared case-insensitively (the server accepts lower-case
// quotation keys, PROTOCOL §3.1); nullopt when absent.
std::optional<std::string> query_param(const http::Request& request, std::string_view name);

// A POST body of a /uapi call: a JSON object whose keys are all upper-case and whose values are
// all strings (PROTOCOL §3.1). On success `fields` holds it. Otherwise the answer to send: a body
// that is not a JSON object is a gateway error (500 EGW00101); a lower-case key or a non-string
// value is an input error naming that key (a lower-case key is one the server does not find).
std::optional<http::Response> parse_upper_body(const http::Request& request,
                                               std::map<std::string, std::string>& fields);

// Money and quantities as KIS prints them: decimal integers; fixed(v, d) with d decimals.
std::string num(std::int64_t value);
std::string fixed(double value, int decimals);
// `text` right-padded with spaces to `width` bytes (continuation keys are 100 wide).
std::string pad_right(std::string text, std::size_t width);
// "YYYYMMDD" and "HHMMSS" of a moment in KST.
std::string kst_date(std::int64_t ts_ms);
std::string kst_time(std::int64_t ts_ms);

}  // namespace quantd::kis_mock
