#include "quantd/core/systemd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace quantd {

namespace {

// A positive decimal number, or 0 for anything else (the variable is then ignored).
long long parse_positive(const char* text) {
  if (text == nullptr || *text == '\0') return 0;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || value <= 0) return 0;
  return value;
}

}  // namespace

SystemdNotifier SystemdNotifier::from_environment() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  std::chrono::microseconds watchdog{parse_positive(std::getenv("WATCHDOG_USEC"))};
  // The watchdog may be meant for another process of the unit (sd_watchdog_enabled(3)).
  if (const char* pid = std::getenv("WATCHDOG_PID"); pid != nullptr && *pid != '\0') {
    if (parse_positive(pid) != static_cast<long long>(getpid())) watchdog = {};
  }
  return SystemdNotifier(socket ? socket : "", watchdog);
}

SystemdNotifier::SystemdNotifier(std::string socket, std::chrono::microseconds watchdog)
    : socket_(std::move(socket)), watchdog_(watchdog) {}

Status SystemdNotifier::notify(std::string_view state) const {
  if (socket_.empty()) return {};
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (socket_.size() >= sizeof(address.sun_path)) {
    return Status::invalid_argument("NOTIFY_SOCKET '" + socket_ + "' is too long");
  }
  std::memcpy(address.sun_path, socket_.data(), socket_.size());
  // An abstract socket's name starts with a NUL byte and its length is exact (no terminator).
  socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size());
  if (socket_.front() == '@') {
    address.sun_path[0] = '\0';
  } else {
    length += 1;
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::unavailable(std::string("sd_notify: socket: ") + std::strerror(errno));
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&address), length);
  const int error = errno;
  ::close(fd);
  if (sent < 0 || static_cast<std::size_t>(sent) != state.size()) {
    return Status::unavailable("sd_notify to " + socket_ + ": " +
                               (sent < 0 ? std::strerror(error) : "short write"));
  }
  return {};
}

}  // namespace quantd
