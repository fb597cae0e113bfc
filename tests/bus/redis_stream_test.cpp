// The Redis work queue against a real redis-server on 127.0.0.1 (redis_process.h), plus the
// reply parsing on hand-made replies.
#include "quantd/bus/redis_stream.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "quantd/bus/message_codec.h"
#include "redis_process.h"
#include "redis_stream_internal.h"

namespace quantd::bus {
namespace {

using namespace std::chrono_literals;
using test::RedisProcess;

RedisEndpoint endpoint_of(const RedisProcess& redis) {
  auto endpoint = parse_redis_url(redis.url());
  REQUIRE(endpoint.ok());
  return *endpoint;
}

RedisOptions quick() {
  RedisOptions options;
  options.connect_timeout = 500ms;
  options.command_timeout = 2500ms;
  return options;
}

WorkQueueOptions backtest_queue() {
  WorkQueueOptions options;
  options.stream = "quantd:backtest";
  return options;
}

std::string must_push(RedisWorkQueue& queue, const Fields& fields) {
  auto id = queue.push(fields);
  INFO(id.status().message());
  REQUIRE(id.ok());
  return *id;
}

StreamEntry must_pop(RedisWorkQueue& queue, const std::string& consumer) {
  auto entry = queue.pop(consumer, 500ms);
  INFO(entry.status().message());
  REQUIRE(entry.ok());
  REQUIRE(entry->has_value());
  return **entry;
}

std::int64_t stream_length(RedisConnection& connection, const std::string& stream) {
  auto reply = connection.command({"XLEN", stream});
  REQUIRE(reply.ok());
  return reply->integer;
}

RedisReply text(std::string s) { return {RedisReply::Type::kString, std::move(s), 0, {}}; }
RedisReply array(std::vector<RedisReply> elements) {
  return {RedisReply::Type::kArray, "", 0, std::move(elements)};
}
RedisReply nil() { return {}; }

}  // namespace

TEST_CASE("XAUTOCLAIM replies parse in both shapes, trimmed entries as no fields") {
  const RedisReply entries =
      array({array({text("5-0"), array({text("kind"), text("x")})}), array({text("6-0"), nil()})});
  auto old_shape = internal::parse_autoclaim(array({text("0-0"), entries}));  // Redis 6.2
  REQUIRE(old_shape.ok());
  CHECK(old_shape->cursor == "0-0");
  REQUIRE(old_shape->entries.size() == 2);
  CHECK(old_shape->entries[0].fields == Fields{{"kind", "x"}});
  CHECK_FALSE(old_shape->entries[1].fields.has_value());

  auto new_shape = internal::parse_autoclaim(array({text("7-0"), entries, array({text("4-0")})}));
  REQUIRE(new_shape.ok());  // Redis 7.0: the ids whose data was gone come third
  CHECK(new_shape->cursor == "7-0");
  CHECK(new_shape->deleted_ids == std::vector<std::string>{"4-0"});

  CHECK_FALSE(internal::parse_autoclaim(array({text("0-0")})).ok());
  CHECK_FALSE(internal::parse_autoclaim(text("OK")).ok());
  CHECK_FALSE(internal::parse_entries(array({array({text("5-0"), array({text("odd")})})})).ok());
}

TEST_CASE("stream ids compare by time, then sequence") {
  CHECK(internal::stream_id_less("9-5", "10-0"));
  CHECK(internal::stream_id_less("10-1", "10-2"));
  CHECK_FALSE(internal::stream_id_less("10-2", "10-2"));
  CHECK(internal::stream_id_less("junk", "0-0"));
  CHECK_FALSE(internal::parse_stream_id("12").has_value());
  CHECK_FALSE(internal::parse_stream_id("-1").has_value());
  CHECK_FALSE(internal::parse_stream_id("1-").has_value());
}

TEST_CASE("a group hands every entry to exactly one of two consumers") {
  RedisProcess redis;
  const RedisEndpoint endpoint = endpoint_of(redis);
  RedisConnection connection(endpoint, quick());
  RedisWorkQueue producer(connection, backtest_queue());
  constexpr int kCount = 300;

  std::atomic<int> handled{0};
  std::vector<std::int64_t> seen[2];
  std::string failures[2];
  auto consume = [&](int worker) {
    RedisConnection own(endpoint, quick());  // one connection per thread
    RedisWorkQueue queue(own, backtest_queue());
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (handled.load() < kCount && std::chrono::steady_clock::now() < deadline) {
      auto entry = queue.pop("worker-" + std::to_string(worker), 100ms);
      if (!entry.ok()) {
        failures[worker] += entry.status().message() + "\n";
        continue;
      }
      if (!entry->has_value()) continue;
      auto message = decode_as<RunBacktest>((*entry)->fields);
      if (message.ok()) seen[worker].push_back(message->backtest_id);
      auto acked = queue.ack((*entry)->id);
      if (!acked.ok() || !*acked) failures[worker] += "ack failed\n";
      ++handled;
    }
  };
  std::thread first(consume, 0), second(consume, 1);
  for (int i = 1; i <= kCount; ++i) must_push(producer, encode(RunBacktest{i, 0, false}));
  first.join();
  second.join();

  CHECK(failures[0] == "");
  CHECK(failures[1] == "");
  std::set<std::int64_t> first_ids(seen[0].begin(), seen[0].end());
  std::set<std::int64_t> second_ids(seen[1].begin(), seen[1].end());
  CHECK(first_ids.size() == seen[0].size());  // no entry twice to one consumer
  CHECK(second_ids.size() == seen[1].size());
  std::vector<std::int64_t> both;
  std::set_intersection(first_ids.begin(), first_ids.end(), second_ids.begin(), second_ids.end(),
                        std::back_inserter(both));
  CHECK(both.empty());  // and none to both
  CHECK(first_ids.size() + second_ids.size() == static_cast<std::size_t>(kCount));
  MESSAGE("worker 0 handled " << seen[0].size() << ", worker 1 " << seen[1].size());
  auto pending = producer.pending_count();
  REQUIRE(pending.ok());
  CHECK(*pending == 0);
}

TEST_CASE("an entry popped and never acked is claimed by another consumer once idle") {
  RedisProcess redis;
  RedisConnection connection(endpoint_of(redis), quick());
  RedisWorkQueue queue(connection, backtest_queue());
  const std::string id = must_push(queue, encode(RunBacktest{7, 0, false}));

  const StreamEntry first = must_pop(queue, "crashed-worker");
  CHECK(first.id == id);
  CHECK(first.deliveries == 1);

  auto too_early = queue.claim_abandoned("rescuer", 400ms);
  REQUIRE(too_early.ok());
  CHECK(too_early->empty());  // still within min_idle: the owner may be working on it

  std::this_thread::sleep_for(500ms);
  auto claimed = queue.claim_abandoned("rescuer", 400ms);
  INFO(claimed.status().message());
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  CHECK(claimed->front().id == id);
  CHECK(claimed->front().fields == encode(RunBacktest{7, 0, false}));
  CHECK(claimed->front().deliveries == 2);
  CHECK(*queue.delivery_count(id) == 2);

  CHECK(*queue.ack(id));
  CHECK_FALSE(*queue.ack(id));  // the crashed worker's late ack finds nothing: idempotent
  CHECK(*queue.pending_count() == 0);
  CHECK(queue.delivery_count(id).status().code() == StatusCode::kNotFound);
  auto nothing = queue.pop("rescuer", 0ms);
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->has_value());
}

