#include "quantd/live/order_journal.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>

#include "order_journal_internal.h"
#include "quantd/domain/ledger.h"
#include "quantd/execution/protective_exits.h"
#include "quantd/live/session_store.h"

namespace quantd::live {
namespace {

using nlohmann::json;
using namespace journal_internal;

void journal(storage::Database& store, SQLite::Database& db, TimestampMs now,
             std::optional<std::int64_t> account, std::optional<std::int64_t> session,
             std::optional<std::int64_t> order, std::string_view kind, std::string_view from,
             std::string_view to, std::string_view source, const json& detail) {
  auto q =
      store.statement(db,
                      "INSERT INTO journal(ts, account_id, session_id, order_id, kind, "
                      "from_state, to_state, source, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  q->bind(1, now);
  bind_opt(*q, 2, account);
  bind_opt(*q, 3, session);
  bind_opt(*q, 4, order);
  q->bind(5, std::string(kind));
  if (from.empty()) {
    q->bind(6);
  } else {
    q->bind(6, std::string(from));
  }
  if (to.empty()) {
    q->bind(7);
  } else {
    q->bind(7, std::string(to));
  }
  q->bind(8, std::string(source));
  q->bind(9, detail.dump(-1, ' ', false, json::error_handler_t::replace));
  q->exec();
}

void journal_order(storage::Database& store, SQLite::Database& db, const JournalOrder& o,
                   OrderState to, std::string_view source, const json& detail, TimestampMs now) {
  journal(store, db, now, o.account.value(),
          o.session ? std::optional<std::int64_t>(o.session->value()) : std::nullopt, o.id.value(),
          "order_state", to_string(o.state), to_string(to), source, detail);
}

void set_target(storage::Database& store, SQLite::Database& db,
                std::optional<domain::TargetId> target, std::string_view status) {
  if (!target) return;
  auto q = store.statement(db, "UPDATE live_targets SET status = ? WHERE id = ?");
  q->bind(1, std::string(status));
  q->bind(2, target->value());
  q->exec();
}

json ref_json(const BrokerOrder& b) {
  return json{{"order_no", b.ref.order_no},    {"branch", b.ref.branch},
              {"date", date_text(b.ref.date)}, {"order_time", b.order_time},
              {"quantity", b.quantity},        {"limit_price", b.limit_price},
              {"filled_qty", b.filled_qty},    {"filled_amount", b.filled_amount}};
}

Result<domain::OrderId> insert(storage::Database& store, SQLite::Database& db,
                               const PlannedOrder& p, OrderState state, std::string_view code,
                               std::string_view message, TimestampMs now) {
  auto q =
      store.statement(db,
                      "INSERT INTO orders(account_id, session_id, target_id, symbol, side, reason, "
                      "order_type, quantity, limit_price, trigger_price, bar_ts, bar_interval, "
                      "decided_ts, ref_price, state, sent_at, reject_code, reject_message, "
                      "created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  const OrderRequest& r = p.request;
  q->bind(1, p.account.value());
  bind_opt(*q, 2, p.session ? std::optional<std::int64_t>(p.session->value()) : std::nullopt);
  bind_opt(*q, 3, p.target ? std::optional<std::int64_t>(p.target->value()) : std::nullopt);
  q->bind(4, r.symbol.str());
  q->bind(5, std::string(domain::to_string(r.side)));
  q->bind(6, std::string(domain::to_string(p.reason)));
  q->bind(7, std::string(to_string(r.type)));
  q->bind(8, r.quantity);
  q->bind(9, r.limit_price);
  q->bind(10, r.trigger_price);
  q->bind(11, r.bar_ts);
  q->bind(12, std::string(domain::to_string(r.bar_interval)));
  q->bind(13, p.decided_ts);
  q->bind(14, p.ref_price);
  q->bind(15, std::string(to_string(state)));
  if (state == OrderState::kPendingSubmit) {
    q->bind(16, now);
  } else {
    q->bind(16);
  }
  if (code.empty()) {
    q->bind(17);
    q->bind(18);
  } else {
    q->bind(17, std::string(code));
    q->bind(18, std::string(message));
  }
  q->bind(19, now);
  q->bind(20, now);
  q->exec();
  return domain::OrderId(db.getLastInsertRowid());
}

}  // namespace

Result<domain::OrderId> OrderJournal::begin(const PlannedOrder& p, TimestampMs now) {
  if (p.request.quantity <= 0) return Status::invalid_argument("order quantity must be > 0");
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto id = insert(db_, db, p, OrderState::kPendingSubmit, "", "", now);
    if (!id.ok()) return id.status();
    set_target(db_, db, p.target, "acting");
    journal(db_, db, now, p.account.value(),
            p.session ? std::optional<std::int64_t>(p.session->value()) : std::nullopt, id->value(),
            "order_state", "", to_string(OrderState::kPendingSubmit), "session",
            json{{"symbol", p.request.symbol.str()},
                 {"side", domain::to_string(p.request.side)},
                 {"quantity", p.request.quantity},
                 {"type", to_string(p.request.type)},
                 {"limit_price", p.request.limit_price},
                 {"trigger_price", p.request.trigger_price},
                 {"bar_ts", p.request.bar_ts},
                 {"reason", domain::to_string(p.reason)}});
    tx.commit();
    return id;
  } catch (const std::exception& e) {
    return internal("cannot journal the order", e);
  }
}

Result<domain::OrderId> OrderJournal::deny(const PlannedOrder& p, std::string_view code,
                                           std::string_view detail, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto id = insert(db_, db, p, OrderState::kDenied, code, detail, now);
    if (!id.ok()) return id.status();
    set_target(db_, db, p.target, "done");
    journal(db_, db, now, p.account.value(),
            p.session ? std::optional<std::int64_t>(p.session->value()) : std::nullopt, id->value(),
            "risk_denied", "", to_string(OrderState::kDenied), "risk",
            json{{"check", code}, {"detail", detail}});
    tx.commit();
    return id;
  } catch (const std::exception& e) {
    return internal("cannot journal the denied order", e);
  }
}

Status OrderJournal::record_send(domain::OrderId id, const SendResult& r, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    if (Status st = record_send_in(db, id, r, now); !st.ok()) return st;
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot record the send", e);
  }
}

