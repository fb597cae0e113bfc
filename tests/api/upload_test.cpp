// Issue 13: a browser upload of any size streams into storage. The real binary on 127.0.0.1: a
// CSV larger than server.body_limit_bytes is spooled to disk and imported in one transaction,
// a broken row anywhere stores nothing, the daemon's memory stays far below the upload's size,
// and the guard and the upload limit answer on the header, before any of the body is read.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "api_client.h"
#include "quantd/core/memory.h"
#include "quantd/core/time.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::http_request;
using quantd::testing::TempDir;
using quantd::testing::write_file;

namespace {

// `rows` 1-minute bars from 2020-01-02 09:00 (Seoul), ~48 bytes a row.
std::string minute_csv(std::int64_t rows) {
  std::string csv = "ts,open,high,low,close,volume\n";
  csv.reserve(static_cast<std::size_t>(rows) * 50 + 64);
  const std::int64_t start = 1'577'923'200'000;  // 2020-01-02T00:00:00Z = 09:00 KST
  char line[128];
  for (std::int64_t i = 0; i < rows; ++i) {
    const std::string ts = quantd::format_utc_iso(start + i * 60'000);  // "...Z"
    const int p = 50'000 + static_cast<int>((i * 37) % 2'000);
    const int n = std::snprintf(line, sizeof line, "%s,%d,%d,%d,%d,%lld\n", ts.c_str(), p, p + 100,
                                p - 100, p + 50, static_cast<long long>(1000 + i % 777));
    csv.append(line, static_cast<std::size_t>(n));
  }
  return csv;
}

std::int64_t series_count(int port, const std::string& symbol) {
  auto list = call(port, "GET", "/api/bars");
  REQUIRE(list.status == 200);
  for (const auto& s : list.body) {
    if (s["symbol"] == symbol) return s["count"].get<std::int64_t>();
  }
  return 0;
}

std::int64_t series_revision(int port, const std::string& symbol) {
  auto list = call(port, "GET", "/api/bars");
  REQUIRE(list.status == 200);
  for (const auto& s : list.body) {
    if (s["symbol"] == symbol) return s["revision"].get<std::int64_t>();
  }
  return 0;
}

int spool_files(const std::filesystem::path& dir) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(".quantd-upload-", 0) == 0) ++n;
  }
  return n;
}

// Sends only a request's header and returns the status line's code of the answer (0: none
// within 5 s): proof that the server decided without the body.
int status_for_header(int port, const std::string& header) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return 0;
  }
  (void)send(fd, header.data(), header.size(), MSG_NOSIGNAL);
  std::string raw;
  char buf[4096];
  pollfd p{fd, POLLIN, 0};
  while (raw.find("\r\n") == std::string::npos && poll(&p, 1, 5000) > 0) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  if (raw.compare(0, 9, "HTTP/1.1 ") != 0) return 0;
  return std::atoi(raw.c_str() + 9);
}

}  // namespace

