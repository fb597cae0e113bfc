#include "quantd/data/bar_csv.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include "quantd/core/time.h"

namespace {

using quantd::from_seoul;
using quantd::StatusCode;
using quantd::data::parse_bars_csv;
using quantd::data::read_bars_csv;
using quantd::domain::Bar;

std::string error_of(std::string_view text) {
  auto r = parse_bars_csv(text, "f.csv");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  return r.status().message();
}

constexpr std::string_view kHeader = "ts,open,high,low,close,volume\n";

std::string with_header(std::string_view rows) { return std::string(kHeader) + std::string(rows); }

}  // namespace

TEST_CASE("parses the ts,open,high,low,close,volume format") {
  auto r = parse_bars_csv(with_header("2024-01-02T09:00:00,71000,71200,70900,71100,1234\n"
                                      "2024-01-02 09:01,71100,71100,71000,71000.5,0\n"),
                          "f.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0] == Bar{from_seoul({2024, 1, 2}, 9, 0), 71000, 71200, 70900, 71100, 1234});
  CHECK((*r)[1] == Bar{from_seoul({2024, 1, 2}, 9, 1), 71100, 71100, 71000, 71000.5, 0});
}

TEST_CASE("parses Yahoo's Date,Open,High,Low,Close,Adj Close,Volume and keeps Close") {
  auto r = parse_bars_csv(
      "Date,Open,High,Low,Close,Adj Close,Volume\n"
      "2023-12-28,78200.0,78500.0,77500.0,78500.0,76012.3,17142847\n"
      "2023-12-29,78900,79000,78000,78400,75915.5,0\n",
      "yahoo.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0] == Bar{from_seoul({2023, 12, 28}), 78200, 78500, 77500, 78500, 17142847});
  CHECK((*r)[1].close == 78400);
}

TEST_CASE("header matching is case-insensitive, in any column order, with spaces and quotes") {
  auto r = parse_bars_csv(
      " Volume ,\"CLOSE\",Low,High,Open,DateTime\n"
      "10,5,4,6,5,2024-01-02T09:00:00+09:00\n",
      "f.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 1);
  CHECK((*r)[0] == Bar{from_seoul({2024, 1, 2}, 9, 0), 5, 6, 4, 5, 10});
}

TEST_CASE("tolerates CRLF, a BOM, blank lines, quoted fields and a missing final newline") {
  auto r = parse_bars_csv(
      "\xEF\xBB\xBFts,open,high,low,close,volume\r\n"
      "\"2024-01-02 09:00:00\", 10 ,11,9,10,\"5\"\r\n"
      "\r\n"
      "2024-01-02T09:01:00Z,10,11,9,10,5",
      "f.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].ts == from_seoul({2024, 1, 2}, 9, 0));
  CHECK((*r)[0].open == 10);
  CHECK((*r)[0].volume == 5);
  CHECK((*r)[1].ts == from_seoul({2024, 1, 2}, 18, 1));  // 09:01 UTC
}

TEST_CASE("a trailing blank line and a header-only file are fine") {
  auto one = parse_bars_csv(with_header("2024-01-02,1,1,1,1,0\n\n"), "f.csv");
  REQUIRE(one.ok());
  CHECK(one->size() == 1);
  auto none = parse_bars_csv("ts,open,high,low,close,volume\n", "f.csv");
  REQUIRE(none.ok());
  CHECK(none->empty());
}

TEST_CASE("unsorted rows are sorted") {
  auto r = parse_bars_csv(with_header("2024-01-03,3,3,3,3,3\n"
                                      "2024-01-01,1,1,1,1,1\n"
                                      "2024-01-02,2,2,2,2,2\n"),
                          "f.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 3);
  CHECK((*r)[0].open == 1);
  CHECK((*r)[1].open == 2);
  CHECK((*r)[2].open == 3);
}

TEST_CASE("volume: whole numbers, also written with a zero fraction") {
  auto r =
      parse_bars_csv(with_header("2024-01-02,1,1,1,1,123.0\n2024-01-03,1,1,1,1,7.000\n"), "f.csv");
  REQUIRE(r.ok());
  CHECK((*r)[0].volume == 123);
  CHECK((*r)[1].volume == 7);
}

TEST_CASE("prices in the general number syntax") {
  auto r = parse_bars_csv(with_header("2024-01-02,1e3,1000.25,0.5,007,0\n"), "f.csv");
  REQUIRE(r.ok());
  CHECK((*r)[0].open == 1000);
  CHECK((*r)[0].high == 1000.25);
  CHECK((*r)[0].low == 0.5);
  CHECK((*r)[0].close == 7);
}

TEST_CASE("errors name the file, the line and the column") {
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,1\n2024/01/03,10,11,9,10,1\n")) ==
        "f.csv:3: ts: not an ISO date or datetime: \"2024/01/03\"");
  CHECK(error_of("Date,Open,High,Low,Close,Adj Close,Volume\n2024-13-01,1,1,1,1,1,1\n") ==
        "f.csv:2: Date: not an ISO date or datetime: \"2024-13-01\"");
  CHECK(error_of(with_header("2024-01-02,10,abc,9,10,1\n")) ==
        "f.csv:2: high: not a number: \"abc\"");
  CHECK(error_of(with_header("2024-01-02,10,11,,10,1\n")) == "f.csv:2: low: not a number: \"\"");
  CHECK(error_of(with_header("2024-01-02,10,11,9,10x,1\n")) ==
        "f.csv:2: close: not a number: \"10x\"");
  CHECK(error_of(with_header("2024-01-02,0,11,9,10,1\n")) ==
        "f.csv:2: open: must be a positive number, got \"0\"");
  CHECK(error_of(with_header("2024-01-02,-1,11,9,10,1\n")) ==
        "f.csv:2: open: must be a positive number, got \"-1\"");
  CHECK(error_of(with_header("2024-01-02,10,inf,9,10,1\n")) ==
        "f.csv:2: high: must be a positive number, got \"inf\"");
  CHECK(error_of(with_header("2024-01-02,10,11,nan,10,1\n")) ==
        "f.csv:2: low: must be a positive number, got \"nan\"");
}

TEST_CASE("OHLC consistency") {
  CHECK(error_of(with_header("2024-01-02,10,11,10.5,11,1\n")) ==
        "f.csv:2: low: 10.5 is above open 10");
  CHECK(error_of(with_header("2024-01-02,10,11,9.5,9,1\n")) ==
        "f.csv:2: low: 9.5 is above close 9");
  CHECK(error_of(with_header("2024-01-02,12,11,9,10,1\n")) == "f.csv:2: high: 11 is below open 12");
  CHECK(error_of(with_header("2024-01-02,10,11,9,12,1\n")) ==
        "f.csv:2: high: 11 is below close 12");
  CHECK(error_of("Date,Open,High,Low,Close,Volume\n2024-01-02,10,9,11,10,1\n") ==
        "f.csv:2: Low: 11 is above Open 10");
}

TEST_CASE("volume errors") {
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,-5\n")) ==
        "f.csv:2: volume: must not be negative, got \"-5\"");
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,12.5\n")) ==
        "f.csv:2: volume: not a whole number: \"12.5\"");
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,1e6\n")) ==
        "f.csv:2: volume: not a whole number: \"1e6\"");
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,\n")) ==
        "f.csv:2: volume: not a whole number: \"\"");
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,99999999999999999999\n")) ==
        "f.csv:2: volume: \"99999999999999999999\" is too large for a volume (at most 18 digits)");
}

