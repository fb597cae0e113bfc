// KeyedWorkerPool<Message>: N worker threads over per-key queues, for the live side, where the
// key is a live session id (ARCHITECTURE §4, LIVE.md §3: "never two at once for one session;
// late ticks coalesce").
//
// Guarantees:
// - Never two messages of one key are handled at once, by any worker; messages of different
//   keys are handled in parallel. Keys that have work take turns (a ready queue of keys), so one
//   busy key cannot starve the others.
// - Per key, messages are handled in submission order, except that a kLatest message (an
//   evaluation tick) pushed while another kLatest message of the same key is still queued drops
//   that older one and joins the end of the key's queue: late ticks coalesce, only the newest is
//   handled. kEvery messages (commands) are never dropped, and the messages handled for a key are
//   always a subsequence, in order, of those pushed for it.
// - The total of queued messages (not counting those in hand) is bounded by `capacity`; push
//   fails fast instead of blocking. A kLatest push that replaces a queued message needs no room.
//
// Threading: every member function is thread-safe except start() and stop(), which are called
// from one controlling thread. All state the threads share is guarded by one mutex (mu_); the
// handler runs outside it. A handler that throws is logged and swallowed; the key is released
// and its next message handled. stop() lets each worker finish the message in hand (the handler
// can watch `stopping` to cut long work short), then joins; messages still queued stay queued
// (their SQLite rows are the durable record) and are handled if start() is called again, or
// dropped with the pool. stop() is idempotent; the destructor stops.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/workers/worker_health.h"

namespace quantd::workers {

// How a pushed message relates to the other messages of its key.
enum class Delivery : std::uint8_t {
  kEvery,   // handled exactly once, in order (commands)
  kLatest,  // replaced by a newer kLatest message of its key while still queued (ticks)
};

template <typename Message>
class KeyedWorkerPool {
 public:
  // Called on a worker thread with each message and its key; `stopping` turns true when the pool
  // is asked to stop.
  using Handler =
      std::function<void(std::int64_t key, Message& message, const std::atomic<bool>& stopping)>;

  // workers >= 1 and capacity >= 1 (smaller values are raised to 1). No thread runs before
  // start(); messages pushed before it wait.
  KeyedWorkerPool(std::string name, int workers, std::size_t capacity, Handler handler)
      : name_(std::move(name)),
        workers_(workers < 1 ? 1 : workers),
        capacity_(capacity < 1 ? 1 : capacity),
        handler_(std::move(handler)),
        health_(workers_) {}
  ~KeyedWorkerPool() { stop(); }
  KeyedWorkerPool(const KeyedWorkerPool&) = delete;
  KeyedWorkerPool& operator=(const KeyedWorkerPool&) = delete;

  // Queues `message` for `key`. Errors: resource_exhausted when `capacity` messages are queued
  // (and a kLatest push has nothing to replace); unavailable after stop() (until start()).
  Status push(std::int64_t key, Message message, Delivery delivery = Delivery::kEvery) {
    std::unique_lock lock(mu_);
    if (stopped_) return Status::unavailable(name_ + " pool stopped");
    KeyQueue& q = keys_[key];  // may create the entry; it is erased below if left empty
    // Idle: not in ready_ and not in hand, so this push must put the key in ready_.
    const bool was_idle = q.pending.empty() && !q.running;
    bool replaced = false;
    if (delivery == Delivery::kLatest) {
      for (auto it = q.pending.begin(); it != q.pending.end(); ++it) {
        if (it->delivery == Delivery::kLatest) {
          q.pending.erase(it);  // at most one kLatest is ever queued per key
          --depth_;
          ++coalesced_;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced && depth_ >= capacity_) {
      if (was_idle) keys_.erase(key);
      return Status::resource_exhausted(name_ + " pool full (" + std::to_string(capacity_) +
                                        " messages queued)");
    }
    q.pending.push_back(Entry{std::move(message), delivery});
    ++depth_;
    if (was_idle) {
      ready_.push_back(key);
      lock.unlock();
      ready_cv_.notify_one();
    }
    return {};
  }

  // Starts the workers. No-op on a running pool.
  void start() {
    if (!threads_.empty()) return;
    {
      std::lock_guard lock(mu_);
      stopped_ = false;
      stopping_ = false;
    }
    for (int i = 0; i < workers_; ++i) threads_.emplace_back([this, i] { run(i); });
    spdlog::info("{} pool started with {} worker(s)", name_, workers_);
  }

  // Refuses further pushes (until start()), lets each worker finish its message in hand, joins.
  // Idempotent.
  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      if (threads_.empty()) return;
      // Set under the lock so a worker between its predicate check and its wait cannot miss it.
      stopping_ = true;
    }
    ready_cv_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    spdlog::info("{} pool stopped", name_);
  }

