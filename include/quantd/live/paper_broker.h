// PaperBroker: quantd's own simulated broker (`live.broker = "paper"`), with a persisted book.
//
// Design note. The book lives in the paper_* tables (migrations/0005_live.sql): paper_accounts
// (cash and the order-number sequence), paper_orders (one row per order, the shape of a KIS
// inquire-daily-ccld row) and paper_holdings. It is the real "other side" that reconciliation,
// restarts and faults are tested against: a new PaperBroker over the same database and account
// sees the same orders, holdings and cash. Every change of the book (an order stored, a fill, a
// cancel) is one SQLite transaction covering the order row, the holdings and the cash.
//
// Fills follow docs/backtest.md exactly (the backtest executor's rules), priced with
// execution::CostModel; sell stops and sell limits go through execution::check_bar, the very rule
// the backtest applies to protective exits:
// - fill = next_open, an order with bar_ts != 0 executes in the first completed bar of
//   bar_interval with ts >= bar_ts (MarketDataService::first_completed at the broker's clock):
//   kMarket at slipped(open); kStopMarket sell at trigger L: open <= L → slipped(open), else
//   low <= L → slipped(L) (buy mirrored: open >= L, high >= L); kLimit sell at L: open >= L → open,
//   else high >= L → L; kLimit buy at L: open <= L → open, else low <= L → L (limits never slip).
//   A stop or limit not triggered by that bar rests and is checked against each later bar.
// - fill = last_price, or an order with bar_ts == 0: at once against the close of the latest
//   completed 1-minute bar (`last`) at the broker's clock: kMarket at slipped(last); kLimit buy
//   when L >= last at min(L, slipped(last)), kLimit sell when L <= last at max(L, slipped(last));
//   kStopMarket sell when last <= L (buy: last >= L) at slipped(last). An order not executable at
//   once rests and is matched, by the next_open rules, against the 1-minute bars opening at or
//   after the order's time (its row's bar_ts is set to that first minute).
// Slippage and tick rounding use the trade date of the fill (the bar's Seoul date, or the clock's
// for an immediate fill); commission per fill is rounded down; sells pay the tax of their
// settlement date. Quantities always fill whole (no partial fills, as the backtest).
//
// Matching is lazy and deterministic, with no thread of its own: submit(), orders() and
// account() first match every open order against bars completed since. Fills that fall in the
// same bar are applied as the backtest orders them: market sells, market buys, stops, limits,
// then by order number; a buy the cash can no longer pay at its fill (or a sell of shares no
// longer held) is cancelled instead (cancelled_qty), never overdrawn.
//
// Refusals at submit (kRejected, nothing stored, resend_allowed false): quantity <= 0, a missing
// or off-grid price, a buy whose known worst-case cost (the fill price when it executes at once,
// else the limit) exceeds the cash, a sell of more than the shares held and not already offered
// by open sells (the account's sellable quantity), and, when the order must execute at once,
// a symbol without any 1-minute bar yet.
//
// Threading: thread-safe; one mutex serialises calls (the desk already serialises per account).
// Errors: SQLite failures are caught and returned as Status or as kNotSent (nothing stored).
// Logging: at info level only order numbers, never quantities, prices or symbols.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/domain/ids.h"
#include "quantd/execution/costs.h"
#include "quantd/live/broker.h"
#include "quantd/live/market_data.h"

namespace quantd::storage {
class Database;
}