TEST_CASE("field count errors; ROW counts blank lines and the header") {
  CHECK(error_of(with_header("2024-01-02,10,11,9,10\n")) == "f.csv:2: expected 6 fields, found 5");
  CHECK(error_of(with_header("2024-01-02,10,11,9,10,1\n\n2024-01-03,10,11,9,10,1,7\n")) ==
        "f.csv:4: expected 6 fields, found 7");
  CHECK(error_of(with_header("2024-01-02,1,1,1,1,1,1,1,1,1,1\n")) ==
        "f.csv:2: expected 6 fields, found more");
}

TEST_CASE("duplicate timestamps are rejected, in sorted and unsorted input") {
  CHECK(error_of(with_header("2024-01-02,1,1,1,1,1\n2024-01-02T00:00:00,1,1,1,1,1\n")) ==
        "f.csv:3: duplicate timestamp 2024-01-02T00:00:00 (also on line 2)");
  CHECK(error_of(with_header("2024-01-03,1,1,1,1,1\n"
                             "2024-01-02,1,1,1,1,1\n"
                             "2024-01-04,1,1,1,1,1\n"
                             "2024-01-02T00:00:00+09:00,1,1,1,1,1\n")) ==
        "f.csv:5: duplicate timestamp 2024-01-02T00:00:00 (also on line 3)");
}

