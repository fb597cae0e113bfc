// What order_journal.cpp (the journal's writes) and order_journal_reads.cpp (its queries) share:
// the orders row codec. Not part of any public contract.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdio>
#include <optional>
#include <string>

#include "quantd/live/order_journal.h"

namespace quantd::live::journal_internal {

inline constexpr const char* kOrderColumns =
    "o.id, o.account_id, o.session_id, o.target_id, o.symbol, o.side, o.reason, o.order_type, "
    "o.quantity, o.limit_price, o.trigger_price, o.bar_ts, o.bar_interval, o.decided_ts, "
    "o.ref_price, o.state, o.attempts, o.empty_checks, o.sent_at, o.broker_order_no, "
    "o.broker_branch, o.broker_date, o.broker_time, o.filled_qty, o.filled_amount, "
    "o.cancelled_qty, o.reject_code, o.reject_message, o.created_at, o.updated_at, "
    "coalesce(s.market, 'kospi')";
inline constexpr const char* kOrderFrom =
    " FROM orders o LEFT JOIN live_sessions s ON s.id = o.session_id";

inline std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

inline std::string opt_text(const SQLite::Column& c) { return c.isNull() ? "" : c.getString(); }

inline void bind_opt(SQLite::Statement& q, int i, std::optional<std::int64_t> v) {
  if (v) {
    q.bind(i, *v);
  } else {
    q.bind(i);
  }
}

inline std::string date_text(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

inline JournalOrder read_order(SQLite::Statement& q) {
  JournalOrder o;
  o.id = domain::OrderId(q.getColumn(0).getInt64());
  o.account = domain::AccountId(q.getColumn(1).getInt64());
  if (auto s = opt_int(q.getColumn(2))) o.session = domain::SessionId(*s);
  if (auto t = opt_int(q.getColumn(3))) o.target = domain::TargetId(*t);
  o.request.client_id = o.id;
  o.request.symbol = domain::Symbol(q.getColumn(4).getString());
  o.request.side = domain::parse_side(q.getColumn(5).getString()).value_or(domain::Side::kBuy);
  const std::string reason = q.getColumn(6).getString();
  o.external = reason == "external";
  o.reason = domain::parse_order_reason(reason).value_or(domain::OrderReason::kSignal);
  o.request.type = parse_order_type(q.getColumn(7).getString()).value_or(OrderType::kMarket);
  o.request.quantity = q.getColumn(8).getInt64();
  o.request.limit_price = q.getColumn(9).getDouble();
  o.request.trigger_price = q.getColumn(10).getDouble();
  o.request.bar_ts = q.getColumn(11).getInt64();
  o.request.bar_interval =
      domain::parse_interval(q.getColumn(12).getString()).value_or(domain::Interval::k1m);
  o.decided_ts = opt_int(q.getColumn(13)).value_or(0);
  o.ref_price = q.getColumn(14).isNull() ? 0 : q.getColumn(14).getDouble();
  o.state = parse_order_state(q.getColumn(15).getString()).value_or(OrderState::kUnknown);
  o.attempts = q.getColumn(16).getInt();
  o.empty_checks = q.getColumn(17).getInt();
  o.sent_at = opt_int(q.getColumn(18));
  if (!q.getColumn(19).isNull()) {
    BrokerOrderRef ref;
    ref.order_no = q.getColumn(19).getString();
    ref.branch = opt_text(q.getColumn(20));
    ref.date = parse_civil_date(opt_text(q.getColumn(21))).value_or(CivilDate{});
    o.ref = ref;
  }
  o.broker_time = opt_text(q.getColumn(22));
  o.filled_qty = q.getColumn(23).getInt64();
  o.filled_amount = q.getColumn(24).getInt64();
  o.cancelled_qty = q.getColumn(25).getInt64();
  o.reject_code = opt_text(q.getColumn(26));
  o.reject_message = opt_text(q.getColumn(27));
  o.created_at = q.getColumn(28).getInt64();
  o.updated_at = q.getColumn(29).getInt64();
  o.request.market =
      domain::parse_market(q.getColumn(30).getString()).value_or(domain::Market::kKospi);
  return o;
}

inline Result<JournalOrder> load(storage::Database& store, SQLite::Database& db,
                                 domain::OrderId id) {
  auto q =
      store.statement(db, std::string("SELECT ") + kOrderColumns + kOrderFrom + " WHERE o.id = ?");
  q->bind(1, id.value());
  if (!q->executeStep()) {
    return Status::not_found("no order with id " + std::to_string(id.value()));
  }
  return read_order(*q);
}

inline Status internal(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

}  // namespace quantd::live::journal_internal
