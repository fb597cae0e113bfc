// Parsing of the stream replies redis_stream.cpp and redis_broadcast.cpp read, kept apart so
// the tests can feed them both reply shapes of XAUTOCLAIM (2 elements before Redis 7.0, 3 from
// 7.0) without a server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quantd/bus/fields.h"
#include "quantd/bus/redis_connection.h"
#include "quantd/core/status.h"

namespace quantd::bus::internal {

// An entry as Redis returns it: [id, [field, value, ...]]; the fields are nil when the entry was
// trimmed or deleted while still pending (SCALEOUT §2.5).
struct RawEntry {
  std::string id;
  std::optional<Fields> fields;
};

// An array of entries. Errors, internal: not an array, an element that is not [id, fields].
Result<std::vector<RawEntry>> parse_entries(const RedisReply& reply);

// XREAD / XREADGROUP with one stream: nil (timed out) or [[key, entries]].
Result<std::vector<RawEntry>> parse_read(const RedisReply& reply);

struct AutoclaimReply {
  std::string cursor;                    // "0-0" when the scan is complete
  std::vector<RawEntry> entries;         // claimed
  std::vector<std::string> deleted_ids;  // 7.0+: pending ids whose data was gone (now unpended)
};
// [cursor, entries] (6.2) or [cursor, entries, deleted ids] (7.0+).
Result<AutoclaimReply> parse_autoclaim(const RedisReply& reply);

// "1717000000000-3" as (milliseconds, sequence); std::nullopt when malformed.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_stream_id(std::string_view id);
// a < b by stream order; a malformed id counts as the smallest (so it never raises a floor).
bool stream_id_less(std::string_view a, std::string_view b);

// The value after `key` in a flat [key, value, key, value ...] reply (XINFO), or nullptr.
const RedisReply* map_value(const RedisReply& flat, std::string_view key);

}  // namespace quantd::bus::internal
