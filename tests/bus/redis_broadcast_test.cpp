#include "quantd/bus/redis_broadcast.h"

#include <doctest/doctest.h>

#include <thread>

#include "quantd/bus/message_codec.h"
#include "redis_process.h"

namespace quantd::bus {
namespace {

using namespace std::chrono_literals;

RedisEndpoint endpoint_of(const test::RedisProcess& redis) {
  auto endpoint = parse_redis_url(redis.url());
  REQUIRE(endpoint.ok());
  return *endpoint;
}

std::vector<StrategyCommand> commands(const std::vector<StreamEntry>& entries) {
  std::vector<StrategyCommand> out;
  for (const StreamEntry& entry : entries) {
    auto command = decode_as<StrategyCommand>(entry.fields);
    REQUIRE(command.ok());
    out.push_back(*command);
  }
  return out;
}

}  // namespace

TEST_CASE("a broadcast reaches every reader, from the moment it started") {
  test::RedisProcess redis;
  const BroadcastOptions options{"quantd:ctl"};
  RedisConnection api_connection(endpoint_of(redis)), a_connection(endpoint_of(redis)),
      b_connection(endpoint_of(redis));
  RedisBroadcast api(api_connection, options), reader_a(a_connection, options),
      reader_b(b_connection, options);

  REQUIRE(api.publish(encode(StrategyCommand{1, StrategyCommand::Kind::kActivate})).ok());
  REQUIRE(reader_a.seek_to_end().ok());  // booted after the first command: reloads it from the db
  REQUIRE(reader_b.seek_to_end().ok());
  REQUIRE(api.publish(encode(StrategyCommand{3, StrategyCommand::Kind::kActivate})).ok());
  REQUIRE(api.publish(encode(StrategyCommand{4, StrategyCommand::Kind::kDeactivate})).ok());

  for (RedisBroadcast* reader : {&reader_a, &reader_b}) {
    auto entries = reader->read(500ms);
    INFO(entries.status().message());
    REQUIRE(entries.ok());
    const auto got = commands(*entries);
    REQUIRE(got.size() == 2);
    CHECK(got[0].strategy_id == 3);
    CHECK(got[0].kind == StrategyCommand::Kind::kActivate);
    CHECK(got[1].strategy_id == 4);
    CHECK(got[1].kind == StrategyCommand::Kind::kDeactivate);
    CHECK(reader->position() == entries->back().id);
    auto nothing_new = reader->read(0ms);
    REQUIRE(nothing_new.ok());
    CHECK(nothing_new->empty());
  }

  // A reader waiting in XREAD BLOCK wakes for a command published meanwhile.
  Result<std::vector<StreamEntry>> woke = std::vector<StreamEntry>{};
  std::thread waiting([&] { woke = reader_a.read(3000ms); });
  std::this_thread::sleep_for(200ms);
  REQUIRE(api.publish(encode(StrategyCommand{5, StrategyCommand::Kind::kActivate})).ok());
  waiting.join();
  REQUIRE(woke.ok());
  REQUIRE(woke->size() == 1);
  CHECK(commands(*woke)[0].strategy_id == 5);
  // The other reader still gets it on its next read.
  auto late = reader_b.read(500ms);
  REQUIRE(late.ok());
  REQUIRE(late->size() == 1);
  CHECK(commands(*late)[0].strategy_id == 5);
}

}  // namespace quantd::bus