TEST_CASE("an entry delivered more than max_deliveries times becomes a dead letter") {
  RedisProcess redis;
  RedisConnection connection(endpoint_of(redis), quick());
  WorkQueueOptions options = backtest_queue();
  options.max_deliveries = 3;
  RedisWorkQueue queue(connection, options);
  const Fields poison = encode(RunBacktest{42, 0, false});
  const std::string id = must_push(queue, poison);

  CHECK(must_pop(queue, "w1").deliveries == 1);
  for (std::int64_t expected : {2, 3}) {  // each worker "crashes" on it
    auto claimed = queue.claim_abandoned("w" + std::to_string(expected), 0ms);
    REQUIRE(claimed.ok());
    REQUIRE(claimed->size() == 1);
    CHECK(claimed->front().deliveries == expected);
  }
  auto fourth = queue.claim_abandoned("w4", 0ms);
  INFO(fourth.status().message());
  REQUIRE(fourth.ok());
  CHECK(fourth->empty());  // not handed out a fourth time

  CHECK(*queue.pending_count() == 0);
  CHECK(queue.delivery_count(id).status().code() == StatusCode::kNotFound);
  auto dead = queue.dead_letters();
  REQUIRE(dead.ok());
  REQUIRE(dead->size() == 1);
  const Fields& fields = dead->front().fields;
  CHECK(*find_field(fields, "dead_id") == id);
  CHECK(*find_field(fields, "dead_deliveries") == "4");
  CHECK(find_field(fields, "dead_reason")->find("delivered 4 times") != std::string::npos);
  auto message = decode_as<RunBacktest>(fields);  // the original fields are all there
  REQUIRE(message.ok());
  CHECK(message->backtest_id == 42);
  CHECK(queue.dead_stream() == "quantd:backtest:dead");

  // A handler that knows the work can never succeed sends it there directly.
  must_push(queue, encode(RunBacktest{43, 0, false}));
  const StreamEntry hopeless = must_pop(queue, "w1");
  CHECK(queue.dead_letter(hopeless, "backtest 43 names a deleted strategy").ok());
  CHECK(*queue.pending_count() == 0);
  REQUIRE(queue.dead_letters()->size() == 2);
  CHECK(*find_field(queue.dead_letters()->back().fields, "dead_reason") ==
        "backtest 43 names a deleted strategy");
}

