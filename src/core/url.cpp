#include "quantd/core/url.h"

#include <algorithm>
#include <cctype>

namespace quantd {
namespace {

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Status bad(std::string what) { return Status::invalid_argument("URL " + std::move(what)); }

}  // namespace

std::string Url::origin() const {
  return scheme + "://" + (host_is_ipv6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::host_header() const {
  const std::string h = host_is_ipv6() ? "[" + host + "]" : host;
  const std::uint16_t standard = https() ? 443 : 80;
  return port == standard ? h : h + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("contains a space or control character");
    }
  }
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return bad("must be absolute and start with http:// or https://");
  }
  Url url;
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") {
    return bad("must start with http:// or https://, not " + url.scheme + "://");
  }
  std::string_view rest = text.substr(sep + 3);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto path_at = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_at);
  // "http://host" asks for "/", "http://host?q" for "/?q". (Built by push_back and append:
  // GCC 12's -Wrestrict misfires on assigning a literal here.)
  if (path_at == std::string_view::npos || rest[path_at] == '?') url.target.push_back('/');
  if (path_at != std::string_view::npos) url.target.append(rest.substr(path_at));

  if (authority.find('@') != std::string_view::npos) {
    return bad("must not hold a user name or password (send credentials in a header)");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an IPv6 host without its closing ']'");
    url.host = std::string(authority.substr(1, close - 1));
    const bool v6 = !url.host.empty() && std::all_of(url.host.begin(), url.host.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
    });
    if (!v6) return bad("has a malformed IPv6 host");
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("has characters after its IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("has an empty port");
    }
  } else {
    const auto colon = authority.find(':');
    url.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("has an empty port");
    }
    if (!std::all_of(url.host.begin(), url.host.end(), is_host_char)) {
      return bad("has a host with characters other than letters, digits, '.', '-' and '_'");
    }
  }
  if (url.host.empty()) return bad("has no host");
  url.port = url.https() ? 443 : 80;
  if (!port_text.empty()) {
    const bool digits =
        port_text.size() <= 5 && std::all_of(port_text.begin(), port_text.end(),
                                             [](unsigned char c) { return std::isdigit(c) != 0; });
    const long port = digits ? std::stol(std::string(port_text)) : 0;
    if (port < 1 || port > 65535) {
      return bad("port '" + std::string(port_text) + "' is not a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

}  // namespace quantd
