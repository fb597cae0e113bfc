// The daemon under a pretend systemd: the test binds the notification socket, starts the real
// binary with NOTIFY_SOCKET and WATCHDOG_USEC pointing at it, and reads what systemd would.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include "../core/notify_listener.h"
#include "test_support.h"

using namespace quantd::testing;
using namespace std::chrono_literals;

TEST_CASE("systemd: READY=1 once serving, WATCHDOG=1 every half period, STOPPING=1 on SIGTERM") {
  TempDir dir;
  NotifyListener systemd;
  setenv("NOTIFY_SOCKET", systemd.address().c_str(), 1);
  setenv("WATCHDOG_USEC", "200000", 1);  // ping every 100 ms
  Daemon d(dir.file("quantd.db"));
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");

  const auto ready = systemd.receive(10s);
  REQUIRE(ready);
  CHECK(ready->find("READY=1\n") == 0);
  CHECK(ready->find("STATUS=0 live session(s); backtest queue 0/64") != std::string::npos);
  // Ready means serving: the HTTP server answers by the time READY=1 was sent.
  CHECK(http_request(d.port(), "GET", "/api/health").status == 200);

  int pings = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (pings < 5 && std::chrono::steady_clock::now() - t0 < 5s) {
    const auto message = systemd.receive(2s);
    REQUIRE(message);
    if (message->find("WATCHDOG=1\n") == 0) ++pings;
  }
  CHECK(pings == 5);
  // Five pings at 100 ms take about 400 ms; a daemon pinging at the full period would take 1 s.
  CHECK(std::chrono::steady_clock::now() - t0 < 900ms);

  REQUIRE(kill(d.pid(), SIGTERM) == 0);
  CHECK(systemd.wait_for("STOPPING=1", 10s));
  CHECK(d.stop(SIGTERM) == 0);
  CHECK(d.log().find("systemd watchdog: pinging every 100 ms") != std::string::npos);
}

TEST_CASE("systemd: without NOTIFY_SOCKET the daemon sends nothing and says nothing about it") {
  TempDir dir;
  unsetenv("NOTIFY_SOCKET");
  Daemon d(dir.file("quantd.db"));
  CHECK(http_request(d.port(), "GET", "/api/health").status == 200);
  CHECK(d.stop(SIGTERM) == 0);
  CHECK(d.log().find("systemd") == std::string::npos);
}