TEST_CASE("header errors") {
  const std::string expected =
      ": expected ts,open,high,low,close,volume or Date,Open,High,Low,Close,Adj Close,Volume";
  CHECK(error_of("") == "f.csv:1: empty header" + expected);
  CHECK(error_of("\n2024-01-02,1,1,1,1,1\n") == "f.csv:1: empty header" + expected);
  CHECK(error_of("2024-01-02,1,1,1,1,1\n") == "f.csv:1: unknown column \"2024-01-02\"" + expected);
  CHECK(error_of("ts,open,high,low,close\n") == "f.csv:1: missing column \"volume\"" + expected);
  CHECK(error_of("ts,open,high,low,close,volume,open\n") ==
        "f.csv:1: column \"open\" appears twice");
  CHECK(error_of("ts,open,high,low,close,volume,vwap\n") ==
        "f.csv:1: unknown column \"vwap\"" + expected);
}

TEST_CASE("the shared oracle's daily series parses completely") {
  auto r = read_bars_csv(std::string(QUANTD_SHARED_DIR) + "/oracle/ttrc.csv");
  REQUIRE(r.ok());
  REQUIRE(r->size() == 5550);
  CHECK(r->front() == Bar{from_seoul({1985, 1, 2}), 3.18, 3.18, 3.08, 3.08, 1870906});
  CHECK(r->back().ts == from_seoul({2006, 12, 29}));
}

TEST_CASE("read_bars_csv reads a large file like parse_bars_csv reads its text") {
  // Many times read_bars_csv's 256 KiB buffer, so lines cross chunk boundaries.
  std::string text(kHeader);
  char row[96];
  const int rows = 250'000;
  for (int i = 0; i < rows; ++i) {
    const quantd::SeoulTime t =
        quantd::to_seoul(from_seoul({2020, 1, 1}) + i * quantd::kMsPerMinute);
    const int px = 10'000 + (i * 7919) % 5000;
    text.append(row,
                static_cast<std::size_t>(std::snprintf(
                    row, sizeof row, "%04d-%02d-%02dT%02d:%02d:00,%d,%d,%d,%d,%d\r\n", t.date.year,
                    t.date.month, t.date.day, t.hour, t.minute, px, px + 20, px - 10, px + 10, i)));
  }
  REQUIRE(text.size() > (std::size_t{12} << 20));
  const auto path = std::filesystem::temp_directory_path() /
                    ("quantd_bar_csv_test_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary) << text;
  auto from_file = read_bars_csv(path.string());
  auto from_text = parse_bars_csv(text, path.string());
  std::filesystem::remove(path);
  REQUIRE(from_file.ok());
  REQUIRE(from_text.ok());
  REQUIRE(from_file->size() == static_cast<std::size_t>(rows));
  CHECK(*from_file == *from_text);
  CHECK(from_file->back().volume == rows - 1);
}

TEST_CASE("read_bars_csv names a file it cannot open") {
  auto r = read_bars_csv("/nonexistent/bars.csv");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == "/nonexistent/bars.csv: cannot open: No such file or directory");
  auto dir = read_bars_csv("/tmp");
  REQUIRE_FALSE(dir.ok());
  CHECK(dir.status().message() == "/tmp: cannot open: is a directory");
}

