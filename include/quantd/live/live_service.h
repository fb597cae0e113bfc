// LiveService: the live half's application logic — activation and deactivation, the sessions
// in memory, the per-minute cycle, accounts and their desks, the kill switch (LIVE.md §3, §4.4,
// §9, §11). The HTTP API and the daemon call it; it never parses HTTP.
//
// Design note. Work reaches sessions only as LiveTasks through a keyed pool (`enqueue`): one
// task of a session at a time, in order, late evaluation ticks coalescing (a task of kind
// kEvaluate replaces a queued kEvaluate of the same key). Sessions are keyed by their id,
// account work (periodic reconciliation) by the negated account id. On start, every account
// reconciles before any session of it trades; then every running session is restored (a session
// still warming warms up again). Each scheduler minute opens a `live_cycles` row that finishes
// when every session counted in it has handled that minute or a later one.
//
// Threading: every public method is thread-safe. handle() runs on pool workers (one per key at
// a time); the API calls activate/deactivate/kill/resume on HTTP threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/domain/ids.h"
#include "quantd/live/broker.h"
#include "quantd/live/live_session.h"
#include "quantd/live/market_data.h"
#include "quantd/live/order_desk.h"
#include "quantd/live/session_store.h"
#include "quantd/scheduler/krx_calendar.h"
#include "quantd/storage/database.h"

namespace quantd::live {

struct LiveTask {
  enum class Kind : std::uint8_t {
    kStart,
    kRestore,
    kEvaluate,
    kDeactivate,
    kReconcile,
    kRefresh,  // account work: read the broker's book for its open orders (a push notice)
  };
  std::int64_t key = 0;  // a session id, or −account id for account work
  Kind kind = Kind::kEvaluate;
  TimestampMs minute = 0;  // kEvaluate: the scheduler minute
  bool flatten = false;    // kDeactivate
  bool coalescible() const { return kind == Kind::kEvaluate || kind == Kind::kRefresh; }
};

// A broker account as stored (broker_accounts).
struct AccountRecord {
  domain::AccountId id;
  std::string broker;       // "paper" | "kis"
  std::string environment;  // "sim" | "paper" | "real"
  std::string label;
  TradingState trading_state = TradingState::kActive;
  std::string state_reason;
};

// The KIS account of this daemon (live.broker = "kis"), as the account list shows it.
struct KisAccountConfig {
  std::string environment;  // "paper" (모의투자) or "real"
  std::string label;        // the masked account number, "5012****-01"
  // What a new session on it runs with: orders sent at once when its bar closes (a real broker
  // cannot fill at a past open), KIS's commission, no simulated slippage.
  SessionSettings settings;
};

struct LiveServiceConfig {
  std::optional<KisAccountConfig> kis;  // set when KIS is configured
  LiveOptions session;
  DeskOptions desk;
  SessionSettings defaults;               // costs, policy, order type and risk of a new session
  std::int64_t paper_cash = 100'000'000;  // the paper account's starting cash
  int reconcile_every_min = 5;
};

struct LiveServiceDeps {
  storage::Database& db;
  const Clock& clock;
  const scheduler::KrxCalendar& calendar;
  MarketDataService& market;
  LiveServiceConfig config;
  StrategyCompiler compile;
  // Creates the broker of an account ("paper": the PaperBroker over its own book).
  std::function<Result<std::unique_ptr<Broker>>(const AccountRecord&)> make_broker;
  // Queues a task on the keyed live pool; false when refused (full or stopping).
  std::function<bool(const LiveTask&)> enqueue;
  CrashHook crash;
  LiveEvents events;
};

// What POST /api/strategies/{id}/activate asks for.
struct Activation {
  std::string broker = "paper";
  std::optional<std::int64_t> capital;
  nlohmann::json risk = nlohmann::json::object();
  std::optional<domain::Market> market;
};

// A field-level problem with a request (→ 422 with errors: [{field, message}]).
struct FieldError {
  std::string field;
  std::string message;
};

enum class KillScope : std::uint8_t { kAccount, kSession, kAll };

class LiveService {
 public:
  explicit LiveService(LiveServiceDeps deps);
  ~LiveService();
  LiveService(const LiveService&) = delete;
  LiveService& operator=(const LiveService&) = delete;

  // Opens every account (creating the paper account on first use), reconciles each (startup),
  // then queues the restore of every running session. Errors: storage; a broker failure is an
  // incomplete reconciliation (the account stays halted), not an error.
  Status start();

