#include "rate_limiter.h"

#include <algorithm>

namespace quantd::kis_mock {

RateLimiter::RateLimiter(double rate_per_s) { set_rate(rate_per_s); }

void RateLimiter::set_rate(double rate_per_s) {
  rate_ = rate_per_s;
  // A fractional rate (0.5/s) still lets one call through; the refill spaces the next.
  capacity_ = std::max(1.0, rate_per_s);
  buckets_.clear();
}

bool RateLimiter::admit(const std::string& appkey, Clock::time_point now) {
  auto [it, fresh] = buckets_.try_emplace(appkey);
  Bucket& bucket = it->second;
  if (fresh) {
    bucket.tokens = capacity_;
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
    bucket.tokens = std::min(capacity_, bucket.tokens + std::max(0.0, elapsed) * rate_);
  }
  bucket.updated = now;
  // A hair of tolerance: a client spacing calls exactly 1/rate apart must not be refused for a
  // rounding error in the clock arithmetic.
  if (bucket.tokens < 1.0 - 1e-6) return false;
  bucket.tokens = std::max(0.0, bucket.tokens - 1.0);
  return true;
}

}  // namespace quantd::kis_mock
