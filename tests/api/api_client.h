// Helpers for the API tests: JSON requests, waiting for a backtest, an SSE reader, and seeding a
// database with bars directly through SQLite.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_support.h"

namespace quantd::apitest {

using nlohmann::json;
using quantd::testing::HttpResponse;

struct JsonResponse {
  int status = 0;
  json body;  // discarded (is_discarded()) when not JSON
  HttpResponse raw;
};

JsonResponse call(int port, const std::string& method, const std::string& target,
                  const json& body = nullptr);
JsonResponse call_raw(int port, const std::string& method, const std::string& target,
                      const std::string& body,
                      const std::string& content_type = "application/json");

// Polls GET /api/backtests/{id} until its status is one of `statuses` (or the timeout passes);
// returns the last record.
json wait_for(int port, std::int64_t id, const std::vector<std::string>& statuses,
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// True when `r` is a problem document with `status`.
bool is_problem(const JsonResponse& r, int status);
// The `field` of every entry of problem.errors.
std::vector<std::string> error_fields(const JsonResponse& r);

// A strategy body for POST /api/strategies.
json sma_strategy(const std::string& name = "Golden cross",
                  std::vector<std::string> symbols = {"SAMPLE-A"}, int fast = 20, int slow = 60);

// Connects to GET /api/events and collects frames until told to stop.
class SseReader {
 public:
  // `headers`: extra request header lines, each "Name: value\r\n" (e.g. a Cookie).
  explicit SseReader(int port, const std::string& headers = "");
  ~SseReader();
  bool connected() const { return fd_ >= 0 && ok_; }
  // Reads until an event of `event` whose data contains `needle` arrives, or the timeout passes.
  // Returns the data of that event, or "" on timeout.
  std::string wait_for(const std::string& event, const std::string& needle,
                       std::chrono::milliseconds timeout);
  // Everything received so far.
  const std::string& text() const { return buffer_; }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::string buffer_;
  std::size_t scanned_ = 0;
};

// Writes `count` synthetic bars of `interval` for `symbol` straight into the bars table of the
// (already migrated) database at `db_path`, one bar per interval from 2020-01-02 09:00 KST.
void seed_bars(const std::string& db_path, const std::string& symbol, const std::string& interval,
               int count);

}  // namespace quantd::apitest
