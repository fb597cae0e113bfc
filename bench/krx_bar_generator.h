// A deterministic generator of 1-minute KRX regular-session bars, shared by gen_bars and the
// Google Benchmark suite.
//
// Bars open at 09:00 .. 15:29 Asia/Seoul (390 per day), Monday to Friday from the start date
// (exchange holidays are not skipped: the data is synthetic). Prices are whole won on the KRX tick
// grid (PROTOCOL.md §7.2, since 2023-01-25) and follow a random walk in ticks with a soft pull
// back towards the start price; each bar opens at or one tick off the previous close, and the
// high/low extend a few ticks beyond the body. Volumes are random in 1..~60,000 shares.
// The output depends only on (n, seed, start): the generator uses its own splitmix64 and integer
// arithmetic, never a std:: distribution (whose output differs between standard libraries).
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "quantd/core/time.h"

namespace quantd::bench {

// KRX tick size for a price (regular stocks).
inline std::int64_t krx_tick(std::int64_t price) {
  if (price < 2'000) return 1;
  if (price < 5'000) return 5;
  if (price < 20'000) return 10;
  if (price < 50'000) return 50;
  if (price < 200'000) return 100;
  if (price < 500'000) return 500;
  return 1'000;
}

// Moves an on-grid price by `ticks` ticks (negative: down), never below 1,000 won.
inline std::int64_t move_ticks(std::int64_t price, int ticks) {
  for (; ticks > 0; --ticks) price += krx_tick(price);
  for (; ticks < 0 && price > 1'000; ++ticks) price -= krx_tick(price - 1);
  return price;
}

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint32_t below(std::uint32_t n) {
    return static_cast<std::uint32_t>((next() >> 32) * n >> 32);
  }

 private:
  std::uint64_t state_;
};

struct GeneratorOptions {
  std::size_t bars = 1'000'000;
  std::uint64_t seed = 20240102;
  CivilDate start{2015, 1, 5};  // a Monday
  std::int64_t start_price = 70'000;
};

// Calls sink(ts_text, open, high, low, close, volume) for each bar in time order; ts_text is
// "YYYY-MM-DDTHH:MM:SS" (Seoul, no offset), valid only during the call.
template <typename Sink>
void generate_krx_bars(const GeneratorOptions& options, Sink&& sink) {
  SplitMix64 rng(options.seed);
  // Step distribution in ticks, out of 100: 0 (40), +-1 (20 each), +-2 (7 each), +-3 (3 each).
  auto step = [&rng]() -> int {
    const std::uint32_t r = rng.below(100);
    if (r < 40) return 0;
    const int sign = (r & 1) ? 1 : -1;
    if (r < 80) return sign;
    if (r < 94) return 2 * sign;
    return 3 * sign;
  };
  std::int64_t close = options.start_price;
  std::int64_t day = days_from_civil(options.start);
  std::size_t made = 0;
  char ts[48];  // roomy: -Wformat-truncation cannot bound the year
  while (made < options.bars) {
    const int wd = weekday_from_days(day);
    if (wd == 0 || wd == 6) {
      ++day;
      continue;
    }
    const CivilDate d = civil_from_days(day);
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT09:00:00", d.year, d.month, d.day);
    for (int minute = 0; minute < 390 && made < options.bars; ++minute, ++made) {
      const int hh = 9 + minute / 60;
      const int mm = minute % 60;
      ts[11] = static_cast<char>('0' + hh / 10);
      ts[12] = static_cast<char>('0' + hh % 10);
      ts[14] = static_cast<char>('0' + mm / 10);
      ts[15] = static_cast<char>('0' + mm % 10);
      // Overnight gaps are wider than a minute's.
      int gap = minute == 0 ? step() * 2 : (rng.below(100) < 15 ? (rng.below(2) ? 1 : -1) : 0);
      // Soft mean reversion keeps ten years of walk within a sensible band.
      if (close > options.start_price * 3 && gap > 0) gap = -gap;
      if (close < options.start_price / 3 && gap < 0) gap = -gap;
      const std::int64_t open = move_ticks(close, gap);
      close = move_ticks(open, step());
      const std::int64_t high = move_ticks(std::max(open, close), static_cast<int>(rng.below(3)));
      const std::int64_t low = move_ticks(std::min(open, close), -static_cast<int>(rng.below(3)));
      const std::uint32_t v = rng.below(1000);
      const std::int64_t volume = 1 + static_cast<std::int64_t>(v * v / 20 + rng.below(10'000));
      sink(std::string_view(ts, 19), open, high, low, close, volume);
    }
    ++day;
  }
}

// The whole CSV (`ts,open,high,low,close,volume` header, LF line ends) as one string.
inline std::string generate_krx_bars_csv(const GeneratorOptions& options) {
  std::string out;
  out.reserve(options.bars * 56 + 64);
  out += "ts,open,high,low,close,volume\n";
  generate_krx_bars(options, [&out](std::string_view ts, std::int64_t o, std::int64_t h,
                                    std::int64_t l, std::int64_t c, std::int64_t v) {
    char buf[128];
    char* p = buf;
    p = std::copy(ts.begin(), ts.end(), p);
    for (std::int64_t x : {o, h, l, c, v}) {
      *p++ = ',';
      p = std::to_chars(p, buf + sizeof buf, x).ptr;
    }
    *p++ = '\n';
    out.append(buf, p);
  });
  return out;
}

}  // namespace quantd::bench
