#include "quantd/storage/equity_json.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace quantd::storage {
namespace {

// Each formatter writes one number into `buf` (32 bytes) and returns its end.

// std::to_chars's shortest exact form, or null: the stored form's numbers.
char* format_number(char* buf, double v) {
  if (!std::isfinite(v)) return std::copy_n("null", 4, buf);
  return std::to_chars(buf, buf + 32, v).ptr;
}

void append_integer(std::string& out, std::int64_t v) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// What nlohmann::json::parse of format_number's text dumps back: the text itself when it has the
// shape of a JSON integer that fits 64 bits (nlohmann keeps those as integers, and "-0" becomes
// 0), otherwise nlohmann's own form of the double (0.05, 1e-05, 1e+20, 3.0).
char* format_reparsed_number(char* buf, double v) {
  if (!std::isfinite(v)) return std::copy_n("null", 4, buf);
  char* end = std::to_chars(buf, buf + 32, v).ptr;
  const std::string_view text(buf, static_cast<std::size_t>(end - buf));
  if (text.find_first_of(".e") == std::string_view::npos) {
    if (text == "-0") {
      buf[0] = '0';
      return buf + 1;
    }
    std::int64_t i = 0;
    std::uint64_t u = 0;
    const bool fits = text.front() == '-' ? std::from_chars(buf, end, i).ec == std::errc()
                                          : std::from_chars(buf, end, u).ec == std::errc();
    if (fits) return end;
  }
  // What nlohmann's serializer calls for a finite double (serializer::dump_float), without a
  // json value and a string per point. It writes at most 25 characters.
  char wide[64];
  char* wide_end = nlohmann::detail::to_chars(wide, wide + sizeof wide, v);
  return std::copy(wide, wide_end, buf);
}

// The members of one stored point, by name.
enum Member : std::uint8_t { kTs, kEquity, kBenchmark, kDrawdown, kMembers };

int member_of(std::string_view key) {
  if (key == "ts") return kTs;
  if (key == "equity") return kEquity;
  if (key == "benchmark") return kBenchmark;
  if (key == "drawdown") return kDrawdown;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

template <typename Format>
void EquityJsonWriter::append(std::string& out, Memo& memo, double v, Format format) {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  if (!memo.valid || memo.bits != bits) {
    memo.size = static_cast<std::uint8_t>(format(memo.text, v) - memo.text);
    memo.bits = bits;
    memo.valid = true;
  }
  out.append(memo.text, memo.size);
}

void EquityJsonWriter::point(std::string& out, const EquityPoint& p) {
  out += "{\"ts\":";
  append_integer(out, p.ts);
  out += ",\"equity\":";
  append(out, equity_, p.equity, format_number);
  out += ",\"benchmark\":";
  append(out, benchmark_, p.benchmark, format_number);
  out += ",\"drawdown\":";
  append(out, drawdown_, p.drawdown, format_number);
  out += '}';
}

void EquityJsonWriter::drawdown_point(std::string& out, const EquityPoint& p) {
  out += "{\"drawdown\":";
  // Its own memo: the text differs from point()'s for the same value.
  append(out, reparsed_drawdown_, p.drawdown, format_reparsed_number);
  out += ",\"ts\":";
  append_integer(out, p.ts);
  out += '}';
}

Status EquityJsonReader::fail(const std::string& what) {
  state_ = State::kFailed;
  pending_.clear();
  return Status::internal("stored equity JSON, point " + std::to_string(ts.size() + 1) + ": " +
                          what);
}

Status EquityJsonReader::parse_point(std::string_view text) {
  // `text` is one flat object, braces included: "key":number|null pairs, nothing nested.
  bool seen[kMembers] = {};
  double values[kMembers] = {};
  std::int64_t time = 0;
  std::size_t at = 1;
  const auto skip_space = [&] {
    while (at < text.size() && is_space(text[at])) ++at;
  };
  while (true) {
    skip_space();
    if (at >= text.size() || text[at] != '"') return fail("expected a member name");
    const std::size_t close = text.find('"', at + 1);
    if (close == std::string_view::npos) return fail("an unterminated member name");
    const std::string_view key = text.substr(at + 1, close - at - 1);
    const int m = member_of(key);
    if (m < 0) return fail("an unknown member '" + std::string(key) + "'");
    if (seen[m]) return fail("member '" + std::string(key) + "' twice");
    seen[m] = true;
    at = close + 1;
    skip_space();
    if (at >= text.size() || text[at] != ':')
      return fail("expected ':' after '" + std::string(key) + "'");
    ++at;
    skip_space();
    std::size_t end = at;
    while (end < text.size() && text[end] != ',' && text[end] != '}' && !is_space(text[end])) {
      ++end;
    }
    const std::string_view value = text.substr(at, end - at);
    if (m == kTs) {
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), time);
      if (ec != std::errc() || p != value.data() + value.size()) {
        return fail("ts '" + std::string(value) + "' is not a whole number");
      }
    } else if (value == "null") {
      values[m] = std::numeric_limits<double>::quiet_NaN();
    } else {
      const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), values[m]);
      if (ec != std::errc() || p != value.data() + value.size() || value.empty() ||
          !std::isfinite(values[m])) {
        return fail(std::string(key) + " '" + std::string(value) + "' is not a number");
      }
    }
    at = end;
    skip_space();
    if (at < text.size() && text[at] == ',') {
      ++at;
      continue;
    }
    if (at + 1 == text.size() && text[at] == '}') break;
    return fail("expected ',' or '}' after '" + std::string(key) + "'");
  }
  for (int m = 0; m < kMembers; ++m) {
    if (!seen[m]) {
      static constexpr const char* kNames[kMembers] = {"ts", "equity", "benchmark", "drawdown"};
      return fail(std::string("no member '") + kNames[m] + "'");
    }
  }
  ts.push_back(time);
  equity.push_back(values[kEquity]);
  benchmark.push_back(values[kBenchmark]);
  drawdown.push_back(values[kDrawdown]);
  return {};
}

