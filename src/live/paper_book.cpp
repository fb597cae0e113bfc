#include <SQLiteCpp/SQLiteCpp.h>

#include <cinttypes>
#include <cstdio>

#include "paper_book_internal.h"
#include "quantd/live/paper_broker.h"

namespace quantd::live::paper {

using domain::Side;
using execution::CostModel;

namespace {

constexpr const char* kRowColumns =
    "order_no, order_date, order_ts, symbol, market, side, order_type, quantity, limit_price, "
    "trigger_price, bar_ts, bar_interval, filled_qty, filled_amount, avg_price, fill_ts, "
    "cancelled_qty, commission, tax, status";

Row read_row(SQLite::Statement& q) {
  Row r;
  r.order_no = q.getColumn(0).getString();
  r.order_date = q.getColumn(1).getString();
  r.order_ts = q.getColumn(2).getInt64();
  r.symbol = domain::Symbol(q.getColumn(3).getString());
  r.market = domain::parse_market(q.getColumn(4).getString()).value_or(domain::Market::kKospi);
  r.side = q.getColumn(5).getString() == "sell" ? Side::kSell : Side::kBuy;
  r.type = parse_order_type(q.getColumn(6).getString()).value_or(OrderType::kMarket);
  r.quantity = q.getColumn(7).getInt64();
  r.limit_price = q.getColumn(8).getDouble();
  r.trigger_price = q.getColumn(9).getDouble();
  r.bar_ts = q.getColumn(10).getInt64();
  r.bar_interval =
      domain::parse_interval(q.getColumn(11).getString()).value_or(domain::Interval::k1m);
  r.filled_qty = q.getColumn(12).getInt64();
  r.filled_amount = q.getColumn(13).getInt64();
  r.avg_price = q.getColumn(14).getDouble();
  r.fill_ts = q.getColumn(15).getInt64();
  r.cancelled_qty = q.getColumn(16).getInt64();
  r.commission = q.getColumn(17).getInt64();
  r.tax = q.getColumn(18).getInt64();
  r.status = q.getColumn(19).getString();
  return r;
}

}  // namespace

std::string hhmmss(TimestampMs ts) {
  const SeoulTime t = to_seoul(ts);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", t.hour, t.minute, t.second);
  return buf;
}

std::string format_order_no(std::int64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%010" PRId64, n);
  return buf;
}

std::string format_date(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<Cash> read_cash(SQLite::Database& db, domain::AccountId account) {
  SQLite::Statement q(db, "SELECT cash, next_order FROM paper_accounts WHERE account_id = ?");
  q.bind(1, account.value());
  if (!q.executeStep()) return std::nullopt;
  return Cash{q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
}

Held read_holding(SQLite::Database& db, domain::AccountId account, const domain::Symbol& symbol) {
  SQLite::Statement q(db,
                      "SELECT quantity, avg_price FROM paper_holdings WHERE account_id = ? AND "
                      "symbol = ?");
  q.bind(1, account.value());
  q.bind(2, symbol.str());
  if (!q.executeStep()) return {};
  return Held{q.getColumn(0).getInt64(), q.getColumn(1).getDouble()};
}

std::int64_t open_sell_quantity(SQLite::Database& db, domain::AccountId account,
                                const domain::Symbol& symbol) {
  SQLite::Statement q(db,
                      "SELECT COALESCE(SUM(quantity - filled_qty - cancelled_qty), 0) FROM "
                      "paper_orders WHERE account_id = ? AND symbol = ? AND side = 'sell' AND "
                      "status = 'open'");
  q.bind(1, account.value());
  q.bind(2, symbol.str());
  q.executeStep();
  return q.getColumn(0).getInt64();
}

std::vector<Row> read_rows(SQLite::Database& db, domain::AccountId account, const char* where,
                           const std::vector<std::string>& args) {
  SQLite::Statement q(db, std::string("SELECT ") + kRowColumns +
                              " FROM paper_orders WHERE account_id = ? " + where +
                              " ORDER BY order_no");
  q.bind(1, account.value());
  for (std::size_t i = 0; i < args.size(); ++i) q.bind(static_cast<int>(i + 2), args[i]);
  std::vector<Row> rows;
  while (q.executeStep()) rows.push_back(read_row(q));
  return rows;
}

void insert_row(SQLite::Database& db, domain::AccountId account, const Row& r) {
  SQLite::Statement q(db,
                      "INSERT INTO paper_orders(account_id, order_no, order_date, order_ts, "
                      "symbol, market, side, order_type, quantity, limit_price, trigger_price, "
                      "bar_ts, bar_interval, status) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,'open')");
  q.bind(1, account.value());
  q.bind(2, r.order_no);
  q.bind(3, r.order_date);
  q.bind(4, r.order_ts);
  q.bind(5, r.symbol.str());
  q.bind(6, std::string(domain::to_string(r.market)));
  q.bind(7, std::string(domain::to_string(r.side)));
  q.bind(8, std::string(to_string(r.type)));
  q.bind(9, r.quantity);
  q.bind(10, r.limit_price);
  q.bind(11, r.trigger_price);
  q.bind(12, r.bar_ts);
  q.bind(13, std::string(domain::to_string(r.bar_interval)));
  q.exec();
}

void write_row_state(SQLite::Database& db, domain::AccountId account, const Row& r) {
  SQLite::Statement q(db,
                      "UPDATE paper_orders SET filled_qty = ?, filled_amount = ?, avg_price = ?, "
                      "fill_ts = ?, cancelled_qty = ?, commission = ?, tax = ?, status = ? WHERE "
                      "account_id = ? AND order_date = ? AND order_no = ?");
  q.bind(1, r.filled_qty);
  q.bind(2, r.filled_amount);
  q.bind(3, r.avg_price);
  q.bind(4, r.fill_ts);
  q.bind(5, r.cancelled_qty);
  q.bind(6, r.commission);
  q.bind(7, r.tax);
  q.bind(8, r.status);
  q.bind(9, account.value());
  q.bind(10, r.order_date);
  q.bind(11, r.order_no);
  q.exec();
}

void write_cash(SQLite::Database& db, domain::AccountId account, const Cash& c, TimestampMs now) {
  SQLite::Statement q(db,
                      "UPDATE paper_accounts SET cash = ?, next_order = ?, updated_at = ? WHERE "
                      "account_id = ?");
  q.bind(1, c.cash);
  q.bind(2, c.next_order);
  q.bind(3, now);
  q.bind(4, account.value());
  q.exec();
}

void write_holding(SQLite::Database& db, domain::AccountId account, const domain::Symbol& symbol,
                   const Held& h) {
  if (h.quantity == 0) {
    SQLite::Statement q(db, "DELETE FROM paper_holdings WHERE account_id = ? AND symbol = ?");
    q.bind(1, account.value());
    q.bind(2, symbol.str());
    q.exec();
    return;
  }
  SQLite::Statement q(db,
                      "INSERT INTO paper_holdings(account_id, symbol, quantity, avg_price) "
                      "VALUES(?,?,?,?) ON CONFLICT(account_id, symbol) DO UPDATE SET "
                      "quantity = excluded.quantity, avg_price = excluded.avg_price");
  q.bind(1, account.value());
  q.bind(2, symbol.str());
  q.bind(3, h.quantity);
  q.bind(4, h.avg_price);
  q.exec();
}

bool apply_execution(SQLite::Database& db, domain::AccountId account, Row& row,
                     const Execution& exec, const CostModel& costs, Cash& cash, TimestampMs now) {
  const std::int64_t qty = row.remaining();
  const std::int64_t notional = CostModel::notional(qty, exec.price);
  const std::int64_t commission = costs.commission(notional);
  Held held = read_holding(db, account, row.symbol);
  bool fills = true;
  std::int64_t tax = 0;
  if (row.side == Side::kBuy) {
    if (notional + commission > cash.cash) {
      fills = false;
    } else {
      held.avg_price = (held.avg_price * static_cast<double>(held.quantity) +
                        exec.price * static_cast<double>(qty)) /
                       static_cast<double>(held.quantity + qty);
      held.quantity += qty;
      cash.cash -= notional + commission;
    }
  } else {
    if (held.quantity < qty) {
      fills = false;
    } else {
      tax = costs.sell_tax(notional, row.market, exec.trade_date);
      held.quantity -= qty;
      if (held.quantity == 0) held.avg_price = 0;
      cash.cash += notional - commission - tax;
    }
  }
  if (fills) {
    row.avg_price = (row.avg_price * static_cast<double>(row.filled_qty) +
                     exec.price * static_cast<double>(qty)) /
                    static_cast<double>(row.filled_qty + qty);
    row.filled_qty += qty;
    row.filled_amount += notional;
    row.fill_ts = exec.fill_ts;
    row.commission += commission;
    row.tax += tax;
    row.status = "filled";
    write_holding(db, account, row.symbol, held);
  } else {
    row.cancelled_qty += qty;
    row.status = "cancelled";
  }
  write_row_state(db, account, row);
  write_cash(db, account, cash, now);
  return fills;
}

BrokerOrder to_broker_order(const Row& r) {
  BrokerOrder o;
  o.ref.order_no = r.order_no;
  o.ref.branch = std::string(kPaperBranch);
  o.ref.date = parse_civil_date(r.order_date).value_or(CivilDate{});
  o.symbol = r.symbol;
  o.side = r.side;
  o.type = r.type;
  o.quantity = r.quantity;
  o.limit_price = r.limit_price;
  o.order_time = hhmmss(r.order_ts);
  o.order_ts = r.order_ts;
  o.filled_qty = r.filled_qty;
  o.filled_amount = r.filled_amount;
  o.avg_price = r.avg_price;
  o.last_fill_ts = r.fill_ts;
  o.remaining_qty = r.remaining();
  o.cancelled_qty = r.cancelled_qty;
  return o;
}

}  // namespace quantd::live::paper
