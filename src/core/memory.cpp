#include "quantd/core/memory.h"

#include <sys/mman.h>

#include <cstdint>
#include <fstream>
#include <string>

namespace quantd {

void advise_huge_pages(void* p, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

namespace {

std::string proc_file(int pid, const char* name) {
  return "/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/" + name;
}

// A "Name:   123 kB" line of /proc/PID/status, in bytes.
std::optional<std::size_t> status_kb(int pid, const std::string& name) {
  std::ifstream in(proc_file(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + ":", 0) != 0) continue;
    try {
      return static_cast<std::size_t>(std::stoull(line.substr(name.size() + 1))) * 1024;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::size_t> resident_bytes(int pid) { return status_kb(pid, "VmRSS"); }

std::optional<std::size_t> peak_resident_bytes(int pid) { return status_kb(pid, "VmHWM"); }

bool reset_peak_resident(int pid) {
  std::ofstream out(proc_file(pid, "clear_refs"));
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace quantd
