#include "quantd/core/systemd_notify.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <atomic>
#include <thread>

#include "notify_listener.h"
#include "quantd/core/heartbeat.h"
#include "quantd/core/service_watchdog.h"

using namespace std::chrono_literals;
using quantd::HealthProbe;
using quantd::Heartbeat;
using quantd::ServiceWatchdog;
using quantd::SystemdNotifier;
using quantd::testing::NotifyListener;

TEST_CASE("sd_notify: a datagram reaches a path socket and an abstract one") {
  for (bool abstract : {false, true}) {
    NotifyListener listener(abstract);
    SystemdNotifier notifier(listener.address());
    REQUIRE(notifier.enabled());
    REQUIRE(notifier.notify("READY=1\nSTATUS=up").ok());
    CHECK(listener.receive(2s) == std::optional<std::string>("READY=1\nSTATUS=up"));
  }
}

TEST_CASE("sd_notify: disabled without NOTIFY_SOCKET, an error for a missing socket") {
  SystemdNotifier off;
  CHECK(!off.enabled());
  CHECK(off.notify("READY=1").ok());
  SystemdNotifier gone("/tmp/quantd-no-such-notify-socket");
  const auto st = gone.notify("READY=1");
  CHECK(!st.ok());
  CHECK(st.message().find("/tmp/quantd-no-such-notify-socket") != std::string::npos);
}

TEST_CASE("sd_notify: the environment sets the socket and half the watchdog period") {
  setenv("NOTIFY_SOCKET", "@quantd-test", 1);
  setenv("WATCHDOG_USEC", "30000000", 1);
  unsetenv("WATCHDOG_PID");
  auto n = SystemdNotifier::from_environment();
  CHECK(n.socket() == "@quantd-test");
  CHECK(n.watchdog_interval() == 15s);
  // A watchdog meant for another process of the unit is not ours to feed.
  setenv("WATCHDOG_PID", "1", 1);
  CHECK(SystemdNotifier::from_environment().watchdog_interval() == 0s);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  CHECK(SystemdNotifier::from_environment().watchdog_interval() == 15s);
  setenv("WATCHDOG_USEC", "soon", 1);
  CHECK(SystemdNotifier::from_environment().watchdog_interval() == 0s);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  CHECK(!SystemdNotifier::from_environment().enabled());
}

TEST_CASE("watchdog: WATCHDOG=1 while the heartbeat advances, none once it stalls, again after") {
  NotifyListener listener;
  Heartbeat beat;
  std::atomic<bool> beating{true};
  std::thread loop([&] {
    for (int i = 0; i < 400; ++i) {  // at most 4 s
      if (beating) beat.beat();
      std::this_thread::sleep_for(10ms);
    }
  });
  ServiceWatchdog watchdog(SystemdNotifier(listener.address()), 20ms,
                           {HealthProbe{"loop",
                                        [&]() -> std::optional<std::string> {
                                          if (beat.age() < 200ms) return std::nullopt;
                                          return std::string("stuck");
                                        }}},
                           [] { return std::string("all good"); });
  watchdog.start();
  const auto fed = listener.wait_for("WATCHDOG=1", 2s);
  REQUIRE(fed);
  CHECK(*fed == "WATCHDOG=1\nSTATUS=all good");

  beating = false;
  REQUIRE(listener.wait_for("STATUS=stalled: loop: stuck", 2s));
  CHECK(watchdog.problem() == "loop: stuck");
  // While stalled, nothing that arrives feeds the watchdog.
  for (int i = 0; i < 10; ++i) {
    const auto message = listener.receive(500ms);
    REQUIRE(message);
    CHECK(message->find("WATCHDOG=1") == std::string::npos);
  }

  beating = true;
  CHECK(listener.wait_for("WATCHDOG=1", 2s));
  CHECK(watchdog.problem().empty());
  watchdog.stop();
  loop.join();
}

TEST_CASE("watchdog: a probe that throws counts as unhealthy; STATUS stays one line") {
  NotifyListener listener;
  ServiceWatchdog watchdog(
      SystemdNotifier(listener.address()), 1s,
      {HealthProbe{"db", []() -> std::optional<std::string> { throw std::runtime_error("boom"); }}},
      [] { return std::string("x"); });
  CHECK(!watchdog.check_once());
  CHECK(listener.receive(1s) ==
        std::optional<std::string>("STATUS=stalled: db: its check failed: boom"));
  ServiceWatchdog multiline(SystemdNotifier(listener.address()), 1s, {},
                            [] { return std::string("a\nREADY=1"); });
  CHECK(multiline.check_once());
  CHECK(listener.receive(1s) == std::optional<std::string>("WATCHDOG=1\nSTATUS=a READY=1"));
}
