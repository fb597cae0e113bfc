#include "quantd/storage/bar_chunk.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace {

using quantd::domain::Bar;
using quantd::storage::decode_bar_chunk;
using quantd::storage::encode_bar_chunk;
using quantd::storage::kBarChunkHeaderBytes;

std::vector<Bar> minute_bars(int n, double price = 50'000) {
  std::vector<Bar> bars;
  std::int64_t ts = 1'704'153'600'000;  // 2024-01-02 09:00 KST
  for (int i = 0; i < n; ++i) {
    // An overnight gap every 381 bars, as in KRX minute data.
    ts += (i % 381 == 0 && i > 0) ? 17 * 3'600'000 + 31 * 60'000 : 60'000;
    const double p = price + (i * 37) % 900;
    bars.push_back({ts, p, p + 100, p - 100, p + 50, 1000 + (i * 7919) % 100'000});
  }
  return bars;
}

std::vector<Bar> round_trip(const std::vector<Bar>& bars) {
  auto decoded = decode_bar_chunk(encode_bar_chunk(bars));
  REQUIRE(decoded.ok());
  return *decoded;
}

}  // namespace

TEST_CASE("a chunk of whole-won minute bars round-trips and packs small") {
  const auto bars = minute_bars(2048);
  const auto blob = encode_bar_chunk(bars);
  CHECK(round_trip(bars) == bars);
  // ts deltas 4 bytes (the overnight gap), prices 2 bytes (range < 65536), volume 4 bytes.
  CHECK(blob.size() == kBarChunkHeaderBytes + 2047 * 4 + 2048 * (4 * 2 + 4));
  CHECK(blob.size() < bars.size() * sizeof(Bar) / 2);
}

TEST_CASE("edge cases round-trip exactly") {
  SUBCASE("one bar") {
    CHECK(round_trip({Bar{-5, 1.5, 2, 1, 1.5, 0}}) == std::vector<Bar>{{-5, 1.5, 2, 1, 1.5, 0}});
  }
  SUBCASE("fractional prices are stored as doubles, bit for bit") {
    std::vector<Bar> bars = minute_bars(100);
    bars[50].close = 0.1 + 0.2;
    bars[70].open = 1e-300;
    CHECK(round_trip(bars) == bars);
  }
  SUBCASE("negative zero and huge values") {
    std::vector<Bar> bars = {
        {0, -0.0, 1e300, -1e300, 3, std::numeric_limits<std::int64_t>::max()},
        {1, 9007199254740991.0, 1, 1, 1, std::numeric_limits<std::int64_t>::min()}};
    const auto back = round_trip(bars);
    CHECK(back == bars);
    CHECK(std::signbit(back[0].open));
  }
  SUBCASE("extreme timestamps and gaps") {
    std::vector<Bar> bars = {{std::numeric_limits<std::int64_t>::min() / 2, 1, 1, 1, 1, 1},
                             {0, 2, 2, 2, 2, 2},
                             {std::numeric_limits<std::int64_t>::max() / 2, 3, 3, 3, 3, 3}};
    CHECK(round_trip(bars) == bars);
  }
  SUBCASE("whole prices with a range beyond 32 bits") {
    std::vector<Bar> bars = {{1, 1, 1, 1, 1, 5}, {2, 1e15, 1e15, 1e15, 1e15, 5}};
    CHECK(round_trip(bars) == bars);
  }
}

TEST_CASE("a damaged chunk is reported as damaged, never misread") {
  const auto good = encode_bar_chunk(minute_bars(500));
  SUBCASE("a flipped bit anywhere") {
    for (std::size_t at : {std::size_t{1}, std::size_t{5}, std::size_t{12}, std::size_t{20},
                           kBarChunkHeaderBytes + 3, good.size() / 2, good.size() - 1}) {
      auto bad = good;
      bad[at] ^= 0x10;
      auto r = decode_bar_chunk(bad);
      REQUIRE_FALSE(r.ok());
      CHECK(r.status().message().find("damaged bar chunk") == 0);
    }
  }
  SUBCASE("truncated") {
    auto bad = good;
    bad.resize(bad.size() - 8);
    auto r = decode_bar_chunk(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("does not match its header") != std::string::npos);
    auto tiny = decode_bar_chunk(std::vector<std::uint8_t>(10, 0));
    REQUIRE_FALSE(tiny.ok());
    CHECK(tiny.status().message().find("shorter than its header") != std::string::npos);
  }
  SUBCASE("an unknown version") {
    auto bad = good;
    bad[0] = 7;
    auto r = decode_bar_chunk(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message() == "damaged bar chunk: unknown chunk format version 7");
  }
  SUBCASE("a buffer too small is refused") {
    std::vector<Bar> out(10);
    auto r = decode_bar_chunk(good, out.data(), out.size());
    CHECK_FALSE(r.ok());
  }
}
