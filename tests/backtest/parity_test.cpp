// sma_cross against a hand-written minimal loop on 1M generated bars: the same trades, bar for
// bar. The speed ratio is printed for information only: speed is measured by `make bench`
// (bench/RESULTS.md), not asserted here, since a shared CI machine makes timings noisy.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

#include "quantd/backtest/engine.h"

using namespace quantd;
using namespace quantd::backtest;
using namespace quantd::analytics;

namespace {

// A deterministic random walk of whole-won 1-minute bars (xorshift; no <random> distributions,
// whose output differs between standard libraries).
std::vector<domain::Bar> walk(std::size_t n) {
  std::vector<domain::Bar> v(n);
  std::uint64_t x = 88172645463325252ull;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  double price = 50'000;
  const TimestampMs t0 = from_seoul({2015, 1, 5}, 9, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const double open = price;
    // Mean-reverting around 50,000.
    const double pull = price < 45'000 ? 100 : price > 55'000 ? -100 : 0;
    const double step = static_cast<double>(static_cast<int>(next() % 7) - 3) * 100 + pull;
    price = std::max(1'000.0, price + step);
    const double hi = std::max(open, price) + static_cast<double>(next() % 3) * 100;
    const double lo =
        std::max(500.0, std::min(open, price) - static_cast<double>(next() % 3) * 100);
    v[i] = {t0 + static_cast<TimestampMs>(i) * kMsPerMinute, open, hi, lo, price, 1000};
  }
  return v;
}

struct MinimalTrade {
  std::size_t entry, exit;
  std::int64_t qty;
};

// The minimal SMA(fast)/SMA(slow) all-in crossover loop (language crossover semantics).
std::vector<MinimalTrade> minimal(const std::vector<domain::Bar>& b, std::int64_t cash, double bps,
                                  int fast, int slow, double* seconds) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<MinimalTrade> trades;
  const double rate = bps / 10'000.0;
  double sf = 0, ss = 0;
  int side = 0;
  bool seen = false;
  int pending = 0;
  std::int64_t held = 0;
  std::size_t entry = 0;
  // Fees exactly as brokers round them: floor(notional × rate) in integers. (A floating-point
  // floor can differ by a won, which matters once a losing run has shrunk equity to a few
  // shares: this noise walk does that.)
  const auto rate_e10 = static_cast<std::int64_t>(std::llround(bps * 1'000'000.0));
  auto fee = [&](std::int64_t notional) { return notional * rate_e10 / 10'000'000'000; };
  for (std::size_t t = 0; t < b.size(); ++t) {
    if (pending > 0 && held == 0) {
      const auto px = static_cast<std::int64_t>(b[t].open);
      auto q = static_cast<std::int64_t>(
          std::floor(static_cast<double>(cash) / (static_cast<double>(px) * (1 + rate))));
      while (q > 0 && q * px + fee(q * px) > cash) --q;
      if (q > 0) {
        cash -= q * px + fee(q * px);
        held = q;
        entry = t;
      }
    } else if (pending < 0 && held > 0) {
      const auto px = static_cast<std::int64_t>(b[t].open);
      cash += held * px - fee(held * px);
      trades.push_back({entry, t, held});
      held = 0;
    }
    pending = 0;
    sf += b[t].close;
    ss += b[t].close;
    if (t >= static_cast<std::size_t>(fast)) sf -= b[t - fast].close;
    if (t >= static_cast<std::size_t>(slow)) ss -= b[t - slow].close;
    if (t + 1 < static_cast<std::size_t>(slow)) continue;
    // As Backtrader and TTR compute a mean: the (exact, whole-won) window sum divided by n.
    const double f = sf / fast, s = ss / slow;
    const int now = f > s ? 1 : f < s ? -1 : 0;
    if (seen && now != 0 && side != 0 && now != side) pending = now;
    seen = true;
    if (now != 0) side = now;
  }
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return trades;
}

}  // namespace

TEST_CASE("sma_cross makes exactly the minimal loop's trades on 1M bars, fast enough") {
  const std::vector<domain::Bar> bars = walk(1'000'000);
  auto factory = strategy::make_native_strategy("sma_cross", {{"fast", 10}, {"slow", 30}});
  REQUIRE(factory.ok());
  BacktestConfig c;
  c.initial_cash = 100'000'000;
  c.costs.tax_bps = 0;
  c.interval = domain::Interval::k1m;
  const std::vector<SymbolBars> in = {{domain::Symbol("BENCH"), domain::Market::kKospi, bars}};

  double best_engine = 1e9, best_minimal = 1e9;
  std::vector<MinimalTrade> expected;
  for (int attempt = 0; attempt < 2; ++attempt) {
    double sec = 0;
    expected = minimal(bars, c.initial_cash, c.costs.commission_bps, 10, 30, &sec);
    best_minimal = std::min(best_minimal, sec);
    auto r = run_backtest(c, in, **factory);
    REQUIRE(r.ok());
    best_engine = std::min(best_engine, r->run_seconds);
    if (attempt > 0) continue;
    for (std::size_t i = 0; i < std::min(expected.size(), r->trades.size()); ++i) {
      const Trade& t = r->trades[i];
      if (t.entry_ts != bars[expected[i].entry].ts || t.exit_ts != bars[expected[i].exit].ts) {
        MESSAGE("first mismatch at trade " << i << ": engine " << (t.entry_ts - bars[0].ts) / 60000
                                           << ".." << (t.exit_ts - bars[0].ts) / 60000
                                           << " minimal " << expected[i].entry << ".."
                                           << expected[i].exit);
        break;
      }
    }
    REQUIRE(r->trades.size() == expected.size());
    CHECK(expected.size() > 1000);
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const Trade& t = r->trades[i];
      if (t.entry_ts != bars[expected[i].entry].ts || t.exit_ts != bars[expected[i].exit].ts ||
          t.quantity != expected[i].qty) {
        ++mismatches;
      }
    }
    CHECK(mismatches == 0);
  }
  const double ratio = best_minimal / best_engine;
  MESSAGE("engine " << 1e6 / best_engine << " bars/s, minimal loop " << 1e6 / best_minimal
                    << " bars/s, ratio " << ratio);
}
