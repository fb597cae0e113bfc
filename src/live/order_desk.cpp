#include "quantd/live/order_desk.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "quantd/live/account_view.h"

namespace quantd::live {
namespace {

using nlohmann::json;

CivilDate seoul_date(TimestampMs ts) { return to_seoul(ts).date; }

TimestampMs seoul_day_start(TimestampMs ts) { return seoul_day(ts) * kMsPerDay - kSeoulOffsetMs; }

json broker_order_json(const BrokerOrder& b) {
  return json{{"order_no", b.ref.order_no},      {"order_time", b.order_time},
              {"symbol", b.symbol.str()},        {"side", domain::to_string(b.side)},
              {"type", to_string(b.type)},       {"quantity", b.quantity},
              {"limit_price", b.limit_price},    {"filled_qty", b.filled_qty},
              {"remaining_qty", b.remaining_qty}};
}

}  // namespace

OrderDesk::OrderDesk(storage::Database& db, SessionStore& store, domain::AccountId account,
                     Broker& broker, const Clock& clock, DeskOptions options, CrashHook crash,
                     LiveEvents events)
    : db_(db),
      store_(store),
      journal_(db),
      account_(account),
      broker_(broker),
      clock_(clock),
      options_(options),
      crash_(std::move(crash)),
      events_(std::move(events)) {
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT trading_state, state_reason FROM broker_accounts WHERE id = ?");
    q.bind(1, account_.value());
    if (q.executeStep()) {
      trading_state_ =
          parse_trading_state(q.getColumn(0).getString()).value_or(TradingState::kHalted);
      if (!q.getColumn(1).isNull()) state_reason_ = q.getColumn(1).getString();
      broker_halted_ = trading_state_ == TradingState::kHalted && is_broker_block(state_reason_);
    }
  } catch (const std::exception& e) {
    spdlog::error("account {}: cannot read its trading state ({}); it starts halted",
                  account_.value(), e.what());
    trading_state_ = TradingState::kHalted;
  }
}

bool OrderDesk::broker_changed() const {
  if (!broker_.blocked_reason().empty()) return trading_state_ != TradingState::kHalted;
  return broker_halted_;
}

TradingState OrderDesk::trading_state() const {
  std::lock_guard lock(mu_);
  return trading_state_;
}

Status OrderDesk::set_trading_state(TradingState state, const std::string& reason,
                                    std::string_view actor) {
  std::lock_guard lock(mu_);
  return set_trading_state_locked(state, reason, actor);
}

Status OrderDesk::set_trading_state_locked(TradingState state, const std::string& reason,
                                           std::string_view actor) {
  const TimestampMs now = clock_.now();
  try {
    SQLite::Database& db = db_.durable_connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(db,
                        "UPDATE broker_accounts SET trading_state = ?, state_reason = ?, "
                        "state_changed_at = ? WHERE id = ?");
    q.bind(1, std::string(to_string(state)));
    q.bind(2, reason);
    q.bind(3, now);
    q.bind(4, account_.value());
    q.exec();
    SQLite::Statement j(db,
                        "INSERT INTO journal(ts, account_id, kind, from_state, to_state, source, "
                        "detail) VALUES(?, ?, 'account_state', ?, ?, ?, ?)");
    j.bind(1, now);
    j.bind(2, account_.value());
    j.bind(3, std::string(to_string(trading_state_)));
    j.bind(4, std::string(to_string(state)));
    j.bind(5, std::string(actor));
    j.bind(6, json{{"reason", reason}}.dump());
    j.exec();
    tx.commit();
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot change the account's trading state: ") + e.what());
  }
  trading_state_ = state;
  state_reason_ = reason;
  broker_halted_ = state == TradingState::kHalted && is_broker_block(reason);
  if (events_) {
    events_("live.account", json{{"id", account_.value()},
                                 {"trading_state", to_string(state)},
                                 {"reason", reason},
                                 {"actor", actor}});
  }
  return {};
}

