// Executor: turns intents into orders and fills. One implementation per environment:
// backtest::BacktestExecutor (next bar's open, simulated costs) and the live executor (issue 6,
// broker orders with client order ids). The engine or live worker owning the run calls it from
// the run's single thread; implementations need not be thread-safe.
#pragma once

#include <cstdint>

#include "quantd/core/time.h"
#include "quantd/domain/intent.h"

namespace quantd::strategy {

class Executor {
 public:
  virtual ~Executor() = default;
  // Records `intent` as the target for the run's symbol number `symbol_index`, decided at the
  // close of the bar stamped `decided_ts`. The executor acts on the latest target at its next
  // opportunity; a later intent for the same symbol replaces one not acted upon yet.
  virtual void submit(std::uint32_t symbol_index, TimestampMs decided_ts,
                      const domain::Intent& intent) = 0;
};

}  // namespace quantd::strategy
