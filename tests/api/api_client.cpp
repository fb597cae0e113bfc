#include "api_client.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <thread>

#include "quantd/storage/bar_repository.h"
#include "quantd/storage/database.h"

namespace quantd::apitest {

JsonResponse call_raw(int port, const std::string& method, const std::string& target,
                      const std::string& body, const std::string& content_type) {
  JsonResponse r;
  std::map<std::string, std::string> headers;
  if (!body.empty()) headers["Content-Type"] = content_type;
  r.raw = quantd::testing::http_request(port, method, target, body, headers);
  r.status = r.raw.status;
  r.body = json::parse(r.raw.body, nullptr, false);
  return r;
}

JsonResponse call(int port, const std::string& method, const std::string& target,
                  const json& body) {
  return call_raw(port, method, target, body.is_null() ? std::string() : body.dump());
}

json wait_for(int port, std::int64_t id, const std::vector<std::string>& statuses,
              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  json last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = call(port, "GET", "/api/backtests/" + std::to_string(id));
    if (r.status == 200) {
      last = r.body;
      for (const auto& s : statuses) {
        if (last["status"] == s) return last;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return last;
}

bool is_problem(const JsonResponse& r, int status) {
  return r.status == status &&
         r.raw.header("content-type").rfind("application/problem+json", 0) == 0 &&
         r.body.is_object() && r.body.value("status", 0) == status && r.body["title"].is_string() &&
         r.body["detail"].is_string();
}

std::vector<std::string> error_fields(const JsonResponse& r) {
  std::vector<std::string> out;
  if (!r.body.is_object() || !r.body.contains("errors")) return out;
  for (const auto& e : r.body["errors"]) out.push_back(e.value("field", ""));
  return out;
}

json sma_strategy(const std::string& name, std::vector<std::string> symbols, int fast, int slow) {
  return {{"name", name},
          {"description", "20/60 moving-average cross"},
          {"script", "builtin:sma_cross"},
          {"params", {{"fast", fast}, {"slow", slow}}},
          {"symbols", symbols},
          {"interval", "1d"}};
}

SseReader::SseReader(int port, const std::string& headers) {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
  const std::string req =
      "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n" + headers +
      "\r\n";
  if (send(fd_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) return;
  ok_ = true;
  // Wait for the response header so events published from now on reach this client.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  char buf[4096];
  while (buffer_.find("\r\n\r\n") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      ok_ = false;
      return;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
  ok_ = buffer_.find("\r\n\r\n") != std::string::npos && buffer_.find(" 200 ") != std::string::npos;
}

SseReader::~SseReader() {
  if (fd_ >= 0) close(fd_);
}

std::string SseReader::wait_for(const std::string& event, const std::string& needle,
                                std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  for (;;) {
    // Scan complete frames ("event: X\ndata: Y\n\n") from where the last scan stopped.
    for (;;) {
      const auto start = buffer_.find("event: ", scanned_);
      if (start == std::string::npos) break;
      const auto end = buffer_.find("\n\n", start);
      if (end == std::string::npos) break;
      const std::string frame = buffer_.substr(start, end - start);
      scanned_ = end + 2;
      const auto eol = frame.find('\n');
      const std::string name = frame.substr(7, eol - 7);
      const auto data_at = frame.find("data: ");
      const std::string data = data_at == std::string::npos ? "" : frame.substr(data_at + 6);
      if (name == event && data.find(needle) != std::string::npos) return data;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 200))) <= 0) continue;
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return "";
    // Chunked transfer framing may interleave size lines; they never contain "event: ".
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

void seed_bars(const std::string& db_path, const std::string& symbol, const std::string& interval,
               int count) {
  // Through the repository, the one writer of the bar tables (as `quantd import-bars` would).
  auto db = storage::Database::open(storage::DatabaseOptions{db_path});
  REQUIRE(db.ok());
  const auto iv = domain::parse_interval(interval);
  REQUIRE(iv.has_value());
  const std::int64_t step = interval == "1d" ? 86'400'000 : 60'000;
  const std::int64_t start = 1'577'923'200'000;  // 2020-01-02T00:00:00Z = 09:00 KST
  std::vector<domain::Bar> bars;
  bars.reserve(static_cast<std::size_t>(count));
  double price = 50'000;
  for (int i = 0; i < count; ++i) {
    // A deterministic wave with drift: enough crossings for sma_cross to trade.
    const double next =
        std::round(50'000 + 8'000 * std::sin(i / 700.0) + 3'000 * std::sin(i / 37.0) + i * 0.01);
    const double open = price, close = next;
    bars.push_back({static_cast<std::int64_t>(start + i * step), open, std::max(open, close) + 50,
                    std::min(open, close) - 50, close, static_cast<std::int64_t>(1000 + i % 500)});
    price = close;
  }
  storage::BarRepository repo(**db);
  REQUIRE(repo.upsert(domain::Symbol(symbol), *iv, bars).ok());
}

}  // namespace quantd::apitest
