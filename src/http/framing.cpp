#include "framing_internal.h"
#include "text_internal.h"

namespace quantd::http::detail {

RawHeaderVerdict check_raw_header(std::string_view data, std::size_t target_limit,
                                  std::size_t header_limit) {
  RawHeaderVerdict verdict;
  const std::size_t line_end = data.find("\r\n");
  const std::string_view line = data.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line_end == std::string_view::npos ? line.size() : line.rfind(' ');
  const std::size_t target_length =
      first_space == std::string_view::npos || last_space <= first_space
          ? line.size()
          : last_space - first_space - 1;
  if (target_length > target_limit) {
    verdict.kind = RawHeaderVerdict::Kind::kRefuse;
    verdict.refusal = problem(414, "URI Too Long",
                              "The request target is longer than the limit of " +
                                  std::to_string(target_limit) + " bytes.");
    return verdict;
  }
  const std::size_t end = data.find("\r\n\r\n");
  bool bare_lf = false;
  for (std::size_t i = 0; i < data.size() && !bare_lf; ++i) {
    bare_lf = data[i] == '\n' && (i == 0 || data[i - 1] != '\r');
  }
  if (end == std::string_view::npos && !bare_lf && data.size() <= header_limit) return verdict;
  // Complete (or malformed, or too large: Beast names the error).
  const std::string_view header = data.substr(0, end == std::string_view::npos ? 0 : end + 2);
  if (header.find("\r\n ") != std::string_view::npos ||
      header.find("\r\n\t") != std::string_view::npos) {
    verdict.kind = RawHeaderVerdict::Kind::kRefuse;
    verdict.refusal = problem(400, "Bad Request",
                              "The request header has a folded line (obs-fold, RFC 9112 §5.2); "
                              "send each header on one line.");
    return verdict;
  }
  verdict.kind = RawHeaderVerdict::Kind::kParse;
  return verdict;
}

std::string ambiguous_framing(const boost::beast::http::request_header<>& m) {
  std::size_t lengths = 0;
  std::size_t codings = 0;
  std::string_view coding;
  for (const auto& field : m) {
    if (iequals(field.name_string(), "Content-Length")) {
      // A list ("31, 31") is one more way to say the length twice (RFC 9112 §6.3 lets a
      // recipient refuse it); one plain number only.
      if (field.value().find(',') != std::string_view::npos) {
        return "Content-Length must be one number, not a list.";
      }
      ++lengths;
    }
    if (iequals(field.name_string(), "Transfer-Encoding")) {
      if (codings++ == 0) coding = field.value();
    }
  }
  if (lengths > 1) return "The request has more than one Content-Length header.";
  if (codings == 0) return {};
  if (m.version() < 11) return "An HTTP/1.0 request cannot use Transfer-Encoding.";
  if (lengths > 0) return "The request has both Transfer-Encoding and Content-Length.";
  if (codings > 1 || !iequals(trim_ows(coding), "chunked")) {
    return "Transfer-Encoding must be exactly 'chunked' (no other or further codings).";
  }
  return {};
}

}  // namespace quantd::http::detail
