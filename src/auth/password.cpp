#include "quantd/auth/password.h"

#include <sodium.h>

#include <array>

namespace quantd::auth {

bool init() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

Status check_password_rules(std::string_view password) {
  if (password.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::invalid_argument("the password is empty or only whitespace");
  }
  if (password.size() < kMinPasswordLength) {
    return Status::invalid_argument("the password must be at least " +
                                    std::to_string(kMinPasswordLength) + " characters (got " +
                                    std::to_string(password.size()) + ")");
  }
  if (password.size() > kMaxPasswordLength) {
    return Status::invalid_argument("the password must be at most " +
                                    std::to_string(kMaxPasswordLength) + " bytes");
  }
  return {};
}

Result<std::string> hash_password(std::string_view password) {
  if (!init()) return Status::internal("libsodium cannot be initialized");
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str(out.data(), password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::internal("cannot hash the password (out of memory)");
  }
  return std::string(out.data());
}

bool verify_password(const std::string& hash, std::string_view password) {
  if (!init() || password.size() > kMaxPasswordLength) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

const std::string& decoy_hash() {
  static const std::string hash = [] {
    std::array<unsigned char, 32> secret{};
    if (init()) randombytes_buf(secret.data(), secret.size());
    auto made = hash_password(
        std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
    // Out of memory: an unparsable hash still fails every verification.
    return made.ok() ? made.value() : std::string("$argon2id$invalid");
  }();
  return hash;
}

}  // namespace quantd::auth
