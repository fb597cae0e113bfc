#include "quantd/core/prometheus.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using quantd::PrometheusText;

TEST_CASE("prometheus: HELP/TYPE lines, labels escaped, numbers as the format spells them") {
  PrometheusText out;
  out.family("quantd_x_total", "counter", "Line one\nwith a \\ backslash.");
  out.sample("quantd_x_total", {{"path", "a\"b\\c\nd"}, {"k", ""}}, std::uint64_t{3});
  out.sample("quantd_x_total", {}, 0.25);
  out.sample("quantd_x_total", {}, INFINITY);
  out.sample("quantd_x_total", {}, -INFINITY);
  out.sample("quantd_x_total", {}, NAN);
  CHECK(out.take() ==
        "# HELP quantd_x_total Line one\\nwith a \\\\ backslash.\n"
        "# TYPE quantd_x_total counter\n"
        "quantd_x_total{path=\"a\\\"b\\\\c\\nd\",k=\"\"} 3\n"
        "quantd_x_total 0.25\n"
        "quantd_x_total +Inf\n"
        "quantd_x_total -Inf\n"
        "quantd_x_total NaN\n");
}

TEST_CASE("prometheus: a histogram's buckets are cumulative and end in +Inf = _count") {
  PrometheusText out;
  const std::vector<double> bounds{0.1, 1};
  const std::vector<std::uint64_t> counts{2, 3, 1};
  out.histogram("h", {{"route", "/x"}}, bounds, counts, 4.5);
  CHECK(out.take() ==
        "h_bucket{route=\"/x\",le=\"0.1\"} 2\n"
        "h_bucket{route=\"/x\",le=\"1\"} 5\n"
        "h_bucket{route=\"/x\",le=\"+Inf\"} 6\n"
        "h_sum{route=\"/x\"} 4.5\n"
        "h_count{route=\"/x\"} 6\n");
}
