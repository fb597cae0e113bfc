// SessionStore: live sessions and what they decided, in SQLite (migrations/0005_live.sql):
// live_sessions, live_targets, live_evaluations, the runner's columns of positions, and
// equity_snapshots.
//
// Design note. A session row is a frozen snapshot of the strategy at activation (script, params,
// symbols, interval, version), so editing the strategy never changes a running session. What a
// session decides is recorded one transaction per bar timestamp (commit_bar): the DataContext's
// values and the intent of every symbol's bar, the new targets, the trailing levels, the equity
// point and last_bar_ts move together, so after a crash a session either has the whole bar or
// none of it (LIVE.md §11: a restart replays recorded bars and feeds the rest live). The
// ledger's own columns (quantity, cash) are written only by the order journal, with the fill.
//
// Every method is one statement or one transaction on the calling thread's connection, catches
// SQLite's exceptions and returns a Status. Thread-safe like storage::Database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/ids.h"
#include "quantd/domain/intent.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/portfolio.h"
#include "quantd/execution/protective_exits.h"
#include "quantd/execution/strategy_runner.h"
#include "quantd/live/live_types.h"
#include "quantd/storage/database.h"
#include "quantd/strategy/registry.h"

namespace quantd::live {

struct SessionRecord {
  domain::SessionId id;
  std::optional<domain::StrategyId> strategy_id;  // null once the strategy is deleted
  std::int64_t strategy_version = 0;
  std::string strategy_name;
  std::string script;
  strategy::Params params;
  std::vector<domain::Symbol> symbols;
  domain::Interval interval = domain::Interval::k1m;
  domain::Market market = domain::Market::kKospi;
  domain::AccountId account_id;
  std::int64_t capital = 0;
  std::int64_t cash = 0;
  SessionSettings settings;
  SessionState state = SessionState::kWarming;
  std::string state_reason;
  std::optional<TimestampMs> warmup_from;
  std::optional<TimestampMs> trade_from;
  std::optional<TimestampMs> last_bar;
  std::string data_note;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
  std::optional<TimestampMs> stopped_at;
};

enum class TargetStatus : std::uint8_t { kPending, kActing, kDone, kSuperseded, kExpired };
std::string_view to_string(TargetStatus status);

struct TargetRecord {
  domain::TargetId id;
  domain::Symbol symbol;
  TimestampMs decided_ts = 0;
  domain::Intent intent;
  TargetStatus status = TargetStatus::kPending;
};

struct EvaluationRecord {
  domain::Symbol symbol;
  TimestampMs bar_ts = 0;
  double close = 0;
  execution::RecordedContext ctx;
  std::optional<domain::TargetId> target;  // decided at this bar
  std::optional<domain::Intent> intent;    // filled by evaluations() for the API
};

// A position row as the session sees it: the ledger's columns plus the runner's.
struct PositionRecord {
  domain::Symbol symbol;
  domain::Position position;  // quantity, avg price, entry_ts, exits
  execution::ExitLevels levels;
  std::optional<domain::Intent> in_force;
  std::int64_t realized_pnl = 0;
  TimestampMs updated_at = 0;
};

struct EquityPoint {
  TimestampMs ts = 0;
  std::int64_t cash = 0;
  double positions_value = 0;
  double equity = 0;
};

// Everything one bar timestamp of a session produced.
struct BarCommit {
  TimestampMs ts = 0;  // becomes last_bar_ts
  std::vector<EvaluationRecord> evaluations;
  // New targets (decided at `ts`), one per symbol at most; older pending targets of the same
  // symbol become superseded.
  std::vector<TargetRecord> targets;
  // The runner's columns for symbols with a position (exit levels, highest close).
  std::vector<std::pair<domain::Symbol, execution::ExitLevels>> levels;
  std::optional<EquityPoint> equity;
};

class SessionStore {
 public:
  // `db` must be migrated and outlive the store.
  explicit SessionStore(storage::Database& db) : db_(db) {}