TEST_CASE("trimming never drops a pending or undelivered entry") {
  // Small radix-tree nodes, so approximate trimming (which frees whole nodes) shows at this size.
  RedisProcess redis({"--stream-node-max-entries", "4"});
  RedisConnection connection(endpoint_of(redis), quick());
  WorkQueueOptions options = backtest_queue();
  options.max_length = 10;
  options.trim_check_every = 1;
  RedisWorkQueue queue(connection, options);

  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) ids.push_back(must_push(queue, encode(RunBacktest{i, 0, false})));
  for (int i = 0; i < 40; ++i) {
    const StreamEntry entry = must_pop(queue, "w1");
    if (i != 5) REQUIRE(*queue.ack(entry.id));  // entry 5's worker dies holding it
  }
  // Far past max_length while entry 5 is pending; all of these are delivered and acked.
  for (int i = 40; i < 200; ++i) {
    must_push(queue, encode(RunBacktest{i, 0, false}));
    REQUIRE(*queue.ack(must_pop(queue, "w1").id));
  }
  const std::int64_t length = stream_length(connection, options.stream);
  CHECK(length < 200);       // the acked history before entry 5 went
  CHECK(length >= 200 - 5);  // nothing from entry 5 on did (a plain MAXLEN 10 would have)

  auto claimed = queue.claim_abandoned("w2", 0ms);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  CHECK(claimed->front().id == ids[5]);
  CHECK(claimed->front().fields == encode(RunBacktest{5, 0, false}));
  REQUIRE(*queue.ack(ids[5]));

  // With nothing pending, history trims down, but entries nobody has read yet stay.
  for (int i = 200; i < 230; ++i) must_push(queue, encode(RunBacktest{i, 0, false}));
  CHECK(stream_length(connection, options.stream) < 60);
  for (int i = 200; i < 230; ++i) {
    const StreamEntry entry = must_pop(queue, "w1");
    CHECK(decode_as<RunBacktest>(entry.fields)->backtest_id == i);
  }
}

