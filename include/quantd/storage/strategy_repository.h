// StrategyRepository: user strategies in the `strategies` table (migrations/0001_init.sql).
//
// Design: a thin adapter over the calling thread's SQLite connection (Database::connection()), so
// one repository may be shared by threads. Every method catches SQLite's and the JSON codec's
// exceptions and returns a Status; each write is one statement or one transaction. The repository
// stores what it is given: validating a script or its parameters is the caller's job.
//
// Versioning: create() stores version 1 and every update() bumps it by one, so a backtest that
// records (strategy id, version, script) always knows exactly which code it ran.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/ids.h"
#include "quantd/storage/database.h"

namespace quantd::storage {

struct StrategyRecord {
  domain::StrategyId id;  // assigned by create()
  std::string name;
  std::string description;
  std::string script;                    // strategy-language source, or "builtin:NAME"
  std::map<std::string, double> params;  // values for the script's params / the builtin's params
  std::vector<domain::Symbol> symbols;
  domain::Interval interval = domain::Interval::k1d;
  std::int64_t version = 1;    // assigned by create() / update()
  bool active = false;         // live trading on (issue 6)
  TimestampMs created_at = 0;  // assigned by create()
  TimestampMs updated_at = 0;  // assigned by create() / update()
};

class StrategyRepository {
 public:
  // `db` must be migrated and outlive the repository.
  explicit StrategyRepository(Database& db) : db_(db) {}

  // Inserts `draft` (its id, version and timestamps are ignored) as version 1 stamped `now`.
  // Returns the stored record. Errors: internal (SQLite's message).
  Result<StrategyRecord> create(const StrategyRecord& draft, TimestampMs now);

  // The strategy with `id`. Errors: not_found "no strategy with id N", internal.
  Result<StrategyRecord> get(domain::StrategyId id);

  // Every strategy, by ascending id. Errors: internal.
  Result<std::vector<StrategyRecord>> list();

  // Replaces name, description, script, params, symbols and interval of `changed.id`, bumps the
  // version and sets updated_at = now, atomically. Returns the stored record.
  // Errors: not_found, internal.
  Result<StrategyRecord> update(const StrategyRecord& changed, TimestampMs now);

  // Deletes the strategy; its backtests stay with strategy_id = NULL. Errors: not_found, internal.
  Status remove(domain::StrategyId id);

 private:
  Database& db_;
};

}  // namespace quantd::storage
