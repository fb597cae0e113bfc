// Test helper: a private PostgreSQL 15 on 127.0.0.1 with a free port and a temporary cluster
// (initdb -A trust -U quantd, fsync off; SCALEOUT.md §8.1), stopped when the object goes. As root
// it runs initdb and postgres through `runuser -u postgres --`, since both refuse root. A test
// that needs PostgreSQL fails, with a sentence saying what to install, when it is missing.
#pragma once

#include <csignal>
#include <cstdint>
#include <string>

#include "integration/test_support.h"

namespace quantd::storage::test {

class PgProcess {
 public:
  // initdb, then starts postgres and waits until it accepts connections; REQUIRE-fails otherwise
  // (with its log).
  PgProcess();
  // SIGINT (fast shutdown: unlike SIGTERM it does not wait for open sessions), then waits.
  ~PgProcess();
  PgProcess(const PgProcess&) = delete;
  PgProcess& operator=(const PgProcess&) = delete;

  std::uint16_t port() const { return port_; }
  // postgresql://quantd@127.0.0.1:PORT/postgres (trust auth: no password).
  std::string url() const;

  // Signals the server and reaps it; SIGKILL is a crash mid-conversation.
  void stop(int signal = SIGTERM);
  // Starts it again on the same port and cluster (crash recovery runs after a SIGKILL).
  void restart();
  std::string log() const;

 private:
  bool start();  // false when it exits or never accepts connections

  quantd::testing::TempDir dir_;
  bool as_postgres_ = false;  // running as root: drop to the postgres user
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace quantd::storage::test
