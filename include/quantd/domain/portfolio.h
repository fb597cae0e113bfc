// Position and Portfolio: what a run holds.
//
// One Portfolio per run (a backtest or one live strategy): a single KRW cash balance shared by all
// of the run's symbols, and one Position per symbol (indexed like the run's symbol list).
// Invariants: cash >= 0 and quantity >= 0 (long only: KRX retail accounts cannot short).
// Not thread-safe: one run is processed by one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/intent.h"

namespace quantd::domain {

struct Position {
  std::int64_t quantity = 0;  // shares held, >= 0
  double entry_price = 0;     // average fill price of the shares held (0 when flat)
  TimestampMs entry_ts = 0;   // fill bar of the buy that opened the position
  ProtectiveExits exits;      // active protective exits (off when flat)
  double highest_close = 0;   // highest close since entry, for the trailing stop
  bool is_open() const { return quantity > 0; }
};

struct Portfolio {
  std::int64_t cash = 0;            // KRW, >= 0
  std::vector<Position> positions;  // one per symbol of the run
};

}  // namespace quantd::domain
