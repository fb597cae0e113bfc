// Test helper: a private redis-server on 127.0.0.1 with a free port and a temporary folder, no
// persistence (SCALEOUT.md §8.1), killed when the object goes. A test that needs Redis fails, with
// a sentence saying what to install, when redis-server is missing: it never skips.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "integration/test_support.h"

namespace quantd::bus::test {

class RedisProcess {
 public:
  // Starts `redis-server --port P --bind 127.0.0.1 --save '' --appendonly no --dir TMP
  // extra...` and waits until it answers PING; REQUIRE-fails otherwise (with its log).
  explicit RedisProcess(std::vector<std::string> extra = {});
  ~RedisProcess();  // SIGKILL
  RedisProcess(const RedisProcess&) = delete;
  RedisProcess& operator=(const RedisProcess&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  // SIGKILL and reap: the server vanishes mid-conversation, as in a crash.
  void kill_hard();
  // Starts it again on the same port and folder (its data is gone: no persistence).
  void restart();
  std::string log() const;

 private:
  bool start();  // false when it exits or never answers

  quantd::testing::TempDir dir_;
  std::string binary_;
  std::vector<std::string> extra_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace quantd::bus::test
