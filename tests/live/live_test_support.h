// Helpers for live tests: a temporary migrated database with stored bars, session-day bar
// builders, and a MinuteBarSource that counts reads or fails on demand.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "quantd/core/embedded.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/live/market_data.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/database.h"

namespace quantd::live::testing {

// A temporary database file with every migration applied, deleted afterwards. reopen() closes
// and opens the same file (a process restart, as far as the database can tell).
struct TempDb {
  std::filesystem::path dir;
  std::unique_ptr<storage::Database> db;
  TempDb() {
    static std::atomic<int> counter{0};
    // In memory when the machine has a tmpfs: these tests commit thousands of times and what they
    // check does not depend on fsync.
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    dir =
        base / ("quantd-live-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    reopen();
  }
  ~TempDb() {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  void reopen() {
    db.reset();
    auto opened = storage::Database::open({(dir / "q.db").string()});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    REQUIRE(db->migrate(embedded::migrations()).ok());
  }
  void store(const domain::Symbol& symbol, domain::Interval interval,
             const std::vector<domain::Bar>& bars) {
    storage::BarRepository repo(*db);
    REQUIRE(repo.upsert(symbol, interval, bars).ok());
  }
};

// One 1-minute bar at Seoul hh:mm of `day`.
inline domain::Bar minute_bar(CivilDate day, int hh, int mm, double open, double high, double low,
                              double close, std::int64_t volume = 100) {
  return domain::Bar{from_seoul(day, hh, mm), open, high, low, close, volume};
}

// A regular session of 1-minute bars (09:00..15:20 and the 15:30 closing print, as KRX data has
// them) with distinct prices per minute, so any missing or extra minute changes an aggregate.
inline std::vector<domain::Bar> session_day(CivilDate day, double base) {
  std::vector<domain::Bar> v;
  for (int m = 9 * 60; m <= 15 * 60 + 30; ++m) {
    if (m > 15 * 60 + 20 && m < 15 * 60 + 30) continue;
    const double p = base + 10 * (m % 37) + m;
    v.push_back(minute_bar(day, m / 60, m % 60, p, p + 30, p - 20, p + 10, m));
  }
  return v;
}

// Wraps a source, counting reads; fail_next makes the next reads fail.
class CountingSource final : public MinuteBarSource {
 public:
  explicit CountingSource(MinuteBarSource& inner) : inner_(inner) {}
  Result<std::vector<domain::Bar>> bars(const domain::Symbol& symbol, domain::Interval interval,
                                        TimestampMs from, TimestampMs to,
                                        TimestampMs now) override {
    ++reads;
    if (fail_next > 0) {
      --fail_next;
      return Status::unavailable("source down (test)");
    }
    return inner_.bars(symbol, interval, from, to, now);
  }
  std::string_view name() const override { return "counting"; }

  std::atomic<int> reads{0};
  std::atomic<int> fail_next{0};

 private:
  MinuteBarSource& inner_;
};

}  // namespace quantd::live::testing
