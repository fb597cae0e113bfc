#include "quantd/core/crash_point.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace quantd {

namespace crash_internal {

void crash(std::string_view name) {
  // stdio, not spdlog: the note must reach stderr even if the logger is mid-line on another
  // thread, and nothing may run after it (no destructors, no flush of SQLite).
  std::fprintf(stderr, "quantd: crash point '%.*s' reached (QUANTD_CRASH_AT): aborting\n",
               static_cast<int>(name.size()), name.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace crash_internal

Status arm_crash_points(std::string_view name) {
  for (std::size_t i = 0; i < kCrashPointNames.size(); ++i) {
    if (kCrashPointNames[i] == name) {
      crash_internal::armed.store(static_cast<int>(i), std::memory_order_relaxed);
      return {};
    }
  }
  std::string valid;
  for (std::string_view n : kCrashPointNames) {
    if (!valid.empty()) valid += ", ";
    valid += n;
  }
  return Status::invalid_argument("unknown crash point '" + std::string(name) +
                                  "' (valid: " + valid + ")");
}

void disarm_crash_points() { crash_internal::armed.store(-1, std::memory_order_relaxed); }

}  // namespace quantd