std::optional<ReconReport> OrderDesk::follow_broker_locked() {
  const std::string blocked = broker_.blocked_reason();
  if (!blocked.empty()) {
    if (trading_state_ != TradingState::kHalted) {
      spdlog::warn("account {} halted: the broker cannot take orders ({})", account_.value(),
                   blocked);
      (void)set_trading_state_locked(TradingState::kHalted, blocked, "broker");
    }
    return std::nullopt;
  }
  // Only a halt the broker caused is lifted here; the operator's and the journal's stay.
  if (trading_state_ != TradingState::kHalted || !is_broker_block(state_reason_)) {
    return std::nullopt;
  }
  auto report = reconcile_locked(ReconKind::kResume);
  if (!report.ok()) {
    spdlog::error("account {}: {}", account_.value(), report.status().message());
    return std::nullopt;
  }
  if (report->result == "ok") {
    spdlog::info(
        "account {}: the broker takes orders again and the reconciliation is clean; "
        "trading resumes",
        account_.value());
    (void)set_trading_state_locked(TradingState::kActive, "", "reconciliation");
  }
  return std::move(report).value();
}

Result<OrderDesk::SessionInfo> OrderDesk::session_info(domain::SessionId id) {
  if (auto it = sessions_.find(id.value()); it != sessions_.end()) return it->second;
  auto s = store_.get(id);
  if (!s.ok()) return s.status();
  SessionInfo info{s->settings.costs, s->market};
  sessions_[id.value()] = info;
  return info;
}

void OrderDesk::halt_session(domain::SessionId id, const std::string& reason) {
  auto s = store_.get(id);
  if (!s.ok() || is_terminal(s->state) || s->state == SessionState::kHalted) return;
  const SessionState was = s->state;
  if (Status st = store_.set_state(id, SessionState::kHalted, reason, "risk", clock_.now());
      !st.ok()) {
    spdlog::error("session {}: cannot halt it: {}", id.value(), st.message());
    return;
  }
  spdlog::warn("session {} halted: {}", id.value(), reason);
  if (events_) {
    events_(
        "live.session",
        json{{"id", id.value()}, {"state", "halted"}, {"was", to_string(was)}, {"reason", reason}});
  }
}

void OrderDesk::halt_account_locked(const std::string& reason) {
  spdlog::error("account {} halted: {}", account_.value(), reason);
  trading_state_ = TradingState::kHalted;
  state_reason_ = reason;
  broker_halted_ = false;
  try {
    // Persisted when the database still takes it; in memory either way (nothing is sent).
    SQLite::Statement q(db_.durable_connection(),
                        "UPDATE broker_accounts SET trading_state = 'halted', state_reason = ?, "
                        "state_changed_at = ? WHERE id = ?");
    q.bind(1, reason);
    q.bind(2, clock_.now());
    q.bind(3, account_.value());
    q.exec();
  } catch (const std::exception& e) {
    spdlog::error("account {}: the halt is not persisted: {}", account_.value(), e.what());
  }
  if (events_) {
    events_("live.account",
            json{{"id", account_.value()}, {"trading_state", "halted"}, {"reason", reason}});
  }
}

void OrderDesk::publish_order(domain::OrderId id) {
  if (!events_) return;
  auto o = journal_.get(id);
  if (!o.ok()) return;
  // The journal's newest transition says what just happened (a notification reports only that).
  auto entry = journal_.last_transition(id);
  json data{{"id", id.value()},
            {"account_id", account_.value()},
            {"session_id", o->session ? json(o->session->value()) : json(nullptr)},
            {"symbol", o->request.symbol.str()},
            {"side", domain::to_string(o->request.side)},
            {"type", to_string(o->request.type)},
            {"quantity", o->request.quantity},
            {"limit_price", o->request.limit_price},
            {"reason", o->external ? std::string_view("external") : domain::to_string(o->reason)},
            {"state", to_string(o->state)},
            {"was", nullptr},
            {"source", nullptr},
            {"filled_qty", o->filled_qty},
            {"avg_price", o->filled_qty > 0 ? json(static_cast<double>(o->filled_amount) /
                                                   static_cast<double>(o->filled_qty))
                                            : json(nullptr)},
            {"reject_code", o->reject_code.empty() ? json(nullptr) : json(o->reject_code)},
            {"reject_message", o->reject_message.empty() ? json(nullptr) : json(o->reject_message)},
            {"detail", json::object()}};
  if (entry.ok() && *entry) {
    const JournalEntry& e = **entry;
    if (!e.from_state.empty()) data["was"] = e.from_state;
    data["source"] = e.source;
    data["detail"] = e.detail;
  }
  events_("live.order", data);
}

Status OrderDesk::deny_no_cash(const PlannedOrder& order) {
  std::lock_guard lock(mu_);
  auto id =
      journal_.deny(order, "INSUFFICIENT_CASH",
                    "the session's cash does not pay for one share with commission", clock_.now());
  if (!id.ok()) return id.status();
  publish_order(*id);
  return {};
}

