// RateLimiter: the one gate every KIS REST call of an app key passes (LIVE.md §3.2 BrokerIo,
// PROTOCOL §5): calls are spaced at least 1/rate apart, waiting callers go in priority order
// (an order before a resolution before a quote … before a verification), first come first
// served within a priority. A throttle answer (EGW00201/EGW00215) backs off exponentially from
// 250 ms and halves the rate for 60 s; a call that succeeds ends the backoff.
//
// Every call counts: tokens, paging requests, all of them (KIS counts them too).
//
// Threading: thread-safe; acquire() blocks on a condition variable, never spins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <utility>

namespace quantd::kis {

enum class Priority : std::uint8_t {
  kOrder,      // order and cancel POSTs
  kResolve,    // resolving an unknown order
  kQuote,      // the pre-trade quote
  kBars,       // the minute chart of a cycle
  kReconcile,  // cycle reconciliation
  kBalance,    // balance and buying power
  kBackfill,   // warm-up and history downloads
  kVerify,     // re-reading bars already fed
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate_per_s` > 0 (e.g. 15 real, 0.9 paper).
  explicit RateLimiter(double rate_per_s);

  // Waits for the caller's turn; false when `deadline` passed first (the caller did not get a
  // slot and must not call).
  bool acquire(Priority priority, Clock::time_point deadline);

  // The broker answered EGW00201/EGW00215: the next slot waits the backoff, the rate halves for
  // 60 s.
  void throttled();
  // A call went through: the backoff starts again from 250 ms next time.
  void succeeded();

  // Calls per second now (halved while throttled).
  double rate() const;
  // Slots handed out and throttle answers so far.
  std::int64_t granted() const;
  std::int64_t throttles() const;

 private:
  Clock::duration spacing_locked(Clock::time_point now) const;

  const double rate_;
  mutable std::mutex mu_;
  std::condition_variable turn_;
  std::set<std::pair<int, std::uint64_t>> waiting_;  // (priority, arrival) of each waiter
  std::uint64_t arrivals_ = 0;
  Clock::time_point next_slot_{};
  Clock::time_point reduced_until_{};
  Clock::duration backoff_{};
  std::int64_t granted_ = 0;
  std::int64_t throttles_ = 0;
};

}  // namespace quantd::kis
