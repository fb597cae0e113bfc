#include "quantd/http/request_guard.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <boost/asio/ip/address.hpp>

#include "quantd/http/router.h"
#include "text_internal.h"

namespace quantd::http {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = detail::ascii_lower(c);
  return out;
}

// "host[:port]" split; the host lowercased, IPv6 kept in brackets. nullopt when malformed.
struct Authority {
  std::string host;
  std::optional<std::uint16_t> port;
};

std::optional<Authority> parse_authority(std::string_view text) {
  Authority out;
  std::string_view rest;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = lower(text.substr(0, close + 1));
    rest = text.substr(close + 1);
  } else {
    const auto colon = text.find(':');
    out.host = lower(text.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (out.host.empty()) return std::nullopt;
  for (char c : out.host) {
    // Names, IPv4 and bracketed IPv6 only: no userinfo, path, spaces or controls.
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == ':' || c == '[' || c == ']' || c == '_';
    if (!ok) return std::nullopt;
  }
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return std::nullopt;
    unsigned value = 0;
    for (char c : rest.substr(1)) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return std::nullopt;
    out.port = static_cast<std::uint16_t>(value);
  }
  return out;
}

Response refuse(int status, std::string title, std::string detail) {
  return problem(status, std::move(title), std::move(detail));
}

// The media type of a Content-Type value: before any ';', trimmed, lowercased.
std::string media_type(std::string_view value) {
  return lower(detail::trim_ows(value.substr(0, value.find(';'))));
}

// Counts the headers named `name` and returns the first one's value.
std::size_t count_header(const Request& request, std::string_view name, std::string_view* first) {
  std::size_t n = 0;
  for (const auto& [key, value] : request.headers) {
    if (!detail::iequals(key, name)) continue;
    if (n++ == 0 && first) *first = value;
  }
  return n;
}

// Who sent `request`: the bearer token, then the session cookie, is tried only when credentials
// are configured at all.
Caller identify(const Request& request, const GuardConfig& config) {
  const bool token_set = !config.auth_token.empty();
  const bool required = token_set || (config.sessions && config.sessions->required());
  if (!required) return Caller{};
  if (token_set) {
    constexpr std::string_view kScheme = "Bearer ";
    const auto given = request.header("Authorization");
    if (given && given->size() > kScheme.size() &&
        detail::iequals(given->substr(0, kScheme.size()), kScheme) &&
        secret_equals(detail::trim_ows(given->substr(kScheme.size())), config.auth_token)) {
      return Caller{Caller::Via::kToken, 0};
    }
  }
  if (config.sessions) {
    if (const auto cookie = cookie_value(request, kSessionCookie); cookie && !cookie->empty()) {
      if (const auto id = config.sessions->session_for(*cookie)) {
        return Caller{Caller::Via::kSession, *id};
      }
    }
  }
  return Caller{Caller::Via::kAnonymous, 0};
}

}  // namespace

bool host_allowed(std::string_view authority, const GuardConfig& config) {
  const auto given = parse_authority(authority);
  if (!given) return false;
  const bool port_ok = !given->port || *given->port == config.port;
  if (given->host == "localhost" || given->host == "127.0.0.1" || given->host == "[::1]") {
    return port_ok;
  }
  // The listen address itself, when it is one concrete IP: a rebinding page cannot send an IP
  // literal as its Host, so this name is as safe as the loopback ones.
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(config.listen_host, ec);
  if (!ec && !address.is_unspecified()) {
    std::string own = address.to_string();
    if (address.is_v6()) own = std::string(1, '[').append(own).append(1, ']');
    if (given->host == own) return port_ok;
  }
  for (const std::string& entry : config.hosts) {
    const auto want = parse_authority(entry);
    if (!want || want->host != given->host) continue;
    if (want->port ? given->port == want->port : port_ok) return true;
  }
  return false;
}

bool secret_equals(std::string_view given, std::string_view expected) {
  unsigned char a[SHA256_DIGEST_LENGTH];
  unsigned char b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(given.data()), given.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(expected.data()), expected.size(), b);
  return CRYPTO_memcmp(a, b, sizeof a) == 0;
}

std::optional<std::string_view> cookie_value(const Request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (!detail::iequals(key, "Cookie")) continue;
    // "a=1; b=2" (RFC 6265 §4.2.1); a name is matched exactly, as browsers send it.
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      const std::string_view pair = detail::trim_ows(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const std::size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
        std::string_view v = pair.substr(eq + 1);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        return v;
      }
    }
  }
  return std::nullopt;
}

std::optional<Response> check_request(Request& request, bool has_body, const GuardConfig& config,
                                      const Router& router) {
  // 1. Host.
  std::string_view host;
  const std::size_t hosts = count_header(request, "Host", &host);
  if (hosts != 1) {
    return refuse(400, "Bad Request",
                  hosts == 0 ? "The request has no Host header."
                             : "The request has more than one Host header.");
  }
  host = detail::trim_ows(host);
  if (!host_allowed(host, config)) {
    return refuse(421, "Misdirected Request",
                  "This server does not answer to the name in the Host header; add it to "
                  "server.hosts if it is one of this server's names.");
  }

  // 2. Cross-site.
  const bool changes_state = detail::changes_state(request.method);
  if (changes_state) {
    if (const auto origin = request.header("Origin")) {
      const std::string value = lower(detail::trim_ows(*origin));
      std::string_view rest = value;
      bool ok = false;
      if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
        ok = true;
      } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        ok = true;
      }
      if (!ok || !host_allowed(rest, config)) {
        return refuse(403, "Forbidden",
                      "Cross-origin request refused: the Origin header is not this server's own "
                      "origin.");
      }
    }
  }
  if (changes_state || detail::is_api_path(request.path)) {
    if (const auto site = request.header("Sec-Fetch-Site")) {
      const std::string value = lower(detail::trim_ows(*site));
      if (value != "same-origin" && value != "none") {
        return refuse(403, "Forbidden",
                      "Cross-site request refused: Sec-Fetch-Site is '" + value.substr(0, 32) +
                          "', and this server accepts only same-origin requests.");
      }
    }
  }

  // 3. Credentials.
  const std::optional<RouteOptions> route = router.options_for(request);
  // A route outside /api (GET /metrics) is not a UI file: it needs credentials like the API.
  const bool ui_file = !route && !detail::is_api_path(request.path) &&
                       (request.method == "GET" || request.method == "HEAD");
  if (!ui_file) {
    request.caller = identify(request, config);
    if (!request.caller.authorized() && !(route && route->open)) {
      Response r = refuse(401, "Unauthorized",
                          "This server requires a login or an API token: log in from the UI, or "
                          "send the header 'Authorization: Bearer <token>'.");
      r.set_header("WWW-Authenticate", "Bearer");
      return r;
    }
  }

  // 4. Content type.
  if (changes_state && route && !route->accepts.empty()) {
    const auto type = request.header("Content-Type");
    if (has_body || type) {
      const std::string given = type ? media_type(*type) : std::string();
      if (given != lower(route->accepts)) {
        return refuse(
            415, "Unsupported Media Type",
            request.method + " " + request.path + " takes " + route->accepts +
                "; the request sent " +
                (given.empty() ? std::string("no Content-Type")
                               : std::string(1, '\'').append(given, 0, 64).append(1, '\'')) +
                ".");
      }
    }
  }
  return std::nullopt;
}

}  // namespace quantd::http
