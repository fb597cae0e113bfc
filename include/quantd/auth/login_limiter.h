// LoginLimiter: how many wrong passwords are tolerated, per client address and in total.
//
// A sliding window: once `per_client` failures from one address fall within `window`, that
// address waits until the oldest leaves the window; once `global` failures from all addresses do,
// every address waits (a guesser spreading over many addresses). A success clears its address's
// failures. Memory stays bounded: at most kMaxClients addresses are remembered, the stalest
// forgotten first. Thread-safe (one mutex, held for a few map operations).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "quantd/core/time.h"

namespace quantd::auth {

struct LoginLimits {
  int per_client = 5;
  int global = 30;
  std::int64_t window_ms = 60'000;
};

class LoginLimiter {
 public:
  static constexpr std::size_t kMaxClients = 10'000;

  explicit LoginLimiter(LoginLimits limits = {}) : limits_(limits) {}

  // Milliseconds `client` must wait before its next attempt is even checked; 0: it may try now.
  std::int64_t retry_after(const std::string& client, TimestampMs now);
  // Records a wrong password from `client` at `now`.
  void failed(const std::string& client, TimestampMs now);
  // Forgets `client`'s failures (it knew the password).
  void succeeded(const std::string& client);

 private:
  void expire(std::deque<TimestampMs>& times, TimestampMs now) const;
  std::int64_t wait_for(const std::deque<TimestampMs>& times, int limit, TimestampMs now) const;

  const LoginLimits limits_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<TimestampMs>> clients_;  // guarded by mu_
  std::deque<TimestampMs> global_;                                    // guarded by mu_
};

}  // namespace quantd::auth