namespace quantd::live {

enum class PaperFill : std::uint8_t {
  kNextOpen,   // the backtest's rule: the open of the order's bar (bar_ts), exits inside bars
  kLastPrice,  // at once at the latest completed 1-minute close (bar_ts ignored)
};

// "next_open", "last_price".
std::string_view to_string(PaperFill fill);
std::optional<PaperFill> parse_paper_fill(std::string_view text);

struct PaperSettings {
  PaperFill fill = PaperFill::kNextOpen;
  execution::CostSettings costs;            // commission, tax, slippage: as the backtest's
  std::int64_t initial_cash = 100'000'000;  // KRW; used when the paper account is first created
};

// Fault switches for tests, each a countdown consumed by the calls it names (0 = off). At most
// one submit fault fires per submit, checked in the order declared.
struct PaperFaults {
  int drop_next = 0;      // submit: nothing stored; kUnknown (closed before processing)
  int http_500_next = 0;  // submit: nothing stored; kUnknown with code "500"
  int reject_next = 0;    // submit: nothing stored; kRejected with reject_code
  std::string reject_code = "APBK0919";
  int accept_then_drop = 0;  // submit: stored and processed as usual; kUnknown (response lost)
  int delay_next = 0;        // submit: sleeps delay_ms (steady clock) before answering
  int delay_ms = 0;
  int orders_error_next = 0;   // orders(): an error Status, never an empty list
  int account_error_next = 0;  // account(): an error Status, never "no holdings"
};

// Codes of the paper broker's answers (KIS-like; the message always says it in a sentence).
inline constexpr std::string_view kPaperAccepted = "APBK0013";
inline constexpr std::string_view kPaperInvalidOrder = "APBK0400";
inline constexpr std::string_view kPaperNotEnoughShares = "APBK0401";
inline constexpr std::string_view kPaperNoPrice = "APBK0402";
inline constexpr std::string_view kPaperNothingToCancel = "APBK0403";
inline constexpr std::string_view kPaperNotEnoughCash = "APBK0952";
inline constexpr std::string_view kPaperBranch = "00000";
// Labels of the two simulated accounts: the paper account, and the replay account whose sessions
// run on the demo's own accelerated clock (never on the daemon's, so never scheduled by it).
inline constexpr std::string_view kPaperLabel = "paper";
inline constexpr std::string_view kReplayLabel = "replay";

class PaperBroker final : public Broker {
 public:
  // Finds the paper account (broker_accounts row 'paper', 'sim', `label`), creating it and its
  // paper_accounts book with `initial_cash` (KRW, >= 0) when missing, in one transaction. An
  // existing book keeps its cash. Returns the account id, or internal (SQLite's message).
  // Thread-safe (uses the calling thread's connection). Labels: kPaperLabel for the paper
  // account sessions trade on the daemon's clock, kReplayLabel for the demo's replays.
  static Result<domain::AccountId> ensure_account(storage::Database& db, std::int64_t initial_cash,
                                                  TimestampMs now,
                                                  std::string_view label = kPaperLabel);

  // `db` (migrated), `market` and `clock` are not owned and must outlive the broker. `account`
  // must have a paper_accounts row (ensure_account); calls fail with failed_precondition otherwise.
  PaperBroker(storage::Database& db, domain::AccountId account, MarketDataService& market,
              const Clock& clock, PaperSettings settings);

  // name "paper", order_book_lag_s 0 (the book is exact at once), simulated_bars when
  // fill == next_open.
  BrokerCaps caps() const override;

  // Matches open orders, then stores and processes `request` (filling it at once when it can).
  // kAccepted with ref {order_no: 10-digit sequence, branch "00000", date: the clock's KST date}
  // and broker_time "HHMMSS" (KST); kRejected (see the design note) with nothing stored;
  // kNotSent when the book could not be read or written (nothing stored). Faults as PaperFaults.
  SendResult submit(const OrderRequest& request) override;

  // Cancels `quantity` (0: all) of the open remainder of the order `ref` of `symbol`. kAccepted
  // with a fresh order number for the cancel (as KIS answers a cancel; the book records it on the
  // original row as cancelled_qty), or kRejected with kPaperNothingToCancel when the order is
  // unknown, of another symbol, or has nothing open. kNotSent on a book failure.
  SendResult cancel(const BrokerOrderRef& ref, const domain::Symbol& symbol,
                    std::int64_t quantity) override;

  // Matches open orders, then every order of query.date (KST), filtered, by order number. A
  // matching or read failure is an error, never a shorter list.
  Result<std::vector<BrokerOrder>> orders(const OrderQuery& query) override;

  // Matches open orders, then holdings with quantity > 0 (sellable = quantity minus open sells),
  // cash, orderable = cash, as_of = the clock. A matching or read failure is an error.
  Result<AccountView> account() override;

  // Replaces the fault switches. Thread-safe.
  void set_faults(PaperFaults faults);
  // The switches with their remaining counts. Thread-safe.
  PaperFaults faults() const;

 private:
  // Both with mu_ held.
  Status match_open_orders();
  SendResult process(const OrderRequest& request);

  storage::Database& db_;
  const domain::AccountId account_;
  MarketDataService& market_;
  const Clock& clock_;
  const PaperSettings settings_;

  mutable std::mutex mu_;
  execution::CostModel costs_;  // guarded by mu_ (CostModel caches a tax rate)
  PaperFaults faults_;          // guarded by mu_
};

}  // namespace quantd::live
