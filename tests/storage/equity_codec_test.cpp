// The compact equity curve (equity_codec.h): exact round trips of every double and timestamp,
// the size of a million-point minute-bar curve, and damaged documents refused with a reason.
#include "quantd/storage/equity_codec.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "quantd/analytics/metrics.h"

namespace {

using namespace quantd;
using storage::EquityReader;

struct Curve {
  std::vector<TimestampMs> ts;
  std::vector<double> equity, benchmark, drawdown;
  double peak = 100'000'000;
  storage::EquityColumns columns() const { return {ts, equity, benchmark, drawdown, peak}; }
  void add(TimestampMs t, double e, double b, double d) {
    ts.push_back(t);
    equity.push_back(e);
    benchmark.push_back(b);
    drawdown.push_back(d);
  }
};

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

// Decodes `document` and checks every value against `c`, bit for bit.
void check_round_trip(const Curve& c, const std::string& document) {
  auto reader = EquityReader::open(document);
  REQUIRE_MESSAGE(reader.ok(), reader.status().message());
  REQUIRE(reader->size() == c.ts.size());
  for (std::size_t i = 0; i < c.ts.size(); ++i) {
    const storage::EquityPoint p = reader->next();
    CAPTURE(i);
    REQUIRE(p.ts == c.ts[i]);
    REQUIRE(bits(p.equity) == bits(c.equity[i]));
    REQUIRE(bits(p.benchmark) == bits(c.benchmark[i]));
    REQUIRE(bits(p.drawdown) == bits(c.drawdown[i]));
  }
  CHECK(reader->position() == c.ts.size());
}

// KRX minute bars: 390 a day from 09:00 KST, weekdays, from 2015-01-05.
std::vector<TimestampMs> minute_bars(std::size_t n) {
  std::vector<TimestampMs> ts;
  ts.reserve(n);
  TimestampMs day = 1'420'416'000'000;  // 2015-01-05T00:00:00Z = 09:00 KST, a Monday
  int weekday = 0;
  while (ts.size() < n) {
    for (int m = 0; m < 390 && ts.size() < n; ++m) ts.push_back(day + m * 60'000);
    day += kMsPerDay * (weekday == 4 ? 3 : 1);
    weekday = (weekday + 1) % 5;
  }
  return ts;
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST_CASE("codec: every double and timestamp comes back bit for bit") {
  Curve c;
  const double specials[] = {0.0,
                             -0.0,
                             kNaN,
                             -kNaN,
                             std::bit_cast<double>(std::uint64_t{0x7FF0000000000123}),  // payload
                             kInf,
                             -kInf,
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::max(),
                             -std::numeric_limits<double>::max(),
                             1e-300,
                             1e300,
                             -123456.789,
                             100'000'000.0,
                             100'000'000.0,
                             99'999'999.5,
                             0.1,
                             1.0 / 3.0,
                             -1.0};
  // Timestamps with gaps of every size, backwards steps and the extremes of int64 (the format
  // does not require order, only the engine does).
  const TimestampMs times[] = {0,
                               1,
                               60'001,
                               120'001,
                               180'001,
                               1'700'000'000'000,
                               1'700'000'060'000,
                               1'700'003'660'000,
                               -5,
                               std::numeric_limits<TimestampMs>::max(),
                               std::numeric_limits<TimestampMs>::min(),
                               std::numeric_limits<TimestampMs>::max(),
                               42};
  std::size_t k = 0;
  for (TimestampMs t : times) {
    for (std::size_t j = 0; j < 3; ++j, ++k) {
      const std::size_t n = std::size(specials);
      c.add(t + static_cast<TimestampMs>(j), specials[k % n], specials[(k * 7 + 3) % n],
            specials[(k * 5 + 1) % n]);
    }
  }
  check_round_trip(c, storage::encode_equity(c.columns()));

  // Long runs of a repeated value (zero residuals) across the 128-point run limit.
  Curve flat;
  for (int i = 0; i < 1000; ++i) {
    flat.add(1'700'000'000'000 + i * 60'000, i < 300 ? 1e8 : 1e8 + (i / 257), -0.0,
             i % 2 ? kNaN : 0);
  }
  check_round_trip(flat, storage::encode_equity(flat.columns()));

  Curve empty;
  const std::string none = storage::encode_equity(empty.columns());
  check_round_trip(empty, none);
  CHECK(storage::is_equity_document(none));
  CHECK_FALSE(storage::is_equity_document("[{\"ts\":1}]"));
}

TEST_CASE("codec: the engine's drawdown costs next to nothing; any other still round-trips") {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> step(0, 20'000);
  Curve c;
  c.ts = minute_bars(50'000);
  double e = 1e8;
  for (std::size_t i = 0; i < c.ts.size(); ++i) {
    e += std::round(step(rng));
    c.equity.push_back(e);
    c.benchmark.push_back(1e8 * (1 + 0.001 * std::sin(static_cast<double>(i) / 50)));
  }
  c.drawdown = analytics::drawdown_curve(100'000'000, c.equity);
  const std::string derived = storage::encode_equity(c.columns());
  check_round_trip(c, derived);

  Curve other = c;
  for (double& d : other.drawdown) d = std::nextafter(d, 2.0);  // one ulp off everywhere
  const std::string stored = storage::encode_equity(other.columns());
  check_round_trip(other, stored);
  CHECK(stored.size() > derived.size() + other.ts.size());
  // Against a wrong starting peak the residuals are not zero either, and values stay exact.
  Curve wrong_peak = c;
  wrong_peak.peak = 5e8;
  check_round_trip(wrong_peak, storage::encode_equity(wrong_peak.columns()));
}

TEST_CASE(
    "codec: a million-point minute-bar curve takes at most 20 MB, even one that never "
    "repeats a value") {
  constexpr std::size_t kPoints = 1'000'000;
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> noise(-1, 1);
  Curve c;
  c.ts = minute_bars(kPoints);
  c.equity.reserve(kPoints);
  c.benchmark.reserve(kPoints);
  double e = 1e8;
  double b = 1e8;
  for (std::size_t i = 0; i < kPoints; ++i) {
    // Fractional and changing at every point: the worst case for the xor encoding.
    e *= 1 + 1e-4 * noise(rng);
    b *= 1 + 1e-4 * noise(rng);
    c.equity.push_back(e);
    c.benchmark.push_back(b);
  }
  c.drawdown = analytics::drawdown_curve(100'000'000, c.equity);
  const std::string document = storage::encode_equity(c.columns());
  MESSAGE("1M points, every value changing: " << document.size() << " bytes");
  CHECK(document.size() <= 20'000'000);
  check_round_trip(c, document);

  // Whole-won equity that stands still between trades, as a minute-bar strategy's does.
  for (std::size_t i = 0; i < kPoints; ++i) {
    c.equity[i] = std::round(c.equity[i] / 1000) * 1000;
    if ((i / 5000) % 2 == 1) c.equity[i] = c.equity[i - 1];
  }
  c.drawdown = analytics::drawdown_curve(100'000'000, c.equity);
  const std::string typical = storage::encode_equity(c.columns());
  MESSAGE("1M points, whole-won equity flat half the time: " << typical.size() << " bytes");
  CHECK(typical.size() < document.size());
  check_round_trip(c, typical);
}

// The reason opening `document`, or "" when it opens.
std::string refusal(const std::string& document) {
  auto r = EquityReader::open(document);
  return r.ok() ? "" : r.status().message();
}

TEST_CASE("codec: a damaged document is refused with a reason, never a crash") {
  Curve c;
  for (int i = 0; i < 300; ++i) {
    c.add(1'700'000'000'000 + i * 60'000, 1e8 + i * 1000.5, 1e8 - i, i % 3 ? 0.01 * i : 0);
  }
  const std::string good = storage::encode_equity(c.columns());
  REQUIRE(refusal(good).empty());

  // Every truncation, and every extension by a byte.
  for (std::size_t n = 0; n < good.size(); ++n) {
    CAPTURE(n);
    CHECK(refusal(good.substr(0, n)).rfind("equity curve: ", 0) == 0);
  }
  CHECK(refusal(good + '\0').find("bytes after the last column") != std::string::npos);

  std::string bad = good;
  bad[0] = 'X';
  CHECK(refusal(bad).find("bad magic") != std::string::npos);
  bad = good;
  bad[4] = 2;
  CHECK(refusal(bad).find("unknown version 2") != std::string::npos);
  bad = good;
  bad[15] = 0x7F;  // a count no document of this size can hold
  CHECK(refusal(bad).find("cannot fit") != std::string::npos);
  bad = good;
  bad[8] = static_cast<char>(bad[8] + 1);  // one point more than the columns hold
  CHECK_FALSE(refusal(bad).empty());
  bad = good;
  bad[24] = 9;  // the ts column's encoding
  CHECK(refusal(bad).find("unknown encoding 9 of the ts column") != std::string::npos);
  bad = good;
  bad[25 + 7] = 0x7F;  // the ts column's size, far past the end
  CHECK(refusal(bad).find("runs past the document's end") != std::string::npos);

  // Byte flips anywhere: each either opens (and then reads every point) or names its reason.
  std::mt19937 rng(3);
  for (int trial = 0; trial < 3000; ++trial) {
    bad = good;
    const std::size_t at = rng() % bad.size();
    bad[at] = static_cast<char>(bad[at] ^ static_cast<char>(1 + rng() % 255));
    auto r = EquityReader::open(bad);
    if (!r.ok()) {
      CHECK(r.status().message().rfind("equity curve: ", 0) == 0);
      continue;
    }
    while (r->position() < r->size()) (void)r->next();
  }
}

TEST_CASE("codec: a reserved tag or an overlong varint is named") {
  // Hand-made: one point, ts as delta2, three raw double columns.
  auto document = [](const std::string& ts_payload, std::uint8_t equity_tag) {
    std::string d = "QDEQ";
    d += '\1';
    d.append(3, '\0');
    const auto u64 = [&d](std::uint64_t v) {
      for (int i = 0; i < 8; ++i) d += static_cast<char>(v >> (8 * i));
    };
    u64(1);
    u64(0);
    d += '\1';
    u64(ts_payload.size());
    d += ts_payload;
    d += '\2';  // equity: xor, one tag byte
    u64(1);
    d += static_cast<char>(equity_tag);
    for (int col = 0; col < 2; ++col) {
      d += '\0';
      u64(8);
      d.append(8, '\0');
    }
    return d;
  };
  CHECK(refusal(document("\x02", 0x80)).empty());  // ts 1, equity 0.0 (a one-point zero run)
  CHECK(refusal(document("\x02", 0x45)).find("unknown tag 69") != std::string::npos);
  CHECK(refusal(document(std::string(11, '\x80') + '\x01', 0x80)).find("overflows 64 bits") !=
        std::string::npos);
  CHECK(refusal(document(std::string(9, '\xFF') + '\x02', 0x80)).find("overflows 64 bits") !=
        std::string::npos);
  CHECK(refusal(document("\x02\x02", 0x80)).find("bytes after its last point") !=
        std::string::npos);
  // A literal residual that claims more bytes than a double has (3 leading zeros + 8 bytes).
  CHECK(refusal(document("\x02", 0x1F)).find("more than 8 bytes") != std::string::npos);
}

}  // namespace