PlaceResult OrderDesk::place(const PlannedOrder& order, RiskContext risk,
                             const execution::CostSettings& costs) {
  std::lock_guard lock(mu_);
  PlaceResult out;
  if (auto resumed = follow_broker_locked();
      resumed && resumed->result == "ok" && !resumed->detail["orders"].empty()) {
    // The resume's reconciliation moved this account's orders: the session plans again on its
    // updated ledger rather than send what it planned before.
    out.detail = "the account resumed after a reconciliation that settled orders; planned again";
    return out;
  }
  const TimestampMs now = clock_.now();
  const OrderRequest& req = order.request;
  if (order.session) sessions_[order.session->value()] = SessionInfo{costs, req.market};

  auto frozen = journal_.symbol_frozen(account_, req.symbol);
  if (!frozen.ok()) {
    halt_account_locked("the order journal cannot be read: " + frozen.status().message());
    out.detail = frozen.status().message();
    return out;
  }
  if (*frozen) {
    out.detail = "another order of " + req.symbol.str() + " is not resolved yet";
    return out;  // kDeferred: nothing is sent while an order of the symbol is unresolved (I2)
  }
  risk.account_state = trading_state_;
  if (order.session) {
    const TimestampMs ref_time = req.bar_ts != 0 ? req.bar_ts : now;
    // By the daemon's clock minute (RiskLimits::max_orders_per_min), not a sliding 60 s: a
    // cycle a minute would otherwise see the previous cycle's order.
    auto last_min = journal_.count_orders(*order.session, now - now % kMsPerMinute, std::nullopt);
    auto today = journal_.count_orders(*order.session, seoul_day_start(ref_time), req.symbol);
    if (!last_min.ok() || !today.ok()) {
      out.detail = "cannot read the session's order counts";
      return out;
    }
    risk.orders_last_minute = *last_min;
    risk.orders_symbol_today = *today;
    try {
      SQLite::Statement q(db_.durable_connection(),
                          "SELECT 1 FROM orders WHERE session_id = ? AND symbol = ? AND side = ? "
                          "AND quantity = ? AND reason = ? AND state NOT IN ('not_placed') AND "
                          "(CASE WHEN ? <> 0 THEN bar_ts = ? ELSE created_at >= ? END) LIMIT 1");
      q.bind(1, order.session->value());
      q.bind(2, req.symbol.str());
      q.bind(3, std::string(domain::to_string(req.side)));
      q.bind(4, req.quantity);
      q.bind(5, std::string(domain::to_string(order.reason)));
      q.bind(6, req.bar_ts);
      q.bind(7, req.bar_ts);
      q.bind(8, now - now % kMsPerMinute);
      risk.duplicate = q.executeStep();
    } catch (const std::exception& e) {
      out.detail = std::string("cannot check for a duplicate order: ") + e.what();
      return out;
    }
  }
  const RiskDecision decision = check_order(order, risk);
  if (decision.verdict == RiskVerdict::kDefer) {
    out.detail = decision.check + ": " + decision.detail;
    return out;
  }
  if (decision.verdict == RiskVerdict::kDeny) {
    auto id = journal_.deny(order, decision.check, decision.detail, now);
    out.outcome = PlaceOutcome::kRefused;
    out.detail = decision.check + ": " + decision.detail;
    if (id.ok()) {
      out.order = *id;
      publish_order(*id);
    }
    return out;
  }

  auto id = journal_.begin(order, now);
  if (!id.ok()) {
    // I1: nothing is sent without a committed row; a journal that cannot be written halts all.
    spdlog::error("account {}: the order journal cannot be written ({}); the account is halted",
                  account_.value(), id.status().message());
    trading_state_ = TradingState::kHalted;
    out.detail = "the order journal cannot be written: " + id.status().message();
    state_reason_ = out.detail;
    broker_halted_ = false;
    if (events_) {
      events_("live.account",
              json{{"id", account_.value()}, {"trading_state", "halted"}, {"reason", out.detail}});
    }
    return out;
  }
  out.order = *id;
  if (crash_) crash_("after_journal_commit");
  OrderRequest send = req;
  send.client_id = *id;
  SendResult sent = broker_.submit(send);
  for (int attempt = 1;
       attempt < 2 && (sent.outcome == SendOutcome::kNotSent ||
                       (sent.outcome == SendOutcome::kRejected && sent.resend_allowed));
       ++attempt) {
    if (Status st = journal_.record_send(*id, sent, now); !st.ok()) break;
    sent = broker_.submit(send);  // the same row, once more (LIVE.md §4.2)
  }
  if (crash_) crash_("after_send");
  (void)follow_broker_locked();  // a send refused for a dead token halts the account now
  // An order the broker filled as it took it (the paper broker): its acknowledgement and its
  // fill are committed together, one durable commit fewer per order.
  if (sent.outcome == SendOutcome::kAccepted && sent.ref) {
    auto rows = broker_.orders({seoul_date(now), req.symbol, req.side, false});
    const BrokerOrder* snap = nullptr;
    if (rows.ok()) {
      for (const BrokerOrder& b : *rows) {
        if (b.ref.order_no == sent.ref->order_no) snap = &b;
      }
    }
    if (snap != nullptr && snap->filled_qty > 0 && snap->filled_qty <= req.quantity) {
      const execution::CostModel model(costs);
      auto applied =
          journal_.record_send_and_apply(*id, sent, *snap, model, req.market, clock_.now());
      if (applied.ok()) {
        if (crash_) crash_("after_ack_commit");
        if (*applied) {
          out.fills.push_back(**applied);
          publish_fill(**applied);
        }
        auto recorded = journal_.get(*id);
        if (!recorded.ok()) {
          out.outcome = PlaceOutcome::kUnresolved;
          out.detail = recorded.status().message();
          return out;
        }
        PlaceResult r = classify_locked(*recorded, *snap);
        r.fills = std::move(out.fills);
        return r;
      }
      // The fill does not fit the ledger (or cannot be written): record the send alone, so the
      // order is known to be out, and let the reconciliation report the rest.
      spdlog::error("order {}: {}", id->value(), applied.status().message());
    }
  }
  if (Status st = journal_.record_send(*id, sent, clock_.now()); !st.ok()) {
    // The order may be out and its outcome is not recorded: the row stays pending_submit, which
    // freezes the symbol; the next start resolves it as unknown.
    halt_account_locked("order " + std::to_string(id->value()) +
                        ": the send's outcome cannot be recorded: " + st.message());
    out.outcome = PlaceOutcome::kUnresolved;
    out.detail = st.message();
    return out;
  }
  if (crash_) crash_("after_ack_commit");
  publish_order(*id);

  auto recorded = journal_.get(*id);
  if (!recorded.ok()) {
    out.outcome = PlaceOutcome::kUnresolved;
    out.detail = recorded.status().message();
    return out;
  }
  switch (recorded->state) {
    case OrderState::kAccepted: {
      auto rows = broker_.orders({seoul_date(now), req.symbol, req.side, false});
      if (!rows.ok()) {
        out.outcome = PlaceOutcome::kOpen;
        out.detail =
            "accepted; fills are read at the next reconciliation (" + rows.status().message() + ")";
        return out;
      }
      for (const BrokerOrder& b : *rows) {
        if (recorded->ref && b.ref.order_no == recorded->ref->order_no) {
          PlaceResult r = apply_snapshot_locked(*recorded, b);
          r.order = *id;
          return r;
        }
      }
      out.outcome = PlaceOutcome::kOpen;
      out.detail = "accepted; not in the broker's order book yet";
      return out;
    }
    case OrderState::kRejected: {
      out.outcome = PlaceOutcome::kRefused;
      out.detail = sent.code + ": " + sent.message;
      if (order.session) {
        auto in_row = journal_.rejects_in_row(*order.session);
        if (in_row.ok() && *in_row >= risk.limits.max_rejects_in_row) {
          halt_session(*order.session, std::to_string(*in_row) +
                                           " broker rejections in a row (last: " + sent.code + " " +
                                           sent.message + ")");
        }
      }
      return out;
    }
    case OrderState::kPendingSubmit: {
      // Proven not sent (twice): never placed.
      (void)journal_.mark_not_placed(*id, "not sent: " + sent.code + " " + sent.message, "broker",
                                     clock_.now());
      publish_order(*id);
      out.outcome = PlaceOutcome::kNotPlaced;
      out.detail = sent.message;
      return out;
    }
    default: {
      PlaceResult r = resolve_locked(*recorded, 2);
      r.order = *id;
      return r;
    }
  }
}

