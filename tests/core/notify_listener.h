// NotifyListener: the systemd side of sd_notify for tests: binds a datagram socket (a path in a
// temporary folder) and reads what the daemon sends to it.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

namespace quantd::testing {

class NotifyListener {
 public:
  // Binds an abstract socket when `abstract`, else a file under /tmp.
  explicit NotifyListener(bool abstract = false) {
    std::random_device rd;
    const std::string name = "quantd-notify-" + std::to_string(rd()) + std::to_string(getpid());
    address_ = abstract ? "@" + name : (std::filesystem::temp_directory_path() / name).string();
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::memcpy(sa.sun_path, address_.data(), address_.size());
    socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
    if (abstract) {
      sa.sun_path[0] = '\0';
    } else {
      length += 1;
    }
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), length) != 0) {
      throw std::runtime_error(std::string("bind failed: ") + std::strerror(errno));
    }
  }
  ~NotifyListener() {
    ::close(fd_);
    if (address_.front() != '@') std::filesystem::remove(address_);
  }
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  // What NOTIFY_SOCKET should say.
  const std::string& address() const { return address_; }

  // The next datagram, or nullopt when none arrives within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, static_cast<std::size_t>(n));
  }

  // Reads datagrams until one contains `needle` (returned) or `timeout` passes (nullopt).
  std::optional<std::string> wait_for(const std::string& needle,
                                      std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto message = receive(left);
      if (!message) return std::nullopt;
      if (message->find(needle) != std::string::npos) return message;
    }
  }

 private:
  std::string address_;
  int fd_ = -1;
};

}  // namespace quantd::testing
