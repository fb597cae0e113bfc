// Password rules and hashing, and the client address sessions and limits are keyed by.
#include "quantd/auth/password.h"

#include <doctest/doctest.h>

#include "quantd/auth/auth_service.h"

namespace quantd::auth {
namespace {

TEST_CASE("client_address drops the port, keeps IPv6 brackets") {
  CHECK(client_address("127.0.0.1:5555") == "127.0.0.1");
  CHECK(client_address("[::1]:5555") == "[::1]");
  CHECK(client_address("-") == "-");
}

TEST_CASE("passwords: rules and an Argon2id round trip") {
  CHECK_FALSE(check_password_rules("short").ok());
  CHECK_FALSE(check_password_rules("          ").ok());
  CHECK_FALSE(check_password_rules(std::string(kMaxPasswordLength + 1, 'x')).ok());
  CHECK(check_password_rules("ten chars!").ok());
  auto hash = hash_password("ten chars!");
  REQUIRE(hash.ok());
  CHECK(hash->starts_with("$argon2id$"));
  CHECK(verify_password(*hash, "ten chars!"));
  CHECK_FALSE(verify_password(*hash, "ten chars?"));
  CHECK_FALSE(verify_password(decoy_hash(), ""));
}

}  // namespace
}  // namespace quantd::auth
