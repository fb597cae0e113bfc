// GET /metrics from the real binary: behind the token, every line valid exposition format 0.0.4,
// and the counters move with the requests made.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::http_request;
using quantd::testing::TempDir;

namespace {

const std::string kToken = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";

bool name_char(char c, bool first, bool colon) {
  const bool letter =
      (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return letter || (!first && c >= '0' && c <= '9');
}

// Reads [a-zA-Z_:][a-zA-Z0-9_:]* (metric) or [a-zA-Z_][a-zA-Z0-9_]* (label) at `at`.
std::string read_name(const std::string& line, std::size_t& at, bool colon) {
  const std::size_t start = at;
  while (at < line.size() && name_char(line[at], at == start, colon)) ++at;
  return line.substr(start, at - start);
}

bool valid_number(const std::string& text) {
  if (text == "+Inf" || text == "-Inf" || text == "NaN") return true;
  if (text.empty()) return false;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return *end == '\0' && text.find_first_of("iInN") == std::string::npos;
}

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The exposition format's grammar, line by line; FAILs with the offending line.
struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family -> type

  explicit Exposition(const std::string& text) {
    REQUIRE(!text.empty());
    REQUIRE(text.back() == '\n');
    std::set<std::string> finished;  // families whose samples ended (must not resume)
    std::string current;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = text.find('\n', start);
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      INFO("line: " << line);
      REQUIRE(!line.empty());
      if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
        std::size_t at = 7;
        const std::string name = read_name(line, at, true);
        REQUIRE(!name.empty());
        REQUIRE(at < line.size());
        REQUIRE(line[at] == ' ');
        if (line.starts_with("# TYPE ")) {
          const std::string type = line.substr(at + 1);
          CHECK(
              std::set<std::string>{"counter", "gauge", "histogram", "summary", "untyped"}.contains(
                  type));
          CHECK(!types.contains(name));  // one TYPE per family, before its samples
          types[name] = type;
          if (!current.empty()) finished.insert(current);
          current = name;
        } else {
          // HELP text: only \\ and \n escapes.
          const std::string help = line.substr(at + 1);
          for (std::size_t i = 0; i < help.size(); ++i) {
            if (help[i] == '\\') {
              REQUIRE(i + 1 < help.size());
              CHECK((help[i + 1] == '\\' || help[i + 1] == 'n'));
              ++i;
            }
          }
        }
        continue;
      }
      REQUIRE(line.front() != '#');
      Sample s;
      std::size_t at = 0;
      s.name = read_name(line, at, true);
      REQUIRE(!s.name.empty());
      if (at < line.size() && line[at] == '{') {
        ++at;
        while (at < line.size() && line[at] != '}') {
          const std::string label = read_name(line, at, false);
          REQUIRE(!label.empty());
          REQUIRE(line.compare(at, 2, "=\"") == 0);
          at += 2;
          std::string value;
          while (at < line.size() && line[at] != '"') {
            if (line[at] == '\\') {
              REQUIRE(at + 1 < line.size());
              const char e = line[at + 1];
              REQUIRE((e == '\\' || e == '"' || e == 'n'));
              value += e == 'n' ? '\n' : e;
              at += 2;
            } else {
              value += line[at++];
            }
          }
          REQUIRE(at < line.size());
          ++at;  // closing quote
          CHECK(!s.labels.contains(label));
          s.labels[label] = value;
          if (line[at] == ',') ++at;
        }
        REQUIRE(at < line.size());
        ++at;  // '}'
      }
      REQUIRE(at < line.size());
      REQUIRE(line[at] == ' ');
      const std::string number = line.substr(at + 1);
      CHECK(valid_number(number));
      s.value = number == "+Inf"   ? INFINITY
                : number == "-Inf" ? -INFINITY
                                   : std::strtod(number.c_str(), nullptr);
      // A sample belongs to the family declared last: its name, or name_bucket/_sum/_count of a
      // histogram, or name_total style names declared as such.
      const std::string& family = current;
      REQUIRE(!family.empty());
      const bool own =
          s.name == family || (types[family] == "histogram" &&
                               (s.name == family + "_bucket" || s.name == family + "_sum" ||
                                s.name == family + "_count"));
      CHECK_MESSAGE(own, s.name << " outside its family " << family);
      CHECK(!finished.contains(s.name));
      if (s.name.ends_with("_bucket")) CHECK(s.labels.contains("le"));
      samples.push_back(std::move(s));
    }
  }

  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }

  // Histogram consistency: buckets cumulative, +Inf last and equal to _count.
  void check_histograms() const {
    for (const auto& [family, type] : types) {
      if (type != "histogram") continue;
      std::map<std::map<std::string, std::string>, std::vector<std::pair<std::string, double>>>
          series;
      for (const Sample& s : samples) {
        if (s.name != family + "_bucket") continue;
        auto labels = s.labels;
        const std::string le = labels.at("le");
        labels.erase("le");
        series[labels].push_back({le, s.value});
      }
      for (const auto& [labels, buckets] : series) {
        INFO(family);
        REQUIRE(!buckets.empty());
        CHECK(buckets.back().first == "+Inf");
        for (std::size_t i = 1; i < buckets.size(); ++i) {
          CHECK(buckets[i].second >= buckets[i - 1].second);
          if (i + 1 < buckets.size()) {
            CHECK(std::stod(buckets[i].first) > std::stod(buckets[i - 1].first));
          }
        }
        CHECK(value(family + "_count", labels) == buckets.back().second);
        CHECK(value(family + "_sum", labels).has_value());
      }
    }
  }
};

