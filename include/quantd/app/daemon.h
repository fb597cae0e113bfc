// Daemon: the composition root. It is the only place that chooses implementations and wires the
// components together: storage, bus channels, worker pools, scheduler and HTTP server.
//
// Start order: database (open + migrations) → channels → pools → re-queue unfinished jobs →
// notifier (when [notify] enables a channel) → live service → scheduler → HTTP. Stop order is
// the reverse: HTTP stops accepting and finishes in-flight requests → scheduler → channels closed
// → pools finish the message in hand → live service → notifier (sends what is queued, for 3 s at
// most) → database closed.
// start() and stop() are called from one thread; stop() is idempotent.
//
// Time: every component reads one injected Clock held by the daemon: the system clock, or with
// config.debug.clock (serve --debug-clock) a ManualClock that only POST /api/debug/clock moves.
#pragma once

#include <cstdint>
#include <memory>

#include "quantd/config/config.h"
#include "quantd/core/status.h"

namespace quantd::app {

class Daemon {
 public:
  explicit Daemon(config::Config config);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Brings every component up. On error nothing is left running and the Status names the cause
  // (e.g. "migration 0003_x.sql failed: ...", "cannot listen on 127.0.0.1:8080: ...").
  Status start();
  void stop();

  // The bound HTTP port (useful when configured with port 0).
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::app
