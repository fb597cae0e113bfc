#include "quantd/core/service_watchdog.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace quantd {

ServiceWatchdog::ServiceWatchdog(SystemdNotifier notifier, std::chrono::microseconds interval,
                                 std::vector<HealthProbe> probes, StatusLine status)
    : notifier_(std::move(notifier)),
      interval_(interval),
      probes_(std::move(probes)),
      status_(std::move(status)) {}

ServiceWatchdog::~ServiceWatchdog() { stop(); }

void ServiceWatchdog::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void ServiceWatchdog::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::string ServiceWatchdog::problem() const {
  std::lock_guard lock(mu_);
  return problem_;
}

bool ServiceWatchdog::check_once() {
  std::string problem;
  for (const HealthProbe& probe : probes_) {
    std::optional<std::string> why;
    try {
      why = probe.check();
    } catch (const std::exception& e) {
      why = std::string("its check failed: ") + e.what();
    }
    if (why) {
      problem = probe.name + ": " + *why;
      break;
    }
  }
  std::string previous;
  {
    std::lock_guard lock(mu_);
    previous = std::exchange(problem_, problem);
  }
  if (problem != previous) {
    if (!problem.empty()) {
      spdlog::error(
          "watchdog: not feeding systemd ({}); it restarts quantd when WatchdogSec runs out",
          problem);
    } else {
      spdlog::warn("watchdog: healthy again ({} recovered); feeding systemd", previous);
    }
  }
  std::string message;
  if (problem.empty()) {
    std::string line;
    try {
      line = status_ ? status_() : std::string();
    } catch (const std::exception& e) {
      line = std::string("status unavailable: ") + e.what();
    }
    message = "WATCHDOG=1\nSTATUS=" + line;
  } else {
    message = "STATUS=stalled: " + problem;
  }
  // STATUS is one line: a stray newline would start a new assignment.
  for (std::size_t i = message.find("STATUS="); i < message.size(); ++i) {
    if (message[i] == '\n' || message[i] == '\r') message[i] = ' ';
  }
  if (Status st = notifier_.notify(message); !st.ok()) {
    if (!send_failed_) spdlog::warn("watchdog: {}", st.message());
    send_failed_ = true;
  } else {
    send_failed_ = false;
  }
  return problem.empty();
}

void ServiceWatchdog::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    check_once();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace quantd