  // Inserts `draft` (id and timestamps ignored) with cash = capital and marks the strategy
  // active, in one transaction with a journal entry. Errors: already_exists when the strategy
  // already has a session that is not stopped or failed; internal.
  Result<domain::SessionId> create(const SessionRecord& draft, TimestampMs now);

  // Errors: not_found "no live session with id N", internal.
  Result<SessionRecord> get(domain::SessionId id);
  // The session's state and its reason (the cheap read a cycle starts with).
  Result<std::pair<SessionState, std::string>> state(domain::SessionId id);
  // Every session, newest first; with `running_only`, only the non-terminal ones that trade on
  // the daemon's clock (a replay's session is driven by the demo on its own clock, never here).
  Result<std::vector<SessionRecord>> list(bool running_only);
  // Ids of the sessions list(true) gives, ascending (the scheduler's list).
  Result<std::vector<std::int64_t>> running_ids();
  // True when the session trades on the replay account (the demo's).
  Result<bool> is_replay(domain::SessionId id);
  // The running session of a strategy, if any.
  Result<std::optional<domain::SessionId>> running_for_strategy(domain::StrategyId strategy);

  // Moves the session to `state` with `reason` (journal entry from `source`); a terminal state
  // also clears the strategy's active flag. Errors: not_found, internal.
  Status set_state(domain::SessionId id, SessionState state, const std::string& reason,
                   std::string_view source, TimestampMs now);
  // Records the warm-up's outcome: where it started, the first bar that may trade, the last bar
  // fed, and the state.
  Status finish_warmup(domain::SessionId id, TimestampMs warmup_from, TimestampMs trade_from,
                       std::optional<TimestampMs> last_bar, SessionState state, TimestampMs now);
  // Why no bar arrived lately, or clears it (empty).
  Status set_data_note(domain::SessionId id, const std::string& note, TimestampMs now);

  // One transaction per bar timestamp (see the design note). Returns the new targets' ids in
  // the order given.
  Result<std::vector<domain::TargetId>> commit_bar(domain::SessionId id, const BarCommit& commit,
                                                   TimestampMs now);

  // Recorded evaluations with from <= bar_ts <= to, by (bar_ts, symbol).
  Result<std::vector<EvaluationRecord>> evaluations(domain::SessionId id, TimestampMs from,
                                                    TimestampMs to, std::size_t limit = SIZE_MAX);
  // Recorded targets with from <= decided_ts <= to, by decided_ts.
  Result<std::vector<TargetRecord>> targets(domain::SessionId id, TimestampMs from, TimestampMs to);
  // Targets still pending or acting.
  Result<std::vector<TargetRecord>> open_targets(domain::SessionId id);
  Status set_target_status(domain::TargetId id, TargetStatus status);

  // The session's cash and positions (every symbol of `symbols`, flat when no row).
  Result<std::pair<std::int64_t, std::vector<PositionRecord>>> ledger(
      domain::SessionId id, const std::vector<domain::Symbol>& symbols);
  // Equity points with from <= ts <= to.
  Result<std::vector<EquityPoint>> equity(domain::SessionId id, TimestampMs from, TimestampMs to);
  // The last equity point before `ts`, else `otherwise`. Before a day's start: the equity the day
  // opened with (today's P&L, the daily loss limit, the daily summary measure against it).
  Result<double> equity_before(domain::SessionId id, TimestampMs ts, double otherwise);

 private:
  storage::Database& db_;
};

// Intents as stored: kind "shares" | "percent" | "krw", value, exits JSON.
std::string_view intent_kind_name(domain::TargetKind kind);
nlohmann::json exits_json(const domain::ProtectiveExits& exits);
domain::ProtectiveExits exits_from_json(const nlohmann::json& j);
nlohmann::json levels_json(const execution::ExitLevels& levels);
execution::ExitLevels levels_from_json(const nlohmann::json& j);
nlohmann::json intent_json(const domain::Intent& intent);
std::optional<domain::Intent> intent_from_json(const nlohmann::json& j);

}  // namespace quantd::live
