#include "test_support.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace quantd::testing {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

int spawn_process(std::vector<std::string> argv, const std::string& out_path,
                  const std::string& err_path, SpawnOptions options) {
  const int pid = fork();
  if (pid == 0) {
    if (options.own_group) setpgid(0, 0);
    const int flags = O_WRONLY | O_CREAT | (options.append ? O_APPEND : O_TRUNC);
    const int out = open(out_path.c_str(), flags, options.mode);
    const int err = err_path == out_path ? out : open(err_path.c_str(), flags, options.mode);
    const int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

namespace {

// Starts the quantd binary with `args`. Returns the pid.
int spawn(const std::vector<std::string>& args, const std::string& out_path,
          const std::string& err_path) {
  std::vector<std::string> argv{QUANTD_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_process(std::move(argv), out_path, err_path);
}

// Waits for pid up to timeout; returns the exit code, 128+signal, or -1 on timeout.
int wait_exit(int pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const int r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(5ms);
  }
}

}  // namespace

TempDir::TempDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() /
          ("quantd-it-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

RunResult run_quantd(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  TempDir dir;
  const std::string out = dir.file("out"), err = dir.file("err");
  const int pid = spawn(args, out, err);
  RunResult r;
  r.exit_code = wait_exit(pid, timeout);
  if (r.exit_code == -1) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

std::filesystem::path Sandbox::write(const std::string& name, const std::string& text) const {
  const std::filesystem::path p = dir / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

RunResult Sandbox::quantd(const std::string& command, const std::string& args) const {
  const std::string cmd = "cd '" + dir.string() + "' && '" + QUANTD_BINARY + "' " + command + " " +
                          args + " > .quantd-out 2> .quantd-err";
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(dir / ".quantd-out");
  r.err = read_file(dir / ".quantd-err");
  return r;
}

Daemon::Daemon(const std::string& db_path, std::vector<std::string> extra_args) {
  log_path_ = db_path + ".log";
  // A previous daemon on the same database left its log here: never read its port by mistake.
  std::filesystem::remove(log_path_);
  std::vector<std::string> args{"serve", "--listen", "127.0.0.1:0", "--db", db_path};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args, db_path + ".out", log_path_);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  const std::string marker = "://127.0.0.1:";  // "listening on http[s]://127.0.0.1:PORT"
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_file(log_path_);
    if (auto at = text.find("listening on http"); at != std::string::npos) {
      if (auto pos = text.find(marker, at); pos != std::string::npos) {
        port_ = std::atoi(text.c_str() + pos + marker.size());
        break;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  INFO("daemon log:\n" << read_file(log_path_));
  REQUIRE(port_ > 0);
}

Daemon::~Daemon() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

int Daemon::stop(int signal, std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const int code = wait_exit(pid_, timeout);
  if (code != -1) pid_ = -1;
  return code;
}

std::string Daemon::log() const { return read_file(log_path_); }

HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::string& body,
                          const std::map<std::string, std::string>& headers) {
  HttpResponse res;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return res;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return res;
  }
  std::ostringstream req;
  auto has = [&](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) {
      return std::equal(h.first.begin(), h.first.end(), name.begin(), name.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    });
  };
  req << method << " " << target << " HTTP/1.1\r\n";
  if (!has("Host")) req << "Host: 127.0.0.1\r\n";
  req << "Connection: close\r\n";
  // A body is JSON unless the caller says otherwise, as from any JSON client (the server
  // refuses a body without the type its endpoint takes).
  if (!body.empty() && !has("Content-Type")) req << "Content-Type: application/json\r\n";
  for (const auto& [k, v] : headers) req << k << ": " << v << "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT") {
    req << "Content-Length: " << body.size() << "\r\n";
  }
  req << "\r\n" << body;
  const std::string data = req.str();
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (413) and close before reading everything
    sent += static_cast<std::size_t>(n);
  }
  std::string raw;
  char buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 15000) <= 0) break;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 5, "HTTP/") != 0) return res;
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  res.status = std::atoi(line.c_str() + line.find(' ') + 1);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    res.headers[name] = value;
  }
  std::string rest = raw.substr(head_end + 4);
  if (res.header("transfer-encoding") == "chunked") {
    std::string decoded;
    std::size_t pos = 0;
    while (pos < rest.size()) {
      const auto eol = rest.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const std::size_t len = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      decoded += rest.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
    rest = decoded;
  }
  res.body = rest;
  return res;
}

}  // namespace quantd::testing