Result<std::optional<FillApplied>> OrderJournal::record_send_and_apply(
    domain::OrderId id, const SendResult& r, const BrokerOrder& snapshot,
    const execution::CostModel& costs, domain::Market market, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    if (Status st = record_send_in(db, id, r, now); !st.ok()) return st;
    auto applied = apply_in(db, id, snapshot, costs, market, FillSource::kBroker, now);
    if (!applied.ok()) return applied.status();
    tx.commit();
    return applied;
  } catch (const std::exception& e) {
    return internal("cannot record the send and its fill", e);
  }
}

Status OrderJournal::record_send_in(SQLite::Database& db, domain::OrderId id, const SendResult& r,
                                    TimestampMs now) {
  auto o = load(db_, db, id);
  if (!o.ok()) return o.status();
  if (o->state != OrderState::kPendingSubmit) {
    return Status::failed_precondition("order " + std::to_string(id.value()) + " is " +
                                       std::string(to_string(o->state)) + ", not being sent");
  }
  OrderState to = OrderState::kUnknown;
  json detail{{"outcome", to_string(r.outcome)}, {"code", r.code}, {"message", r.message}};
  if (r.outcome == SendOutcome::kAccepted && r.ref) {
    to = OrderState::kAccepted;
    auto q = db_.statement(db,
                           "UPDATE orders SET state = 'accepted', attempts = attempts + 1, "
                           "acked_at = ?, broker_order_no = ?, broker_branch = ?, broker_date = ?, "
                           "broker_time = ?, updated_at = ? WHERE id = ?");
    q->bind(1, now);
    q->bind(2, r.ref->order_no);
    q->bind(3, r.ref->branch);
    q->bind(4, date_text(r.ref->date));
    q->bind(5, r.broker_time);
    q->bind(6, now);
    q->bind(7, id.value());
    q->exec();
    detail["order_no"] = r.ref->order_no;
  } else {
    // Rejected for good, not sent (the same row may be sent again: it stays pending_submit), or
    // an outcome nobody knows (unknown: never sent again until resolved).
    if (r.outcome == SendOutcome::kRejected && !r.resend_allowed) {
      to = OrderState::kRejected;
    } else if (r.outcome == SendOutcome::kRejected || r.outcome == SendOutcome::kNotSent) {
      to = OrderState::kPendingSubmit;
    }
    auto q = db_.statement(db,
                           "UPDATE orders SET state = ?, attempts = attempts + 1, reject_code = ?, "
                           "reject_message = ?, updated_at = ? WHERE id = ?");
    q->bind(1, std::string(to_string(to)));
    q->bind(2, r.code);
    q->bind(3, r.message);
    q->bind(4, now);
    q->bind(5, id.value());
    q->exec();
    if (to == OrderState::kRejected) set_target(db_, db, o->target, "done");
  }
  journal_order(db_, db, *o, to, "broker", detail, now);
  return {};
}

