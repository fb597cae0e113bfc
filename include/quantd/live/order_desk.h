// OrderDesk: one per broker account; the only place orders of that account are sent, resolved
// and reconciled (LIVE.md D8, §3, §4).
//
// Design note. The desk is a monitor: every call takes the account's lock, so the account's
// broker calls and journal writes happen one at a time, whichever live worker asks. A session's
// worker places its orders through place() and gets the outcome, fills applied, before it
// evaluates the bar (this is what lets a paper session reproduce its backtest bar for bar).
//
// place() runs the order path of LIVE.md §9 and §4: risk checks → journal.begin (durable) →
// broker.submit (exactly one attempt) → journal.record_send → for an unknown outcome, the
// resolution of §4.3 by attributes against the broker's complete order book (never by a
// timeout) → fills applied as cumulative snapshots. Invariants: no submit without a committed
// row (I1); no order for a frozen (account, symbol) (I2, I3); a failed broker read is never
// taken as "not there" (I4).
//
// reconcile() is run before any session of the account trades (startup), after a resume, and
// periodically: pending rows become unknown and are resolved, open orders take the broker's
// state and fills, and holdings are compared with Σ session positions + the account baseline;
// a mismatch halts the sessions trading that symbol (quantd never trades to repair it, I12).
//
// Threading: all public methods are thread-safe (the account lock).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/clock.h"
#include "quantd/core/crash_point.h"
#include "quantd/core/status.h"
#include "quantd/domain/ids.h"
#include "quantd/live/broker.h"
#include "quantd/live/live_types.h"
#include "quantd/live/order_journal.h"
#include "quantd/live/risk.h"
#include "quantd/live/session_store.h"
#include "quantd/storage/database.h"

namespace quantd::live {

// Aborts the process at a named point when armed (tests of restarts, LIVE.md §12); in-process
// tests throw instead. Called with: after_journal_commit, after_send, after_ack_commit,
// mid_reconcile, after_target_commit.
using CrashHook = std::function<void(CrashPoint point)>;
// Publishes a live event (SSE "live.order", "live.fill", "live.session", ...). Never blocks.
using LiveEvents = std::function<void(std::string_view event, const nlohmann::json& data)>;

struct DeskOptions {
  // Seconds an unknown order must have been out before two empty order-book reads prove it was
  // never placed; at least the broker's own lag (Broker::caps().order_book_lag_s).
  int unknown_settle_s = 0;
  // Seconds of clock skew allowed when matching a broker order's time to the send time.
  int clock_skew_s = 5;
};

enum class PlaceOutcome : std::uint8_t {
  kFilled,      // completely filled; fills applied to the ledger
  kOpen,        // accepted and (partly) open at the broker
  kRefused,     // denied by risk or rejected by the broker: terminal, the target is dropped
  kNotPlaced,   // proven never placed: the caller may plan again at once
  kUnresolved,  // unknown or needs attention: the symbol is frozen until resolved
  kDeferred,    // not sent (halted, market closed, another order of the symbol in flight)
};

struct PlaceResult {
  PlaceOutcome outcome = PlaceOutcome::kDeferred;
  std::optional<domain::OrderId> order;
  std::string detail;  // the check or the broker's message
  std::vector<FillApplied> fills;
  // kUnresolved because the broker could not be read (not because the order is still inside its
  // settle window, or waits for the operator).
  bool read_failed = false;
};

// The operator's answer for an order that needs attention (LIVE.md §4.3): it is the broker's
// order `bind_to` (one of the unclaimed candidates), or it was never placed.
struct OperatorAnswer {
  std::optional<std::string> bind_to;  // a broker order number; unset = never placed
  std::string note;                    // the operator's words, kept in the journal
};

enum class ReconKind : std::uint8_t { kStartup, kCycle, kPeriodic, kResume };

struct ReconReport {
  std::string result = "ok";  // ok | mismatch | incomplete
  nlohmann::json detail = nlohmann::json::object();
  std::vector<domain::SessionId> halted;  // sessions halted by this reconciliation
};

class OrderDesk {
 public:
  // Not owned: db, store, broker and clock outlive the desk.
  OrderDesk(storage::Database& db, SessionStore& store, domain::AccountId account, Broker& broker,
            const Clock& clock, DeskOptions options, CrashHook crash, LiveEvents events);

  domain::AccountId account() const { return account_; }
  Broker& broker() { return broker_; }

