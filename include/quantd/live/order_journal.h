// OrderJournal: every live order, its lifecycle and its fills, in SQLite (orders, fills,
// journal; the ledger columns of positions and live_sessions.cash).
//
// Design note. The journal is what makes "never sent twice, never lost" hold (LIVE.md §2):
//   I1 begin() commits the order row (pending_submit) on the durable connection (synchronous =
//      FULL) before anything is sent; the row id is quantd's client order id. An error from
//      begin() means: do not send.
//   I2 an order that is pending_submit, unknown or needs_attention freezes its (account, symbol)
//      for every session: symbol_frozen() is what the desk asks before each send.
//   I5 fills are the broker's cumulative snapshots turned into increments: apply_cumulative()
//      inserts one fill per increase of the cumulative quantity, unique on (order_id, cum_qty),
//      so replaying a snapshot is a no-op.
//   I6 one transaction covers the fill row, the order's filled quantity and amount, the session's
//      ledger (position, cash, protective levels when it opens, the target in force) and the
//      journal entry.
//   I10 journal details never hold secrets: only ids, codes, quantities and prices.
// State changes follow LIVE.md §4.1; each is one transaction with an append-only `journal`
// entry that says what caused it (broker, reconcile, restart, operator, risk).
//
// Threading: thread-safe like storage::Database (each call uses the calling thread's
// connections); the account's OrderDesk serialises the calls that change an account's orders.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/ids.h"
#include "quantd/domain/order.h"
#include "quantd/execution/costs.h"
#include "quantd/live/broker.h"
#include "quantd/live/live_types.h"
#include "quantd/storage/database.h"

namespace quantd::live {

// An order a session (or the operator) wants sent.
struct PlannedOrder {
  domain::AccountId account;
  std::optional<domain::SessionId> session;  // none: an external order being adopted
  std::optional<domain::TargetId> target;
  OrderRequest request;  // client_id is assigned by begin()
  domain::OrderReason reason = domain::OrderReason::kSignal;
  TimestampMs decided_ts = 0;
  double ref_price = 0;
};

// One orders row.
struct JournalOrder {
  domain::OrderId id;
  domain::AccountId account;
  std::optional<domain::SessionId> session;
  std::optional<domain::TargetId> target;
  OrderRequest request;
  domain::OrderReason reason = domain::OrderReason::kSignal;
  bool external = false;
  OrderState state = OrderState::kPendingSubmit;
  int attempts = 0;
  int empty_checks = 0;
  std::optional<TimestampMs> sent_at;
  std::optional<BrokerOrderRef> ref;
  std::string broker_time;
  std::int64_t filled_qty = 0;
  std::int64_t filled_amount = 0;
  std::int64_t cancelled_qty = 0;
  std::string reject_code;
  std::string reject_message;
  TimestampMs decided_ts = 0;
  double ref_price = 0;
  TimestampMs created_at = 0;
  TimestampMs updated_at = 0;
};

// One journal row about an order: the transition it records and why.
struct JournalEntry {
  TimestampMs ts = 0;
  std::string kind;        // order_state, risk_denied, operator, ...
  std::string from_state;  // "" when the entry starts the order
  std::string to_state;
  std::string source;  // broker, reconcile, restart, operator, risk, session
  nlohmann::json detail = nlohmann::json::object();
};

// A fill as applied to the journal and the session's ledger.
struct FillApplied {
  domain::OrderId order;
  std::optional<domain::SessionId> session;
  domain::Symbol symbol;
  domain::Side side = domain::Side::kBuy;
  std::int64_t quantity = 0;
  double price = 0;
  std::int64_t notional = 0;
  std::int64_t commission = 0;
  std::int64_t tax = 0;
  std::int64_t cum_qty = 0;
  TimestampMs fill_ts = 0;
  bool order_done = false;  // the order is now filled completely
};

enum class FillSource : std::uint8_t { kBroker, kOperator };

class OrderJournal {
 public:
  // `db` must be migrated and outlive the journal.
  explicit OrderJournal(storage::Database& db) : db_(db) {}

  // Commits the order row (pending_submit, sent_at = now), its journal entry and the target's
  // status `acting`, durably. Returns the order's id (quantd's client order id). Any error means:
  // do not send.
  Result<domain::OrderId> begin(const PlannedOrder& order, TimestampMs now);

  // Records an order refused before sending (state denied) with the check's code and detail,
  // plus a risk_denied journal entry; the target (if any) is done. Returns the row's id.
  Result<domain::OrderId> deny(const PlannedOrder& order, std::string_view code,
                               std::string_view detail, TimestampMs now);

  // Records a send attempt's outcome (LIVE.md §4.2): accepted (with the broker's reference),
  // rejected (terminal; with resend_allowed back to pending_submit), not sent (stays
  // pending_submit, attempts + 1) or unknown.
  Status record_send(domain::OrderId id, const SendResult& result, TimestampMs now);

