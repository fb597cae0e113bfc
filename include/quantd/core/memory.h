// Memory hints for large buffers on the hot paths (bar loading).
#pragma once

#include <cstddef>

namespace quantd {

// Asks the kernel for transparent huge pages on the 2 MiB-aligned interior of [p, p + bytes).
// On virtual machines a 4 KiB first-touch page fault can cost ~20 us, which made first-touching
// a million bars (48 MB) cost more than parsing them; with huge pages it is ~25 faults.
// A hint only: does nothing when the range holds no whole huge page or the kernel declines.
void advise_huge_pages(void* p, std::size_t bytes);

}  // namespace quantd