PlaceResult OrderDesk::apply_snapshot_locked(const JournalOrder& order, const BrokerOrder& snap) {
  PlaceResult out;
  out.order = order.id;
  const TimestampMs now = clock_.now();
  if (snap.filled_qty > order.filled_qty) {
    SessionInfo info;
    if (order.session) {
      auto si = session_info(*order.session);
      if (!si.ok()) {
        out.outcome = PlaceOutcome::kUnresolved;
        out.detail = si.status().message();
        return out;
      }
      info = *si;
    }
    const execution::CostModel costs(info.costs);
    auto applied =
        journal_.apply_cumulative(order.id, snap, costs, info.market, FillSource::kBroker, now);
    if (!applied.ok()) {
      out.outcome = PlaceOutcome::kUnresolved;
      out.detail = applied.status().message();
      spdlog::error("order {}: {}", order.id.value(), out.detail);
      if (order.session)
        halt_session(*order.session, "a fill does not fit the ledger: " + out.detail);
      return out;
    }
    if (*applied) {
      out.fills.push_back(**applied);
      publish_fill(**applied);
    }
  }
  PlaceResult r = classify_locked(order, snap);
  r.fills = std::move(out.fills);
  return r;
}

PlaceResult OrderDesk::classify_locked(const JournalOrder& order, const BrokerOrder& snap) {
  PlaceResult out;
  out.order = order.id;
  if (snap.filled_qty >= order.request.quantity) {
    out.outcome = PlaceOutcome::kFilled;
  } else if (snap.remaining_qty > 0) {
    out.outcome = PlaceOutcome::kOpen;
  } else {
    // Nothing more will fill: the remainder was cancelled (or rejected by the exchange).
    (void)journal_.finish(order.id, OrderState::kCancelled,
                          order.request.quantity - snap.filled_qty, "broker", clock_.now());
    out.outcome = snap.filled_qty > 0 ? PlaceOutcome::kFilled : PlaceOutcome::kRefused;
  }
  publish_order(order.id);
  return out;
}

