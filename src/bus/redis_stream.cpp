#include "quantd/bus/redis_stream.h"

#include <charconv>

#include "redis_stream_internal.h"

namespace quantd::bus {
namespace internal {
namespace {

Status malformed(std::string_view what) {
  return Status::internal("redis reply to " + std::string(what) + " has an unexpected shape");
}

}  // namespace

Result<std::vector<RawEntry>> parse_entries(const RedisReply& reply) {
  if (!reply.is_array()) return malformed("a stream read");
  std::vector<RawEntry> entries;
  entries.reserve(reply.elements.size());
  for (const RedisReply& item : reply.elements) {
    if (!item.is_array() || item.elements.size() != 2 || !item.elements[0].is_text()) {
      return malformed("a stream read");
    }
    RawEntry entry{item.elements[0].text, std::nullopt};
    const RedisReply& body = item.elements[1];
    if (body.is_array()) {
      if (body.elements.size() % 2 != 0) return malformed("a stream read");
      Fields fields;
      fields.reserve(body.elements.size() / 2);
      for (size_t i = 0; i < body.elements.size(); i += 2) {
        fields.emplace_back(body.elements[i].text, body.elements[i + 1].text);
      }
      entry.fields = std::move(fields);
    } else if (!body.is_nil()) {
      return malformed("a stream read");
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<std::vector<RawEntry>> parse_read(const RedisReply& reply) {
  if (reply.is_nil()) return std::vector<RawEntry>{};
  if (!reply.is_array() || reply.elements.size() != 1 || !reply.elements[0].is_array() ||
      reply.elements[0].elements.size() != 2) {
    return malformed("XREAD");
  }
  return parse_entries(reply.elements[0].elements[1]);
}

Result<AutoclaimReply> parse_autoclaim(const RedisReply& reply) {
  if (!reply.is_array() || (reply.elements.size() != 2 && reply.elements.size() != 3) ||
      !reply.elements[0].is_text()) {
    return malformed("XAUTOCLAIM");
  }
  AutoclaimReply out;
  out.cursor = reply.elements[0].text;
  auto entries = parse_entries(reply.elements[1]);
  if (!entries.ok()) return entries.status();
  out.entries = std::move(entries).value();
  if (reply.elements.size() == 3) {
    if (!reply.elements[2].is_array()) return malformed("XAUTOCLAIM");
    for (const RedisReply& id : reply.elements[2].elements) out.deleted_ids.push_back(id.text);
  }
  return out;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_stream_id(std::string_view id) {
  const auto dash = id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::uint64_t ms = 0, seq = 0;
  const char* end = id.data() + dash;
  auto a = std::from_chars(id.data(), end, ms);
  if (dash == 0 || a.ec != std::errc() || a.ptr != end) return std::nullopt;
  end = id.data() + id.size();
  auto b = std::from_chars(id.data() + dash + 1, end, seq);
  if (dash + 1 == id.size() || b.ec != std::errc() || b.ptr != end) return std::nullopt;
  return std::pair{ms, seq};
}

bool stream_id_less(std::string_view a, std::string_view b) {
  const auto pa = parse_stream_id(a), pb = parse_stream_id(b);
  if (!pa) return static_cast<bool>(pb);
  if (!pb) return false;
  return *pa < *pb;
}

const RedisReply* map_value(const RedisReply& flat, std::string_view key) {
  if (!flat.is_array()) return nullptr;
  for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    if (flat.elements[i].is_text() && flat.elements[i].text == key) return &flat.elements[i + 1];
  }
  return nullptr;
}

}  // namespace internal

namespace {

Status error_reply(std::string_view command, const std::string& stream, const RedisReply& reply) {
  return Status::internal("redis " + std::string(command) + " on " + stream + ": " + reply.text);
}

}  // namespace

RedisWorkQueue::RedisWorkQueue(RedisConnection& connection, WorkQueueOptions options)
    : connection_(connection), options_(std::move(options)) {}

Result<RedisReply> RedisWorkQueue::run(const std::vector<std::string>& argv) {
  return connection_.command(argv);
}

Status RedisWorkQueue::ensure_group() {
  if (group_ready_) return Status::ok_status();
  // Id 0, not $: entries pushed before the first consumer came (or while Redis was being
  // refilled after a loss) must be delivered too.
  auto reply = run({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error() && !reply->is_error_code("BUSYGROUP")) {
    return error_reply("XGROUP CREATE", options_.stream, *reply);
  }
  group_ready_ = true;
  return Status::ok_status();
}

Result<std::string> RedisWorkQueue::push(const Fields& fields) {
  if (fields.empty()) return Status::invalid_argument("a stream entry needs at least one field");
  if (Status s = ensure_group(); !s.ok()) return s;
  std::vector<std::string> argv{"XADD", options_.stream, "*"};
  argv.reserve(3 + 2 * fields.size());
  for (const auto& [name, value] : fields) {
    argv.push_back(name);
    argv.push_back(value);
  }
  auto reply = run(argv);
  if (!reply.ok()) return reply.status();
  if (!reply->is_text()) return error_reply("XADD", options_.stream, *reply);
  if (++pushes_since_trim_check_ >= options_.trim_check_every) {
    pushes_since_trim_check_ = 0;
    // The entry is in; a failed trim only leaves more history, so it does not fail the push.
    (void)trim_if_long();
  }
  return std::move(reply->text);
}

Status RedisWorkQueue::trim_if_long() {
  auto length = run({"XLEN", options_.stream});
  if (!length.ok()) return length.status();
  if (length->type != RedisReply::Type::kInteger || length->integer <= options_.max_length) {
    return Status::ok_status();
  }
  auto groups = run({"XINFO", "GROUPS", options_.stream});
  if (!groups.ok()) return groups.status();
  if (!groups->is_array()) return error_reply("XINFO GROUPS", options_.stream, *groups);
  // No group: nothing is known to be delivered, so nothing may go.
  if (groups->elements.empty()) return Status::ok_status();

  std::string floor;
  for (const RedisReply& group : groups->elements) {
    const RedisReply* name = internal::map_value(group, "name");
    const RedisReply* pending = internal::map_value(group, "pending");
    const RedisReply* last = internal::map_value(group, "last-delivered-id");
    if (name == nullptr || pending == nullptr || last == nullptr) {
      return Status::internal("redis XINFO GROUPS on " + options_.stream + ": unexpected shape");
    }
    std::string group_floor = last->text;
    if (pending->integer > 0) {
      auto summary = run({"XPENDING", options_.stream, name->text});
      if (!summary.ok()) return summary.status();
      if (!summary->is_array() || summary->elements.size() < 2 || !summary->elements[1].is_text()) {
        return error_reply("XPENDING", options_.stream, *summary);
      }
      group_floor = summary->elements[1].text;  // the oldest pending id
    }
    if (floor.empty() || internal::stream_id_less(group_floor, floor)) floor = group_floor;
  }
  if (!internal::parse_stream_id(floor) || floor == "0-0") return Status::ok_status();
  // MINID removes only ids below the floor; "~" lets Redis drop whole nodes only (cheap).
  auto trimmed = run({"XTRIM", options_.stream, "MINID", "~", floor});
  if (!trimmed.ok()) return trimmed.status();
  if (trimmed->is_error()) return error_reply("XTRIM", options_.stream, *trimmed);
  return Status::ok_status();
}

Result<std::optional<StreamEntry>> RedisWorkQueue::pop(std::string_view consumer,
                                                       std::chrono::milliseconds block) {
  if (block.count() < 0 || block >= connection_.options().command_timeout) {
    return Status::invalid_argument("pop: block must be below the connection's command timeout");
  }
  if (Status s = ensure_group(); !s.ok()) return s;
  std::vector<std::string> argv{"XREADGROUP",          "GROUP", options_.group,
                                std::string(consumer), "COUNT", "1"};
  // BLOCK 0 would mean "forever" to Redis; no BLOCK means "do not wait".
  if (block.count() > 0) argv.insert(argv.end(), {"BLOCK", std::to_string(block.count())});
  argv.insert(argv.end(), {"STREAMS", options_.stream, ">"});

  auto reply = run(argv);
  if (reply.ok() && reply->is_error_code("NOGROUP")) {
    group_ready_ = false;  // Redis lost the group (and likely the stream): make it again
    if (Status s = ensure_group(); !s.ok()) return s;
    reply = run(argv);
  }
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return error_reply("XREADGROUP", options_.stream, *reply);
  auto entries = internal::parse_read(*reply);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return std::optional<StreamEntry>{};
  internal::RawEntry& raw = entries->front();
  if (!raw.fields)
    return Status::internal("redis XREADGROUP on " + options_.stream +
                            ": a new entry without fields");
  return std::optional<StreamEntry>{StreamEntry{std::move(raw.id), std::move(*raw.fields), 1}};
}

Result<bool> RedisWorkQueue::ack(std::string_view id) {
  auto reply = run({"XACK", options_.stream, options_.group, std::string(id)});
  if (!reply.ok()) return reply.status();
  if (reply->is_error_code("NOGROUP")) return false;  // the group is gone, so is its pending list
  if (reply->type != RedisReply::Type::kInteger) {
    return error_reply("XACK", options_.stream, *reply);
  }
  if (options_.delete_on_ack) {
    auto deleted = run({"XDEL", options_.stream, std::string(id)});
    if (!deleted.ok()) return deleted.status();
  }
  return reply->integer == 1;
}

Result<std::int64_t> RedisWorkQueue::delivery_count(std::string_view id) {
  const std::string key(id);
  auto reply = run({"XPENDING", options_.stream, options_.group, key, key, "1"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error_code("NOGROUP")) return Status::not_found("entry is not pending");
  if (!reply->is_array()) return error_reply("XPENDING", options_.stream, *reply);
  if (reply->elements.empty()) return Status::not_found("entry is not pending");
  const RedisReply& row = reply->elements[0];  // [id, consumer, idle ms, deliveries]
  if (!row.is_array() || row.elements.size() != 4 ||
      row.elements[3].type != RedisReply::Type::kInteger) {
    return Status::internal("redis XPENDING on " + options_.stream + ": unexpected shape");
  }
  return static_cast<std::int64_t>(row.elements[3].integer);
}

Result<std::int64_t> RedisWorkQueue::pending_count() {
  auto reply = run({"XPENDING", options_.stream, options_.group});
  if (!reply.ok()) return reply.status();
  if (reply->is_error_code("NOGROUP")) return std::int64_t{0};
  if (!reply->is_array() || reply->elements.empty() ||
      reply->elements[0].type != RedisReply::Type::kInteger) {
    return error_reply("XPENDING", options_.stream, *reply);
  }
  return static_cast<std::int64_t>(reply->elements[0].integer);
}

Result<std::vector<StreamEntry>> RedisWorkQueue::claim_abandoned(std::string_view consumer,
                                                                 std::chrono::milliseconds min_idle,
                                                                 std::int64_t count) {
  if (count < 1) return Status::invalid_argument("claim_abandoned: count must be at least 1");
  if (Status s = ensure_group(); !s.ok()) return s;
  std::vector<StreamEntry> claimed;
  std::string cursor = "0-0";
  // XAUTOCLAIM scans like SCAN (at most 10 x COUNT pending entries per call); a bounded number
  // of rounds keeps one call from walking a huge pending list.
  for (int round = 0; round < 10; ++round) {
    const auto wanted = count - static_cast<std::int64_t>(claimed.size());
    auto reply = run({"XAUTOCLAIM", options_.stream, options_.group, std::string(consumer),
                      std::to_string(min_idle.count()), cursor, "COUNT", std::to_string(wanted)});
    if (!reply.ok()) return reply.status();
    if (reply->is_error_code("NOGROUP")) {
      group_ready_ = false;  // nothing is pending in a group Redis no longer has
      if (Status s = ensure_group(); !s.ok()) return s;
      return claimed;
    }
    if (reply->is_error()) return error_reply("XAUTOCLAIM", options_.stream, *reply);
    auto parsed = internal::parse_autoclaim(*reply);
    if (!parsed.ok()) return parsed.status();

    for (internal::RawEntry& raw : parsed->entries) {
      auto entry = checked_redelivery(std::move(raw.id), std::move(raw.fields));
      if (!entry.ok()) return entry.status();
      if (entry->has_value()) claimed.push_back(std::move(**entry));
    }
    cursor = parsed->cursor;
    if (cursor == "0-0" || static_cast<std::int64_t>(claimed.size()) >= count) break;
  }
  return claimed;
}

Result<std::optional<StreamEntry>> RedisWorkQueue::checked_redelivery(
    std::string id, std::optional<Fields> fields) {
  if (!fields) {
    // Trimmed or deleted while pending (Redis 6.2 returns such an entry; 7.0 lists it apart):
    // there is nothing to hand out, so clear it from the pending list.
    auto acked = ack(id);
    if (!acked.ok()) return acked.status();
    return std::optional<StreamEntry>{};
  }
  auto deliveries = delivery_count(id);
  if (deliveries.status().code() == StatusCode::kNotFound) return std::optional<StreamEntry>{};
  if (!deliveries.ok()) return deliveries.status();
  StreamEntry entry{std::move(id), std::move(*fields), *deliveries};
  if (entry.deliveries > options_.max_deliveries) {
    const std::string reason = "delivered " + std::to_string(entry.deliveries) +
                               " times, more than max_deliveries " +
                               std::to_string(options_.max_deliveries);
    if (Status s = dead_letter(entry, reason); !s.ok()) return s;
    return std::optional<StreamEntry>{};
  }
  return std::optional<StreamEntry>{std::move(entry)};
}

Result<std::vector<StreamEntry>> RedisWorkQueue::own_pending(std::string_view consumer,
                                                             std::int64_t count) {
  if (count < 1) return Status::invalid_argument("own_pending: count must be at least 1");
  if (Status s = ensure_group(); !s.ok()) return s;
  std::vector<StreamEntry> out;
  std::string after = "0";
  // Pages through the consumer's pending list; dead letters leave it, so each page moves on.
  while (static_cast<std::int64_t>(out.size()) < count) {
    auto reply = run({"XREADGROUP", "GROUP", options_.group, std::string(consumer), "COUNT",
                      std::to_string(count - static_cast<std::int64_t>(out.size())), "STREAMS",
                      options_.stream, after});
    if (!reply.ok()) return reply.status();
    if (reply->is_error_code("NOGROUP")) {
      group_ready_ = false;  // a group Redis no longer has holds nothing pending
      if (Status s = ensure_group(); !s.ok()) return s;
      return out;
    }
    if (reply->is_error()) return error_reply("XREADGROUP", options_.stream, *reply);
    auto entries = internal::parse_read(*reply);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    for (internal::RawEntry& raw : *entries) {
      after = raw.id;
      auto entry = checked_redelivery(std::move(raw.id), std::move(raw.fields));
      if (!entry.ok()) return entry.status();
      if (entry->has_value()) out.push_back(std::move(**entry));
    }
  }
  return out;
}

Status RedisWorkQueue::dead_letter(const StreamEntry& entry, std::string_view reason) {
  std::vector<std::string> argv{
      "XADD", dead_stream(), "MAXLEN", "~", std::to_string(options_.dead_max_length), "*"};
  for (const auto& [name, value] : entry.fields) {
    argv.push_back(name);
    argv.push_back(value);
  }
  argv.insert(argv.end(), {"dead_reason", std::string(reason), "dead_id", entry.id,
                           "dead_deliveries", std::to_string(entry.deliveries)});
  // Copy first, then ack: a crash in between leaves a duplicate dead letter, never a lost one.
  auto added = run(argv);
  if (!added.ok()) return added.status();
  if (!added->is_text()) return error_reply("XADD", dead_stream(), *added);
  auto acked = ack(entry.id);
  return acked.ok() ? Status::ok_status() : acked.status();
}

Result<std::vector<StreamEntry>> RedisWorkQueue::dead_letters(std::int64_t count) {
  auto reply = run({"XRANGE", dead_stream(), "-", "+", "COUNT", std::to_string(count)});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return error_reply("XRANGE", dead_stream(), *reply);
  auto raw = internal::parse_entries(*reply);
  if (!raw.ok()) return raw.status();
  std::vector<StreamEntry> out;
  for (internal::RawEntry& entry : *raw) {
    if (entry.fields) out.push_back({std::move(entry.id), std::move(*entry.fields), 0});
  }
  return out;
}

}  // namespace quantd::bus
