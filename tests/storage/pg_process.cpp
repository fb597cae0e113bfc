#include "pg_process.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

namespace quantd::storage::test {
namespace {

using namespace std::chrono_literals;

const std::string kBin = "/usr/lib/postgresql/15/bin/";

// A port the kernel just had free on 127.0.0.1 (bind to 0, read it back, close).
std::uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  std::uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

// Forks `args` (prefixed with runuser when needed) in its own process group, output to `log`.
int spawn(std::vector<std::string> args, bool as_postgres, const std::string& log) {
  if (as_postgres) args.insert(args.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  // Its own process group, so stop() can signal runuser and postgres together.
  return quantd::testing::spawn_process(std::move(args), log, log,
                                        {.append = true, .own_group = true, .mode = 0666});
}

// Every descendant of `root`, read from /proc. PostgreSQL's backends call setsid(), so a signal
// to the postmaster's group misses them; a crash has to reach them by pid.
std::vector<int> descendants(int root) {
  std::vector<int> found{root};
  for (std::size_t i = 0; i < found.size(); ++i) {
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      const std::string stat = quantd::testing::read_file(entry.path() / "stat");
      const auto close_paren = stat.rfind(')');
      if (close_paren == std::string::npos) continue;
      int ppid = 0;
      char state = 0;
      if (std::sscanf(stat.c_str() + close_paren + 1, " %c %d", &state, &ppid) == 2 &&
          ppid == found[i]) {
        found.push_back(std::stoi(name));
      }
    }
  }
  return found;
}

}  // namespace

PgProcess::PgProcess() {
  if (access((kBin + "postgres").c_str(), X_OK) != 0 ||
      access((kBin + "initdb").c_str(), X_OK) != 0) {
    FAIL("PostgreSQL 15 is not installed (" << kBin
                                            << "postgres): run scripts/install-deps (Debian "
                                               "package postgresql) — the PostgreSQL storage "
                                               "tests need a real server");
  }
  as_postgres_ = geteuid() == 0;
  if (as_postgres_) {
    const passwd* pw = getpwnam("postgres");
    REQUIRE_MESSAGE(pw != nullptr, "no postgres user: run scripts/install-deps");
    // The cluster and the socket live here, owned by the user the server runs as.
    REQUIRE(chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) == 0);
  }
  std::filesystem::permissions(
      dir_.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                       std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                       std::filesystem::perms::others_exec);
  const int init = spawn({kBin + "initdb", "-D", dir_.file("data"), "-A", "trust", "-U", "quantd",
                          "-E", "UTF8", "--no-locale", "--no-sync"},
                         as_postgres_, dir_.file("initdb.log"));
  int init_status = 0;
  waitpid(init, &init_status, 0);
  INFO("initdb log:\n" << quantd::testing::read_file(dir_.file("initdb.log")));
  REQUIRE((WIFEXITED(init_status) && WEXITSTATUS(init_status) == 0));
  // A free port can be taken between the probe and the server's bind: try a few.
  bool up = false;
  for (int attempt = 0; attempt < 5 && !up; ++attempt) {
    port_ = free_port();
    up = start();
  }
  INFO("postgres log:\n" << log());
  REQUIRE(up);
}

PgProcess::~PgProcess() { stop(SIGINT); }

std::string PgProcess::url() const {
  return "postgresql://quantd@127.0.0.1:" + std::to_string(port_) + "/postgres";
}

bool PgProcess::start() {
  pid_ = spawn({kBin + "postgres", "-D", dir_.file("data"), "-p", std::to_string(port_), "-k",
                dir_.path().string(), "-c", "listen_addresses=127.0.0.1",
                // fsync off for speed; synchronous_commit stays on, so a committed row has
                // reached the OS by the time COMMIT returns and survives a SIGKILL of the server.
                "-c", "fsync=off", "-c", "full_page_writes=off"},
               as_postgres_, dir_.file("postgres.log"));
  // Ready when PQping says so: independent of the wrapper under test.
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) +
                               " user=quantd dbname=postgres connect_timeout=1";
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PQping(conninfo.c_str()) == PQPING_OK) return true;
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  stop(SIGKILL);
  return false;
}

void PgProcess::stop(int signal) {
  if (pid_ <= 0) return;
  if (signal == SIGKILL) {
    // A crash: the postmaster and every backend at once, so no backend answers a last query.
    for (int pid : descendants(pid_)) kill(pid, SIGKILL);
  } else {
    kill(-pid_, signal);  // the group: runuser (when used) and the postmaster
  }
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void PgProcess::restart() {
  stop(SIGKILL);
  // After a SIGKILL the old backends notice the postmaster's death and exit within moments;
  // until they do, the new postmaster refuses the still-attached shared memory. Retry a while.
  bool up = false;
  for (int attempt = 0; attempt < 20 && !up; ++attempt) {
    up = start();
    if (!up) std::this_thread::sleep_for(250ms);
  }
  INFO("postgres log:\n" << log());
  REQUIRE(up);
}

std::string PgProcess::log() const { return quantd::testing::read_file(dir_.file("postgres.log")); }

}  // namespace quantd::storage::test
