// Memory hints for large buffers on the hot paths (bar loading), and what a process holds.
#pragma once

#include <cstddef>
#include <optional>

namespace quantd {

// Asks the kernel for transparent huge pages on the 2 MiB-aligned interior of [p, p + bytes).
// On virtual machines a 4 KiB first-touch page fault can cost ~20 us, which made first-touching
// a million bars (48 MB) cost more than parsing them; with huge pages it is ~25 faults.
// A hint only: does nothing when the range holds no whole huge page or the kernel declines.
void advise_huge_pages(void* p, std::size_t bytes);

// The resident set size of process `pid` (0: this one) now (VmRSS) and its peak (VmHWM) since it
// started or since reset_peak_resident(), in bytes, from /proc/PID/status. nullopt when that
// cannot be read (no such process, not Linux). Thread-safe.
std::optional<std::size_t> resident_bytes(int pid = 0);
std::optional<std::size_t> peak_resident_bytes(int pid = 0);
// Starts a new peak: the peak becomes the current size (writes 5 to /proc/PID/clear_refs, which
// needs the same user). False when the kernel refuses.
bool reset_peak_resident(int pid = 0);

}  // namespace quantd