TEST_CASE("an error in a mapped file names the path and line") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("quantd_bar_csv_bad_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary)
      << with_header("2024-01-02,10,11,9,10,1\n2024-01-03,9,9,9,10,1\n");
  auto r = read_bars_csv(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() == path.string() + ":3: high: 9 is below close 10");
}

TEST_CASE("read_bars_csv handles a line longer than its read buffer") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("quantd_bar_csv_long_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary) << with_header(
      "2024-01-02,10,11,9,10," + std::string(600'000, ' ') + "5\n" + "2024-01-03,10,11,9,10,6");
  auto r = read_bars_csv(path.string());
  std::filesystem::remove(path);
  REQUIRE(r.ok());
  REQUIRE(r->size() == 2);
  CHECK((*r)[0].volume == 5);
  CHECK((*r)[1].volume == 6);
}

TEST_CASE("a duplicate in unsorted file input is located by a second pass over the file") {
  const auto path = std::filesystem::temp_directory_path() /
                    ("quantd_bar_csv_dup_" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path, std::ios::binary)
      << with_header("2024-01-03,1,1,1,1,1\n2024-01-02,1,1,1,1,1\n\n2024-01-03,1,1,1,1,1\n");
  auto r = read_bars_csv(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() ==
        path.string() + ":5: duplicate timestamp 2024-01-03T00:00:00 (also on line 2)");
}

TEST_CASE("times read exactly as parse_timestamp reads them, on every path") {
  const char* const times[] = {
      "2024-01-02T09:00:00", "2024-01-02T09:01:00", "2024-01-02 15:29:59", "2024-01-02",
      "2024-02-29T23:59:60", "2024-01-03T00:00:00Z", "2024-01-03T09:00", "2024-01-03 09:00:00.250",
      "2024-01-03T09:00:00+09:00", "1999-12-31T23:59:59-05:30",
      // invalid ones must fail whatever path sees them
      "2023-02-29T00:00:00", "2024-01-02T24:00:00", "2024-01-02T09:60:00", "2024-01-02T09:00:61",
      "2024-01-02T9:00:00", "2024-01-02X09:00:00", "2024-01-02T09-00-00", "2024-1-02", "20240102",
      "2024-01-02T09:00:00 ", "2024-01-02T09:00:0a"};
  for (const char* t : times) {
    CAPTURE(t);
    // Preceded by a row of the same date, so the cached-date path is taken where it can be.
    const std::string text =
        with_header("2024-01-02T08:00:00,1,1,1,1,1\n" + std::string(t) + ",1,1,1,1,1\n");
    auto r = parse_bars_csv(text, "f.csv");
    const auto expected = quantd::parse_timestamp(
        std::string_view(t).substr(0, std::string_view(t).find_last_not_of(' ') + 1));
    if (expected) {
      REQUIRE(r.ok());
      bool found = false;
      for (const Bar& b : *r) found |= b.ts == *expected;
      CHECK(found);
    } else {
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().starts_with("f.csv:3: ts: not an ISO date or datetime"));
    }
  }
}

// ---- streaming scan (issue 13: uploads larger than memory) ------------------------------------

