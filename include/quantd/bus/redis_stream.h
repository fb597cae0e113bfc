// RedisWorkQueue: a work queue over one Redis stream read by one consumer group, one queue per
// work kind ("quantd:backtest"). Delivery is at-least-once (SCALEOUT.md §2.2): an entry handed
// to a consumer stays pending in the group until ack(); a consumer that dies leaves it pending,
// and another consumer's claim_abandoned() takes it over once it has been idle long enough.
//
// Design note.
// - An entry is a hint ("look at row N", bus/message_codec.h): the handler must be idempotent by
//   business key, never by entry id, and ack only after its effect is committed.
// - Poison: each hand-out (pop, claim) counts as a delivery in Redis. An entry claimed when it has
//   already been delivered max_deliveries times is not handed out again: it is copied to the
//   dead-letter stream "<stream>:dead" with the reason, then acked (copy first, so a crash in
//   between only duplicates the dead letter).
// - Trimming never drops a pending or undelivered entry. Redis 7.0's XADD MAXLEN trims whatever
//   is oldest, pending or not (SCALEOUT §2.5; acks-aware trimming is Redis 8.2), so push() does
//   not trim by length. Instead, every trim_check_every pushes, when the stream holds more than
//   max_length entries, it trims with XTRIM MINID ~ <floor>, where floor is, over every group on
//   the stream, the oldest pending id, or the last delivered id when none is pending. Everything
//   older than the floor is delivered and acked by every group. The floor only moves forward
//   (new deliveries are newer than the last delivered id), so a floor that is a little stale
//   trims less, never too much. A stream whose backlog is all pending or undelivered therefore
//   grows past max_length: it is a threshold for trimming history, not a cap on work.
// - The group is created on first use at id 0 with MKSTREAM (BUSYGROUP tolerated), so entries
//   pushed before any consumer came are delivered, and re-created on NOGROUP (Redis lost its
//   data: restart without AOF, flush, eviction).
// - Threading: not thread-safe, like the RedisConnection it uses (one queue object per thread,
//   many threads and processes may share the stream and group).
// - Errors: every call returns unavailable when Redis is unreachable (nothing is resent: see
//   redis_connection.h), internal when Redis answers with an error or an unexpected shape.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/bus/fields.h"
#include "quantd/bus/redis_connection.h"
#include "quantd/core/status.h"

namespace quantd::bus {

// One stream entry as a consumer sees it.
struct StreamEntry {
  std::string id;  // "1717000000000-0"
  Fields fields;
  // How many times Redis has handed this entry out, this time included (1 on a first pop).
  std::int64_t deliveries = 1;
};

struct WorkQueueOptions {
  std::string stream;  // the key, "quantd:backtest"
  std::string group = "workers";
  std::int64_t max_length = 1'000'000;  // trim history once the stream is longer (see above)
  std::int64_t trim_check_every = 100;  // pushes between two trim checks
  std::int64_t max_deliveries = 3;      // hand-outs before an entry is a dead letter
  std::int64_t dead_max_length = 10'000;
  bool delete_on_ack = false;  // XDEL after XACK (frees memory sooner; trimming does it anyway)
};

class RedisWorkQueue {
 public:
  // `connection` must outlive the queue.
  RedisWorkQueue(RedisConnection& connection, WorkQueueOptions options);

  const WorkQueueOptions& options() const { return options_; }
  std::string dead_stream() const { return options_.stream + ":dead"; }

  // Appends an entry (XADD) and returns its id; may trim history first (see above). Errors,
  // invalid_argument for no fields.
  Result<std::string> push(const Fields& fields);

  // The next entry no consumer of the group has seen (XREADGROUP ... >), now given to
  // `consumer`; std::nullopt when none arrived within `block` (0: do not wait). `block` must stay
  // below the connection's command_timeout (invalid_argument otherwise). Consumer names must be
  // unique per live consumer ("host:pid:slot"), or their pending entries mix.
  Result<std::optional<StreamEntry>> pop(std::string_view consumer,
                                         std::chrono::milliseconds block);

  // Marks the entry done (XACK, then XDEL with delete_on_ack). Returns whether it was still
  // pending (false: already acked, or it was never delivered). Idempotent.
  Result<bool> ack(std::string_view id);

  // Takes over up to `count` entries pending for at least `min_idle` with any consumer
  // (XAUTOCLAIM), now owned by `consumer`, each with its delivery count. Entries over
  // max_deliveries go to the dead-letter stream instead (reason "delivered N times") and are not
  // returned; entries whose data was trimmed or deleted are acked and not returned.
  Result<std::vector<StreamEntry>> claim_abandoned(std::string_view consumer,
                                                   std::chrono::milliseconds min_idle,
                                                   std::int64_t count = 10);

  // After a restart under the same consumer name: up to `count` entries still pending with
  // `consumer` from its previous life (XREADGROUP ... 0), oldest first, each with its delivery
  // count; dead letters and entries whose data is gone are handled as in claim_abandoned(). Read
  // these before pop(), so work the crash interrupted is finished first.
  Result<std::vector<StreamEntry>> own_pending(std::string_view consumer, std::int64_t count = 10);

  // Moves one pending entry to the dead-letter stream with `reason` (for a handler that knows
  // the work can never succeed), then acks it. The dead letter holds the entry's fields plus
  // dead_reason, dead_id (the original id) and dead_deliveries.
  Status dead_letter(const StreamEntry& entry, std::string_view reason);

  // How many times the pending entry `id` has been handed out (XPENDING); not_found when it is
  // not pending.
  Result<std::int64_t> delivery_count(std::string_view id);
  // How many entries are pending in the group (XPENDING summary); 0 when there is no group.
  Result<std::int64_t> pending_count();
  // The oldest `count` dead letters (XRANGE on the dead-letter stream).
  Result<std::vector<StreamEntry>> dead_letters(std::int64_t count = 100);

 private:
  Status ensure_group();
  // A pending entry just handed to a consumer by a claim or a history read: its delivery count
  // from XPENDING, or std::nullopt when it must not be handed out (data gone: acked; too many
  // deliveries: dead-lettered; acked by someone meanwhile).
  Result<std::optional<StreamEntry>> checked_redelivery(std::string id,
                                                        std::optional<Fields> fields);
  Status trim_if_long();
  Result<RedisReply> run(const std::vector<std::string>& argv);

  RedisConnection& connection_;
  WorkQueueOptions options_;
  bool group_ready_ = false;
  std::int64_t pushes_since_trim_check_ = 0;
};

}  // namespace quantd::bus