  int workers() const { return workers_; }
  std::size_t capacity() const { return capacity_; }
  // Workers handling a message right now.
  int busy() const {
    std::lock_guard lock(mu_);
    return busy_;
  }
  // Messages handled since construction (including those whose handler threw).
  std::uint64_t handled() const {
    std::lock_guard lock(mu_);
    return handled_;
  }
  // Messages queued and not yet in hand.
  std::size_t depth() const {
    std::lock_guard lock(mu_);
    return depth_;
  }
  // Each worker's last loop turn and message in hand, for the daemon's watchdog. Thread-safe.
  const WorkerHealth& health() const { return health_; }
  // kLatest messages dropped because a newer one of their key replaced them.
  std::uint64_t coalesced() const {
    std::lock_guard lock(mu_);
    return coalesced_;
  }

 private:
  struct Entry {
    Message message;
    Delivery delivery;
  };
  struct KeyQueue {
    std::deque<Entry> pending;
    bool running = false;  // a worker holds a message of this key
  };

  void run(int index) {
    std::unique_lock lock(mu_);
    while (true) {
      // Idle workers still turn once a second, so the watchdog can tell idle from stuck.
      health_.idle(index);
      if (!ready_cv_.wait_for(lock, std::chrono::seconds(1),
                              [&] { return stopping_.load() || !ready_.empty(); })) {
        continue;
      }
      if (stopping_) return;
      const std::int64_t key = ready_.front();
      ready_.pop_front();
      KeyQueue& q = keys_.at(key);  // a key in ready_ has pending messages and is not running
      Entry entry = std::move(q.pending.front());
      q.pending.pop_front();
      q.running = true;
      --depth_;
      ++busy_;
      health_.begin(index);
      lock.unlock();
      try {
        handler_(key, entry.message, stopping_);
      } catch (const std::exception& e) {
        spdlog::error("{} worker {}: handler failed for key {}: {}", name_, index, key, e.what());
      } catch (...) {
        spdlog::error("{} worker {}: handler failed for key {} with an unknown exception", name_,
                      index, key);
      }
      health_.end(index);
      lock.lock();
      --busy_;
      ++handled_;
      auto it = keys_.find(key);
      it->second.running = false;
      if (it->second.pending.empty()) {
        keys_.erase(it);
      } else {
        ready_.push_back(key);  // behind the keys already waiting: keys take turns
        ready_cv_.notify_one();
      }
    }
  }

  const std::string name_;
  const int workers_;
  const std::size_t capacity_;
  const Handler handler_;
  std::vector<std::thread> threads_;  // touched only by the controlling thread
  // Written under mu_ (so waiting workers see it); handlers read it without the lock.
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;                 // signalled when ready_ grows or on stop
  std::unordered_map<std::int64_t, KeyQueue> keys_;  // guarded by mu_: keys queued or running
  std::deque<std::int64_t> ready_;                   // guarded by mu_: keys waiting for a worker
  std::size_t depth_ = 0;                            // guarded by mu_
  int busy_ = 0;                                     // guarded by mu_
  std::uint64_t handled_ = 0;                        // guarded by mu_
  std::uint64_t coalesced_ = 0;                      // guarded by mu_
  bool stopped_ = false;                             // guarded by mu_: pushes refused
  WorkerHealth health_;                              // lock-free; each worker marks its own slot
};

}  // namespace quantd::workers
