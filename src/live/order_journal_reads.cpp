// OrderJournal's queries: orders and fills as sessions, the desk and the API read them.
#include <SQLiteCpp/SQLiteCpp.h>

#include "order_journal_internal.h"
#include "quantd/live/order_journal.h"

namespace quantd::live {

using namespace journal_internal;

Result<JournalOrder> OrderJournal::get(domain::OrderId id) {
  try {
    return load(db_, db_.connection(), id);
  } catch (const std::exception& e) {
    return internal("cannot read the order", e);
  }
}

namespace {

JournalEntry read_entry(SQLite::Statement& q) {
  JournalEntry e;
  e.ts = q.getColumn(0).getInt64();
  e.kind = q.getColumn(1).getString();
  e.from_state = q.getColumn(2).isNull() ? "" : q.getColumn(2).getString();
  e.to_state = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
  e.source = q.getColumn(4).getString();
  e.detail = nlohmann::json::parse(q.getColumn(5).getString(), nullptr, false);
  if (e.detail.is_discarded()) e.detail = nlohmann::json::object();
  return e;
}

constexpr const char* kEntryColumns = "SELECT ts, kind, from_state, to_state, source, detail ";

}  // namespace

Result<std::optional<JournalEntry>> OrderJournal::last_transition(domain::OrderId id) {
  try {
    auto q = db_.statement(db_.connection(),
                           std::string(kEntryColumns) +
                               "FROM journal WHERE order_id = ? AND to_state IS NOT NULL "
                               "ORDER BY id DESC LIMIT 1");
    q->bind(1, id.value());
    std::optional<JournalEntry> out;
    if (q->executeStep()) out = read_entry(*q);
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read the order's journal", e);
  }
}

Result<std::vector<JournalEntry>> OrderJournal::order_history(domain::OrderId id) {
  try {
    auto q = db_.statement(db_.connection(), std::string(kEntryColumns) +
                                                 "FROM journal WHERE order_id = ? ORDER BY id");
    q->bind(1, id.value());
    std::vector<JournalEntry> out;
    while (q->executeStep()) out.push_back(read_entry(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read the order's journal", e);
  }
}

Result<std::vector<JournalOrder>> OrderJournal::open_orders(domain::AccountId account) {
  try {
    auto q =
        db_.statement(db_.durable_connection(),
                      std::string("SELECT ") + kOrderColumns + kOrderFrom +
                          " WHERE o.account_id = ? AND o.state IN ('pending_submit', 'unknown', "
                          "'accepted', 'partially_filled', 'cancel_pending', 'needs_attention') "
                          "ORDER BY o.id");
    q->bind(1, account.value());
    std::vector<JournalOrder> out;
    while (q->executeStep()) out.push_back(read_order(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list open orders", e);
  }
}

Result<std::vector<JournalOrder>> OrderJournal::session_orders(domain::SessionId session,
                                                               std::size_t limit) {
  try {
    auto q =
        db_.statement(db_.connection(), std::string("SELECT ") + kOrderColumns + kOrderFrom +
                                            " WHERE o.session_id = ? ORDER BY o.id DESC LIMIT ?");
    q->bind(1, session.value());
    q->bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1'000'000)));
    std::vector<JournalOrder> out;
    while (q->executeStep()) out.push_back(read_order(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list the session's orders", e);
  }
}

Result<std::vector<JournalOrder>> OrderJournal::orders_in_state(std::optional<OrderState> state,
                                                                std::size_t limit) {
  try {
    std::string sql = std::string("SELECT ") + kOrderColumns + kOrderFrom;
    if (state) sql += " WHERE o.state = ?";
    sql += " ORDER BY o.id DESC LIMIT ?";
    auto q = db_.statement(db_.connection(), sql);
    int i = 1;
    if (state) q->bind(i++, std::string(to_string(*state)));
    q->bind(i, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1'000'000)));
    std::vector<JournalOrder> out;
    while (q->executeStep()) out.push_back(read_order(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list orders", e);
  }
}

Result<bool> OrderJournal::symbol_frozen(domain::AccountId account, const domain::Symbol& symbol) {
  try {
    auto q = db_.statement(db_.durable_connection(),
                           "SELECT 1 FROM orders WHERE account_id = ? AND symbol = ? AND state IN "
                           "('pending_submit', 'unknown', 'needs_attention') LIMIT 1");
    q->bind(1, account.value());
    q->bind(2, symbol.str());
    return q->executeStep();
  } catch (const std::exception& e) {
    return internal("cannot check the symbol's orders", e);
  }
}

Result<std::set<std::string>> OrderJournal::bound_order_numbers(domain::AccountId account,
                                                                CivilDate date) {
  try {
    auto q =
        db_.statement(db_.durable_connection(),
                      "SELECT broker_order_no FROM orders WHERE account_id = ? AND broker_date = "
                      "? AND broker_order_no IS NOT NULL");
    q->bind(1, account.value());
    q->bind(2, date_text(date));
    std::set<std::string> out;
    while (q->executeStep()) out.insert(q->getColumn(0).getString());
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list bound orders", e);
  }
}

Result<int> OrderJournal::count_orders(domain::SessionId session, TimestampMs since,
                                       const std::optional<domain::Symbol>& symbol) {
  try {
    std::string sql =
        "SELECT count(*) FROM orders WHERE session_id = ? AND created_at >= ? AND state NOT IN "
        "('not_placed', 'denied')";
    if (symbol) sql += " AND symbol = ?";
    auto q = db_.statement(db_.durable_connection(), sql);
    q->bind(1, session.value());
    q->bind(2, since);
    if (symbol) q->bind(3, symbol->str());
    q->executeStep();
    return q->getColumn(0).getInt();
  } catch (const std::exception& e) {
    return internal("cannot count orders", e);
  }
}

Result<int> OrderJournal::rejects_in_row(domain::SessionId session) {
  try {
    auto q =
        db_.statement(db_.durable_connection(),
                      "SELECT state FROM orders WHERE session_id = ? AND state IN ('rejected', "
                      "'filled', 'partially_filled') ORDER BY id DESC LIMIT 100");
    q->bind(1, session.value());
    int n = 0;
    while (q->executeStep() && q->getColumn(0).getString() == "rejected") ++n;
    return n;
  } catch (const std::exception& e) {
    return internal("cannot count rejections", e);
  }
}

Result<std::vector<FillApplied>> OrderJournal::session_fills(domain::SessionId session,
                                                             std::size_t limit) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT order_id, symbol, side, quantity, price, notional, commission, "
                           "tax, cum_qty, fill_ts FROM fills WHERE session_id = ? ORDER BY id DESC "
                           "LIMIT ?");
    q->bind(1, session.value());
    q->bind(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, 1'000'000)));
    std::vector<FillApplied> out;
    while (q->executeStep()) {
      FillApplied f;
      f.order = domain::OrderId(q->getColumn(0).getInt64());
      f.session = session;
      f.symbol = domain::Symbol(q->getColumn(1).getString());
      f.side = domain::parse_side(q->getColumn(2).getString()).value_or(domain::Side::kBuy);
      f.quantity = q->getColumn(3).getInt64();
      f.price = q->getColumn(4).getDouble();
      f.notional = q->getColumn(5).getInt64();
      f.commission = q->getColumn(6).getInt64();
      f.tax = q->getColumn(7).getInt64();
      f.cum_qty = q->getColumn(8).getInt64();
      f.fill_ts = q->getColumn(9).getInt64();
      out.push_back(f);
    }
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list fills", e);
  }
}

}  // namespace quantd::live
