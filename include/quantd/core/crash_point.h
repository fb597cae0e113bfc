// Crash points: named places in the live code where a restart test can make the process die
// (LIVE.md §11, §12), to prove that a kill -9 at that moment loses and doubles nothing.
//
// `quantd serve --debug-crash` with QUANTD_CRASH_AT=<name> arms one point (arm_crash_points);
// crash_point("<name>") at that place then writes one line to stderr and calls std::abort().
// Unarmed, crash_point() costs one relaxed atomic load. The names are fixed (kCrashPointNames):
// a name in the code that is not in the list does not compile, and an unknown QUANTD_CRASH_AT is
// an error at start-up, so a typo never means a crash that silently never comes. Thread-safe;
// arming is meant to happen once at start-up, before the threads that reach the points start.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <string_view>

#include "quantd/core/status.h"

namespace quantd {

// Every crash point the code may name, in the order of one order's life.
inline constexpr std::array<std::string_view, 5> kCrashPointNames{
    "after_target_commit",   // a session's target row committed, nothing journaled yet
    "after_journal_commit",  // the order row is committed (pending_submit), not sent
    "after_send",            // the broker call returned, its answer not committed
    "after_ack_commit",      // the broker's acknowledgement committed, fills not processed
    "mid_reconcile",         // a reconciliation cycle has applied part of what it read
};

// A crash point's name, checked at compile time: CrashPoint("after_send") compiles only for a
// name in kCrashPointNames.
class CrashPoint {
 public:
  consteval CrashPoint(const char* name) : index_(index_of(name)) {}  // NOLINT: implicit by design
  int index() const { return index_; }
  std::string_view name() const { return kCrashPointNames[static_cast<std::size_t>(index_)]; }

 private:
  static consteval int index_of(std::string_view name) {
    for (std::size_t i = 0; i < kCrashPointNames.size(); ++i) {
      if (kCrashPointNames[i] == name) return static_cast<int>(i);
    }
    unknown_crash_point_name();  // not constexpr: an unknown name fails to compile here
    return -1;
  }
  static void unknown_crash_point_name() {}
  int index_;
};

namespace crash_internal {
// Index into kCrashPointNames of the armed point, -1 when none.
inline std::atomic<int> armed{-1};
[[noreturn]] void crash(std::string_view name);
}  // namespace crash_internal

// Arms the point `name` (replacing one armed before). Errors: invalid_argument naming the valid
// names when `name` is not one of kCrashPointNames (what was armed before stays armed).
Status arm_crash_points(std::string_view name);

// Disarms every point (for tests that arm in-process).
void disarm_crash_points();

// Aborts the process when `point` is the armed one; otherwise returns at once.
inline void crash_point(CrashPoint point) {
  if (crash_internal::armed.load(std::memory_order_relaxed) == point.index()) {
    crash_internal::crash(point.name());
  }
}

}  // namespace quantd
