// SystemdNotifier: the sd_notify(3) protocol, written out so quantd needs no libsystemd.
//
// Under a `Type=notify` unit systemd passes a datagram socket in $NOTIFY_SOCKET (a path, or an
// abstract name when it starts with '@') and, with `WatchdogSec=`, the watchdog period in
// $WATCHDOG_USEC (for the process $WATCHDOG_PID names, when set). Each notify() sends one
// datagram of newline-separated assignments: "READY=1", "STOPPING=1", "WATCHDOG=1",
// "STATUS=<one line>". Outside systemd (no NOTIFY_SOCKET) every call is a successful no-op.
//
// Threading: immutable after construction; notify() opens its own socket per call, so any
// thread may call it at any time.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "quantd/core/status.h"

namespace quantd {

class SystemdNotifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. A WATCHDOG_PID naming another process,
  // or a WATCHDOG_USEC that is not a positive number, leaves the watchdog off.
  static SystemdNotifier from_environment();

  // `socket` as NOTIFY_SOCKET would carry it (empty: disabled); `watchdog` the full period
  // systemd allows between pings (zero: no watchdog).
  explicit SystemdNotifier(std::string socket = {},
                           std::chrono::microseconds watchdog = std::chrono::microseconds{0});

  // True when a notification socket is configured.
  bool enabled() const { return !socket_.empty(); }

  // Sends `state` as one datagram. Ok (nothing sent) when disabled. Errors: InvalidArgument for
  // a socket name longer than sockaddr_un allows; Unavailable naming the socket and the OS error
  // when the datagram cannot be sent (systemd gone, socket removed).
  Status notify(std::string_view state) const;

  // How often to send WATCHDOG=1: half the period, as sd_watchdog_enabled(3) advises; zero when
  // the watchdog is off.
  std::chrono::microseconds watchdog_interval() const { return watchdog_ / 2; }

  const std::string& socket() const { return socket_; }

 private:
  std::string socket_;
  std::chrono::microseconds watchdog_;
};

}  // namespace quantd
