// Url: an absolute http:// or https:// URL taken apart, for quantd's outbound requests
// (http/client.h) and for validating the URLs a config names.
//
// Secrets travel in URLs: a Telegram bot token is part of the path, a chat webhook's key part of
// its path or query. So the path and query of a URL are never put in a message: parse errors
// name only what is wrong, and origin() (scheme, host and port) is the only form fit for logs and
// errors. Pure functions and value types; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "quantd/core/status.h"

namespace quantd {

struct Url {
  std::string scheme;      // "http" or "https" (lower case)
  std::string host;        // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 0;  // as given, else 80 for http and 443 for https
  std::string target;      // path and query, "/" when the URL has neither; no fragment

  bool https() const { return scheme == "https"; }
  bool host_is_ipv6() const { return host.find(':') != std::string::npos; }
  // "https://api.telegram.org:443": the part of the URL safe to log.
  std::string origin() const;
  // The Host header's value: the host (bracketed if IPv6), with ":port" unless it is the
  // scheme's default.
  std::string host_header() const;
};

// Parses an absolute URL "http[s]://host[:port][/path][?query][#fragment]" (the fragment is
// dropped). Errors, invalid_argument with a sentence that never repeats the path or query: a
// scheme other than http or https, no host, a user name or password in the URL (credentials go
// in a header), a port that is not 1..65535, a host with characters outside [A-Za-z0-9.-_] (or
// a malformed [IPv6] literal), spaces or control characters anywhere.
Result<Url> parse_url(std::string_view text);

}  // namespace quantd