void OrderDesk::publish_fill(const FillApplied& f) {
  if (!events_) return;
  events_("live.fill", json{{"order_id", f.order.value()},
                            {"session_id", f.session ? json(f.session->value()) : json(nullptr)},
                            {"symbol", f.symbol.str()},
                            {"side", domain::to_string(f.side)},
                            {"quantity", f.quantity},
                            {"price", f.price},
                            {"ts", f.fill_ts}});
}

PlaceResult OrderDesk::resolve_locked(const JournalOrder& order, int attempts) {
  PlaceResult out;
  out.order = order.id;
  out.outcome = PlaceOutcome::kUnresolved;
  if (order.state == OrderState::kNeedsAttention) {
    out.detail = "waiting for the operator: several broker orders match";
    return out;
  }
  const TimestampMs sent_at = order.sent_at.value_or(order.created_at);
  const int settle_s = std::max(options_.unknown_settle_s, broker_.caps().order_book_lag_s);
  for (int i = 0; i < attempts; ++i) {
    const TimestampMs now = clock_.now();
    auto candidates = candidates_locked(order);
    if (!candidates.ok()) {
      out.detail = candidates.status().message();
      out.read_failed = true;
      return out;  // I4: a failed read proves nothing
    }
    if (candidates->size() == 1) {
      const BrokerOrder& found = candidates->front();
      if (Status st = journal_.bind(order.id, found, "the one unclaimed matching broker order",
                                    "reconcile", now);
          !st.ok()) {
        out.detail = st.message();
        return out;
      }
      auto bound_order = journal_.get(order.id);
      if (!bound_order.ok()) {
        out.detail = bound_order.status().message();
        return out;
      }
      return apply_snapshot_locked(*bound_order, found);
    }
    if (candidates->size() > 1) {
      json list = json::array();
      for (const BrokerOrder& b : *candidates) list.push_back(broker_order_json(b));
      (void)journal_.mark_needs_attention(
          order.id, std::to_string(candidates->size()) + " unclaimed broker orders match", list,
          now);
      publish_order(order.id);
      out.detail = "several broker orders match; the operator decides";
      return out;
    }
    auto checks = journal_.count_empty_check(order.id, now);
    if (!checks.ok()) {
      out.detail = checks.status().message();
      return out;
    }
    if (*checks >= 2 && now - sent_at >= settle_s * kMsPerSecond) {
      if (Status st = journal_.mark_not_placed(
              order.id,
              std::to_string(*checks) + " complete reads of the broker's order book without it, " +
                  std::to_string((now - sent_at) / kMsPerSecond) + " s after sending",
              "reconcile", now);
          !st.ok()) {
        out.detail = st.message();
        return out;
      }
      publish_order(order.id);
      out.outcome = PlaceOutcome::kNotPlaced;
      return out;
    }
  }
  out.detail = "not in the broker's order book yet";
  return out;
}

