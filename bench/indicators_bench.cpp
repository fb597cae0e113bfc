// Throughput of the incremental indicators (updates per second), one
// indicator instance fed a long price series, as the backtest does per symbol.
//   g++ -std=c++20 -O2 -I include bench/indicators_bench.cpp src/indicators/*.cpp
//       -lbenchmark -lpthread -o indicators_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "quantd/indicators/indicators.h"

namespace qi = quantd::indicators;

namespace {

constexpr std::size_t kBars = 1 << 16;

struct Bars {
  std::vector<double> high, low, close, volume;
};

const Bars& bars() {
  static const Bars b = [] {
    Bars r;
    std::uint64_t s = 1;
    double price = 50000;
    for (std::size_t i = 0; i < kBars; ++i) {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      const double u = static_cast<double>(s >> 11) * 0x1p-53;
      price = std::max(100.0, price + std::round((u - 0.5) * 200));
      r.high.push_back(price + 50);
      r.low.push_back(price - 50);
      r.close.push_back(price + std::round((u - 0.5) * 60));
      r.volume.push_back(std::round(u * 1e6));
    }
    return r;
  }();
  return b;
}

template <class Indicator, class... Args>
void bm_close(benchmark::State& state, Args... args) {
  const auto& c = bars().close;
  Indicator ind(args...);
  for (auto _ : state) {
    for (double x : c) benchmark::DoNotOptimize(ind.update(x));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * c.size()));
}

template <class Indicator, class... Args>
void bm_hlc(benchmark::State& state, Args... args) {
  const Bars& b = bars();
  Indicator ind(args...);
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBars; ++i) {
      benchmark::DoNotOptimize(ind.update(b.high[i], b.low[i], b.close[i]));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBars));
}

void bm_obv(benchmark::State& state) {
  const Bars& b = bars();
  qi::Obv obv;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBars; ++i) {
      benchmark::DoNotOptimize(obv.update(b.close[i], b.volume[i]));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBars));
}

void bm_crossover(benchmark::State& state) {
  const Bars& b = bars();
  qi::Crossover cross;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kBars; ++i) {
      benchmark::DoNotOptimize(cross.update(b.close[i], b.high[i] - 50));
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBars));
}

}  // namespace

int main(int argc, char** argv) {
  using benchmark::RegisterBenchmark;
  RegisterBenchmark("sma20", bm_close<qi::Sma, int>, 20);
  RegisterBenchmark("sma200", bm_close<qi::Sma, int>, 200);
  RegisterBenchmark("ema20", bm_close<qi::Ema, int>, 20);
  RegisterBenchmark("rma14", bm_close<qi::Rma, int>, 14);
  RegisterBenchmark("wma20", bm_close<qi::Wma, int>, 20);
  RegisterBenchmark("stdev20", bm_close<qi::Stdev, int>, 20);
  RegisterBenchmark("bollinger20", bm_close<qi::Bollinger, int, double>, 20, 2.0);
  RegisterBenchmark("highest20", bm_close<qi::Highest, int>, 20);
  RegisterBenchmark("lowest200", bm_close<qi::Lowest, int>, 200);
  RegisterBenchmark("rsi14", bm_close<qi::Rsi, int>, 14);
  RegisterBenchmark("macd12_26_9", bm_close<qi::Macd, int, int, int>, 12, 26, 9);
  RegisterBenchmark("lag10", bm_close<qi::Lag, int>, 10);
  RegisterBenchmark("roc10", bm_close<qi::Roc, int>, 10);
  RegisterBenchmark("roc10_log", bm_close<qi::RocLog, int>, 10);
  RegisterBenchmark("tr", bm_hlc<qi::TrueRange>);
  RegisterBenchmark("atr14", bm_hlc<qi::Atr, int>, 14);
  RegisterBenchmark("stoch_k14", bm_hlc<qi::StochK, int, int>, 14, 1);
  RegisterBenchmark("stoch_d14_3_3", bm_hlc<qi::StochD, int, int, int>, 14, 3, 3);
  RegisterBenchmark("obv", bm_obv);
  RegisterBenchmark("crossover", bm_crossover);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
