// HttpMetrics: the server's request counters and latency histograms for GET /metrics.
//
// Counted per route pattern (as registered, so /api/strategies/{id} is one series, not one per
// id), method and status; requests no route serves (UI files, 404s, requests refused before
// routing could name a route) count under route "other". Latency runs from the first byte of
// the request to the last byte of the response; event streams count as requests but not in the
// latency histogram (their "latency" is how long the tab stayed open).
//
// Threading: record() is lock-free (atomic counters in fixed slots per route, claimed with a
// compare-and-swap) and is called on the I/O threads; write() may run concurrently with it and
// reads a snapshot that may be a few requests behind.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/prometheus.h"
#include "quantd/http/router.h"

namespace quantd::http {

class HttpMetrics {
 public:
  // Latency buckets, in seconds.
  static constexpr std::array<double, 12> kLatencyBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                            0.1,   0.25,   0.5,   1,    2.5,   10};

  // One set of series per route in `routes` (Router::routes() order) plus "other".
  explicit HttpMetrics(std::vector<RouteInfo> routes);
  ~HttpMetrics();
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  // One finished request to route `route` (an index into routes, or -1 for "other"). A
  // negative `latency` counts the request without observing a latency (event streams).
  void record(int route, std::string_view method, int status,
              std::chrono::steady_clock::duration latency) noexcept;

  // Writes quantd_http_requests_total and quantd_http_request_duration_seconds.
  void write(PrometheusText& out) const;

 private:
  struct RouteSeries;
  std::vector<RouteInfo> routes_;
  std::unique_ptr<RouteSeries[]> series_;  // routes_.size() + 1 ("other" last)
};

}  // namespace quantd::http
