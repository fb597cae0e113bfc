#include "redis_process.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

namespace quantd::bus::test {
namespace {

using namespace std::chrono_literals;

std::string find_redis_server() {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(std::string(path ? path : "") + ":/usr/bin:/usr/sbin:/usr/local/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/redis-server";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// A port the kernel just had free on 127.0.0.1 (bind to 0, read it back, close).
std::uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// True when a plain socket gets +PONG back: independent of the client under test.
bool answers_ping(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  timeval tv{0, 200'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "*1\r\n$4\r\nPING\r\n";
    char buf[16] = {};
    if (write(fd, ping, sizeof ping - 1) == static_cast<ssize_t>(sizeof ping - 1) &&
        read(fd, buf, sizeof buf - 1) > 0) {
      ok = std::string(buf).rfind("+PONG", 0) == 0;
    }
  }
  close(fd);
  return ok;
}

}  // namespace

RedisProcess::RedisProcess(std::vector<std::string> extra)
    : binary_(find_redis_server()), extra_(std::move(extra)) {
  if (binary_.empty()) {
    FAIL(
        "redis-server is not installed: run scripts/install-deps (Debian package redis-server)"
        " — the Redis bus tests need a real server");
  }
  // A free port can be taken between the probe and the server's bind: try a few.
  for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
    port_ = free_port();
    if (!start()) pid_ = -1;
  }
  INFO("redis-server log:\n" << log());
  REQUIRE(pid_ > 0);
}

RedisProcess::~RedisProcess() { kill_hard(); }

bool RedisProcess::start() {
  std::vector<std::string> args{binary_,
                                "--port",
                                std::to_string(port_),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                dir_.path().string(),
                                "--daemonize",
                                "no",
                                "--logfile",
                                "",
                                "--maxmemory-policy",
                                "noeviction"};
  args.insert(args.end(), extra_.begin(), extra_.end());
  const std::string log_path = dir_.file("redis.log");
  pid_ = quantd::testing::spawn_process(args, log_path, log_path, {.append = true});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (answers_ping(port_)) return true;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  kill_hard();
  return false;
}

void RedisProcess::kill_hard() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void RedisProcess::restart() {
  kill_hard();
  const bool up = start();
  INFO("redis-server log:\n" << log());
  REQUIRE(up);
}

std::string RedisProcess::log() const { return quantd::testing::read_file(dir_.file("redis.log")); }

}  // namespace quantd::bus::test
