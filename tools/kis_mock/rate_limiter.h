// RateLimiter: KIS's per-appkey REST quota (PROTOCOL §5.1), as a token bucket in wall time.
//
// Each appkey has a bucket of capacity `rate` (at least 1) that refills at `rate` tokens per
// second of the steady clock; a call takes one token or is refused. So at 1/s calls must be about
// a second apart, and at 18/s a burst of 18 passes and then 18 per second. A refused call takes
// nothing. Not thread-safe: the mock calls it under its state lock.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace quantd::kis_mock {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Precondition: rate_per_s > 0.
  explicit RateLimiter(double rate_per_s);

  // True (and one token taken) when `appkey` may make a call at `now`; false when its bucket is
  // empty. Calls with the same appkey share one bucket; an empty appkey is a bucket of its own.
  bool admit(const std::string& appkey, Clock::time_point now);

  // Changes the rate (and capacity) for every bucket from now on; buckets start full again.
  // Precondition: rate_per_s > 0.
  void set_rate(double rate_per_s);
  double rate() const { return rate_; }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double rate_;
  double capacity_;
  std::map<std::string, Bucket> buckets_;
};

}  // namespace quantd::kis_mock
