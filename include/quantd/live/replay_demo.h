// ReplayDemo: "try it without a broker". One replay session at a time: the live path (a
// LiveSession, an OrderDesk, the PaperBroker with the backtest's fill rule) over stored bars, on
// the demo's own ManualClock that a thread moves bar by bar at an accelerated pace, so a newcomer
// watches a strategy trade months in a minute on the ordinary Live pages.
//
// Design note. The replay trades on its own simulated account (the paper account labelled
// kReplayLabel), which the daemon's LiveService never touches: SessionStore::running_ids and
// list(true) leave it out, so the scheduler never evaluates a replay on the daemon's clock and
// the kill switch (real trading) does not cover it; the demo has its own Stop. Each step moves
// the clock to 2 s past the next bar's completion and runs one cycle, exactly what the scheduler
// does for a live session; a stop (or the data's end) flattens and stops the session. A replay
// lives in the process: a restart ends it (recover() marks what was left running stopped).
//
// Threading: public methods are thread-safe; the replay runs on the demo's own thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/domain/ids.h"
#include "quantd/live/live_session.h"
#include "quantd/live/paper_broker.h"
#include "quantd/live/session_store.h"
#include "quantd/scheduler/krx_calendar.h"
#include "quantd/storage/database.h"

namespace quantd::live {

struct ReplayDemoDeps {
  storage::Database& db;
  const scheduler::KrxCalendar& calendar;
  LiveOptions session;
  SessionSettings defaults;  // costs and risk of the replay's session
  PaperSettings paper;       // the simulated account's costs and cash (fill is next_open)
  StrategyCompiler compile;
  LiveEvents events;
};

// What to replay: a strategy's script snapshot over the last `bars` stored bars of its first
// symbol (warm-up from the bars before), one bar every `pace_ms` of wall time.
struct ReplayRequest {
  std::string name;  // shown as the session's strategy name
  std::optional<domain::StrategyId> strategy_id;
  std::int64_t strategy_version = 0;
  std::string script;
  strategy::Params params;
  std::vector<domain::Symbol> symbols;
  domain::Interval interval = domain::Interval::k1d;
  std::int64_t capital = 10'000'000;
  int bars = 120;
  int pace_ms = 400;
};

class ReplayDemo {
 public:
  explicit ReplayDemo(ReplayDemoDeps deps);
  ~ReplayDemo();  // stops a running replay (its session ends stopped)
  ReplayDemo(const ReplayDemo&) = delete;
  ReplayDemo& operator=(const ReplayDemo&) = delete;

  // Stops replay sessions a previous process left running: their clock ended with it.
  Status recover();

  // Creates the replay's session (warming), warms it up and starts the replay thread. Errors:
  // already_exists (a replay runs; stop it first), invalid_argument (too few stored bars, a
  // script that does not compile: the message names it), internal.
  Result<SessionRecord> start(const ReplayRequest& request);

  // Ends the running replay early: it flattens on the next bar and stops. Errors: not_found
  // when `session` is not the running replay.
  Status stop(domain::SessionId session);

  // {"running", "session_id", "bar", "bars", "clock", "pace_ms"} of the current or last replay
  // (null fields before the first).
  nlohmann::json status() const;

 private:
  struct Run;
  void run(Run& r);
  void publish(const Run& r);

  ReplayDemoDeps deps_;
  SessionStore store_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::unique_ptr<Run> run_;  // guarded by mu_ (the pointer; the thread owns the run's parts)
  std::thread thread_;
};

}  // namespace quantd::live
