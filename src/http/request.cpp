#include "quantd/http/request.h"

#include "text_internal.h"

namespace quantd::http {

std::string Caller::actor() const {
  switch (via) {
    case Via::kUnguarded:
      return "loopback";
    case Via::kAnonymous:
      return "anonymous";
    case Via::kToken:
      return "token";
    case Via::kSession:
      return "session " + std::to_string(session);
  }
  return "anonymous";
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (detail::iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string Request::param(std::string_view name) const {
  // std::map<std::string, std::string> has no heterogeneous lookup; params are few.
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> url_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;  // truncated escape
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Result<Request> make_request(std::string method, std::string target, std::string body) {
  if (target.empty() || target.front() != '/') {
    return Status::invalid_argument("The request target must be a path starting with '/'.");
  }
  const std::size_t qmark = target.find('?');
  const std::string_view raw_path = std::string_view(target).substr(0, qmark);
  auto path = url_decode(raw_path, /*plus_is_space=*/false);
  if (!path) return Status::invalid_argument("The request path has a malformed %-escape.");
  if (path->find('\0') != std::string::npos) {
    return Status::invalid_argument("The request path contains a NUL byte.");
  }

  Request request;
  if (qmark != std::string::npos) {
    std::string_view rest = std::string_view(target).substr(qmark + 1);
    // A fragment is never sent by browsers, but tolerate one.
    rest = rest.substr(0, rest.find('#'));
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      const std::size_t eq = pair.find('=');
      auto key = url_decode(pair.substr(0, eq), /*plus_is_space=*/true);
      auto value =
          url_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1),
                     /*plus_is_space=*/true);
      if (!key || !value) {
        return Status::invalid_argument("The query string has a malformed %-escape.");
      }
      request.query.emplace(std::move(*key), std::move(*value));  // first occurrence wins
    }
  }
  request.method = std::move(method);
  request.target = std::move(target);
  request.path = std::move(*path);
  request.body = std::move(body);
  return request;
}

}  // namespace quantd::http
