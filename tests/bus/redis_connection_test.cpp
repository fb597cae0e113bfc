#include "quantd/bus/redis_connection.h"

#include <doctest/doctest.h>

#include "redis_process.h"

namespace quantd::bus {

TEST_CASE("redis URLs name a host, a port and a database") {
  auto full = parse_redis_url("redis://10.0.0.5:6380/2");
  REQUIRE(full.ok());
  CHECK(full->host == "10.0.0.5");
  CHECK(full->port == 6380);
  CHECK(full->database == 2);
  CHECK(full->to_string() == "redis://10.0.0.5:6380/2");

  auto bare = parse_redis_url("redis://redis.lan");
  REQUIRE(bare.ok());
  CHECK(bare->port == 6379);
  CHECK(bare->database == 0);
  CHECK(parse_redis_url("redis://redis.lan/").ok());

  for (const char* bad : {"http://h:1", "rediss://h:1", "redis://", "redis://:6379", "redis://h:0",
                          "redis://h:65536", "redis://h:x", "redis://h/16", "redis://h?db=1",
                          "redis://h o:1", "redis://user:hunter2@h:1"}) {
    auto parsed = parse_redis_url(bad);
    INFO(bad);
    CHECK_FALSE(parsed.ok());
    CHECK(parsed.status().code() == StatusCode::kInvalidArgument);
    // A password in a URL never comes back in the error.
    CHECK(parsed.status().message().find("hunter2") == std::string::npos);
  }
}

TEST_CASE("error replies are replies, recognised by their code") {
  RedisReply busy{RedisReply::Type::kError, "BUSYGROUP Consumer Group name already exists", 0, {}};
  CHECK(busy.is_error_code("BUSYGROUP"));
  CHECK_FALSE(busy.is_error_code("BUSY"));
  CHECK_FALSE(busy.is_error_code("NOGROUP"));
  RedisReply text{RedisReply::Type::kString, "BUSYGROUP", 0, {}};
  CHECK_FALSE(text.is_error_code("BUSYGROUP"));
}

TEST_CASE("a server that is not there is unavailable, with its address and no payload") {
  // Port 1 on loopback: nothing listens there, the connect is refused at once.
  RedisConnection connection(RedisEndpoint{"127.0.0.1", 1, 0});
  auto reply = connection.command({"XADD", "quantd:test", "*", "token", "s3cret-value"});
  REQUIRE_FALSE(reply.ok());
  CHECK(reply.status().code() == StatusCode::kUnavailable);
  CHECK(reply.status().message().find("redis://127.0.0.1:1/0") != std::string::npos);
  CHECK(reply.status().message().find("s3cret-value") == std::string::npos);
  CHECK_FALSE(connection.connected());
  // Within the backoff the connection does not even try.
  auto again = connection.command({"PING"});
  CHECK(again.status().code() == StatusCode::kUnavailable);
  CHECK(connection.command({}).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("commands are binary-safe, and a reply that never comes is unavailable") {
  test::RedisProcess redis;
  auto endpoint = parse_redis_url(redis.url());
  REQUIRE(endpoint.ok());
  RedisOptions options;
  options.command_timeout = std::chrono::milliseconds(300);
  RedisConnection connection(*endpoint, options);
  REQUIRE(connection.connect().ok());

  auto pong = connection.command({"PING"});
  REQUIRE(pong.ok());
  CHECK(pong->type == RedisReply::Type::kStatus);
  CHECK(pong->text == "PONG");

  const std::string awkward("a\0b\r\n*3 %s", 10);  // NUL, CRLF, a format directive
  REQUIRE(connection.command({"SET", "k", awkward}).ok());
  auto back = connection.command({"GET", "k"});
  REQUIRE(back.ok());
  CHECK(back->text == awkward);
  auto missing = connection.command({"GET", "nothing-here"});
  REQUIRE(missing.ok());
  CHECK(missing->is_nil());
  auto refused = connection.command({"XGROUP", "CREATE", "k", "g", "0"});  // k is no stream
  REQUIRE(refused.ok());  // the server answered: an error reply, the connection is fine
  CHECK(refused->is_error());
  CHECK(connection.connected());

  // The server holds the reply for 1 s, longer than the 300 ms socket timeout.
  auto slow = connection.command({"XREAD", "BLOCK", "1000", "STREAMS", "s", "$"});
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.status().code() == StatusCode::kUnavailable);
  CHECK(slow.status().message().find("no reply within 300 ms") != std::string::npos);
  CHECK_FALSE(connection.connected());
  auto again = connection.command({"PING"});  // reconnects at once
  REQUIRE(again.ok());
  CHECK(again->text == "PONG");
}

}  // namespace quantd::bus
