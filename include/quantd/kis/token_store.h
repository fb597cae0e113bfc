// TokenStore: the persisted KIS access token of one (environment, app key), and the time of the
// last tokenP attempt (migrations/0006_kis_tokens.sql). KisAuth asks it whether a token is
// still good and whether it may ask KIS for a new one; a restart therefore never storms tokenP
// (PROTOCOL §2.1: EGW00133, a KakaoTalk notice per real issue).
//
// Design note. The app key is kept only as its SHA-256 (the row's key); the token is a secret at
// rest, so open() tightens the database files to mode 0600. Nothing here logs a token.
//
// Threading: thread-safe (each call uses the calling thread's connection).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/kis/kis_messages.h"
#include "quantd/storage/database.h"

namespace quantd::kis {

// The seconds between two tokenP attempts, whatever happened (LIVE.md §3.2: KIS says "1분당 1회").
inline constexpr int kTokenRequestGapS = 61;
// A token is renewed when less than this many seconds of it remain.
inline constexpr int kTokenRenewBeforeS = 600;

struct StoredToken {
  std::string token;  // empty when none was ever issued (or it was revoked)
  TimestampMs expires_at = 0;
  TimestampMs issued_at = 0;
  TimestampMs last_request_at = 0;
  bool revoked = false;
  // The token may be used at `now`: present, not revoked, more than kTokenRenewBeforeS left.
  bool usable(TimestampMs now) const;
  // tokenP may be called at `now`: the last attempt is at least kTokenRequestGapS old.
  bool may_request(TimestampMs now) const;
};

class TokenStore {
 public:
  // `db` must be migrated and outlive the store. Tightens the database file (and its -wal and
  // -shm) to mode 0600; errors: internal when that fails.
  static Result<TokenStore> open(storage::Database& db, Environment env, std::string_view app_key);

  // The stored row, or nullopt before the first attempt. Errors: internal.
  Result<std::optional<StoredToken>> load();
  // Records a tokenP attempt at `now` before it is made (so a crash mid-request still counts).
  Status record_attempt(TimestampMs now);
  // Stores a token tokenP answered.
  Status save(const TokenGrant& grant, TimestampMs now);
  // Marks the stored token revoked (after revokeP, or when KIS calls it invalid).
  Status mark_revoked();

  // The app key's SHA-256, hex (what identifies the row; safe to log).
  const std::string& key_hash() const { return key_hash_; }

 private:
  TokenStore(storage::Database& db, Environment env, std::string key_hash)
      : db_(&db), env_(env), key_hash_(std::move(key_hash)) {}

  storage::Database* db_;
  Environment env_;
  std::string key_hash_;
};

// The SHA-256 of `text`, lower-case hex.
std::string sha256_hex(std::string_view text);

}  // namespace quantd::kis