  // Creates a session for the strategy and queues its warm-up. Validation problems go to
  // `errors` (nothing is stored then). Errors: not_found (no strategy), already_exists (it is
  // already live), internal.
  Result<SessionRecord> activate(domain::StrategyId strategy, const Activation& request,
                                 std::vector<FieldError>& errors);
  // Queues the deactivation of the strategy's running session. Errors: not_found (no strategy
  // or not live), unavailable (the queue refused).
  Result<SessionRecord> deactivate(domain::StrategyId strategy, bool flatten);

  // The kill switch: halts the scope (persisted); evaluation continues in shadow.
  // Errors: not_found for an unknown account or session.
  Status kill(KillScope scope, std::int64_t id, const std::string& reason);
  // Resumes after a reconciliation of the account(s) concerned; a reconciliation that is not ok
  // leaves the scope halted and returns failed_precondition with what it found.
  Result<nlohmann::json> resume(KillScope scope, std::int64_t id);

  // The operator's answer for a needs_attention order (OrderDesk::answer), on its account's desk.
  // The session takes the outcome at its next cycle (a bound order's fills, or the target
  // planned again). Errors as OrderDesk::answer.
  Result<PlaceResult> answer_order(domain::OrderId id, const OperatorAnswer& answer);

  // A push channel of `broker` (the KIS WebSocket) said something happened to an order of its
  // account: queues a refresh of that account's open orders (OrderDesk::refresh, every symbol),
  // bursts coalescing into one. A hint only: what counts is what the refresh reads from the
  // broker's book (LIVE.md D5, §4.3 "faster paths"), so fills reach the ledger and the UI within
  // a second instead of at the next cycle, and an unknown order is resolved sooner.
  void on_order_notice(const std::string& broker);
  // The symbols of running sessions on accounts of `broker` (the WebSocket's trade list).
  std::vector<std::string> live_symbols(const std::string& broker);

  // Ids of running sessions (the scheduler's list).
  std::vector<std::int64_t> running_ids();
  // A scheduler minute: opens its cycle row and queues one evaluation per running session.
  // Returns how many evaluations it queued.
  std::size_t on_tick(TimestampMs minute);
  // The keyed pool's handler. Never throws.
  void handle(const LiveTask& task);

  // Accounts with their trading state (the demo's replay account is not one of them).
  std::vector<AccountRecord> accounts();
  // The latest finished cycle: {minute, started_at, finished_at, sessions, orders_sent,
  // bars_fed, wall_ms, late}, or null before the first.
  nlohmann::json latest_cycle();
  // The account view (live/account_view.h) with the account's record: {"id", "broker",
  // "environment", "label", "trading_state", "state_reason", ...}.
  Result<nlohmann::json> account_view(domain::AccountId id);
  // True when anything is live (a running session) or an account is halted: the UI's cue.
  bool any_live();
  // What a new session gets when its activation leaves something out (risk limits shown as
  // defaults in the UI).
  const SessionSettings& defaults() const { return deps_.config.defaults; }
  // The paper account's starting cash.
  std::int64_t paper_cash() const { return deps_.config.paper_cash; }
  // The KIS account, when configured.
  const std::optional<KisAccountConfig>& kis() const { return deps_.config.kis; }

 private:
  struct Account {
    AccountRecord record;
    std::unique_ptr<Broker> broker;
    std::unique_ptr<OrderDesk> desk;
  };
  struct Cycle {
    std::set<std::int64_t> pending;
    std::chrono::steady_clock::time_point started;
    int orders = 0;
    int bars = 0;
  };

  Result<Account*> account(domain::AccountId id);
  Result<Account*> paper_account();
  // The account a new session of `broker` ("paper" or "kis") trades on, created on first use.
  Result<Account*> account_for(const std::string& broker);
  LiveSession* session(std::int64_t id);
  void run_session_task(const LiveTask& task);
  void finish_cycles(std::int64_t session, TimestampMs minute, const CycleStats& stats);
  void drop_session(std::int64_t id);

  LiveServiceDeps deps_;
  SessionStore store_;
  std::mutex mu_;  // guards accounts_, sessions_ (the map, not the sessions), cycles_
  std::map<std::int64_t, std::unique_ptr<Account>> accounts_;
  std::map<std::int64_t, std::unique_ptr<LiveSession>> sessions_;
  std::map<TimestampMs, Cycle> cycles_;
  std::optional<TimestampMs> last_reconcile_minute_;
};

}  // namespace quantd::live
