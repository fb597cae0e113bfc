// Issue 12, finding 4: /api/events streams are capped per client and in total, and the daemon
// keeps answering /api/health with hundreds of streams asked for under a 256-descriptor limit.
#include <doctest/doctest.h>
#include <sys/resource.h>

#include <fstream>
#include <memory>
#include <thread>

#include "api_client.h"

using namespace quantd::apitest;
using namespace std::chrono_literals;
using quantd::testing::Daemon;
using quantd::testing::http_request;
using quantd::testing::TempDir;
using quantd::testing::write_file;

namespace {

// The status line's code of what a refused SseReader received.
bool refused_with(const SseReader& r, const std::string& status) {
  return !r.connected() && r.text().rfind("HTTP/1.1 " + status + " ", 0) == 0;
}

// Lowers this process's soft descriptor limit (which a spawned daemon inherits) while alive.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t soft) {
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved_) == 0);
    rlimit low = saved_;
    low.rlim_cur = soft;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  }
  ~DescriptorLimit() { setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

}  // namespace

TEST_CASE("finding 4: a client gets 8 event streams, the 9th is told 429 with Retry-After") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  std::vector<std::unique_ptr<SseReader>> streams;
  for (int i = 0; i < 8; ++i) {
    streams.push_back(std::make_unique<SseReader>(d.port()));
    REQUIRE(streams.back()->connected());
  }
  SseReader ninth(d.port());
  CHECK(refused_with(ninth, "429"));
  CHECK(ninth.text().find("Retry-After: 10\r\n") != std::string::npos);
  CHECK(ninth.text().find("application/problem+json") != std::string::npos);
  CHECK(ninth.text().find("server.max_event_streams_per_client") != std::string::npos);

  // A closed stream gives its place back.
  streams.pop_back();
  bool reconnected = false;
  for (int i = 0; i < 50 && !reconnected; ++i) {
    std::this_thread::sleep_for(20ms);
    reconnected = SseReader(d.port()).connected();
  }
  CHECK(reconnected);
}

TEST_CASE("finding 4: 300 streams against 256 descriptors: 64 open, the rest 503, health answers") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  write_file(config, "[server]\nmax_event_streams_per_client = 1000\n");
  // The finding's setup: the daemon runs with 256 file descriptors (the test keeps its own).
  std::unique_ptr<Daemon> d;
  {
    const DescriptorLimit low(256);
    d = std::make_unique<Daemon>(dir.file("quantd.db"),
                                 std::vector<std::string>{"--config", config});
  }
  std::vector<std::unique_ptr<SseReader>> streams;
  int open = 0, unavailable = 0;
  for (int i = 0; i < 300; ++i) {
    streams.push_back(std::make_unique<SseReader>(d->port()));
    if (streams.back()->connected()) {
      ++open;
    } else if (refused_with(*streams.back(), "503")) {
      ++unavailable;
      if (unavailable == 1) {
        CHECK(streams.back()->text().find("Retry-After: 10\r\n") != std::string::npos);
        CHECK(streams.back()->text().find("server.max_event_streams)") != std::string::npos);
      }
    }
  }
  CHECK(open == 64);
  CHECK(unavailable == 236);
  for (int i = 0; i < 20; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(http_request(d->port(), "GET", "/api/health").status == 200);
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
  }
}