Result<std::vector<BrokerOrder>> OrderDesk::candidates_locked(const JournalOrder& order) {
  const TimestampMs sent_at = order.sent_at.value_or(order.created_at);
  auto rows =
      broker_.orders({seoul_date(sent_at), order.request.symbol, order.request.side, false});
  if (!rows.ok()) {
    return Status::unavailable("the broker's order book could not be read: " +
                               rows.status().message());
  }
  auto bound = journal_.bound_order_numbers(account_, seoul_date(sent_at));
  if (!bound.ok()) return bound.status();
  std::vector<BrokerOrder> out;
  for (BrokerOrder& b : *rows) {
    if (!b.original_order_no.empty() || bound->count(b.ref.order_no) > 0) continue;
    if (b.symbol != order.request.symbol || b.side != order.request.side ||
        b.quantity != order.request.quantity || b.type != order.request.type) {
      continue;
    }
    if (order.request.type == OrderType::kLimit && b.limit_price != order.request.limit_price) {
      continue;
    }
    if (b.order_ts != 0 && b.order_ts < sent_at - options_.clock_skew_s * kMsPerSecond) continue;
    out.push_back(std::move(b));
  }
  return out;
}

Result<PlaceResult> OrderDesk::answer(domain::OrderId id, const OperatorAnswer& answer) {
  std::lock_guard lock(mu_);
  auto order = journal_.get(id);
  if (!order.ok()) return order.status();
  if (order->account != account_) {
    return Status::not_found("order " + std::to_string(id.value()) + " is not of account " +
                             std::to_string(account_.value()));
  }
  if (order->state != OrderState::kNeedsAttention) {
    return Status::failed_precondition(
        "order " + std::to_string(id.value()) + " is " + std::string(to_string(order->state)) +
        "; only an order that needs attention takes the operator's answer");
  }
  const TimestampMs now = clock_.now();
  const std::string said = answer.note.empty() ? "" : " (\"" + answer.note + "\")";
  PlaceResult out;
  out.order = id;
  if (!answer.bind_to) {
    // The operator's word is the evidence: the target stands and is planned again.
    if (Status st = journal_.mark_not_placed(id, "the operator says it was never placed" + said,
                                             "operator", now);
        !st.ok()) {
      return st;
    }
    publish_order(id);
    out.outcome = PlaceOutcome::kNotPlaced;
    return out;
  }
  auto candidates = candidates_locked(*order);
  if (!candidates.ok()) return candidates.status();
  const auto it = std::find_if(candidates->begin(), candidates->end(), [&](const BrokerOrder& b) {
    return b.ref.order_no == *answer.bind_to;
  });
  if (it == candidates->end()) {
    return Status::failed_precondition("broker order " + *answer.bind_to + " is not an unclaimed " +
                                       std::string(domain::to_string(order->request.side)) +
                                       " order of " + std::to_string(order->request.quantity) +
                                       " " + order->request.symbol.str() +
                                       " in the broker's order book now; " +
                                       std::to_string(candidates->size()) + " candidate(s) are");
  }
  if (Status st = journal_.bind(id, *it,
                                "the operator chose broker order " + *answer.bind_to + " of " +
                                    std::to_string(candidates->size()) + " candidates" + said,
                                "operator", now);
      !st.ok()) {
    return st;
  }
  auto bound = journal_.get(id);
  if (!bound.ok()) return bound.status();
  return apply_snapshot_locked(*bound, *it);
}

