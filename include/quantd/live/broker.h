// Broker: the one interface between quantd's order desk and whoever executes orders.
//
// Design note. Two implementations exist: PaperBroker (quantd's own simulator with a persisted
// book, `live.broker = "paper"`) and KisBroker (the KIS Open API, issue 11). The desk never
// retries inside a call: submit() and cancel() make exactly one attempt and classify the outcome
// (LIVE.md §4.2), so "was the order sent?" is always answerable from the journal. Queries are
// complete or an error (invariant I4): a partial page set, a throttled or failed read is never
// returned as a shorter list or as "no holdings".
//
// There is no client order id at KIS: a broker order is identified by (order_no, branch, date)
// and an order whose response was lost is found again by its attributes (LIVE.md §4.3).
//
// Prices are doubles like domain::Bar and domain::Fill (KRX prices are whole won and a KRX
// broker sends them as integers); quantities and money are integers.
//
// Threading: a Broker is used by one account's desk at a time (the desk serialises calls), so
// implementations need not be thread-safe unless they say otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/ids.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/order.h"

namespace quantd::live {

enum class OrderType : std::uint8_t {
  kLimit,       // KIS ORD_DVSN 00: at limit_price or better
  kMarket,      // KIS ORD_DVSN 01
  kStopMarket,  // simulation only (PaperBroker): a market order once the price touches
                // trigger_price; KisBroker refuses it (protective exits are watched by quantd)
};

// "limit", "market", "stop_market".
std::string_view to_string(OrderType type);
std::optional<OrderType> parse_order_type(std::string_view text);

// One order as quantd journals it before sending it.
struct OrderRequest {
  domain::OrderId client_id;  // orders.id: quantd's own id; no broker field carries it
  domain::Symbol symbol;
  domain::Market market = domain::Market::kKospi;
  domain::Side side = domain::Side::kBuy;
  std::int64_t quantity = 0;  // > 0
  OrderType type = OrderType::kMarket;
  double limit_price = 0;    // kLimit: on the tick grid of the trade date; otherwise 0
  double trigger_price = 0;  // kStopMarket: the stop level; otherwise 0
  // Simulation only (PaperBroker with fill = next_open): the order executes in the first bar of
  // `bar_interval` whose open time is >= bar_ts, by the backtest's rules. 0 for a live broker,
  // which executes against the market as it is when the order arrives.
  TimestampMs bar_ts = 0;
  domain::Interval bar_interval = domain::Interval::k1m;
};

// A broker's own identity of an order: KIS ODNO, KRX_FWDG_ORD_ORGNO and the order date.
struct BrokerOrderRef {
  std::string order_no;
  std::string branch;
  CivilDate date;
  friend bool operator==(const BrokerOrderRef&, const BrokerOrderRef&) = default;
};

enum class SendOutcome : std::uint8_t {
  kAccepted,  // an order number came back
  kRejected,  // the broker proved it did not take the order
  kNotSent,   // failed before any byte of the request left (connect/DNS/local error)
  kUnknown,   // anything else: the order may exist (timeout after sending, 5xx, bad body)
};

std::string_view to_string(SendOutcome outcome);

struct SendResult {
  SendOutcome outcome = SendOutcome::kUnknown;
  std::optional<BrokerOrderRef> ref;  // kAccepted
  std::string broker_time;            // ORD_TMD "HHMMSS" (KST) when given
  std::string code;                   // msg_cd, e.g. "APBK0952"; empty when none
  std::string message;                // trimmed msg1, safe to show (never holds secrets)
  // kRejected by a throttle or an expired token (LIVE.md §4.2): the desk may send the same
  // journal row again after backing off.
  bool resend_allowed = false;
};

// One row of the broker's order book for a day (KIS inquire-daily-ccld).
struct BrokerOrder {
  BrokerOrderRef ref;
  std::string original_order_no;  // set on revise/cancel rows (orgn_odno)
  domain::Symbol symbol;
  domain::Side side = domain::Side::kBuy;
  OrderType type = OrderType::kMarket;
  std::int64_t quantity = 0;
  double limit_price = 0;
  std::string order_time;          // ord_tmd "HHMMSS" KST
  TimestampMs order_ts = 0;        // the same moment as UTC ms (0 when the broker gives none)
  std::int64_t filled_qty = 0;     // cumulative (tot_ccld_qty)
  std::int64_t filled_amount = 0;  // cumulative KRW (tot_ccld_amt): Σ round(qty × price)
  double avg_price = 0;            // average fill price (avg_prvs); 0 when nothing filled
  TimestampMs last_fill_ts = 0;    // when the latest fill happened (0 when unknown)
  std::int64_t remaining_qty = 0;
  std::int64_t cancelled_qty = 0;
  std::int64_t rejected_qty = 0;
  bool open() const { return remaining_qty > 0; }
  friend bool operator==(const BrokerOrder&, const BrokerOrder&) = default;
};

struct Holding {
  domain::Symbol symbol;
  std::int64_t quantity = 0;  // hldg_qty
  std::int64_t sellable = 0;  // ord_psbl_qty
  double avg_price = 0;
  friend bool operator==(const Holding&, const Holding&) = default;
};

struct AccountView {
  std::vector<Holding> holdings;  // every symbol with quantity > 0
  std::int64_t cash = 0;          // settled-view cash the account can be valued with (D+2)
  std::int64_t orderable = 0;     // cash a buy may use now
  TimestampMs as_of = 0;
};

struct OrderQuery {
  CivilDate date;  // the trading day (KST)
  std::optional<domain::Symbol> symbol;
  std::optional<domain::Side> side;
  bool open_only = false;
};

struct BrokerCaps {
  std::string name;  // "paper", "kis"
  // Seconds after which an order that was sent but is missing from orders() is proven absent
  // (the lag of the broker's order book; 0 for a book that is exact at once).
  int order_book_lag_s = 0;
  bool simulated_bars = false;  // honours OrderRequest::bar_ts (next-open simulation)
  // Orders fill at the broker on their own (a real market): a session reads its open orders'
  // state before each evaluation (OrderDesk::refresh), so a fill reaches the ledger within one
  // cycle without any push channel (LIVE.md LT-32).
  bool poll_open_orders = false;
};

// The halt reasons Broker::blocked_reason gives; the desk lifts only these by itself.
inline bool is_broker_block(std::string_view reason) { return reason == "token_invalid"; }

class Broker {
 public:
  virtual ~Broker() = default;

  virtual BrokerCaps caps() const = 0;

  // Sends one order, once; never retries. See SendOutcome for what each result proves.
  virtual SendResult submit(const OrderRequest& request) = 0;

  // Cancels the remainder of an open order (quantity 0: all of it), once.
  virtual SendResult cancel(const BrokerOrderRef& ref, const domain::Symbol& symbol,
                            std::int64_t quantity) = 0;

  // Every order of the query's day matching it, complete, or an error (never partial).
  virtual Result<std::vector<BrokerOrder>> orders(const OrderQuery& query) = 0;

  // Holdings and cash, complete, or an error (never "no holdings" on a failed read).
  virtual Result<AccountView> account() = 0;

  // Why the broker cannot take orders for a while, as the account's halt reason (KIS:
  // "token_invalid" while it keeps re-serving a dead token); empty when it can. The desk halts
  // the account on it and lifts that halt itself after a clean reconciliation (LIVE.md LT-18).
  virtual std::string blocked_reason() const { return {}; }
};

}  // namespace quantd::live
