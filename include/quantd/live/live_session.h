// LiveSession: one running live session (a live_sessions row) in memory: the strategy, its
// ledger and the StrategyRunner a backtest runs, fed by the market data service and trading
// through the account's OrderDesk.
//
// Design note. Every bar reaches the strategy through the same execution::StrategyRunner
// sequence as in a backtest; only the Venue differs (LiveVenue: journal, risk, broker). Bars are
// fed in timestamp order across the session's symbols, each exactly once (LIVE.md I7):
//   - warm_up(): a fresh activation feeds the `need` last completed bars (the strategy's
//     warm-up, at least live.min_warmup_bars), from the start of that day, flat, decisions
//     discarded; it records warmup_from_ts (where it started) and trade_from_ts (the first bar
//     not complete at activation: the first whose decision may trade);
//   - restore(): after a restart, the bars from warmup_from_ts are fed again; recorded bars
//     (trade_from_ts .. last_bar_ts) answer from the recorded DataContext values and their
//     intents must equal the recorded targets, or the session halts ("non-deterministic
//     replay"); then the ledger, targets and exit levels are taken from storage;
//   - on_minute(): completed bars after last_bar_ts are fed live; with ActPolicy
//     kAtNextBarOpen targets execute at the next bar's open through a broker that simulates
//     bars (the backtest's rules), with kImmediately after the cycle's bars at the latest close.
// Each fed bar timestamp is one SessionStore::commit_bar transaction (evaluations, targets,
// levels, equity, last_bar_ts), after the trades at its open and before the next timestamp.
//
// Threading: one worker at a time (the live pool is keyed by session); not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/domain/ids.h"
#include "quantd/domain/ledger.h"
#include "quantd/execution/strategy_runner.h"
#include "quantd/live/market_data.h"
#include "quantd/live/order_desk.h"
#include "quantd/live/session_store.h"
#include "quantd/scheduler/krx_calendar.h"
#include "quantd/storage/database.h"

namespace quantd::live {

struct LiveOptions {
  int min_warmup_bars = 0;  // live.min_warmup_bars
};

struct SessionDeps {
  storage::Database& db;
  SessionStore& store;
  MarketDataService& market;
  OrderDesk& desk;
  const scheduler::KrxCalendar& calendar;
  const Clock& clock;
  LiveOptions options;
  CrashHook crash;
  LiveEvents events;
};

// Compiles a session's script snapshot ("builtin:NAME" or strategy-language source) with its
// parameters; the composition root passes app::compile_strategy's adapter.
using StrategyCompiler = std::function<Result<std::unique_ptr<strategy::StrategyFactory>>(
    const std::string& script, const strategy::Params& params)>;

struct CycleStats {
  int bars = 0;    // bar timestamps fed
  int orders = 0;  // orders placed (journaled)
};

class LiveSession {
 public:
  // Loads the session row and compiles its script snapshot. Errors: not_found, internal, and
  // invalid_argument naming the script's problem (the caller fails the session with it).
  static Result<std::unique_ptr<LiveSession>> open(domain::SessionId id, SessionDeps deps,
                                                   const StrategyCompiler& compile);
  ~LiveSession();

  domain::SessionId id() const;
  SessionState state() const;
  const SessionRecord& record() const;

  // See the design note. Both end with the session's state stored: warm_up() moves `warming` to
  // `active` (or `failed` with the reason, e.g. too little history), restore() keeps the stored
  // state (or halts on a replay mismatch). Errors: the store's.
  Status warm_up();
  Status restore();

  // Feeds every bar completed at the daemon's clock that was not fed yet, trades, records.
  Result<CycleStats> on_minute(TimestampMs minute);

  // Deactivation: `flatten` sells every position first (state stopping, stopped once flat);
  // otherwise the session stops now and its shares move to the account's baseline.
  Status deactivate(bool flatten);

  // The first bar of `interval` not complete at `now`: the bar a session activated at `now`
  // trades first (its trade_from_ts).
  static TimestampMs first_open_bar(TimestampMs now, domain::Interval interval);

 private:
  struct Impl;
  explicit LiveSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::live
