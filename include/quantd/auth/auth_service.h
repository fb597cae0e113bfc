// AuthService: the UI's login. Checks a password, opens and closes login sessions, and answers
// the RequestGuard's questions about them (http::SessionVerifier).
//
// Sessions: the cookie value is 32 random bytes (libsodium's randombytes_buf), base64url without
// padding; only its SHA-256 is stored (storage/auth_repository.h), so the database cannot be
// replayed as a cookie. A session ends 30 days after login, or after 7 days unused, or when
// revoked (logout, DELETE /api/auth/sessions/{id}, a new or cleared password). The cookie itself
// carries no Max-Age: a browser forgets it when it closes, the server's end bounds it otherwise.
//
// Logins: wrong passwords are rate limited per client address and in total (login_limiter.h)
// before any hashing; one verification runs at a time (Argon2id takes 64 MiB), a concurrent one
// is told to retry; a login with no password set is verified against a decoy hash, so it takes
// as long as a real one.
//
// Threading: every method is thread-safe (the repository uses per-thread connections). Time is the
// daemon's Clock.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/auth/login_limiter.h"
#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/http/request_guard.h"
#include "quantd/storage/auth_repository.h"
#include "quantd/storage/database.h"

namespace quantd::auth {

struct AuthOptions {
  // Listening beyond loopback: every request must authenticate even while no password is set
  // (then only the token can; without one nobody can, which fails closed).
  bool exposed = false;
  bool secure_cookie = false;  // add `Secure` to the cookie (the UI is reached over https)
  std::int64_t session_ms = 30LL * 24 * 3600 * 1000;
  std::int64_t idle_ms = 7LL * 24 * 3600 * 1000;
  LoginLimits limits;
};

// How POST /api/login went.
struct LoginOutcome {
  enum class Kind : std::uint8_t { kLoggedIn, kWrongPassword, kLimited };
  Kind kind = Kind::kWrongPassword;
  std::string set_cookie;          // kLoggedIn: the Set-Cookie header value
  std::int64_t session = 0;        // kLoggedIn: the new session's id
  std::int64_t retry_after_s = 0;  // kLimited: seconds to wait
};

// The address part of a peer "ip:port" / "[v6]:port" ("-" and other text pass through).
std::string client_address(std::string_view remote);

class AuthService final : public http::SessionVerifier {
 public:
  // `db` must be migrated; `db` and `clock` must outlive the service.
  AuthService(storage::Database& db, const Clock& clock, AuthOptions options);

  bool required() override;
  std::optional<std::int64_t> session_for(std::string_view secret) override;

  // Whether a password is set. Errors: internal.
  Result<bool> password_set();

  // Checks `password` for a login from `remote` ("ip:port"); on success opens a session recording
  // `user_agent` (clipped to 200 bytes). Errors: internal (SQLite).
  Result<LoginOutcome> login(std::string_view password, std::string_view remote,
                             std::string_view user_agent);

  // The Set-Cookie value that makes a browser drop its session cookie.
  std::string clearing_cookie() const;

  // Ends session `id`. Errors: not_found, internal.
  Status revoke(std::int64_t id);

  // Every live session, newest first (expired ones are deleted first). Errors: internal.
  Result<std::vector<storage::SessionRecord>> sessions();

 private:
  std::string cookie(std::string_view value, bool clear) const;

  storage::AuthRepository repo_;
  const Clock& clock_;
  const AuthOptions options_;
  LoginLimiter limiter_;
  std::mutex verify_mu_;  // held while one password is verified
};

}  // namespace quantd::auth
