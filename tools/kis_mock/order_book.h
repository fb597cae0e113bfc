// OrderBook: order acceptance, revise/cancel and matching against the replayed bars.
//
// Acceptance (place(), in this order; the first failing check answers):
//   unknown PDNO APBK0656; ORD_DVSN other than 00 (limit) / 01 (market) MOCK0007; quantity <= 0
//   MOCK0002; outside the session (virtual 09:00–15:30, real 08:30–15:30 KST, weekdays) 40580000
//   (virtual) / APBK0919 (real); a limit price off the tick grid (§7.2) MOCK0003 or outside the
//   daily band (§7.3) MOCK0004; a buy whose reservation exceeds the orderable cash APBK0952; a
//   sale above the sellable quantity MOCK0005. A buy reserves quantity × (limit price, or the
//   upper limit for a market order, PROTOCOL §4.4) + commission until it fills, is cancelled or
//   expires.
//
// Matching (README.md "Matching"): an order takes part in the bars that open at or after its
// acceptance time, up to the day's 15:30 bar; then its remainder expires. Each bar is matched in
// two phases, in acceptance order of the orders:
//   open  (due when the mock clock reaches the bar's open time): a market order, or a limit the
//         open price reaches (buy: open <= limit, sell: open >= limit), fills at the open;
//   body  (due when the bar is complete): a limit the bar trades through — strictly (buy: low <
//         limit, sell: high > limit); a touch is not enough — fills at the limit.
// All orders together take at most fill_volume_pct % of a bar's volume; the rest of an order
// waits for later bars (a partial fill). A bar with no volume fills nothing.
//
// Order numbers: `ODNO` is 10 digits, zero-padded, counted per day from 0000010001; the branch
// `KRX_FWDG_ORD_ORGNO` is 91252. A revise or cancel is its own order row with a new ODNO and
// `orgn_odno` = the original's (as inquire-daily-ccld lists them).
//
// Not thread-safe: the mock calls it under its state lock.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "account.h"
#include "market.h"
#include "options.h"

namespace quantd::kis_mock {

enum class OrderKind : std::uint8_t { kNew, kRevise, kCancel };

enum class OrderState : std::uint8_t {
  kOpen,       // may still fill
  kFilled,     // completely
  kCancelled,  // the remainder was cancelled
  kReplaced,   // the remainder moved to a revise row
  kExpired,    // the remainder was still open at the day's end
  kDone,       // a cancel row (it never trades)
};

struct Order {
  std::string ord_dt;  // YYYYMMDD
  std::string odno;
  std::string orgno = "91252";
  std::string orgn_odno;  // revise/cancel rows: the original's ODNO
  OrderKind kind = OrderKind::kNew;
  domain::Side side = domain::Side::kBuy;
  std::string symbol;
  std::string ord_dvsn;       // "00" limit, "01" market
  std::int64_t quantity = 0;  // ORD_QTY
  std::int64_t price = 0;     // ORD_UNPR; 0 for a market order
  TimestampMs accepted_at = 0;
  std::int64_t filled_qty = 0;
  std::int64_t filled_amt = 0;
  std::int64_t fees = 0;           // commissions and taxes of its fills
  std::int64_t cancelled_qty = 0;  // cnc_cfrm_qty
  std::int64_t moved_qty = 0;      // moved to a revise row
  std::int64_t reserve_price = 0;  // buys: the price its cash reservation uses
  OrderState state = OrderState::kOpen;
  // How it came and how its answer went out (for GET /_mock/orders).
  std::string source = "api";  // "api" (order-cash/order-rvsecncl) or "hts" (POST /_mock/order)
  std::string tr_id;
  std::string delivery = "answered";  // "answered", "dropped" or "delayed"
  double delay_s = 0;
  // Matching cursor: the last (bar open time, phase) this order was matched against.
  std::pair<TimestampMs, int> cursor{INT64_MIN, 0};

  std::int64_t remaining() const { return quantity - filled_qty - cancelled_qty - moved_qty; }
  bool is_market() const { return ord_dvsn == "01"; }
};

struct OrderRequest {
  domain::Side side = domain::Side::kBuy;
  std::string symbol;
  std::string ord_dvsn;
  std::int64_t quantity = 0;
  std::int64_t price = 0;  // ignored for a market order
  std::string source = "api";
  std::string tr_id;
};

struct ReviseCancelRequest {
  std::string orgno;      // KRX_FWDG_ORD_ORGNO
  std::string orgn_odno;  // ORGN_ODNO
  bool cancel = true;     // RVSE_CNCL_DVSN_CD 02 (else 01 revise)
  std::string ord_dvsn;   // the revised order type
  std::int64_t quantity = 0;
  std::int64_t price = 0;
  bool all = true;  // QTY_ALL_ORD_YN
  std::string source = "api";
  std::string tr_id;
};

// The answer to place() or revise_cancel(): an accepted order, or a rejection code.
struct Decision {
  std::string msg_cd;      // "" when accepted
  Order* order = nullptr;  // the new row when accepted; owned by the book
  bool accepted() const { return msg_cd.empty(); }
};

class OrderBook {
 public:
  // `market` and `account` are not owned and must outlive the book.
  OrderBook(const Market& market, Account& account, Env env, int fill_volume_pct);

  // Accepts or rejects a new order at mock time `now` (checks above), then matches what is due
  // at `now` (an order at a bar's exact open time fills at that open at once).
  Decision place(const OrderRequest& request, TimestampMs now);

  // Revises or cancels the remainder of today's open order `orgn_odno` (MOCK0006 when there is
  // none, its branch differs or nothing remains; the other checks as place()).
  Decision revise_cancel(const ReviseCancelRequest& request, TimestampMs now);

  // Matches everything the mock clock reaching `now` allows, expires what the day's end closes,
  // and returns the new executions (ascending in time). Precondition: `now` never decreases.
  std::vector<Execution> advance(TimestampMs now);

  // Every accepted row (orders, revisions, cancels), in acceptance order.
  const std::deque<Order>& orders() const { return orders_; }
  // The row with this date and number, or null.
  Order* find(const std::string& ord_dt, const std::string& odno);

  // The cash open buy orders hold back, and the D+2 cash left for new orders at `now`.
  std::int64_t reserved_cash() const;
  std::int64_t orderable_cash(TimestampMs now) const;
  // The holding less what open sale orders already hold back.
  std::int64_t sellable(const std::string& symbol) const;
  // quantity × price + commission (the reservation of a buy at that price).
  std::int64_t buy_cost(std::int64_t quantity, std::int64_t price) const;

  // "" while orders are accepted at `now`, else the market-closed rejection code.
  std::string market_closed_code(TimestampMs now) const;

  void set_fill_volume_pct(int pct) { fill_volume_pct_ = pct; }

 private:
  std::string next_odno(const std::string& ord_dt);
  std::string check_price(const std::string& symbol, std::int64_t price, std::int64_t day) const;
  std::int64_t reservation(const Order& order) const;
  void match(Order& order, const MinuteRow& bar, int phase, std::vector<Execution>& out);

  const Market& market_;
  Account& account_;
  Env env_;
  int fill_volume_pct_;
  std::deque<Order> orders_;  // stable addresses: Decision and the journal point into it
  std::map<std::string, int> next_number_;                                   // per ord_dt
  std::map<std::pair<std::string, TimestampMs>, std::int64_t> used_volume_;  // per symbol, bar
};

// "buy" / "sell" as the journal names sides.
std::string side_name(domain::Side side);
// "open", "filled", "cancelled", "replaced", "expired", "done".
std::string state_name(OrderState state);

}  // namespace quantd::kis_mock
