// Google Benchmark: the bar-loading hot paths for a backtest run over 1M 1-minute bars.
//
//   build/bench/bar_load_bench [--benchmark_filter=...]
//
// CSV parse from memory and from a file (read_bars_csv), the streaming scan an upload uses, the
// columnar store (issue 13): load of the whole series and of a one-month range, upsert into an
// empty database, a re-import of the same bars, appending one trading day, changing one bar in the
// middle, the revision and coverage reads, and migration 0011 converting 1M row-per-bar rows into
// chunks. Data: gen_bars' deterministic 1M bars (bench/krx_bar_generator.h).
#include <SQLiteCpp/SQLiteCpp.h>
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>

#include "krx_bar_generator.h"
#include "quantd/core/embedded.h"
#include "quantd/data/bar_csv.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/database.h"

namespace {

namespace fs = std::filesystem;
using quantd::domain::Bar;
using quantd::domain::Interval;
using quantd::domain::Symbol;

constexpr std::size_t kBars = 1'000'000;

const std::string& csv_text() {
  static const std::string text = [] {
    quantd::bench::GeneratorOptions o;
    o.bars = kBars;
    return quantd::bench::generate_krx_bars_csv(o);
  }();
  return text;
}

const std::vector<Bar>& bars() {
  static const std::vector<Bar> b = [] {
    auto r = quantd::data::parse_bars_csv(csv_text(), "bench.csv");
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().message().c_str());
      std::abort();
    }
    return std::move(r).value();
  }();
  return b;
}

fs::path scratch_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("quantd_bar_bench_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::unique_ptr<quantd::storage::Database> open_db(const fs::path& path) {
  auto db = quantd::storage::Database::open({path.string()});
  if (!db.ok() || !(*db)->migrate(quantd::embedded::migrations()).ok()) std::abort();
  return std::move(db).value();
}

// A database holding the 1M bars once, shared by the read benchmarks.
quantd::storage::Database& loaded_db() {
  static const std::unique_ptr<quantd::storage::Database> db = [] {
    auto d = open_db(scratch_dir() / "loaded.db");
    quantd::storage::BarRepository repo(*d);
    if (!repo.upsert(Symbol("BENCH"), Interval::k1m, bars()).ok()) std::abort();
    d->connection().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return d;
  }();
  return *db;
}

void set_counters(benchmark::State& state, std::size_t items) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * items));
}

void BM_ParseCsvInMemory(benchmark::State& state) {
  const std::string& text = csv_text();
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = quantd::data::parse_bars_csv(text, "bench.csv");
    n = r->size();
    benchmark::DoNotOptimize(r);
  }
  set_counters(state, n);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseCsvInMemory)->Unit(benchmark::kMillisecond);

void BM_ReadCsvFile(benchmark::State& state) {
  const fs::path path = scratch_dir() / "bars.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << csv_text();
  }
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = quantd::data::read_bars_csv(path.string());
    n = r->size();
    benchmark::DoNotOptimize(r);
  }
  set_counters(state, n);
}
BENCHMARK(BM_ReadCsvFile)->Unit(benchmark::kMillisecond);

void BM_SqliteLoadAll(benchmark::State& state) {
  quantd::storage::BarRepository repo(loaded_db());
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = repo.load(Symbol("BENCH"), Interval::k1m);
    n = r->size();
    benchmark::DoNotOptimize(r);
  }
  set_counters(state, n);
}
BENCHMARK(BM_SqliteLoadAll)->Unit(benchmark::kMillisecond);

void BM_SqliteLoadOneMonth(benchmark::State& state) {
  quantd::storage::BarRepository repo(loaded_db());
  const quantd::TimestampMs from = quantd::from_seoul({2020, 3, 1});
  const quantd::TimestampMs to = quantd::from_seoul({2020, 3, 31}, 23, 59);
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = repo.load(Symbol("BENCH"), Interval::k1m, from, to);
    n = r->size();
    benchmark::DoNotOptimize(r);
  }
  set_counters(state, n);
}
BENCHMARK(BM_SqliteLoadOneMonth)->Unit(benchmark::kMillisecond);

void BM_SqliteCoverage(benchmark::State& state) {
  quantd::storage::BarRepository repo(loaded_db());
  for (auto _ : state) {
    auto r = repo.coverage();
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SqliteCoverage)->Unit(benchmark::kMillisecond);

void BM_SqliteUpsertNew(benchmark::State& state) {
  std::size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path path = scratch_dir() / ("new" + std::to_string(i++) + ".db");
    auto db = open_db(path);
    quantd::storage::BarRepository repo(*db);
    state.ResumeTiming();
    auto r = repo.upsert(Symbol("BENCH"), Interval::k1m, bars());
    if (!r.ok() || r->inserted != static_cast<std::int64_t>(kBars)) std::abort();
    state.PauseTiming();
    db.reset();
    for (const char* ext : {"", "-wal", "-shm"}) fs::remove(path.string() + ext);
    state.ResumeTiming();
  }
  set_counters(state, kBars);
}
BENCHMARK(BM_SqliteUpsertNew)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_SqliteUpsertUnchanged(benchmark::State& state) {
  quantd::storage::BarRepository repo(loaded_db());
  for (auto _ : state) {
    auto r = repo.upsert(Symbol("BENCH"), Interval::k1m, bars());
    if (!r.ok() || r->unchanged != static_cast<std::int64_t>(kBars)) std::abort();
  }
  set_counters(state, kBars);
}
BENCHMARK(BM_SqliteUpsertUnchanged)->Unit(benchmark::kMillisecond)->Iterations(2);

