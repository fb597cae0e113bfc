// The login rate limit on a manual timeline: per client, in total, and forgetting on success.
#include "quantd/auth/login_limiter.h"

#include <doctest/doctest.h>

namespace quantd::auth {
namespace {

TEST_CASE("five failures a minute from one address, then a wait until the oldest ages out") {
  LoginLimiter limiter({.per_client = 5, .global = 30, .window_ms = 60'000});
  const TimestampMs t0 = 1'000'000;
  for (int i = 0; i < 5; ++i) {
    CHECK(limiter.retry_after("10.0.0.1", t0 + i * 1000) == 0);
    limiter.failed("10.0.0.1", t0 + i * 1000);
  }
  CHECK(limiter.retry_after("10.0.0.1", t0 + 5000) == 55'000);
  CHECK(limiter.retry_after("10.0.0.2", t0 + 5000) == 0);  // another address is not blocked
  CHECK(limiter.retry_after("10.0.0.1", t0 + 60'000) == 0);
  limiter.succeeded("10.0.0.1");
  CHECK(limiter.retry_after("10.0.0.1", t0 + 6000) == 0);
}

TEST_CASE("failures from many addresses add up to the global limit") {
  LoginLimiter limiter({.per_client = 5, .global = 3, .window_ms = 60'000});
  limiter.failed("a", 0);
  limiter.failed("b", 1);
  CHECK(limiter.retry_after("c", 2) == 0);
  limiter.failed("c", 2);
  CHECK(limiter.retry_after("d", 3) == 59'997);
}

}  // namespace
}  // namespace quantd::auth