std::vector<domain::Symbol> OrderDesk::refresh(const std::vector<domain::Symbol>& symbols) {
  std::lock_guard lock(mu_);
  std::vector<domain::Symbol> resolved;
  auto open = journal_.open_orders(account_);
  if (!open.ok()) return resolved;
  const bool poll = broker_.caps().poll_open_orders;
  std::map<std::string, std::vector<BrokerOrder>> books;  // read once per symbol
  for (const JournalOrder& o : *open) {
    const domain::Symbol& symbol = o.request.symbol;
    if (!symbols.empty() && std::find(symbols.begin(), symbols.end(), symbol) == symbols.end()) {
      continue;
    }
    PlaceResult r;
    if (o.state == OrderState::kUnknown) {
      r = resolve_locked(o, 1);
    } else if (poll && o.ref &&
               (o.state == OrderState::kAccepted || o.state == OrderState::kPartiallyFilled ||
                o.state == OrderState::kCancelPending)) {
      auto book = books.find(symbol.str());
      if (book == books.end()) {
        auto rows = broker_.orders({o.ref->date, symbol, std::nullopt, false});
        if (!rows.ok()) {
          spdlog::warn("account {}: the open orders of {} cannot be read now: {}", account_.value(),
                       symbol.str(), rows.status().message());
          continue;
        }
        book = books.emplace(symbol.str(), std::move(rows).value()).first;
      }
      auto it = std::find_if(book->second.begin(), book->second.end(), [&](const BrokerOrder& b) {
        return b.ref.order_no == o.ref->order_no;
      });
      if (it == book->second.end()) continue;  // the reconciliation reports a missing order
      r = apply_snapshot_locked(o, *it);
    } else {
      continue;
    }
    if (r.outcome != PlaceOutcome::kUnresolved && r.outcome != PlaceOutcome::kOpen) {
      resolved.push_back(symbol);
    }
  }
  return resolved;
}

Result<AccountView> OrderDesk::broker_account() {
  std::lock_guard lock(mu_);
  return broker_.account();
}

Result<ReconReport> OrderDesk::reconcile(ReconKind kind) {
  std::lock_guard lock(mu_);
  if (auto resumed = follow_broker_locked()) return *resumed;
  if (const std::string blocked = broker_.blocked_reason(); !blocked.empty()) {
    ReconReport report;  // nothing can be read now; the account is halted for it
    report.result = "incomplete";
    report.detail["blocked"] = blocked;
    return report;
  }
  return reconcile_locked(kind);
}

