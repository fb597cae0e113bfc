// The UI's password: rules, and its Argon2id hash from libsodium (crypto_pwhash_str).
//
// Cost: crypto_pwhash_OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE (2 passes over 64 MiB, about
// 0.1 s), not MODERATE (256 MiB, about 0.7 s). A login is verified on one of the server's few I/O
// threads, and online guessing is bounded by the login rate limit (auth_service.h), not by the
// hash's cost; MODERATE would hold a thread for most of a second and a quarter of a small home
// server's memory per attempt. What the cost guards is a stolen database file, and that file
// holds the broker's keys in the clear anyway.
//
// Pure functions over libsodium: thread-safe once init() has returned true.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "quantd/core/status.h"

namespace quantd::auth {

inline constexpr std::size_t kMinPasswordLength = 10;
// Longer input is refused before hashing, so a login cannot ask for unbounded work.
inline constexpr std::size_t kMaxPasswordLength = 1024;

// Initializes libsodium (idempotent). False when it cannot (no usable random source).
bool init();

// Ok when `password` may be set: kMinPasswordLength..kMaxPasswordLength bytes, not only
// whitespace. InvalidArgument naming the rule otherwise.
Status check_password_rules(std::string_view password);

// The "$argon2id$..." string for `password` (salted, self-describing). Errors: internal when
// libsodium cannot allocate its memory.
Result<std::string> hash_password(std::string_view password);

// True when `password` matches `hash` (a crypto_pwhash_str string). False for any other hash,
// and for a password longer than kMaxPasswordLength.
bool verify_password(const std::string& hash, std::string_view password);

// The hash of a random password nobody knows, made once: a login when no password is set is
// verified against it, so it costs the same time as a real one.
const std::string& decoy_hash();

}  // namespace quantd::auth