  // record_send() and apply_cumulative() of the broker's snapshot of the same order, in one
  // durable transaction (an order the broker filled as it took it).
  Result<std::optional<FillApplied>> record_send_and_apply(domain::OrderId id,
                                                           const SendResult& result,
                                                           const BrokerOrder& snapshot,
                                                           const execution::CostModel& costs,
                                                           domain::Market market, TimestampMs now);

  // Binds an unknown or needs_attention order to the broker's order `found` (now accepted),
  // recording `evidence`. Errors: failed_precondition when the order is not unknown or
  // needs_attention, or `found` is already bound to another order.
  Status bind(domain::OrderId id, const BrokerOrder& found, std::string_view evidence,
              std::string_view source, TimestampMs now);
  // unknown | needs_attention → not_placed (terminal); the target is pending again.
  Status mark_not_placed(domain::OrderId id, std::string_view evidence, std::string_view source,
                         TimestampMs now);
  // unknown → needs_attention with the candidate broker orders in the entry's detail.
  Status mark_needs_attention(domain::OrderId id, std::string_view why,
                              const nlohmann::json& candidates, TimestampMs now);
  // An unknown order's resolution query found no candidate: empty_checks + 1. Returns the count.
  Result<int> count_empty_check(domain::OrderId id, TimestampMs now);
  // pending_submit → unknown (a restart cannot tell whether the bytes left).
  Status mark_unknown_after_restart(domain::OrderId id, TimestampMs now);
  // Ends an open order whose remainder will not fill (cancelled, expired) after `snapshot`.
  Status finish(domain::OrderId id, OrderState terminal, std::int64_t cancelled_qty,
                std::string_view source, TimestampMs now);

  // I5 + I6 (see the design note): applies `snapshot`'s cumulative filled quantity and amount to
  // order `id`. Returns the new fill, or nothing when the snapshot adds nothing. `costs` prices
  // the fill's commission and tax; `market` dates the sell tax. Errors: failed_precondition when
  // the snapshot would take the session's position below zero (the caller halts the session),
  // internal.
  Result<std::optional<FillApplied>> apply_cumulative(domain::OrderId id,
                                                      const BrokerOrder& snapshot,
                                                      const execution::CostModel& costs,
                                                      domain::Market market, FillSource source,
                                                      TimestampMs now);

  // Records a broker order nobody at quantd placed (session NULL, reason external, accepted)
  // with its fills so far, unless its order number is already bound. Returns its id.
  Result<std::optional<domain::OrderId>> adopt_external(domain::AccountId account,
                                                        const BrokerOrder& found, TimestampMs now);

  Result<JournalOrder> get(domain::OrderId id);
  // Orders of the account that are still open (is_open), oldest first.
  Result<std::vector<JournalOrder>> open_orders(domain::AccountId account);
  // Orders of a session, newest first (at most `limit`).
  Result<std::vector<JournalOrder>> session_orders(domain::SessionId session, std::size_t limit);
  // Orders of every account in `state` (all states when nullopt), newest first.
  Result<std::vector<JournalOrder>> orders_in_state(std::optional<OrderState> state,
                                                    std::size_t limit);
  // True when an order of (account, symbol) is pending_submit, unknown or needs_attention: sent
  // (or maybe sent) and not acknowledged, so no other order of the symbol may go out (LIVE.md
  // I2, I3).
  Result<bool> symbol_frozen(domain::AccountId account, const domain::Symbol& symbol);
  // Broker order numbers already bound to a journal row on `date`.
  Result<std::set<std::string>> bound_order_numbers(domain::AccountId account, CivilDate date);
  // Orders of a session meant for the broker (every state but denied and not_placed) created at
  // or after `since`; with `symbol`, of it only. Denials do not count: a limit that counted them
  // would keep denying a strategy that simply keeps asking.
  Result<int> count_orders(domain::SessionId session, TimestampMs since,
                           const std::optional<domain::Symbol>& symbol);
  // Broker rejections of a session since its last filled order.
  Result<int> rejects_in_row(domain::SessionId session);
  // The order's newest journal entry of a state change (what an event about it reports).
  Result<std::optional<JournalEntry>> last_transition(domain::OrderId id);
  // The order's journal entries, oldest first (the session page's order history).
  Result<std::vector<JournalEntry>> order_history(domain::OrderId id);
  // A session's fills, newest first.
  Result<std::vector<FillApplied>> session_fills(domain::SessionId session, std::size_t limit);

  // Appends a journal entry (kind, states, source, detail) on its own.
  Status note(std::optional<domain::AccountId> account, std::optional<domain::SessionId> session,
              std::optional<domain::OrderId> order, std::string_view kind, std::string_view source,
              const nlohmann::json& detail, TimestampMs now);

 private:
  // The bodies, inside the caller's transaction on `db` (the durable connection).
  Status record_send_in(SQLite::Database& db, domain::OrderId id, const SendResult& result,
                        TimestampMs now);
  Result<std::optional<FillApplied>> apply_in(SQLite::Database& db, domain::OrderId id,
                                              const BrokerOrder& snapshot,
                                              const execution::CostModel& costs,
                                              domain::Market market, FillSource source,
                                              TimestampMs now);

  storage::Database& db_;
};

}  // namespace quantd::live