  // The order path (see the design note). `risk` carries the session's view; the desk fills in
  // the account's trading state, rates and the frozen-symbol rule itself.
  PlaceResult place(const PlannedOrder& order, RiskContext risk,
                    const execution::CostSettings& costs);

  // Records a buy the session's cash cannot pay one share of (state denied, INSUFFICIENT_CASH).
  Status deny_no_cash(const PlannedOrder& order);

  // Brings the account's open orders of `symbols` (every symbol when empty) up to the broker's
  // book: unknown orders are resolved by LIVE.md §4.3 (one read each, the settle window and the
  // two empty reads counted across calls), and, when the broker's book moves on its own
  // (BrokerCaps::poll_open_orders), accepted orders take their cumulative fills and final state.
  // One order-book read per symbol. A failed read changes nothing (I4). Returns the symbols with
  // an order that reached an outcome.
  std::vector<domain::Symbol> refresh(const std::vector<domain::Symbol>& symbols);

  // Applies the operator's answer to a needs_attention order of this account: binds it (its
  // fills applied as the broker reports them) or marks it not placed (its target planned again).
  // The broker's order book is read first and must hold `bind_to`, unclaimed and matching.
  // Errors: not_found (no such order here), failed_precondition (not needs_attention; the broker
  // order is missing, taken or different), unavailable (the book cannot be read; nothing
  // changed), internal.
  Result<PlaceResult> answer(domain::OrderId id, const OperatorAnswer& answer);

  // See the design note. Errors only when the journal cannot be written; a broker failure is a
  // report with result "incomplete" (and the account halted at startup).
  Result<ReconReport> reconcile(ReconKind kind);

  // The broker's holdings and cash now, read under the desk's lock (never between an order's
  // send and its journaling).
  Result<AccountView> broker_account();

  // True when the broker cannot take orders and the account is not halted for it yet, or the
  // account is halted for it and the broker can again: a reconcile() settles either (the live
  // service asks for one on the next tick). Never blocks on the account lock.
  bool broker_changed() const;

  // The account's trading state (the kill switch), persisted in broker_accounts.
  TradingState trading_state() const;
  Status set_trading_state(TradingState state, const std::string& reason, std::string_view actor);

 private:
  struct SessionInfo {
    execution::CostSettings costs;
    domain::Market market = domain::Market::kKospi;
  };

  PlaceResult resolve_locked(const JournalOrder& order, int attempts);
  // The unclaimed broker orders of `order`'s day that match its terms (LIVE.md §4.3).
  Result<std::vector<BrokerOrder>> candidates_locked(const JournalOrder& order);
  PlaceResult apply_snapshot_locked(const JournalOrder& order, const BrokerOrder& snapshot);
  // The outcome of an order whose fills of `snapshot` are applied already.
  PlaceResult classify_locked(const JournalOrder& order, const BrokerOrder& snapshot);
  void publish_fill(const FillApplied& fill);
  Result<SessionInfo> session_info(domain::SessionId id);
  void halt_session(domain::SessionId id, const std::string& reason);
  // I1: the journal failed; nothing more is sent from this account until the operator resumes.
  void halt_account_locked(const std::string& reason);
  Status set_trading_state_locked(TradingState state, const std::string& reason,
                                  std::string_view actor);
  // Halts the account while the broker says it cannot take orders (Broker::blocked_reason), and
  // lifts such a halt once the broker can again and a reconciliation is clean. Returns the
  // resume's reconciliation when it ran one.
  std::optional<ReconReport> follow_broker_locked();
  Result<ReconReport> reconcile_locked(ReconKind kind);
  void publish_order(domain::OrderId id);

  storage::Database& db_;
  SessionStore& store_;
  OrderJournal journal_;
  const domain::AccountId account_;
  Broker& broker_;
  const Clock& clock_;
  const DeskOptions options_;
  CrashHook crash_;
  LiveEvents events_;
  mutable std::mutex mu_;  // the account lock: guards every member below and all broker calls
  std::atomic<TradingState> trading_state_{TradingState::kActive};  // written under mu_
  std::string state_reason_;  // why the account is in trading_state_ (persisted with it)
  std::atomic<bool> broker_halted_{false};  // halted for Broker::blocked_reason (lock-free read)
  std::map<std::int64_t, SessionInfo> sessions_;  // settings cache by session id
};

}  // namespace quantd::live
