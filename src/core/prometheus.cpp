#include "quantd/core/prometheus.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace quantd {

namespace {

bool valid_name(std::string_view name, bool colons) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colons && c == ':');
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

void require_name(std::string_view name, bool colons) {
  if (valid_name(name, colons)) return;
  spdlog::critical("prometheus: invalid {} name '{}'", colons ? "metric" : "label", name);
  std::abort();
}

}  // namespace

std::string PrometheusText::escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : "NaN";
}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  require_name(name, true);
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  for (char c : help) {
    if (c == '\\') {
      out_ += "\\\\";
    } else if (c == '\n') {
      out_ += "\\n";
    } else {
      out_ += c;
    }
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::write_sample(std::string_view name, const Labels& labels,
                                  std::string_view extra_label, std::string_view extra_value,
                                  std::string_view number) {
  require_name(name, true);
  out_ += name;
  if (!labels.empty() || !extra_label.empty()) {
    out_ += '{';
    bool first = true;
    auto label = [&](std::string_view key, std::string_view value) {
      require_name(key, false);
      if (!first) out_ += ',';
      first = false;
      out_ += key;
      out_ += "=\"";
      out_ += escape_label_value(value);
      out_ += '"';
    };
    for (const auto& [key, value] : labels) label(key, value);
    if (!extra_label.empty()) label(extra_label, extra_value);
    out_ += '}';
  }
  out_ += ' ';
  out_ += number;
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, const Labels& labels, double value) {
  write_sample(name, labels, {}, {}, format_number(value));
}

void PrometheusText::sample(std::string_view name, const Labels& labels, std::uint64_t value) {
  write_sample(name, labels, {}, {}, std::to_string(value));
}

void PrometheusText::histogram(std::string_view name, const Labels& labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  const std::string base(name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds.size(); ++i) {
    cumulative += i < counts.size() ? counts[i] : 0;
    const std::string le = i < bounds.size() ? format_number(bounds[i]) : "+Inf";
    write_sample(base + "_bucket", labels, "le", le, std::to_string(cumulative));
  }
  write_sample(base + "_sum", labels, {}, {}, format_number(sum));
  write_sample(base + "_count", labels, {}, {}, std::to_string(cumulative));
}

}  // namespace quantd
