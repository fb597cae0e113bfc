// TokenService: OAuth access tokens and approval keys as KIS issues them (PROTOCOL §2).
//
// Rules modelled, all measured on the mock clock (so a daemon on a debug clock in lockstep sees
// consistent expiries and throttles):
// - a token lives 24 h; `access_token_token_expired` is its KST expiry;
// - tokenP within 6 h of the last issuance answers the same token (even a dead one: after
//   invalidate(), LT-18), after that it mints a new one, which makes the previous token invalid;
// - an expired or revoked token is never re-served: the next tokenP mints a new one;
// - tokenP within `throttle_s` of the last answered tokenP is refused (EGW00133); refusals do not
//   move the window.
// Not thread-safe: the mock calls it under its state lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "envelope.h"
#include "quantd/core/time.h"

namespace quantd::kis_mock {

enum class TokenCheck : std::uint8_t {
  kValid,
  kExpired,  // past expiry (or expire_token): EGW00123
  kInvalid,  // revoked, replaced, invalidate_token, or never issued: EGW00121
};

struct TokenAnswer {
  std::string error_code;  // "" on success, else EGW00103 / EGW00105 / EGW00133
  std::string access_token;
  TimestampMs expires_at = 0;
  bool minted = false;  // a new token (false: the current one re-served)
};

class TokenService {
 public:
  TokenService(std::string appkey, std::string appsecret, int throttle_s);

  // "" when appkey/appsecret are the configured ones, else EGW00103 (appkey) or EGW00105.
  std::string check_credentials(std::string_view appkey, std::string_view appsecret) const;

  // POST /oauth2/tokenP with these credentials at mock time `now` (rules above).
  TokenAnswer issue(std::string_view appkey, std::string_view appsecret, TimestampMs now);

  // The state of a bearer token (without the "Bearer " prefix) at `now`.
  TokenCheck check(std::string_view token, TimestampMs now) const;

  // POST /oauth2/revokeP: "" on success (also for a token already dead), EGW00103/EGW00105 for
  // wrong credentials, EGW00121 for a string the mock never issued.
  std::string revoke(std::string_view appkey, std::string_view appsecret, std::string_view token);

  // A new approval key (a UUID-shaped string) for POST /oauth2/Approval.
  std::string approval_key();

  // Faults: the current token expires at `now` / becomes invalid but keeps being re-served by
  // tokenP until 6 h after its issuance. No-ops without a current token.
  void expire_now(TimestampMs now);
  void invalidate();

  void set_throttle_s(int seconds) { throttle_s_ = seconds; }
  // {"state": "none|valid|expired|invalid", "issued_at", "expires_at", "tokens_minted"}.
  Json describe(TimestampMs now) const;

 private:
  struct Token {
    TimestampMs issued_at = 0;
    TimestampMs expires_at = 0;
    bool dead = false;  // revoked, replaced or invalidated
  };
  std::string mint(TimestampMs now);

  std::string appkey_;
  std::string appsecret_;
  int throttle_s_;
  std::map<std::string, Token, std::less<>> tokens_;  // every token ever issued
  std::string current_;                               // "" when none may be re-served
  bool answered_before_ = false;
  TimestampMs last_answer_at_ = 0;
  std::uint64_t serial_ = 0;
};

}  // namespace quantd::kis_mock
