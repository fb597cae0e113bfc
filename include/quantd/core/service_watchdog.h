// ServiceWatchdog: feeds systemd's watchdog (WATCHDOG=1) only while every part of the daemon
// that must keep turning does, so a stuck scheduler or worker pool gets the daemon restarted
// instead of leaving it up and idle with real money at stake.
//
// Each interval the watchdog runs its probes; when all pass it sends "WATCHDOG=1" with a STATUS
// line, when one fails it sends only "STATUS=stalled: ..." and logs why (once per change), so
// systemd's WatchdogSec runs out and it restarts the service. A probe that recovers resumes the
// feeding (and is logged too).
//
// Threading: start() and stop() from one controlling thread; stop() is idempotent and joins.
// Probes and the status line run on the watchdog's own thread and must be quick and thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "quantd/core/systemd_notify.h"

namespace quantd {

struct HealthProbe {
  std::string name;  // what is checked, for the log: "scheduler", "backtest pool"
  // nullopt while healthy, else why not ("no loop turn for 31 s").
  std::function<std::optional<std::string>()> check;
};

class ServiceWatchdog {
 public:
  // A short line for systemctl status ("2 live sessions, backtest queue 0/64").
  using StatusLine = std::function<std::string()>;

  // `interval` > 0: how often to check and feed (SystemdNotifier::watchdog_interval()).
  ServiceWatchdog(SystemdNotifier notifier, std::chrono::microseconds interval,
                  std::vector<HealthProbe> probes, StatusLine status);
  ~ServiceWatchdog();
  ServiceWatchdog(const ServiceWatchdog&) = delete;
  ServiceWatchdog& operator=(const ServiceWatchdog&) = delete;

  // Starts the thread, which checks at once and then every interval. No-op when running.
  void start();
  // Wakes and joins the thread. Idempotent.
  void stop();

  // One round: runs the probes, sends WATCHDOG=1 and STATUS when all pass, else STATUS only.
  // Returns true when it fed the watchdog. Called by the thread; tests may call it directly
  // (not concurrently with a running thread).
  bool check_once();

  // The first failing probe of the last round ("scheduler: no loop turn for 31 s"), or empty
  // while healthy. Thread-safe.
  std::string problem() const;

 private:
  void run();

  const SystemdNotifier notifier_;
  const std::chrono::microseconds interval_;
  const std::vector<HealthProbe> probes_;
  const StatusLine status_;
  std::thread thread_;  // touched only by the controlling thread

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;     // guarded by mu_
  std::string problem_;       // guarded by mu_
  bool send_failed_ = false;  // only on the watchdog thread: log a failing socket once
};

}  // namespace quantd