Status OrderJournal::bind(domain::OrderId id, const BrokerOrder& found, std::string_view evidence,
                          std::string_view source, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto o = load(db_, db, id);
    if (!o.ok()) return o.status();
    if (o->state != OrderState::kUnknown && o->state != OrderState::kNeedsAttention &&
        o->state != OrderState::kNotPlaced) {
      return Status::failed_precondition("order " + std::to_string(id.value()) + " is " +
                                         std::string(to_string(o->state)) +
                                         "; only an unknown order can be bound");
    }
    auto taken = db_.statement(db,
                               "SELECT id FROM orders WHERE account_id = ? AND broker_date = ? AND "
                               "broker_order_no = ? AND id <> ?");
    taken->bind(1, o->account.value());
    taken->bind(2, date_text(found.ref.date));
    taken->bind(3, found.ref.order_no);
    taken->bind(4, id.value());
    if (taken->executeStep()) {
      return Status::failed_precondition("broker order " + found.ref.order_no +
                                         " is already bound to order " +
                                         std::to_string(taken->getColumn(0).getInt64()));
    }
    taken->reset();
    auto q = db_.statement(db,
                           "UPDATE orders SET state = 'accepted', broker_order_no = ?, "
                           "broker_branch = ?, broker_date = ?, broker_time = ?, acked_at = ?, "
                           "updated_at = ? WHERE id = ?");
    q->bind(1, found.ref.order_no);
    q->bind(2, found.ref.branch);
    q->bind(3, date_text(found.ref.date));
    q->bind(4, found.order_time);
    q->bind(5, now);
    q->bind(6, now);
    q->bind(7, id.value());
    q->exec();
    // A not_placed order found after all (late adoption) takes its target back.
    if (o->state == OrderState::kNotPlaced) set_target(db_, db, o->target, "acting");
    journal_order(db_, db, *o, OrderState::kAccepted, source,
                  json{{"evidence", evidence}, {"broker_order", ref_json(found)}}, now);
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot bind the order", e);
  }
}

