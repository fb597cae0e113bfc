// AuthRepository: the UI's password hash and its login sessions (migrations/0008_auth.sql).
//
// Design: a thin adapter over the calling thread's SQLite connection, shareable by threads; every
// method catches SQLite's exceptions and returns a Status. It stores what it is given: hashing the
// password and the session secrets is the caller's job (auth/), so neither a password nor a
// cookie value ever reaches this layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

struct SessionRecord {
  std::int64_t id = 0;     // the non-secret handle; assigned by create_session()
  std::string token_hash;  // SHA-256 of the cookie value, lowercase hex
  TimestampMs created_at = 0;
  TimestampMs last_seen_at = 0;
  TimestampMs expires_at = 0;  // the absolute end
  std::string user_agent;
  std::string client;
};

class AuthRepository {
 public:
  // `db` must be migrated and outlive the repository.
  explicit AuthRepository(Database& db) : db_(db) {}

  // The stored password hash, or nullopt when none is set. Errors: internal.
  Result<std::optional<std::string>> password_hash();

  // Stores `hash` as the password (replacing any) and deletes every session, in one transaction:
  // a new password logs everybody out. Errors: internal.
  Status set_password_hash(const std::string& hash, TimestampMs now);

  // Removes the password and every session. Returns whether a password was set. Errors: internal.
  Result<bool> clear_password();

  // Inserts `session` (its id ignored); returns the assigned id. Errors: internal.
  Result<std::int64_t> create_session(const SessionRecord& session);

  // The session whose token_hash is `token_hash`, or nullopt. Errors: internal.
  Result<std::optional<SessionRecord>> find_session(const std::string& token_hash);

  // Sets last_seen_at of session `id`. Errors: internal.
  Status touch_session(std::int64_t id, TimestampMs now);

  // Every session, newest first. Errors: internal.
  Result<std::vector<SessionRecord>> list_sessions();

  // Deletes session `id`. Errors: not_found "no session with id N", internal.
  Status delete_session(std::int64_t id);

  // Deletes sessions whose expires_at is <= now or whose last_seen_at is <= idle_before.
  // Returns how many. Errors: internal.
  Result<int> delete_expired(TimestampMs now, TimestampMs idle_before);

 private:
  Database& db_;
};

}  // namespace quantd::storage
