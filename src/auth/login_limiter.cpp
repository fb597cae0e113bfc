#include "quantd/auth/login_limiter.h"

#include <algorithm>

namespace quantd::auth {

void LoginLimiter::expire(std::deque<TimestampMs>& times, TimestampMs now) const {
  while (!times.empty() && times.front() <= now - limits_.window_ms) times.pop_front();
}

std::int64_t LoginLimiter::wait_for(const std::deque<TimestampMs>& times, int limit,
                                    TimestampMs now) const {
  if (static_cast<int>(times.size()) < limit) return 0;
  // The attempt that brings the count back under the limit is allowed once enough have aged out.
  const TimestampMs oldest = times[times.size() - static_cast<std::size_t>(limit)];
  return std::max<std::int64_t>(1, oldest + limits_.window_ms - now);
}

std::int64_t LoginLimiter::retry_after(const std::string& client, TimestampMs now) {
  std::lock_guard lock(mu_);
  expire(global_, now);
  std::int64_t wait = wait_for(global_, limits_.global, now);
  if (auto it = clients_.find(client); it != clients_.end()) {
    expire(it->second, now);
    if (it->second.empty()) {
      clients_.erase(it);
    } else {
      wait = std::max(wait, wait_for(it->second, limits_.per_client, now));
    }
  }
  return wait;
}

void LoginLimiter::failed(const std::string& client, TimestampMs now) {
  std::lock_guard lock(mu_);
  global_.push_back(now);
  expire(global_, now);
  if (clients_.size() >= kMaxClients && !clients_.contains(client)) {
    // Forget the address whose last failure is oldest; scanning is rare (only when full).
    auto stalest = std::min_element(clients_.begin(), clients_.end(), [](auto& a, auto& b) {
      return a.second.back() < b.second.back();
    });
    clients_.erase(stalest);
  }
  auto& times = clients_[client];
  times.push_back(now);
  expire(times, now);
}

void LoginLimiter::succeeded(const std::string& client) {
  std::lock_guard lock(mu_);
  clients_.erase(client);
}

}  // namespace quantd::auth
