#include "quantd/kis/token_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace quantd::kis {

namespace {

Status internal(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

// 0600 for a file that exists; a missing -wal or -shm is fine.
Status tighten(const std::string& path) {
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0 && errno != ENOENT) {
    return Status::internal("cannot make " + path +
                            " private (mode 0600): " + std::strerror(errno));
  }
  return {};
}

}  // namespace

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

bool StoredToken::usable(TimestampMs now) const {
  return !token.empty() && !revoked && expires_at - now > kTokenRenewBeforeS * kMsPerSecond;
}

bool StoredToken::may_request(TimestampMs now) const {
  return now - last_request_at >= kTokenRequestGapS * kMsPerSecond;
}

Result<TokenStore> TokenStore::open(storage::Database& db, Environment env,
                                    std::string_view app_key) {
  if (db.path() != ":memory:") {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      if (Status st = tighten(db.path() + suffix); !st.ok()) return st;
    }
  }
  return TokenStore(db, env, sha256_hex(app_key));
}

Result<std::optional<StoredToken>> TokenStore::load() {
  try {
    auto q = db_->statement(db_->durable_connection(),
                            "SELECT token, expires_at, issued_at, last_request_at, revoked FROM "
                            "broker_tokens WHERE environment = ? AND key_hash = ?");
    q->bind(1, std::string(to_string(env_)));
    q->bind(2, key_hash_);
    std::optional<StoredToken> out;
    if (q->executeStep()) {
      StoredToken t;
      t.token = q->getColumn(0).isNull() ? "" : q->getColumn(0).getString();
      t.expires_at = q->getColumn(1).isNull() ? 0 : q->getColumn(1).getInt64();
      t.issued_at = q->getColumn(2).isNull() ? 0 : q->getColumn(2).getInt64();
      t.last_request_at = q->getColumn(3).getInt64();
      t.revoked = q->getColumn(4).getInt() != 0;
      out = std::move(t);
    }
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read the KIS token", e);
  }
}

Status TokenStore::record_attempt(TimestampMs now) {
  try {
    auto q = db_->statement(db_->durable_connection(),
                            "INSERT INTO broker_tokens(environment, key_hash, last_request_at) "
                            "VALUES(?, ?, ?) ON CONFLICT(environment, key_hash) DO UPDATE SET "
                            "last_request_at = excluded.last_request_at");
    q->bind(1, std::string(to_string(env_)));
    q->bind(2, key_hash_);
    q->bind(3, now);
    q->exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot record the tokenP attempt", e);
  }
}

Status TokenStore::save(const TokenGrant& grant, TimestampMs now) {
  try {
    auto q = db_->statement(
        db_->durable_connection(),
        "INSERT INTO broker_tokens(environment, key_hash, token, expires_at, issued_at, "
        "last_request_at, revoked) VALUES(?, ?, ?, ?, ?, ?, 0) ON CONFLICT(environment, key_hash) "
        "DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at, issued_at = "
        "excluded.issued_at, revoked = 0");
    q->bind(1, std::string(to_string(env_)));
    q->bind(2, key_hash_);
    q->bind(3, grant.token);
    q->bind(4, grant.expires_at);
    q->bind(5, now);
    q->bind(6, now);
    q->exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot store the KIS token", e);
  }
}

Status TokenStore::mark_revoked() {
  try {
    auto q = db_->statement(db_->durable_connection(),
                            "UPDATE broker_tokens SET revoked = 1 WHERE environment = ? AND "
                            "key_hash = ?");
    q->bind(1, std::string(to_string(env_)));
    q->bind(2, key_hash_);
    q->exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot mark the KIS token revoked", e);
  }
}

}  // namespace quantd::kis
