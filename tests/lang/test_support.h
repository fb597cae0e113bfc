// Helpers shared by the strategy-language tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "quantd/data/bar_csv.h"
#include "quantd/domain/bar.h"

namespace quantd::lang::testing {

// TTR's ttrc data set as read from the shared oracle (prices like 3.08).
inline std::vector<domain::Bar> ttrc_bars() {
  auto bars = data::read_bars_csv(std::string(QUANTD_SHARED_DIR) + "/oracle/ttrc.csv");
  if (!bars.ok()) return {};
  return std::move(bars).value();
}

// ttrc scaled to whole won (x 1000, rounded), so that the engine's KRX tick grid and integral
// cash see realistic prices.
inline std::vector<domain::Bar> ttrc_won_bars() {
  std::vector<domain::Bar> bars = ttrc_bars();
  for (domain::Bar& b : bars) {
    b.open = std::round(b.open * 1000);
    b.high = std::round(b.high * 1000);
    b.low = std::round(b.low * 1000);
    b.close = std::round(b.close * 1000);
  }
  return bars;
}

// A random walk of `n` daily bars from a fixed seed. With `gaps`, about 1% of the prices (and
// volumes) are NaN, to exercise the NA paths (only possible in-process: CSV input has no NA).
inline std::vector<domain::Bar> random_bars(std::size_t n, std::uint32_t seed, bool gaps = false) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0.0, 0.01);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<domain::Bar> bars;
  bars.reserve(n);
  double price = 10000;
  for (std::size_t i = 0; i < n; ++i) {
    domain::Bar b;
    b.ts = static_cast<std::int64_t>(i) * 86'400'000 + 1'600'000'000'000;
    const double open = price;
    price = std::max(100.0, price * (1 + step(rng)));
    b.open = std::round(open);
    b.close = std::round(price);
    b.high = std::max(b.open, b.close) + std::round(u(rng) * 50);
    b.low = std::min(b.open, b.close) - std::round(u(rng) * 50);
    b.volume = static_cast<std::int64_t>(u(rng) * 100000);
    if (gaps && u(rng) < 0.01) b.close = std::nan("");
    if (gaps && u(rng) < 0.005) b.high = std::nan("");
    bars.push_back(b);
  }
  return bars;
}

// Equal as IEEE bit patterns, with every NaN equal to every other.
inline bool same(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  std::uint64_t x, y;
  std::memcpy(&x, &a, 8);
  std::memcpy(&y, &b, 8);
  return x == y;
}

}  // namespace quantd::lang::testing