Status OrderJournal::mark_not_placed(domain::OrderId id, std::string_view evidence,
                                     std::string_view source, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto o = load(db_, db, id);
    if (!o.ok()) return o.status();
    if (o->state != OrderState::kUnknown && o->state != OrderState::kNeedsAttention &&
        o->state != OrderState::kPendingSubmit) {
      return Status::failed_precondition("order " + std::to_string(id.value()) + " is " +
                                         std::string(to_string(o->state)) +
                                         "; only an unknown order can be marked not placed");
    }
    auto q =
        db_.statement(db, "UPDATE orders SET state = 'not_placed', updated_at = ? WHERE id = ?");
    q->bind(1, now);
    q->bind(2, id.value());
    q->exec();
    set_target(db_, db, o->target, "pending");
    journal_order(db_, db, *o, OrderState::kNotPlaced, source, json{{"evidence", evidence}}, now);
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot mark the order not placed", e);
  }
}

Status OrderJournal::mark_needs_attention(domain::OrderId id, std::string_view why,
                                          const json& candidates, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto o = load(db_, db, id);
    if (!o.ok()) return o.status();
    if (o->state == OrderState::kNeedsAttention) return {};
    auto q = db_.statement(
        db, "UPDATE orders SET state = 'needs_attention', updated_at = ? WHERE id = ?");
    q->bind(1, now);
    q->bind(2, id.value());
    q->exec();
    journal_order(db_, db, *o, OrderState::kNeedsAttention, "reconcile",
                  json{{"why", why}, {"candidates", candidates}}, now);
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot mark the order for attention", e);
  }
}

Result<int> OrderJournal::count_empty_check(domain::OrderId id, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    auto q = db_.statement(db,
                           "UPDATE orders SET empty_checks = empty_checks + 1, updated_at = ? "
                           "WHERE id = ? RETURNING empty_checks");
    q->bind(1, now);
    q->bind(2, id.value());
    if (!q->executeStep())
      return Status::not_found("no order with id " + std::to_string(id.value()));
    return q->getColumn(0).getInt();
  } catch (const std::exception& e) {
    return internal("cannot count the check", e);
  }
}

Status OrderJournal::mark_unknown_after_restart(domain::OrderId id, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto o = load(db_, db, id);
    if (!o.ok()) return o.status();
    if (o->state != OrderState::kPendingSubmit) return {};
    auto q = db_.statement(db, "UPDATE orders SET state = 'unknown', updated_at = ? WHERE id = ?");
    q->bind(1, now);
    q->bind(2, id.value());
    q->exec();
    journal_order(db_, db, *o, OrderState::kUnknown, "restart",
                  json{{"why", "the daemon stopped while the order was being sent"}}, now);
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot mark the order unknown", e);
  }
}

Status OrderJournal::finish(domain::OrderId id, OrderState terminal, std::int64_t cancelled_qty,
                            std::string_view source, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto o = load(db_, db, id);
    if (!o.ok()) return o.status();
    if (!is_open(o->state)) return {};
    SQLite::Statement q(
        db, "UPDATE orders SET state = ?, cancelled_qty = ?, updated_at = ? WHERE id = ?");
    q.bind(1, std::string(to_string(terminal)));
    q.bind(2, cancelled_qty);
    q.bind(3, now);
    q.bind(4, id.value());
    q.exec();
    set_target(db_, db, o->target, "done");
    journal_order(db_, db, *o, terminal, source, json{{"cancelled_qty", cancelled_qty}}, now);
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot finish the order", e);
  }
}

Result<std::optional<FillApplied>> OrderJournal::apply_cumulative(
    domain::OrderId id, const BrokerOrder& snap, const execution::CostModel& costs,
    domain::Market market, FillSource source, TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto applied = apply_in(db, id, snap, costs, market, source, now);
    if (!applied.ok()) return applied.status();
    tx.commit();
    return applied;
  } catch (const std::exception& e) {
    return internal("cannot apply the fill", e);
  }
}

