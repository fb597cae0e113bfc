// PrometheusText: writes the Prometheus text exposition format, version 0.0.4 (what GET /metrics
// answers, as `text/plain; version=0.0.4`).
//
// The format, as written here: per metric family a "# HELP name text" and a "# TYPE name type"
// line, then its samples as `name{label="value",...} number`. Names match
// [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*; in label values backslash,
// double quote and newline are escaped as \\, \" and \n; in HELP text backslash and newline.
// Numbers are integers, or doubles in the shortest form that reads back exactly, with +Inf, -Inf
// and NaN spelled so. Histograms get cumulative `_bucket{le="..."}` samples ending in
// le="+Inf", then `_sum` and `_count`.
//
// A malformed metric or label name is a programming bug (the names are fixed in code): logged,
// then abort. Label values may be anything. Not thread-safe: one writer per scrape.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quantd {

class PrometheusText {
 public:
  using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Starts a family: its HELP and TYPE lines. `type`: counter, gauge, histogram, summary or
  // untyped.
  void family(std::string_view name, std::string_view type, std::string_view help);

  // One sample of the current family (`name` may add _total, _bucket, _sum, _count).
  void sample(std::string_view name, const Labels& labels, double value);
  void sample(std::string_view name, const Labels& labels, std::uint64_t value);

  // A whole histogram sample set: `bounds` ascending upper bounds, `counts[i]` the observations
  // <= bounds[i] that are above bounds[i-1] (not cumulative; one more entry than bounds for the
  // +Inf bucket), `sum` of the observed values.
  void histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);

  // The text written so far; leaves the writer empty.
  std::string take() { return std::exchange(out_, {}); }

  // `value` as a label value between double quotes (without them).
  static std::string escape_label_value(std::string_view value);
  // A number as the format spells it ("1", "0.25", "+Inf", "NaN").
  static std::string format_number(double value);

 private:
  void write_sample(std::string_view name, const Labels& labels, std::string_view extra_label,
                    std::string_view extra_value, std::string_view number);

  std::string out_;
};

}  // namespace quantd