TEST_CASE("a CSV upload over body_limit_bytes streams into storage, all or nothing") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();

  const std::int64_t rows = 650'000;  // ~31 MB, four times the 8 MB body limit
  std::string csv = minute_csv(rows);
  REQUIRE(csv.size() > 30u * 1024 * 1024);
  auto ok = call_raw(port, "POST", "/api/bars/BIGUP?interval=1m&file=year.csv", csv, "text/csv");
  REQUIRE_MESSAGE(ok.status == 200, ok.raw.body);
  CHECK(ok.body["rows"] == rows);
  CHECK(ok.body["inserted"] == rows);
  CHECK(ok.body["file"] == "year.csv");
  CHECK(series_count(port, "BIGUP") == rows);
  auto last = call(port, "GET", "/api/bars/BIGUP?interval=1m&from=2021-03-01&limit=10");
  REQUIRE(last.status == 200);
  CHECK(spool_files(dir.path()) == 0);

  // The same file again: idempotent, the series' revision stays.
  const std::int64_t revision = series_revision(port, "BIGUP");
  CHECK(revision > 0);
  auto again = call_raw(port, "POST", "/api/bars/BIGUP?interval=1m", csv, "text/csv");
  REQUIRE(again.status == 200);
  CHECK(again.body["inserted"] == 0);
  CHECK(again.body["unchanged"] == rows);
  CHECK(series_revision(port, "BIGUP") == revision);

  // A broken last row: 422 naming the line and the problem, nothing stored for the series.
  csv += "2030-01-02T09:00:00,100,90,95,95,1\n";
  auto bad = call_raw(port, "POST", "/api/bars/BROKEN?interval=1m&file=year.csv", csv, "text/csv");
  REQUIRE(is_problem(bad, 422));
  REQUIRE(bad.body["errors"].size() == 1);
  CHECK(bad.body["errors"][0]["row"] == rows + 2);
  CHECK(bad.body["errors"][0]["message"].get<std::string>().find("high") != std::string::npos);
  CHECK(bad.body["detail"].get<std::string>().find("year.csv:" + std::to_string(rows + 2)) == 0);
  CHECK(series_count(port, "BROKEN") == 0);
  CHECK(spool_files(dir.path()) == 0);
}

TEST_CASE("a 100 MB upload keeps the daemon's memory far below the file's size") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();
  const std::string csv = minute_csv(2'100'000);  // ~101 MB
  REQUIRE(csv.size() > 100u * 1024 * 1024);
  REQUIRE(quantd::reset_peak_resident(d.pid()));
  const std::size_t before = quantd::resident_bytes(d.pid()).value_or(0);
  auto ok = call_raw(port, "POST", "/api/bars/HUGE?interval=1m", csv, "text/csv");
  REQUIRE_MESSAGE(ok.status == 200, ok.raw.body);
  CHECK(ok.body["inserted"] == 2'100'000);
  const std::size_t peak = quantd::peak_resident_bytes(d.pid()).value_or(0);
  MESSAGE("daemon RSS before " << before / 1048576 << " MiB, peak during the upload "
                               << peak / 1048576 << " MiB, upload " << csv.size() / 1048576
                               << " MiB");
  CHECK(peak > 0);
  // The body on disk, one batch of bars and 8 bytes a row for the duplicate check in memory.
  CHECK(peak - before < 48u * 1024 * 1024);
  CHECK(spool_files(dir.path()) == 0);
}

TEST_CASE("the guard and the upload limit answer on the header, before the body is read") {
  TempDir dir;
  const std::string token = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  write_file(dir.file("config.toml"),
             "[server]\nauth_token = \"" + token + "\"\nupload_limit_bytes = 1000000\n");
  Daemon d(dir.file("quantd.db"), {"--config", dir.file("config.toml")});
  const int port = d.port();
  const std::string head =
      "POST /api/bars/X?interval=1d HTTP/1.1\r\nHost: 127.0.0.1\r\n"
      "Content-Type: text/csv\r\n";
  // No credentials, 10 GB announced, nothing sent: 401 at once.
  CHECK(status_for_header(port, head + "Content-Length: 10000000000\r\n\r\n") == 401);
  // Authorized but over server.upload_limit_bytes: 413 at once.
  CHECK(status_for_header(port, head + "Authorization: Bearer " + token +
                                    "\r\nContent-Length: 1000001\r\n\r\n") == 413);
  // Another site's origin: 403 before the body.
  CHECK(status_for_header(
            port, head + "Authorization: Bearer " + token +
                      "\r\nOrigin: http://evil.example\r\nContent-Length: 10\r\n\r\n") == 403);
  CHECK(spool_files(dir.path()) == 0);
  // Within the limit and authorized: stored (and over the 8 MB body limit would be too).
  auto ok = http_request(port, "POST", "/api/bars/X?interval=1d",
                         "ts,open,high,low,close,volume\n2024-01-02,10,11,9,10,5\n",
                         {{"Content-Type", "text/csv"}, {"Authorization", "Bearer " + token}});
  CHECK(ok.status == 200);
}
