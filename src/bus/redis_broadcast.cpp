#include "quantd/bus/redis_broadcast.h"

#include "redis_stream_internal.h"

namespace quantd::bus {

RedisBroadcast::RedisBroadcast(RedisConnection& connection, BroadcastOptions options)
    : connection_(connection), options_(std::move(options)) {}

Result<std::string> RedisBroadcast::publish(const Fields& fields) {
  if (fields.empty()) return Status::invalid_argument("a stream entry needs at least one field");
  std::vector<std::string> argv{
      "XADD", options_.stream, "MAXLEN", "~", std::to_string(options_.max_length), "*"};
  for (const auto& [name, value] : fields) {
    argv.push_back(name);
    argv.push_back(value);
  }
  auto reply = connection_.command(argv);
  if (!reply.ok()) return reply.status();
  if (!reply->is_text()) {
    return Status::internal("redis XADD on " + options_.stream + ": " + reply->text);
  }
  return std::move(reply->text);
}

Status RedisBroadcast::seek_to_end() {
  // XREAD with "$" means "newer than now" only for that one call: a gap between two reads would
  // lose entries. So the end is resolved once into a concrete id.
  auto reply = connection_.command({"XREVRANGE", options_.stream, "+", "-", "COUNT", "1"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    return Status::internal("redis XREVRANGE on " + options_.stream + ": " + reply->text);
  }
  auto entries = internal::parse_entries(*reply);
  if (!entries.ok()) return entries.status();
  last_id_ = entries->empty() ? "0-0" : entries->front().id;
  return Status::ok_status();
}

Result<std::vector<StreamEntry>> RedisBroadcast::read(std::chrono::milliseconds block,
                                                      std::int64_t count) {
  if (block.count() < 0 || block >= connection_.options().command_timeout) {
    return Status::invalid_argument("read: block must be below the connection's command timeout");
  }
  if (last_id_.empty()) {
    if (Status s = seek_to_end(); !s.ok()) return s;
  }
  std::vector<std::string> argv{"XREAD", "COUNT", std::to_string(count)};
  if (block.count() > 0) argv.insert(argv.end(), {"BLOCK", std::to_string(block.count())});
  argv.insert(argv.end(), {"STREAMS", options_.stream, last_id_});
  auto reply = connection_.command(argv);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    return Status::internal("redis XREAD on " + options_.stream + ": " + reply->text);
  }
  auto raw = internal::parse_read(*reply);
  if (!raw.ok()) return raw.status();
  std::vector<StreamEntry> out;
  out.reserve(raw->size());
  for (internal::RawEntry& entry : *raw) {
    last_id_ = entry.id;
    if (entry.fields) out.push_back({std::move(entry.id), std::move(*entry.fields), 1});
  }
  return out;
}

}  // namespace quantd::bus
