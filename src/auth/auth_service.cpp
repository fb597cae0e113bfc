#include "quantd/auth/auth_service.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <array>

#include "quantd/auth/password.h"

namespace quantd::auth {

namespace {

constexpr std::size_t kUserAgentMax = 200;
// A session's last_seen_at is written at most this often: a busy UI must not write per request.
constexpr std::int64_t kTouchEveryMs = 60'000;

std::string new_secret() {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)> out{};
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return std::string(out.data());
}

std::string sha256_hex(std::string_view text) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

}  // namespace

std::string client_address(std::string_view remote) {
  if (remote.starts_with('[')) {
    const auto close = remote.find(']');
    return std::string(
        remote.substr(0, close == std::string_view::npos ? remote.size() : close + 1));
  }
  const auto colon = remote.rfind(':');
  if (colon == std::string_view::npos || remote.find(':') != colon) return std::string(remote);
  return std::string(remote.substr(0, colon));
}

AuthService::AuthService(storage::Database& db, const Clock& clock, AuthOptions options)
    : repo_(db), clock_(clock), options_(options), limiter_(options.limits) {
  if (!init()) spdlog::error("auth: libsodium cannot be initialized; logins will fail");
}

bool AuthService::required() {
  if (options_.exposed) return true;
  auto set = password_set();
  if (!set.ok()) {
    spdlog::error("auth: {}; requiring credentials", set.status().message());
    return true;
  }
  return *set;
}

Result<bool> AuthService::password_set() {
  auto hash = repo_.password_hash();
  if (!hash.ok()) return hash.status();
  return hash->has_value();
}

std::optional<std::int64_t> AuthService::session_for(std::string_view secret) {
  auto found = repo_.find_session(sha256_hex(secret));
  if (!found.ok()) {
    spdlog::error("auth: {}", found.status().message());
    return std::nullopt;
  }
  if (!found->has_value()) return std::nullopt;
  const storage::SessionRecord& s = **found;
  const TimestampMs now = clock_.now();
  if (s.expires_at <= now || s.last_seen_at <= now - options_.idle_ms) {
    (void)repo_.delete_session(s.id);
    return std::nullopt;
  }
  if (now - s.last_seen_at >= kTouchEveryMs) {
    if (Status st = repo_.touch_session(s.id, now); !st.ok())
      spdlog::warn("auth: {}", st.message());
  }
  return s.id;
}

Result<LoginOutcome> AuthService::login(std::string_view password, std::string_view remote,
                                        std::string_view user_agent) {
  const std::string client = client_address(remote);
  const TimestampMs now = clock_.now();
  LoginOutcome out;
  if (const std::int64_t wait = limiter_.retry_after(client, now); wait > 0) {
    out.kind = LoginOutcome::Kind::kLimited;
    out.retry_after_s = (wait + 999) / 1000;
    return out;
  }
  std::unique_lock lock(verify_mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    out.kind = LoginOutcome::Kind::kLimited;
    out.retry_after_s = 1;
    return out;
  }
  auto hash = repo_.password_hash();
  if (!hash.ok()) return hash.status();
  const bool ok =
      verify_password(hash->has_value() ? **hash : decoy_hash(), password) && hash->has_value();
  lock.unlock();
  if (!ok) {
    limiter_.failed(client, now);
    out.kind = LoginOutcome::Kind::kWrongPassword;
    return out;
  }
  limiter_.succeeded(client);
  if (auto pruned = repo_.delete_expired(now, now - options_.idle_ms); !pruned.ok()) {
    spdlog::warn("auth: {}", pruned.status().message());
  }
  const std::string secret = new_secret();
  storage::SessionRecord record;
  record.token_hash = sha256_hex(secret);
  record.created_at = now;
  record.last_seen_at = now;
  record.expires_at = now + options_.session_ms;
  record.user_agent = std::string(user_agent.substr(0, kUserAgentMax));
  record.client = client;
  auto id = repo_.create_session(record);
  if (!id.ok()) return id.status();
  out.kind = LoginOutcome::Kind::kLoggedIn;
  out.session = *id;
  out.set_cookie = cookie(secret, false);
  return out;
}

std::string AuthService::cookie(std::string_view value, bool clear) const {
  std::string c = std::string(http::kSessionCookie) + "=" + std::string(value) +
                  "; HttpOnly; SameSite=Strict; Path=/";
  if (clear) c += "; Max-Age=0";
  if (options_.secure_cookie) c += "; Secure";
  return c;
}

std::string AuthService::clearing_cookie() const { return cookie("", true); }

Status AuthService::revoke(std::int64_t id) { return repo_.delete_session(id); }

Result<std::vector<storage::SessionRecord>> AuthService::sessions() {
  const TimestampMs now = clock_.now();
  if (auto pruned = repo_.delete_expired(now, now - options_.idle_ms); !pruned.ok()) {
    return pruned.status();
  }
  return repo_.list_sessions();
}

}  // namespace quantd::auth
