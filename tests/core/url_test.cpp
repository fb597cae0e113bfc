#include "quantd/core/url.h"

#include <doctest/doctest.h>

using namespace quantd;

TEST_CASE("url: scheme, host, port and target are taken apart") {
  auto u = parse_url("https://api.telegram.org/bot123:ABC/sendMessage");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "api.telegram.org");
  CHECK(u->port == 443);
  CHECK(u->target == "/bot123:ABC/sendMessage");
  CHECK(u->origin() == "https://api.telegram.org:443");
  CHECK(u->host_header() == "api.telegram.org");

  u = parse_url("HTTP://127.0.0.1:8081?x=1#frag");
  REQUIRE(u.ok());
  CHECK(u->scheme == "http");
  CHECK(u->port == 8081);
  CHECK(u->target == "/?x=1");
  CHECK(u->host_header() == "127.0.0.1:8081");

  u = parse_url("http://Example.COM");
  REQUIRE(u.ok());
  CHECK(u->host == "example.com");
  CHECK(u->target == "/");
  CHECK(u->port == 80);

  u = parse_url("https://[::1]:8443/hook");
  REQUIRE(u.ok());
  CHECK(u->host == "::1");
  CHECK(u->port == 8443);
  CHECK(u->origin() == "https://[::1]:8443");
  CHECK(u->host_header() == "[::1]:8443");
}

TEST_CASE("url: malformed URLs are refused without repeating their path or query") {
  auto refused = [](const char* text, const char* expected) {
    auto u = parse_url(text);
    INFO(text);
    REQUIRE_FALSE(u.ok());
    CHECK(u.status().code() == StatusCode::kInvalidArgument);
    INFO(u.status().message());
    CHECK(u.status().message().find(expected) != std::string::npos);
    CHECK(u.status().message().find("s3cret") == std::string::npos);
  };
  refused("ftp://host/s3cret", "must start with http:// or https://");
  refused("api.telegram.org/bots3cret", "must be absolute");
  refused("https:///s3cret", "has no host");
  refused("https://user:s3cret@host/", "user name or password");
  refused("https://host:0/s3cret", "port '0' is not a number from 1 to 65535");
  refused("https://host:70000/s3cret", "is not a number from 1 to 65535");
  refused("https://host:x1/s3cret", "is not a number");
  refused("https://host:/s3cret", "empty port");
  refused("https://ho%73t/s3cret", "host with characters");
  refused("https://host/s3cret path", "space or control character");
  refused("https://[::1/s3cret", "closing ']'");
  refused("https://[zz]/s3cret", "malformed IPv6");
  refused("", "must be absolute");
}