Result<ReconReport> OrderDesk::reconcile_locked(ReconKind kind) {
  const TimestampMs now = clock_.now();
  ReconReport report;
  json orders_detail = json::array();
  bool incomplete = false;
  auto open = journal_.open_orders(account_);
  if (!open.ok()) return open.status();
  for (JournalOrder o : *open) {
    if (o.state == OrderState::kPendingSubmit) {
      if (Status st = journal_.mark_unknown_after_restart(o.id, now); !st.ok()) return st;
      o.state = OrderState::kUnknown;
    }
    if (o.state == OrderState::kUnknown) {
      const PlaceResult r = resolve_locked(o, 2);
      // Several candidates is an answer too (the operator's to give), not a read that failed.
      auto now_state = journal_.get(o.id);
      const bool attention = now_state.ok() && now_state->state == OrderState::kNeedsAttention;
      orders_detail.push_back({{"order", o.id.value()},
                               {"was", "unknown"},
                               {"outcome", r.outcome == PlaceOutcome::kNotPlaced ? "not_placed"
                                           : attention                           ? "needs_attention"
                                           : r.read_failed                       ? "unresolved"
                                           : r.outcome == PlaceOutcome::kUnresolved ? "settling"
                                                                                    : "bound"},
                               {"detail", r.detail}});
      // An order still inside its settle window is not a failed read: its symbol stays frozen
      // and the sessions' cycles resolve it (OrderDesk::refresh); the account trades on.
      if (r.outcome == PlaceOutcome::kUnresolved && r.read_failed) incomplete = true;
      continue;
    }
    if (o.state == OrderState::kNeedsAttention) {
      orders_detail.push_back(
          {{"order", o.id.value()}, {"was", "needs_attention"}, {"outcome", "waiting"}});
      continue;
    }
    if (!o.ref) continue;
    auto rows = broker_.orders({o.ref->date, o.request.symbol, o.request.side, false});
    if (!rows.ok()) {
      incomplete = true;
      orders_detail.push_back({{"order", o.id.value()}, {"error", rows.status().message()}});
      continue;
    }
    bool found = false;
    for (const BrokerOrder& b : *rows) {
      if (b.ref.order_no != o.ref->order_no) continue;
      found = true;
      const PlaceResult r = apply_snapshot_locked(o, b);
      orders_detail.push_back(
          {{"order", o.id.value()}, {"was", to_string(o.state)}, {"fills", r.fills.size()}});
    }
    if (!found) {
      incomplete = true;
      orders_detail.push_back({{"order", o.id.value()},
                               {"error", "accepted order " + o.ref->order_no +
                                             " is missing from the broker's order book"}});
    }
  }
  report.detail["orders"] = orders_detail;
  if (crash_) crash_("mid_reconcile");

  // Holdings: the broker's against Σ session positions + the baseline (LIVE.md §8).
  auto view = broker_.account();
  if (!view.ok()) {
    incomplete = true;
    report.detail["holdings_error"] = view.status().message();
  } else {
    std::map<std::string, std::int64_t> broker_qty;
    for (const Holding& h : view->holdings) broker_qty[h.symbol.str()] += h.quantity;
    auto ledger = load_ledger_holdings(db_, account_);
    if (!ledger.ok()) return ledger.status();
    std::map<std::string, LedgerHolding>& own = *ledger;
    std::map<std::string, bool> symbols;
    for (const auto& [s, q] : broker_qty) symbols[s] = true;
    for (const auto& [s, h] : own) symbols[s] = true;
    json mismatches = json::array();
    for (const auto& [symbol, unused] : symbols) {
      const std::int64_t held = broker_qty[symbol];
      const LedgerHolding& l = own[symbol];
      const std::int64_t expected = l.session_total + l.baseline;
      if (held == expected) continue;
      const auto& who = l.traders;
      const std::string why = "reconciliation mismatch on " + symbol + ": the broker holds " +
                              std::to_string(held) + ", the sessions " +
                              std::to_string(l.session_total) + " and the baseline " +
                              std::to_string(l.baseline);
      if (who.empty()) {
        // Nobody trades it: the baseline takes the broker's quantity, with a note.
        try {
          SQLite::Statement u(db_.durable_connection(),
                              "INSERT INTO account_baseline(account_id, symbol, quantity, note, "
                              "updated_at) VALUES(?, ?, ?, ?, ?) ON CONFLICT(account_id, symbol) "
                              "DO UPDATE SET quantity = excluded.quantity, note = excluded.note, "
                              "updated_at = excluded.updated_at");
          u.bind(1, account_.value());
          u.bind(2, symbol);
          u.bind(3, held - l.session_total);
          u.bind(4, "set by reconciliation: " + why);
          u.bind(5, now);
          u.exec();
        } catch (const std::exception& e) {
          return Status::internal(std::string("cannot update the baseline: ") + e.what());
        }
        mismatches.push_back({{"symbol", symbol},
                              {"broker", held},
                              {"sessions", l.session_total},
                              {"baseline", l.baseline},
                              {"action", "baseline updated (no session trades it)"}});
        continue;
      }
      for (std::int64_t sid : who) {
        halt_session(domain::SessionId(sid), why);
        report.halted.emplace_back(sid);
      }
      mismatches.push_back({{"symbol", symbol},
                            {"broker", held},
                            {"sessions", l.session_total},
                            {"baseline", l.baseline},
                            {"action", "sessions halted"},
                            {"halted", who}});
    }
    report.detail["holdings"] = mismatches;
    report.detail["cash"] = view->cash;
    if (!report.halted.empty()) report.result = "mismatch";
  }
  if (incomplete) report.result = "incomplete";
  const char* kind_name = kind == ReconKind::kStartup    ? "startup"
                          : kind == ReconKind::kPeriodic ? "periodic"
                          : kind == ReconKind::kResume   ? "resume"
                                                         : "cycle";
  try {
    SQLite::Statement q(db_.durable_connection(),
                        "INSERT INTO reconciliations(account_id, ts, kind, result, report) "
                        "VALUES(?, ?, ?, ?, ?)");
    q.bind(1, account_.value());
    q.bind(2, now);
    q.bind(3, kind_name);
    q.bind(4, report.result);
    q.bind(5, report.detail.dump(-1, ' ', false, json::error_handler_t::replace));
    q.exec();
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot record the reconciliation: ") + e.what());
  }
  if (report.result != "ok") {
    spdlog::warn("account {}: {} reconciliation {}", account_.value(), kind_name, report.result);
  }
  if (events_) {
    events_("live.reconciliation",
            json{{"account_id", account_.value()}, {"kind", kind_name}, {"result", report.result}});
  }
  return report;
}

}  // namespace quantd::live