namespace {

std::string numbered_csv(int rows, bool reversed = false) {
  std::string csv = "ts,open,high,low,close,volume\n";
  for (int k = 0; k < rows; ++k) {
    const int i = reversed ? rows - 1 - k : k;
    csv += quantd::format_utc_iso(1'704'153'600'000 + i * 60'000LL) + "," +
           std::to_string(100 + i) + "," + std::to_string(110 + i) + "," + std::to_string(90 + i) +
           "," + std::to_string(100 + i) + ",5\n";
  }
  return csv;
}

}  // namespace

TEST_CASE("scan_bars_csv hands the same bars as parse_bars_csv, in batches") {
  const std::string csv = numbered_csv(1000);
  auto whole = parse_bars_csv(csv, "a.csv");
  REQUIRE(whole.ok());
  std::vector<Bar> got;
  std::vector<std::size_t> sizes;
  quantd::data::CsvScanOptions o;
  o.batch_bars = 300;
  auto scan = quantd::data::scan_bars_csv(csv, "a.csv", o, [&](std::span<const Bar> b) {
    sizes.push_back(b.size());
    got.insert(got.end(), b.begin(), b.end());
    return quantd::Status::ok_status();
  });
  REQUIRE(scan.ok());
  CHECK(scan->errors.empty());
  CHECK(scan->rows == 1000);
  CHECK(sizes == std::vector<std::size_t>{300, 300, 300, 100});
  CHECK(got == *whole);

  // From a file, naming the display name in messages.
  const auto path = std::filesystem::temp_directory_path() /
                    ("quantd-scan-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(path) << csv << "2030-01-01,1,0,1,1,1\n";
  auto bad = quantd::data::scan_bars_csv_file(
      path.string(), "upload.csv", o,
      [](std::span<const Bar>) { return quantd::Status::ok_status(); });
  std::filesystem::remove(path);
  REQUIRE(bad.ok());
  REQUIRE(bad->errors.size() == 1);
  CHECK(bad->errors[0].message().rfind("upload.csv:1002: ", 0) == 0);
}

TEST_CASE("scan_bars_csv collects bad rows, stops feeding the sink, and finds far duplicates") {
  std::string csv = numbered_csv(10);
  csv += "2024-01-02T09:30:00,1,0,1,1,1\n";  // line 12: high below
  csv += "not a date,1,1,1,1,1\n";           // line 13
  int calls = 0;
  quantd::data::CsvScanOptions o;
  o.batch_bars = 4;
  o.max_errors = 20;
  auto scan = quantd::data::scan_bars_csv(csv, "b.csv", o, [&](std::span<const Bar>) {
    ++calls;
    return quantd::Status::ok_status();
  });
  REQUIRE(scan.ok());
  REQUIRE(scan->errors.size() == 2);
  CHECK(scan->errors[0].message().rfind("b.csv:12: ", 0) == 0);
  CHECK(scan->errors[1].message().rfind("b.csv:13: ", 0) == 0);
  CHECK(calls == 2);  // two full batches went before the first bad row; none after

  // A repeated timestamp far apart in unsorted input: found after the pass, naming both lines.
  std::string unsorted = numbered_csv(50, /*reversed=*/true);
  unsorted += quantd::format_utc_iso(1'704'153'600'000 + 7 * 60'000LL) + ",1,1,1,1,1\n";
  auto dup = quantd::data::scan_bars_csv(
      unsorted, "c.csv", {}, [](std::span<const Bar>) { return quantd::Status::ok_status(); });
  REQUIRE(dup.ok());
  REQUIRE(dup->errors.size() == 1);
  CHECK(dup->errors[0].message().find("c.csv:52: duplicate timestamp") == 0);
  CHECK(dup->errors[0].message().find("also on line 44") != std::string::npos);

  // A header problem is the only error; the sink's failure is the result.
  auto header = quantd::data::scan_bars_csv("ts,open\n1,2\n", "d.csv", o, [](std::span<const Bar>) {
    return quantd::Status::ok_status();
  });
  REQUIRE(header.ok());
  CHECK(header->errors.size() == 1);
  auto sink_failed = quantd::data::scan_bars_csv(
      numbered_csv(10), "e.csv", {},
      [](std::span<const Bar>) { return quantd::Status::internal("disk"); });
  REQUIRE_FALSE(sink_failed.ok());
  CHECK(sink_failed.status().message() == "disk");
}
