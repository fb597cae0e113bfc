#include "live_day.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <thread>

#include "quantd/core/time.h"
#include "test_support.h"

namespace quantd::testing {

using nlohmann::json;
using namespace std::chrono_literals;

namespace {
const CivilDate kDays[] = {{2026, 7, 6}, {2026, 7, 7}, {2026, 7, 8}, {2026, 7, 9}};
}  // namespace

const char* const kScript = R"(# A fast golden cross with a stop, for the live test
param fast = 5
param slow = 20
let f = sma(close, fast)
let s = sma(close, slow)
buy  when crossover(f, s)
sell when crossunder(f, s)
stop_loss 0.6%
size 90% equity
)";

std::string bars_csv() {
  std::mt19937_64 rng(91'20261201);
  std::ostringstream out;
  out << "ts,open,high,low,close,volume\n";
  double price = 71'000;
  for (const CivilDate& d : kDays) {
    for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
      if (m >= 15 * 60 + 20 && m < 15 * 60 + 30) continue;
      const double open = price;
      price = std::max(1000.0, price + 100.0 * (static_cast<int>(rng() % 9) - 4));
      const double hi = std::max(open, price) + 100.0 * static_cast<double>(rng() % 3);
      const double lo = std::min(open, price) - 100.0 * static_cast<double>(rng() % 3);
      char line[128];
      std::snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:00,%.0f,%.0f,%.0f,%.0f,%d\n",
                    d.year, d.month, d.day, m / 60, m % 60, open, hi, lo, price,
                    static_cast<int>(100 + rng() % 900));
      out << line;
    }
  }
  return out.str();
}

json get(int port, const std::string& target) {
  auto r = http_request(port, "GET", target);
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

TimestampMs ts_of(const json& v) {
  auto t = parse_timestamp(v.get<std::string>());
  REQUIRE(t);
  return *t;
}

std::string hhmm(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

void step(int port, int boundary) {
  const std::string ts = "2026-07-09T" + hhmm(boundary) + ":02+09:00";
  auto moved = http_request(port, "POST", "/api/debug/clock", json{{"ts", ts}}.dump());
  REQUIRE(moved.status == 200);
  const std::string minute = "2026-07-09T" + hhmm(boundary - 1) + ":00";
  for (int i = 0; i < 2000; ++i) {
    auto c = http_request(port, "GET", "/api/live/cycles/latest");
    if (c.status == 200 && json::parse(c.body)["minute_seoul"] == minute) return;
    std::this_thread::sleep_for(5ms);
  }
  FAIL("the cycle of " << minute << " did not finish");
}

void wait_state(int port, const std::string& state) {
  for (int i = 0; i < 1000; ++i) {
    if (get(port, "/api/live/sessions/1")["state"] == state) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("session 1 never became " << state << ": " << get(port, "/api/live/sessions/1").dump());
}

}  // namespace quantd::testing
