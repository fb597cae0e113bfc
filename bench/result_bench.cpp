// Google Benchmark: storing and serving a 1M-point equity curve (issue 12 finding 6, issue 13).
//
//   build/bench/result_bench [--benchmark_filter=...]
//
// The curve is what an all-in strategy makes of gen_bars' 1M bars (bench/krx_bar_generator.h):
// whole-won equity that moves with the close while a position is held and stands still between
// trades, the buy-and-hold benchmark, and analytics::drawdown_curve. Measured: writing it as the
// JSON text stored before migration 0010 (the old equity_json, kept here as the "before"), encoding
// it compactly (encode_equity), and making the API's JSON from the compact form (the work of
// EquityStream per GET: decode + format, 64 KB pieces), for the equity and the drawdown endpoint.
#include <benchmark/benchmark.h>

#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "krx_bar_generator.h"
#include "quantd/analytics/metrics.h"
#include "quantd/core/time.h"
#include "quantd/storage/equity_codec.h"
#include "quantd/storage/equity_json.h"

namespace {

using namespace quantd;

struct Curve {
  std::vector<TimestampMs> ts;
  std::vector<double> equity, benchmark, drawdown;
};

const Curve& curve() {
  static const Curve c = [] {
    Curve out;
    bench::GeneratorOptions o;
    std::int64_t cash = 100'000'000;
    std::int64_t shares = 0;
    double first_open = 0;
    std::size_t i = 0;
    bench::generate_krx_bars(o, [&](std::string_view ts, std::int64_t open, std::int64_t,
                                    std::int64_t, std::int64_t close, std::int64_t) {
      if (i == 0) first_open = static_cast<double>(open);
      // In the market for 3,000 bars, out for 3,000: about the exposure of sma_cross 10/30.
      if (i % 6000 == 0) {
        shares = cash / open;
        cash -= shares * open;
      } else if (i % 6000 == 3000) {
        cash += shares * open;
        shares = 0;
      }
      out.ts.push_back(*parse_timestamp(ts));
      out.equity.push_back(static_cast<double>(cash + shares * close));
      out.benchmark.push_back(1e8 * static_cast<double>(close) / first_open);
      ++i;
    });
    out.drawdown = analytics::drawdown_curve(100'000'000, out.equity);
    return out;
  }();
  return c;
}

// backtest_service.cpp's equity_json() before migration 0010, verbatim in its rules.
void old_append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}
std::string old_equity_json(const Curve& r) {
  std::string out;
  out.reserve(r.ts.size() * 96 + 2);
  out += '[';
  for (std::size_t i = 0; i < r.ts.size(); ++i) {
    if (i > 0) out += ',';
    out += "{\"ts\":";
    out += std::to_string(r.ts[i]);
    out += ",\"equity\":";
    old_append_number(out, r.equity[i]);
    out += ",\"benchmark\":";
    old_append_number(out, r.benchmark[i]);
    out += ",\"drawdown\":";
    old_append_number(out, r.drawdown[i]);
    out += '}';
  }
  out += ']';
  return out;
}

std::string encode(const Curve& c) {
  return storage::encode_equity({c.ts, c.equity, c.benchmark, c.drawdown, 1e8});
}

// Storing: `make` turns the curve into what the result row holds.
template <typename Make>
void store(benchmark::State& state, Make make) {
  const Curve& c = curve();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string stored = make(c);
    bytes = stored.size();
    benchmark::DoNotOptimize(stored.data());
  }
  state.counters["stored_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["points/s"] = benchmark::Counter(static_cast<double>(c.ts.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void BM_StoreOldJson(benchmark::State& state) { store(state, old_equity_json); }
void BM_StoreCompact(benchmark::State& state) { store(state, encode); }

// One GET's work: open the stored document (its structure check included) and format every point
// into 64 KB pieces, as EquityStream does.
void serve(benchmark::State& state, bool drawdown) {
  const Curve& c = curve();
  const std::string document = encode(c);
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto reader = storage::EquityReader::open(document);
    storage::EquityJsonWriter writer;
    std::string piece;
    bytes = 0;
    while (reader->position() < reader->size()) {
      const storage::EquityPoint p = reader->next();
      if (drawdown) {
        writer.drawdown_point(piece, p);
      } else {
        writer.point(piece, p);
      }
      piece += ',';
      if (piece.size() >= 64 * 1024) {
        bytes += piece.size();
        benchmark::DoNotOptimize(piece.data());
        piece.clear();
      }
    }
    bytes += piece.size();
  }
  state.counters["served_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["points/s"] = benchmark::Counter(static_cast<double>(c.ts.size()),
                                                  benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ServeEquity(benchmark::State& state) { serve(state, false); }
void BM_ServeDrawdown(benchmark::State& state) { serve(state, true); }

BENCHMARK(BM_StoreOldJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StoreCompact)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ServeEquity)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ServeDrawdown)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