TEST_CASE("a consumer restarted under its old name gets its own pending entries first") {
  RedisProcess redis;
  RedisConnection connection(endpoint_of(redis), quick());
  const std::string a = [&] {
    RedisWorkQueue before_crash(connection, backtest_queue());
    const std::string id = must_push(before_crash, encode(RunBacktest{1, 0, false}));
    must_push(before_crash, encode(RunBacktest{2, 0, false}));
    must_push(before_crash, encode(RunBacktest{3, 0, false}));
    must_pop(before_crash, "host:1:0");
    must_pop(before_crash, "host:1:0");
    return id;
  }();
  RedisWorkQueue after_restart(connection, backtest_queue());
  auto mine = after_restart.own_pending("host:1:0");
  INFO(mine.status().message());
  REQUIRE(mine.ok());
  REQUIRE(mine->size() == 2);
  CHECK(mine->at(0).id == a);
  CHECK(mine->at(0).fields == encode(RunBacktest{1, 0, false}));
  CHECK(mine->at(0).deliveries == 2);  // reading history counts as a delivery
  CHECK(mine->at(1).fields == encode(RunBacktest{2, 0, false}));
  auto others = after_restart.own_pending("host:2:0");
  REQUIRE(others.ok());
  CHECK(others->empty());
  CHECK(must_pop(after_restart, "host:1:0").fields == encode(RunBacktest{3, 0, false}));
}

TEST_CASE("a pending entry whose data was deleted is cleared by a claim, not handed out") {
  RedisProcess redis;
  RedisConnection connection(endpoint_of(redis), quick());
  RedisWorkQueue queue(connection, backtest_queue());
  const std::string gone = must_push(queue, encode(RunBacktest{1, 0, false}));
  const std::string kept = must_push(queue, encode(RunBacktest{2, 0, false}));
  must_pop(queue, "w1");
  must_pop(queue, "w1");
  REQUIRE(connection.command({"XDEL", "quantd:backtest", gone})->integer == 1);

  auto claimed = queue.claim_abandoned("w2", 0ms);
  REQUIRE(claimed.ok());
  REQUIRE(claimed->size() == 1);
  CHECK(claimed->front().id == kept);
  CHECK(*queue.pending_count() == 1);  // only the entry that still has data
  CHECK(queue.dead_letters()->empty());
}

TEST_CASE("a killed redis-server: unavailable, then the queue reconnects and works") {
  RedisProcess redis;
  const RedisEndpoint endpoint = endpoint_of(redis);
  RedisConnection connection(endpoint, quick());
  RedisWorkQueue queue(connection, backtest_queue());
  must_push(queue, encode(RunBacktest{1, 0, false}));
  REQUIRE(must_pop(queue, "w1").fields == encode(RunBacktest{1, 0, false}));

  // A worker blocked in XREADGROUP when the server dies hears of it at once.
  Result<std::optional<StreamEntry>> blocked = std::optional<StreamEntry>{};
  std::thread worker([&] {
    RedisConnection own(endpoint, quick());
    RedisWorkQueue own_queue(own, backtest_queue());
    // No doctest assertion in this thread: a failing REQUIRE would throw outside the test.
    blocked = own_queue.pop("w2", 0ms);  // connects and makes the group before the wait
    if (blocked.ok()) blocked = own_queue.pop("w2", 2000ms);
  });
  std::this_thread::sleep_for(300ms);
  redis.kill_hard();
  worker.join();
  CHECK(blocked.status().code() == StatusCode::kUnavailable);

  const Fields secret{{"kind", "run_backtest"}, {"note", "payload-never-logged"}};
  auto lost = queue.push(secret);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.status().code() == StatusCode::kUnavailable);
  CHECK(lost.status().message().find(endpoint.to_string()) != std::string::npos);
  CHECK(lost.status().message().find("payload-never-logged") == std::string::npos);
  CHECK_FALSE(connection.connected());
  CHECK(queue.pop("w1", 100ms).status().code() == StatusCode::kUnavailable);

  redis.restart();  // same port, and all data gone (no persistence): the group too
  Result<std::string> pushed = Status::unavailable("not yet");
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!pushed.ok() && std::chrono::steady_clock::now() < deadline) {
    pushed = queue.push(encode(RunBacktest{2, 0, false}));
    if (!pushed.ok()) {
      CHECK(pushed.status().code() == StatusCode::kUnavailable);
      std::this_thread::sleep_for(20ms);
    }
  }
  INFO(pushed.status().message());
  REQUIRE(pushed.ok());
  CHECK(connection.connected());
  // The pop meets NOGROUP, makes the group again from id 0, and gets the new entry.
  const StreamEntry after = must_pop(queue, "w1");
  CHECK(after.id == *pushed);
  CHECK(*queue.ack(after.id));
}

}  // namespace quantd::bus