void BM_ScanCsvBatches(benchmark::State& state) {
  const std::string& text = csv_text();
  std::int64_t n = 0;
  for (auto _ : state) {
    auto r = quantd::data::scan_bars_csv(text, "bench.csv", {}, [](std::span<const Bar> batch) {
      benchmark::DoNotOptimize(batch.data());
      return quantd::Status::ok_status();
    });
    n = r->rows;
  }
  set_counters(state, static_cast<std::size_t>(n));
}
BENCHMARK(BM_ScanCsvBatches)->Unit(benchmark::kMillisecond);

void BM_SqliteRevision(benchmark::State& state) {
  quantd::storage::BarRepository repo(loaded_db());
  for (auto _ : state) {
    auto r = repo.revision(Symbol("BENCH"), Interval::k1m);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_SqliteRevision)->Unit(benchmark::kMicrosecond);

// A database of its own holding the 1M bars, for the writes that change it.
quantd::storage::Database& write_db() {
  static const std::unique_ptr<quantd::storage::Database> db = [] {
    auto d = open_db(scratch_dir() / "write.db");
    quantd::storage::BarRepository repo(*d);
    if (!repo.upsert(Symbol("BENCH"), Interval::k1m, bars()).ok()) std::abort();
    return d;
  }();
  return *db;
}

void BM_SqliteUpsertAppendDay(benchmark::State& state) {
  quantd::storage::BarRepository repo(write_db());
  // One session of 381 minute bars per iteration, each day after the last one stored.
  quantd::TimestampMs day = quantd::seoul_day(bars().back().ts) + 1;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Bar> session;
    const quantd::TimestampMs open =
        day * quantd::kMsPerDay - quantd::kSeoulOffsetMs + 9 * 3'600'000;
    for (int m = 0; m < 381; ++m) {
      session.push_back({open + m * 60'000, 50'000, 50'100, 49'900, 50'000, 1000 + m});
    }
    ++day;
    state.ResumeTiming();
    auto r = repo.upsert(Symbol("BENCH"), Interval::k1m, session);
    if (!r.ok() || r->inserted != 381) std::abort();
  }
  set_counters(state, 381);
}
BENCHMARK(BM_SqliteUpsertAppendDay)->Unit(benchmark::kMillisecond)->Iterations(50);

void BM_SqliteUpsertOneChangedBar(benchmark::State& state) {
  quantd::storage::BarRepository repo(write_db());
  Bar b = bars()[kBars / 2];
  for (auto _ : state) {
    b.volume += 1;  // a change every time: one chunk is rewritten
    auto r = repo.upsert(Symbol("BENCH"), Interval::k1m, std::span(&b, 1));
    if (!r.ok() || r->updated != 1) std::abort();
  }
}
BENCHMARK(BM_SqliteUpsertOneChangedBar)->Unit(benchmark::kMillisecond)->Iterations(50);

// Migration 0011 on a database at 0010 holding the 1M bars as rows.
void BM_MigrateRowsToChunks(benchmark::State& state) {
  std::vector<quantd::EmbeddedFile> upto_10;
  for (const auto& f : quantd::embedded::migrations()) {
    if (f.path < "0011") upto_10.push_back(f);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path path = scratch_dir() / ("mig" + std::to_string(i++) + ".db");
    auto opened = quantd::storage::Database::open({path.string()});
    if (!opened.ok() || !(*opened)->migrate(upto_10).ok()) std::abort();
    {
      SQLite::Database& c = (*opened)->connection();
      SQLite::Transaction tx(c);
      SQLite::Statement ins(c, "INSERT INTO bars VALUES('BENCH', '1m', ?, ?, ?, ?, ?, ?)");
      for (const Bar& b : bars()) {
        ins.bind(1, b.ts);
        ins.bind(2, b.open);
        ins.bind(3, b.high);
        ins.bind(4, b.low);
        ins.bind(5, b.close);
        ins.bind(6, b.volume);
        ins.exec();
        ins.reset();
      }
      c.exec("INSERT INTO bar_series VALUES('BENCH', '1m', 0, 0, 0)");
      tx.commit();
      c.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    state.ResumeTiming();
    if (!(*opened)->migrate(quantd::embedded::migrations()).ok()) std::abort();
    state.PauseTiming();
    opened->reset();
    for (const char* ext : {"", "-wal", "-shm"}) fs::remove(path.string() + ext);
    state.ResumeTiming();
  }
  set_counters(state, kBars);
}
BENCHMARK(BM_MigrateRowsToChunks)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove_all(scratch_dir(), ec);
  return 0;
}