void EquityJsonReader::reserve_for(std::size_t text_bytes) {
  // The shortest point, {"ts":0,"equity":0,"benchmark":0,"drawdown":0}, and its comma.
  constexpr std::size_t kShortestPoint = 48;
  const std::size_t points = text_bytes / kShortestPoint + 1;
  ts.reserve(points);
  equity.reserve(points);
  benchmark.reserve(points);
  drawdown.reserve(points);
}

Status EquityJsonReader::feed(std::string_view piece) {
  if (state_ == State::kFailed) return Status::internal("stored equity JSON: read after an error");
  pending_ += piece;
  std::size_t at = 0;
  while (true) {
    while (at < pending_.size() && is_space(pending_[at])) ++at;
    if (at >= pending_.size()) break;
    const char c = pending_[at];
    if (state_ == State::kStart) {
      if (c != '[') return fail("the document does not start with '['");
      state_ = State::kPointOrEnd;
      ++at;
    } else if (state_ == State::kCommaOrEnd && c == ',') {
      state_ = State::kPoint;
      ++at;
    } else if ((state_ == State::kCommaOrEnd || state_ == State::kPointOrEnd) && c == ']') {
      state_ = State::kDone;
      ++at;
    } else if ((state_ == State::kPoint || state_ == State::kPointOrEnd) && c == '{') {
      const std::size_t close = pending_.find('}', at);
      if (close == std::string::npos) break;  // the rest of this point comes with the next piece
      if (Status st = parse_point(std::string_view(pending_).substr(at, close + 1 - at));
          !st.ok()) {
        return st;
      }
      state_ = State::kCommaOrEnd;
      at = close + 1;
    } else if (state_ == State::kDone) {
      return fail("text after the closing ']'");
    } else {
      return fail(std::string("unexpected '") + c + "'");
    }
  }
  pending_.erase(0, at);
  return {};
}

Status EquityJsonReader::finish() {
  if (state_ == State::kFailed) return Status::internal("stored equity JSON: read after an error");
  if (state_ != State::kDone) return fail("the document ends before its closing ']'");
  return {};
}

}  // namespace quantd::storage
