// `quantd serve` and `quantd check-config`.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "quantd/app/commands.h"
#include "quantd/app/daemon.h"
#include "quantd/config/config.h"
#include "quantd/core/crash_point.h"
#include "quantd/core/logging.h"

namespace quantd::app {
namespace {

constexpr const char* kServeUsage =
    "usage: quantd serve [--config FILE] [--listen HOST:PORT] [--db PATH]\n"
    "                    [--debug-clock[=TIME]] [--debug-crash]\n"
    "test hooks (loopback only for the clock):\n"
    "  --debug-clock[=TIME]  the daemon's clock is manual, moved by POST /api/debug/clock; it\n"
    "                        starts at TIME (e.g. 2026-07-09T08:59:00+09:00) or the real time\n"
    "  --debug-crash         abort at the crash point named by QUANTD_CRASH_AT\n";

// Arms the crash point QUANTD_CRASH_AT names when --debug-crash is given. Returns false (after
// printing why) for an unknown name.
bool arm_crash_point_from_env(bool debug_crash) {
  const char* env = std::getenv("QUANTD_CRASH_AT");
  const std::string_view name = env ? env : "";
  if (!debug_crash) {
    if (!name.empty()) spdlog::warn("QUANTD_CRASH_AT is ignored without --debug-crash");
    return true;
  }
  if (name.empty()) {
    spdlog::warn("--debug-crash without QUANTD_CRASH_AT: no crash point armed");
    return true;
  }
  if (Status st = arm_crash_points(name); !st.ok()) {
    std::cerr << "quantd serve: QUANTD_CRASH_AT: " << st.message() << "\n";
    return false;
  }
  spdlog::warn("crash point '{}' armed: the process aborts when it is reached", name);
  return true;
}

// Graceful shutdown must finish within this; past it the process exits 1 rather than hang.
constexpr auto kShutdownDeadline = std::chrono::seconds(10);

}  // namespace

int run_check_config_command(Args args) {
  if (args.size() != 1 || args[0].starts_with("-")) {
    std::cerr << "usage: quantd check-config FILE\n";
    return 2;
  }
  auto loaded = config::load_config_file(args[0]);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 2;
  }
  if (Status st = config::validate(*loaded); !st.ok()) {
    std::cerr << args[0] << ": " << st.message() << "\n";
    return 2;
  }
  std::cout << args[0] << ": ok (" << config::describe(*loaded) << ")\n";
  return 0;
}

int run_serve_command(Args args) {
  std::string config_path, listen, db_path;
  config::DebugConfig debug;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    bool ok = true;
    if (a == "--config")
      ok = value(config_path);
    else if (a == "--listen")
      ok = value(listen);
    else if (a == "--db")
      ok = value(db_path);
    else if (a == "--debug-clock")
      debug.clock = true;
    else if (a.starts_with("--debug-clock=")) {
      debug.clock = true;
      const std::string start = a.substr(std::string_view("--debug-clock=").size());
      debug.clock_start = parse_timestamp(start);
      if (!debug.clock_start) {
        std::cerr << "quantd serve: --debug-clock: '" << start
                  << "' is not a time (use e.g. 2026-07-09T08:59:00+09:00)\n";
        return 2;
      }
    } else if (a == "--debug-crash")
      debug.crash = true;
    else if (a == "--help" || a == "-h") {
      std::cout << kServeUsage;
      return 0;
    } else {
      std::cerr << "quantd serve: unknown flag '" << a << "'\n" << kServeUsage;
      return 2;
    }
    if (!ok) {
      std::cerr << "quantd serve: flag " << a << " needs a value\n" << kServeUsage;
      return 2;
    }
  }

  auto loaded = config::load_config_or_default(config_path);
  if (!loaded.ok()) {
    std::cerr << loaded.status().message() << "\n";
    return 2;
  }
  config::Config config = std::move(loaded).value();
  if (!listen.empty()) {
    if (Status st = config::apply_listen(config.server, listen); !st.ok()) {
      std::cerr << "quantd serve: --listen: " << st.message() << "\n";
      return 2;
    }
  }
  if (!db_path.empty()) config.database.path = db_path;
  config.debug = debug;
  if (Status st = config::validate(config); !st.ok()) {
    std::cerr << "quantd serve: " << st.message() << "\n";
    return 2;
  }
  if (Status st = setup_logging(config.log.level); !st.ok()) {
    std::cerr << "quantd serve: log.level: " << st.message() << "\n";
    return 2;
  }
  if (!arm_crash_point_from_env(config.debug.crash)) return 2;

  // Block the shutdown signals before any thread starts, so every thread inherits the mask and
  // only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Daemon daemon(std::move(config));
  if (Status st = daemon.start(); !st.ok()) {
    spdlog::critical("cannot start: {}", st.message());
    return 1;
  }
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");

  std::atomic<bool> done{false};
  std::thread watchdog([&done] {
    const auto deadline = std::chrono::steady_clock::now() + kShutdownDeadline;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!done) {
      spdlog::critical("shutdown took longer than 10 s; exiting");
      spdlog::default_logger()->flush();
      _exit(1);
    }
  });
  daemon.stop();
  done = true;
  watchdog.join();
  return 0;
}

}  // namespace quantd::app