Result<std::optional<FillApplied>> OrderJournal::apply_in(SQLite::Database& db, domain::OrderId id,
                                                          const BrokerOrder& snap,
                                                          const execution::CostModel& costs,
                                                          domain::Market market, FillSource source,
                                                          TimestampMs now) {
  auto o = load(db_, db, id);
  if (!o.ok()) return o.status();
  const std::int64_t dq = snap.filled_qty - o->filled_qty;
  if (dq <= 0) return std::optional<FillApplied>();
  if (snap.filled_qty > o->request.quantity) {
    return Status::failed_precondition("broker reports " + std::to_string(snap.filled_qty) +
                                       " filled of order " + std::to_string(id.value()) + " for " +
                                       std::to_string(o->request.quantity));
  }
  FillApplied f;
  f.order = id;
  f.session = o->session;
  f.symbol = o->request.symbol;
  f.side = o->request.side;
  f.quantity = dq;
  const std::int64_t damt = snap.filled_amount - o->filled_amount;
  f.price = o->filled_qty == 0 && snap.avg_price > 0 ? snap.avg_price
            : damt > 0 ? static_cast<double>(damt) / static_cast<double>(dq)
                       : snap.avg_price;
  f.notional = damt > 0 ? damt : execution::CostModel::notional(dq, f.price);
  f.fill_ts = snap.last_fill_ts != 0 ? snap.last_fill_ts : now;
  f.commission = costs.commission(f.notional);
  f.tax = f.side == domain::Side::kSell
              ? costs.sell_tax(f.notional, market, to_seoul(f.fill_ts).date)
              : 0;
  f.cum_qty = snap.filled_qty;
  f.order_done = snap.filled_qty >= o->request.quantity;

  auto ins = db_.statement(db,
                           "INSERT INTO fills(order_id, session_id, symbol, side, quantity, price, "
                           "notional, commission, tax, cum_qty, fill_ts, observed_at, source) "
                           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
  ins->bind(1, id.value());
  bind_opt(*ins, 2, o->session ? std::optional<std::int64_t>(o->session->value()) : std::nullopt);
  ins->bind(3, f.symbol.str());
  ins->bind(4, std::string(domain::to_string(f.side)));
  ins->bind(5, f.quantity);
  ins->bind(6, f.price);
  ins->bind(7, f.notional);
  ins->bind(8, f.commission);
  ins->bind(9, f.tax);
  ins->bind(10, f.cum_qty);
  ins->bind(11, f.fill_ts);
  ins->bind(12, now);
  ins->bind(13, source == FillSource::kOperator ? "operator" : "paper");
  if (ins->exec() == 0) return std::optional<FillApplied>();  // already applied

  const OrderState to = f.order_done                             ? OrderState::kFilled
                        : o->state == OrderState::kCancelPending ? OrderState::kCancelPending
                                                                 : OrderState::kPartiallyFilled;
  auto up = db_.statement(db,
                          "UPDATE orders SET filled_qty = ?, filled_amount = ?, state = ?, "
                          "updated_at = ? WHERE id = ?");
  up->bind(1, snap.filled_qty);
  up->bind(2, snap.filled_amount);
  up->bind(3, std::string(to_string(to)));
  up->bind(4, now);
  up->bind(5, id.value());
  up->exec();

  if (o->session) {
    const std::int64_t sid = o->session->value();
    auto cs = db_.statement(db, "SELECT cash FROM live_sessions WHERE id = ?");
    cs->bind(1, sid);
    if (!cs->executeStep()) return Status::internal("the order's session is gone");
    domain::Portfolio pf;
    pf.cash = cs->getColumn(0).getInt64();
    pf.positions.resize(1);
    domain::Position& pos = pf.positions[0];
    std::int64_t realized = 0;
    auto ps = db_.statement(db,
                            "SELECT quantity, avg_price, entry_ts, exits, realized_pnl FROM "
                            "positions WHERE session_id = ? AND symbol = ?");
    ps->bind(1, sid);
    ps->bind(2, f.symbol.str());
    if (ps->executeStep()) {
      pos.quantity = ps->getColumn(0).getInt64();
      pos.entry_price = ps->getColumn(1).getDouble();
      pos.entry_ts = ps->getColumn(2).getInt64();
      pos.exits = exits_from_json(json::parse(ps->getColumn(3).getString()));
      realized = ps->getColumn(4).getInt64();
    }
    ps->reset();
    domain::ProtectiveExits exits;
    std::optional<domain::Intent> target_intent;
    if (o->target) {
      auto t = db_.statement(db, "SELECT kind, value, exits FROM live_targets WHERE id = ?");
      t->bind(1, o->target->value());
      if (t->executeStep()) {
        target_intent = intent_from_json(json{{"kind", t->getColumn(0).getString()},
                                              {"value", t->getColumn(1).getDouble()},
                                              {"exits", json::parse(t->getColumn(2).getString())}});
        if (target_intent) exits = target_intent->exits;
      }
    }
    if (f.side == domain::Side::kBuy && f.notional + f.commission > pf.cash) {
      return Status::failed_precondition("fill of order " + std::to_string(id.value()) + " costs " +
                                         std::to_string(f.notional + f.commission) +
                                         " KRW but session " + std::to_string(sid) + " has " +
                                         std::to_string(pf.cash));
    }
    if (f.side == domain::Side::kSell && f.quantity > pos.quantity) {
      return Status::failed_precondition(
          "fill of order " + std::to_string(id.value()) + " sells " + std::to_string(f.quantity) +
          " but session " + std::to_string(sid) + " holds " + std::to_string(pos.quantity));
    }
    const double avg_before = pos.entry_price;
    domain::Ledger ledger(0, 1);
    ledger.restore(pf);
    bool opened = false;
    if (f.side == domain::Side::kBuy) {
      opened = ledger.buy(0, f.quantity, f.price, f.notional, f.commission, f.fill_ts, exits);
    } else {
      ledger.sell(0, f.quantity, f.notional, f.commission, f.tax);
      realized +=
          f.notional - f.commission - f.tax -
          static_cast<std::int64_t>(std::llround(avg_before * static_cast<double>(f.quantity)));
    }
    const domain::Position& after = ledger.position(0);
    execution::ExitLevels levels;
    bool write_levels = false;
    if (opened) {
      levels = execution::arm_exits(after.exits, after.entry_price, market,
                                    to_seoul(after.entry_ts).date);
      write_levels = true;
    } else if (after.quantity == 0) {
      write_levels = true;  // flat: no levels
    }
    std::optional<std::string> in_force;
    if (after.quantity > 0 && f.order_done && target_intent) {
      in_force = intent_json(*target_intent).dump();
    }
    SQLite::Statement w(
        db,
        "INSERT INTO positions(session_id, symbol, quantity, avg_price, entry_ts, exits, "
        "exit_levels, highest_close, in_force, realized_pnl, updated_at) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(session_id, symbol) DO UPDATE SET quantity = excluded.quantity, "
        "avg_price = excluded.avg_price, entry_ts = excluded.entry_ts, exits = excluded.exits, "
        "exit_levels = CASE WHEN ? THEN excluded.exit_levels ELSE positions.exit_levels END, "
        "highest_close = CASE WHEN ? THEN excluded.highest_close ELSE positions.highest_close "
        "END, in_force = CASE WHEN excluded.quantity = 0 THEN NULL WHEN excluded.in_force IS "
        "NOT NULL THEN excluded.in_force ELSE positions.in_force END, "
        "realized_pnl = excluded.realized_pnl, updated_at = excluded.updated_at");
    w.bind(1, sid);
    w.bind(2, f.symbol.str());
    w.bind(3, after.quantity);
    w.bind(4, after.entry_price);
    w.bind(5, after.entry_ts);
    w.bind(6, exits_json(after.exits).dump());
    w.bind(7, levels_json(levels).dump());
    w.bind(8, levels.highest_close);
    if (in_force) {
      w.bind(9, *in_force);
    } else {
      w.bind(9);
    }
    w.bind(10, realized);
    w.bind(11, now);
    w.bind(12, write_levels ? 1 : 0);
    w.bind(13, write_levels ? 1 : 0);
    w.exec();
    auto cu = db_.statement(db, "UPDATE live_sessions SET cash = ?, updated_at = ? WHERE id = ?");
    cu->bind(1, ledger.cash());
    cu->bind(2, now);
    cu->bind(3, sid);
    cu->exec();
  }
  if (f.order_done) set_target(db_, db, o->target, "done");
  journal_order(db_, db, *o, to, source == FillSource::kOperator ? "operator" : "broker",
                json{{"fill_qty", f.quantity},
                     {"price", f.price},
                     {"notional", f.notional},
                     {"commission", f.commission},
                     {"tax", f.tax},
                     {"cum_qty", f.cum_qty}},
                now);
  return std::optional<FillApplied>(f);
}

Result<std::optional<domain::OrderId>> OrderJournal::adopt_external(domain::AccountId account,
                                                                    const BrokerOrder& found,
                                                                    TimestampMs now) {
  try {
    SQLite::Database& db = db_.durable_connection();
    storage::WriteTransaction tx(db_, db);
    auto seen = db_.statement(db,
                              "SELECT id FROM orders WHERE account_id = ? AND broker_date = ? AND "
                              "broker_order_no = ?");
    seen->bind(1, account.value());
    seen->bind(2, date_text(found.ref.date));
    seen->bind(3, found.ref.order_no);
    if (seen->executeStep()) return std::optional<domain::OrderId>();
    seen->reset();
    const OrderState state = found.filled_qty >= found.quantity ? OrderState::kFilled
                             : found.remaining_qty > 0          ? OrderState::kAccepted
                                                                : OrderState::kCancelled;
    auto q = db_.statement(db,
                           "INSERT INTO orders(account_id, symbol, side, reason, order_type, "
                           "quantity, limit_price, state, broker_order_no, broker_branch, "
                           "broker_date, broker_time, filled_qty, filled_amount, created_at, "
                           "updated_at) VALUES(?, ?, ?, 'external', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                           "?, ?)");
    q->bind(1, account.value());
    q->bind(2, found.symbol.str());
    q->bind(3, std::string(domain::to_string(found.side)));
    q->bind(4, std::string(to_string(found.type)));
    q->bind(5, found.quantity);
    q->bind(6, found.limit_price);
    q->bind(7, std::string(to_string(state)));
    q->bind(8, found.ref.order_no);
    q->bind(9, found.ref.branch);
    q->bind(10, date_text(found.ref.date));
    q->bind(11, found.order_time);
    q->bind(12, found.filled_qty);
    q->bind(13, found.filled_amount);
    q->bind(14, now);
    q->bind(15, now);
    q->exec();
    const domain::OrderId id(db.getLastInsertRowid());
    journal(db_, db, now, account.value(), std::nullopt, id.value(), "order_state", "",
            to_string(state), "reconcile",
            json{{"why", "an order at the broker that quantd did not place"},
                 {"broker_order", ref_json(found)}});
    tx.commit();
    return std::optional<domain::OrderId>(id);
  } catch (const std::exception& e) {
    return internal("cannot adopt the external order", e);
  }
}

Status OrderJournal::note(std::optional<domain::AccountId> account,
                          std::optional<domain::SessionId> session,
                          std::optional<domain::OrderId> order, std::string_view kind,
                          std::string_view source, const json& detail, TimestampMs now) {
  try {
    journal(db_, db_.durable_connection(), now,
            account ? std::optional<std::int64_t>(account->value()) : std::nullopt,
            session ? std::optional<std::int64_t>(session->value()) : std::nullopt,
            order ? std::optional<std::int64_t>(order->value()) : std::nullopt, kind, "", "",
            source, detail);
    return {};
  } catch (const std::exception& e) {
    return internal("cannot write the journal", e);
  }
}

}  // namespace quantd::live