Exposition scrape(int port) {
  const auto r = http_request(port, "GET", "/metrics", "", {{"Authorization", "Bearer " + kToken}});
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/plain; version=0.0.4; charset=utf-8");
  Exposition e(r.body);
  e.check_histograms();
  return e;
}

}  // namespace

TEST_CASE("/metrics: behind the token, valid exposition format, counters move with requests") {
  TempDir dir;
  const std::string config = dir.file("config.toml");
  std::ofstream(config) << "[server]\nauth_token = \"" << kToken << "\"\n";
  Daemon d(dir.file("quantd.db"), {"--config", config});

  // Like the API, not like health: without the token nothing is revealed.
  const auto anonymous = http_request(d.port(), "GET", "/metrics");
  CHECK(anonymous.status == 401);
  CHECK(anonymous.body.find("quantd_") == std::string::npos);

  const Exposition before = scrape(d.port());
  const std::map<std::string, std::string> health{
      {"method", "GET"}, {"route", "/api/health"}, {"status", "200"}};
  const double health_before = before.value("quantd_http_requests_total", health).value_or(0);
  CHECK(before.types.at("quantd_http_requests_total") == "counter");
  CHECK(before.value("quantd_queue_capacity", {{"pool", "backtest"}}) == 64);
  CHECK(before.value("quantd_queue_depth", {{"pool", "live"}}) == 0);
  CHECK(before.value("quantd_backtests", {{"status", "queued"}}) == 0);
  CHECK(before.value("quantd_live_cycles_total") == 0);
  CHECK(before.value("quantd_http_event_streams") == 0);
  CHECK(before.value("quantd_http_event_streams_limit", {{"scope", "per_client"}}) == 8);
  const Sample& build = before.samples.front();
  CHECK(build.name == "quantd_build_info");
  CHECK(!build.labels.at("version").empty());
  CHECK(build.value == 1);

  for (int i = 0; i < 3; ++i) CHECK(http_request(d.port(), "GET", "/api/health").status == 200);
  const auto missing = http_request(d.port(), "GET", "/api/strategies/999", "",
                                    {{"Authorization", "Bearer " + kToken}});
  CHECK(missing.status == 404);
  CHECK(http_request(d.port(), "GET", "/api/strategies").status == 401);
  SseReader stream(d.port(), "Authorization: Bearer " + kToken + "\r\n");  // behind the token too
  REQUIRE(stream.connected());

  const Exposition after = scrape(d.port());
  CHECK(after.value("quantd_http_requests_total", health) == health_before + 3);
  // One series per route pattern, not per id.
  CHECK(after.value("quantd_http_requests_total",
                    {{"method", "GET"}, {"route", "/api/strategies/{id}"}, {"status", "404"}}) ==
        1);
  CHECK(after.value("quantd_http_requests_total",
                    {{"method", "GET"}, {"route", "/api/strategies"}, {"status", "401"}}) == 1);
  CHECK(after.value("quantd_http_requests_total",
                    {{"method", "GET"}, {"route", "/metrics"}, {"status", "401"}}) == 1);
  CHECK(after.value("quantd_http_requests_total",
                    {{"method", "GET"}, {"route", "/api/events"}, {"status", "200"}}) == 1);
  CHECK(after.value("quantd_http_event_streams") == 1);
  CHECK(after.value("quantd_http_request_duration_seconds_count", {{"route", "/api/health"}})
            .value_or(0) >= health_before + 3);
  CHECK(after.value("quantd_uptime_seconds").value_or(-1) >= 0);
}
