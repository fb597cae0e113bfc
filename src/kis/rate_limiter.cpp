#include "quantd/kis/rate_limiter.h"

#include <algorithm>

namespace quantd::kis {

using namespace std::chrono_literals;

namespace {

constexpr auto kFirstBackoff = 250ms;
constexpr auto kMaxBackoff = 8s;
constexpr auto kReducedFor = 60s;

}  // namespace

RateLimiter::RateLimiter(double rate_per_s) : rate_(rate_per_s > 0 ? rate_per_s : 1) {}

RateLimiter::Clock::duration RateLimiter::spacing_locked(Clock::time_point now) const {
  const double rate = now < reduced_until_ ? rate_ / 2 : rate_;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
}

bool RateLimiter::acquire(Priority priority, Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  const auto ticket = std::make_pair(static_cast<int>(priority), arrivals_++);
  waiting_.insert(ticket);
  for (;;) {
    const auto now = Clock::now();
    const bool first = *waiting_.begin() == ticket;
    if (first && now >= next_slot_) {
      waiting_.erase(ticket);
      next_slot_ = std::max(now, next_slot_) + spacing_locked(now);
      ++granted_;
      turn_.notify_all();  // the next in line starts waiting for its slot
      return true;
    }
    if (now >= deadline) {
      waiting_.erase(ticket);
      turn_.notify_all();
      return false;
    }
    // The first in line sleeps until its slot; the others until something changes.
    if (first) {
      turn_.wait_until(lock, std::min(deadline, next_slot_));
    } else {
      turn_.wait_until(lock, deadline);
    }
  }
}

void RateLimiter::throttled() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  backoff_ = backoff_ == Clock::duration{} ? Clock::duration(kFirstBackoff)
                                           : std::min<Clock::duration>(backoff_ * 2, kMaxBackoff);
  next_slot_ = std::max(next_slot_, now + backoff_);
  reduced_until_ = now + kReducedFor;
  ++throttles_;
  turn_.notify_all();
}

void RateLimiter::succeeded() {
  std::lock_guard lock(mu_);
  backoff_ = {};
}

double RateLimiter::rate() const {
  std::lock_guard lock(mu_);
  return Clock::now() < reduced_until_ ? rate_ / 2 : rate_;
}

std::int64_t RateLimiter::granted() const {
  std::lock_guard lock(mu_);
  return granted_;
}

std::int64_t RateLimiter::throttles() const {
  std::lock_guard lock(mu_);
  return throttles_;
}

}  // namespace quantd::kis
