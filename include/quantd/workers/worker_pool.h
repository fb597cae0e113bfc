// WorkerPool<T>: a fixed set of threads consuming one bus channel with a handler.
//
// Threading: `workers` threads each pop from the channel and call the handler; one message is
// handled by one thread. A handler that throws is logged and the worker goes on with the next
// message. stop() asks the workers to finish the message in hand and exit (messages still queued
// stay in the channel: their SQLite rows are the durable record and are re-queued on the next
// start); the handler can watch stopping() to checkpoint long work early. start() and stop() are
// called from one controlling thread; stop() is idempotent and joins.
#pragma once

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "quantd/bus/channel.h"
#include "quantd/workers/worker_health.h"

namespace quantd::workers {

template <typename T>
class WorkerPool {
 public:
  // Called with each message; `stopping` turns true when the pool is asked to stop.
  using Handler = std::function<void(T& message, const std::atomic<bool>& stopping)>;

  WorkerPool(std::string name, bus::Channel<T>& channel, int workers, Handler handler)
      : name_(std::move(name)),
        channel_(channel),
        workers_(workers < 1 ? 1 : workers),
        handler_(std::move(handler)),
        health_(workers_) {}
  ~WorkerPool() { stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Starts the threads. Calling start() on a running pool does nothing.
  void start() {
    if (!threads_.empty()) return;
    stopping_ = false;
    for (int i = 0; i < workers_; ++i) {
      threads_.emplace_back([this, i] { run(i); });
    }
    spdlog::info("{} pool started with {} worker(s)", name_, workers_);
  }

  // Lets each worker finish its current message, then joins them. Idempotent.
  void stop() {
    if (threads_.empty()) return;
    stopping_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
    spdlog::info("{} pool stopped", name_);
  }

  int workers() const { return workers_; }
  // Workers handling a message right now.
  int busy() const { return busy_.load(); }
  // Messages handled since start (including those whose handler threw).
  std::uint64_t handled() const { return handled_.load(); }
  bool stopping() const { return stopping_.load(); }
  // Each worker's last loop turn and message in hand, for the daemon's watchdog. Thread-safe.
  const WorkerHealth& health() const { return health_; }

 private:
  void run(int index) {
    T message{};
    while (!stopping_) {
      const auto r = channel_.pop(message, std::chrono::milliseconds(100));
      if (r == bus::PopResult::kClosed) break;
      if (r == bus::PopResult::kTimeout) {
        health_.idle(index);
        continue;
      }
      health_.begin(index);
      busy_.fetch_add(1);
      try {
        handler_(message, stopping_);
      } catch (const std::exception& e) {
        spdlog::error("{} worker {}: handler failed: {}", name_, index, e.what());
      } catch (...) {
        spdlog::error("{} worker {}: handler failed with an unknown exception", name_, index);
      }
      busy_.fetch_sub(1);
      handled_.fetch_add(1);
      health_.end(index);
    }
  }

  const std::string name_;
  bus::Channel<T>& channel_;
  const int workers_;
  Handler handler_;
  std::vector<std::thread> threads_;  // touched only by the controlling thread
  std::atomic<bool> stopping_{false};
  std::atomic<int> busy_{0};
  std::atomic<std::uint64_t> handled_{0};
  WorkerHealth health_;
};

}  // namespace quantd::workers
