// RedisBroadcast: a stream every process reads in full, for commands that concern all of them
// (activate a strategy, cancel a job: SCALEOUT.md §7.2 "ctl"). No consumer group: each reader
// keeps its own position and reads with XREAD from the last id it saw, so every reader sees every
// entry published after it started, in order.
//
// Design note.
// - A reader starts at the end (seek_to_end(), or implicitly on its first read) and reloads the
//   state the commands describe from the database at boot: entries are hints, and a reader that
//   falls more than max_length entries behind (or loses Redis) misses some, by design.
// - Threading: not thread-safe (one object per thread); any number of readers and publishers
//   across processes.
// - Errors: unavailable when Redis is unreachable, internal for an error reply or an unexpected
//   shape. A failed read keeps the position, so the next read resumes without a gap.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "quantd/bus/fields.h"
#include "quantd/bus/redis_connection.h"
#include "quantd/bus/redis_stream.h"
#include "quantd/core/status.h"

namespace quantd::bus {

struct BroadcastOptions {
  std::string stream;                // "quantd:ctl"
  std::int64_t max_length = 10'000;  // XADD MAXLEN ~: history beyond this is not needed
};

class RedisBroadcast {
 public:
  // `connection` must outlive the object.
  RedisBroadcast(RedisConnection& connection, BroadcastOptions options);

  // Appends an entry for every reader (XADD MAXLEN ~ max_length) and returns its id. Errors,
  // invalid_argument for no fields.
  Result<std::string> publish(const Fields& fields);

  // Sets the position to the stream's newest entry (0-0 when it is empty or missing), so later
  // reads return only what is published from now on.
  Status seek_to_end();

  // Entries published after the position, up to `count`, waiting up to `block` for the first
  // (0: do not wait; must stay below the connection's command_timeout). Advances the position.
  // Empty when nothing arrived.
  Result<std::vector<StreamEntry>> read(std::chrono::milliseconds block, std::int64_t count = 100);

  // The id of the last entry read ("" before the first seek or read).
  const std::string& position() const { return last_id_; }

 private:
  RedisConnection& connection_;
  BroadcastOptions options_;
  std::string last_id_;
};

}  // namespace quantd::bus
