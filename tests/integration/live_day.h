// The replayed trading day the live integration tests share: four days of whole-won 1-minute
// bars of LIVE1 (2026-07-06..09), a fast golden-cross script that trades on the last of them,
// and helpers that step the daemon's debug clock through 2026-07-09 and wait for its cycles.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "quantd/core/time.h"

namespace quantd::testing {

// A fast golden cross with a stop; trades several times on 2026-07-09.
extern const char* const kScript;

// The bars as CSV for `quantd import-bars` (09:00..15:19 and the 15:30 closing print each day).
std::string bars_csv();

// GET `target` on 127.0.0.1:port, REQUIRE-ing a 200, as JSON.
nlohmann::json get(int port, const std::string& target);
// An ISO-8601 timestamp of an API answer as epoch ms (REQUIREs one).
TimestampMs ts_of(const nlohmann::json& v);

// "09:05" for 545.
std::string hhmm(int minutes);

// Moves the debug clock to 2 s past `boundary` (minutes since midnight, Seoul) on 2026-07-09 and
// waits for the cycle of the minute it completes (FAILs after about 10 s).
void step(int port, int boundary);

// Waits until live session 1 is in `state` (FAILs after about 10 s).
void wait_state(int port, const std::string& state);

}  // namespace quantd::testing
