// Helpers for integration tests that run the real quantd binary: a child process with its
// stderr captured, a minimal blocking HTTP/1.1 client for 127.0.0.1, and temporary folders.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace quantd::testing {

// A fresh folder under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The whole content of a file ("" when it cannot be read).
std::string read_file(const std::filesystem::path& path);
// Writes `text` to `path`, replacing it (a config file, a CSV).
void write_file(const std::filesystem::path& path, const std::string& text);

// How spawn_process opens its output and places the child.
struct SpawnOptions {
  bool append = false;     // append to the output files instead of truncating them
  bool own_group = false;  // the child leads a process group of its own (to signal its children)
  int mode = 0600;         // of output files it creates
};

// Forks and execs `argv` (argv[0] a path) with stdin from /dev/null, stdout to `out_path` and
// stderr to `err_path` (one file when they are equal) and a clean signal mask: the test runner
// may block signals the child must see. Returns the child's pid (-1 when fork fails).
int spawn_process(std::vector<std::string> argv, const std::string& out_path,
                  const std::string& err_path, SpawnOptions options = {});

// Result of running a command to completion.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `QUANTD_BINARY args...` to completion (killed after `timeout`).
RunResult run_quantd(const std::vector<std::string>& args,
                     std::chrono::milliseconds timeout = std::chrono::seconds(120));

// A temporary working folder for CLI tests: write input files, run quantd commands in it.
class Sandbox : public TempDir {
 public:
  const std::filesystem::path dir = path();
  // Writes `text` to dir/name and returns the path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;
  // Runs `quantd COMMAND ARGS` through the shell with `dir` as working directory (ARGS is shell
  // words, so relative file names resolve inside the sandbox).
  RunResult quantd(const std::string& command, const std::string& args) const;
};

// A running `quantd serve` on 127.0.0.1 with an ephemeral port.
class Daemon {
 public:
  // Starts `quantd serve --listen 127.0.0.1:0 --db DB extra_args...` and waits until it logs its
  // port. REQUIRE-fails the test when it does not come up within 20 s.
  Daemon(const std::string& db_path, std::vector<std::string> extra_args = {});
  ~Daemon();  // SIGKILLs the process if still running

  int port() const { return port_; }
  int pid() const { return pid_; }
  // Sends `signal` and waits for exit; returns the exit code (or 128+signal), -1 on timeout.
  int stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Everything the daemon wrote to stderr so far.
  std::string log() const;

 private:
  int pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One request on a new connection to 127.0.0.1:port ("Connection: close"). status 0 when the
// connection failed or the response could not be read.
HttpResponse http_request(int port, const std::string& method, const std::string& target,
                          const std::string& body = "",
                          const std::map<std::string, std::string>& headers = {});

}  // namespace quantd::testing
