// The paper broker's book in SQLite (paper_accounts, paper_orders, paper_holdings): its row types
// and the statements that read and change it, for paper_broker.cpp alone. Every function runs on
// the connection it is given, inside the caller's transaction when there is one, and throws
// SQLite::Exception; the PaperBroker methods catch it at their edge.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/ids.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/order.h"
#include "quantd/execution/costs.h"
#include "quantd/live/broker.h"

namespace SQLite {
class Database;
}

namespace quantd::live::paper {

// One paper_orders row.
struct Row {
  std::string order_no;
  std::string order_date;
  TimestampMs order_ts = 0;
  domain::Symbol symbol;
  domain::Market market = domain::Market::kKospi;
  domain::Side side = domain::Side::kBuy;
  OrderType type = OrderType::kMarket;
  std::int64_t quantity = 0;
  double limit_price = 0;
  double trigger_price = 0;
  TimestampMs bar_ts = 0;
  domain::Interval bar_interval = domain::Interval::k1m;
  std::int64_t filled_qty = 0;
  std::int64_t filled_amount = 0;
  double avg_price = 0;
  TimestampMs fill_ts = 0;
  std::int64_t cancelled_qty = 0;
  std::int64_t commission = 0;
  std::int64_t tax = 0;
  std::string status = "open";

  bool open() const { return status == "open"; }
  std::int64_t remaining() const { return open() ? quantity - filled_qty - cancelled_qty : 0; }
};

// Where and at what price an order executes.
struct Execution {
  TimestampMs fill_ts = 0;  // the bar's open time, or the clock for an immediate fill
  double price = 0;
  CivilDate trade_date;
  int phase = 0;  // order within one bar, as the backtest: 0 market sells, 1 market buys,
                  // 2 stops, 3 limits
};

// paper_accounts: the cash and the next order number.
struct Cash {
  std::int64_t cash = 0;
  std::int64_t next_order = 1;
};

// paper_holdings: one symbol's shares.
struct Held {
  std::int64_t quantity = 0;
  double avg_price = 0;
};

// "HHMMSS" in Asia/Seoul, as KIS writes ORD_TMD.
std::string hhmmss(TimestampMs ts);
// The 10-digit zero-padded order number of sequence value `n`, as KIS writes ODNO.
std::string format_order_no(std::int64_t n);
// "YYYY-MM-DD".
std::string format_date(CivilDate d);

// The account's cash and sequence; nullopt when it has no paper book.
std::optional<Cash> read_cash(SQLite::Database& db, domain::AccountId account);
// Shares of `symbol` held (zero when none).
Held read_holding(SQLite::Database& db, domain::AccountId account, const domain::Symbol& symbol);
// Shares of `symbol` offered by open sell orders (neither filled nor cancelled yet).
std::int64_t open_sell_quantity(SQLite::Database& db, domain::AccountId account,
                                const domain::Symbol& symbol);
// The account's orders matching `where` ("AND ..." with ? placeholders bound to `args` in
// order), by order number.
std::vector<Row> read_rows(SQLite::Database& db, domain::AccountId account, const char* where,
                           const std::vector<std::string>& args);
// A new open order (its fill columns start at zero).
void insert_row(SQLite::Database& db, domain::AccountId account, const Row& r);
// The order's fill and cancel columns and status.
void write_row_state(SQLite::Database& db, domain::AccountId account, const Row& r);
void write_cash(SQLite::Database& db, domain::AccountId account, const Cash& c, TimestampMs now);
// A holding of 0 shares is deleted.
void write_holding(SQLite::Database& db, domain::AccountId account, const domain::Symbol& symbol,
                   const Held& h);

// Applies `exec` to the whole remainder of `row` (in the caller's transaction): the order row,
// the holding and `cash` (written back). When the buy cannot be paid or the shares are no longer
// held, the remainder is cancelled instead. Returns true when it filled.
bool apply_execution(SQLite::Database& db, domain::AccountId account, Row& row,
                     const Execution& exec, const execution::CostModel& costs, Cash& cash,
                     TimestampMs now);

// The row as a broker's order-book answer.
BrokerOrder to_broker_order(const Row& r);

}  // namespace quantd::live::paper
