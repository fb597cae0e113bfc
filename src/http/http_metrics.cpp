#include "quantd/http/http_metrics.h"

#include <array>

namespace quantd::http {

namespace {

constexpr std::array<std::string_view, 8> kMethods = {"GET",   "HEAD",   "POST",    "PUT",
                                                      "PATCH", "DELETE", "OPTIONS", "OTHER"};

std::uint32_t method_index(std::string_view method) {
  for (std::uint32_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) return i;
  }
  return kMethods.size() - 1;
}

// (method, status) slots per route: a route sees a handful of statuses, so 24 is plenty; a
// request that finds every slot taken counts under status "other".
constexpr std::size_t kSlots = 24;

}  // namespace

struct HttpMetrics::RouteSeries {
  struct Slot {
    std::atomic<std::uint32_t> key{0};  // 0: free; else (method << 16 | status) + 1
    std::atomic<std::uint64_t> count{0};
  };
  std::array<Slot, kSlots> slots;
  std::array<std::atomic<std::uint64_t>, kMethods.size()> overflow{};
  std::array<std::atomic<std::uint64_t>, kLatencyBounds.size() + 1> buckets{};
  std::atomic<std::uint64_t> latency_ns{0};
};

HttpMetrics::HttpMetrics(std::vector<RouteInfo> routes)
    : routes_(std::move(routes)), series_(std::make_unique<RouteSeries[]>(routes_.size() + 1)) {}

HttpMetrics::~HttpMetrics() = default;

void HttpMetrics::record(int route, std::string_view method, int status,
                         std::chrono::steady_clock::duration latency) noexcept {
  const std::size_t index = route >= 0 && static_cast<std::size_t>(route) < routes_.size()
                                ? static_cast<std::size_t>(route)
                                : routes_.size();
  RouteSeries& s = series_[index];
  const std::uint32_t m = method_index(method);
  const std::uint32_t key = ((m << 16) | static_cast<std::uint32_t>(status & 0xffff)) + 1;
  bool counted = false;
  for (auto& slot : s.slots) {
    std::uint32_t seen = slot.key.load(std::memory_order_acquire);
    if (seen == 0) {
      // Claim the free slot, unless another thread just claimed it (then look at what it took).
      if (slot.key.compare_exchange_strong(seen, key, std::memory_order_acq_rel)) seen = key;
    }
    if (seen == key) {
      slot.count.fetch_add(1, std::memory_order_relaxed);
      counted = true;
      break;
    }
  }
  if (!counted) s.overflow[m].fetch_add(1, std::memory_order_relaxed);
  if (latency < std::chrono::steady_clock::duration::zero()) return;
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kLatencyBounds.size() && seconds > kLatencyBounds[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.latency_ns.fetch_add(static_cast<std::uint64_t>(
                             std::chrono::duration_cast<std::chrono::nanoseconds>(latency).count()),
                         std::memory_order_relaxed);
}

void HttpMetrics::write(PrometheusText& out) const {
  auto route_name = [&](std::size_t i) -> std::string_view {
    return i < routes_.size() ? std::string_view(routes_[i].pattern) : "other";
  };
  out.family("quantd_http_requests_total", "counter",
             "HTTP requests answered, by method, route pattern and status.");
  for (std::size_t i = 0; i <= routes_.size(); ++i) {
    const RouteSeries& s = series_[i];
    for (const auto& slot : s.slots) {
      const std::uint32_t key = slot.key.load(std::memory_order_acquire);
      if (key == 0) continue;
      const std::uint32_t packed = key - 1;
      const std::string status = std::to_string(packed & 0xffff);
      out.sample("quantd_http_requests_total",
                 {{"method", kMethods[packed >> 16]}, {"route", route_name(i)}, {"status", status}},
                 slot.count.load(std::memory_order_relaxed));
    }
    for (std::size_t m = 0; m < kMethods.size(); ++m) {
      const std::uint64_t n = s.overflow[m].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out.sample("quantd_http_requests_total",
                 {{"method", kMethods[m]}, {"route", route_name(i)}, {"status", "other"}}, n);
    }
  }
  out.family("quantd_http_request_duration_seconds", "histogram",
             "Time from a request's first byte to its response's last, by route pattern.");
  for (std::size_t i = 0; i <= routes_.size(); ++i) {
    const RouteSeries& s = series_[i];
    std::array<std::uint64_t, kLatencyBounds.size() + 1> counts{};
    std::uint64_t total = 0;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      counts[b] = s.buckets[b].load(std::memory_order_relaxed);
      total += counts[b];
    }
    if (total == 0) continue;
    const double sum = static_cast<double>(s.latency_ns.load(std::memory_order_relaxed)) / 1e9;
    out.histogram("quantd_http_request_duration_seconds", {{"route", route_name(i)}},
                  kLatencyBounds, counts, sum);
  }
}

}  // namespace quantd::http
