#include "quantd/live/session_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <cmath>

namespace quantd::live {
namespace {

using nlohmann::json;

constexpr const char* kColumns =
    "id, strategy_id, strategy_version, strategy_name, script, params, symbols, interval, market, "
    "account_id, capital, cash, settings, state, state_reason, warmup_from_ts, trade_from_ts, "
    "last_bar_ts, data_note, created_at, updated_at, stopped_at";

std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

void bind_opt(SQLite::Statement& q, int i, const std::optional<std::int64_t>& v) {
  if (v) {
    q.bind(i, *v);
  } else {
    q.bind(i);
  }
}

SessionRecord read_session(SQLite::Statement& q) {
  SessionRecord r;
  r.id = domain::SessionId(q.getColumn(0).getInt64());
  if (auto s = opt_int(q.getColumn(1))) r.strategy_id = domain::StrategyId(*s);
  r.strategy_version = q.getColumn(2).getInt64();
  r.strategy_name = q.getColumn(3).getString();
  r.script = q.getColumn(4).getString();
  const json params = json::parse(q.getColumn(5).getString());  // outlives the loop
  for (const auto& [k, v] : params.items()) {
    if (v.is_number()) r.params[k] = v.get<double>();
  }
  for (const auto& s : json::parse(q.getColumn(6).getString())) {
    r.symbols.emplace_back(s.get<std::string>());
  }
  r.interval = domain::parse_interval(q.getColumn(7).getString()).value_or(domain::Interval::k1m);
  r.market = domain::parse_market(q.getColumn(8).getString()).value_or(domain::Market::kKospi);
  r.account_id = domain::AccountId(q.getColumn(9).getInt64());
  r.capital = q.getColumn(10).getInt64();
  r.cash = q.getColumn(11).getInt64();
  auto settings = session_settings_from_json(json::parse(q.getColumn(12).getString()));
  if (!settings.ok()) throw std::runtime_error(settings.status().message());
  r.settings = *settings;
  r.state = parse_session_state(q.getColumn(13).getString()).value_or(SessionState::kFailed);
  r.state_reason = q.getColumn(14).isNull() ? "" : q.getColumn(14).getString();
  r.warmup_from = opt_int(q.getColumn(15));
  r.trade_from = opt_int(q.getColumn(16));
  r.last_bar = opt_int(q.getColumn(17));
  r.data_note = q.getColumn(18).isNull() ? "" : q.getColumn(18).getString();
  r.created_at = q.getColumn(19).getInt64();
  r.updated_at = q.getColumn(20).getInt64();
  r.stopped_at = opt_int(q.getColumn(21));
  return r;
}

Status internal(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

Status no_session(domain::SessionId id) {
  return Status::not_found("no live session with id " + std::to_string(id.value()));
}

void journal(storage::Database& store, SQLite::Database& db, TimestampMs now,
             std::optional<std::int64_t> account, domain::SessionId session, const char* kind,
             std::string_view from, std::string_view to, std::string_view source,
             const json& detail) {
  auto q = store.statement(db,
                           "INSERT INTO journal(ts, account_id, session_id, kind, from_state, "
                           "to_state, source, detail) VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  q->bind(1, now);
  bind_opt(*q, 2, account);
  q->bind(3, session.value());
  q->bind(4, kind);
  if (from.empty()) {
    q->bind(5);
  } else {
    q->bind(5, std::string(from));
  }
  q->bind(6, std::string(to));
  q->bind(7, std::string(source));
  q->bind(8, detail.dump());
  q->exec();
}

TargetRecord read_target(SQLite::Statement& q) {
  TargetRecord t;
  t.id = domain::TargetId(q.getColumn(0).getInt64());
  t.symbol = domain::Symbol(q.getColumn(1).getString());
  t.decided_ts = q.getColumn(2).getInt64();
  const std::string kind = q.getColumn(3).getString();
  t.intent.kind = kind == "percent" ? domain::TargetKind::kPercentOfEquity
                  : kind == "krw"   ? domain::TargetKind::kKrw
                                    : domain::TargetKind::kShares;
  t.intent.value = q.getColumn(4).getDouble();
  t.intent.exits = exits_from_json(json::parse(q.getColumn(5).getString()));
  const std::string status = q.getColumn(6).getString();
  t.status = status == "acting"       ? TargetStatus::kActing
             : status == "done"       ? TargetStatus::kDone
             : status == "superseded" ? TargetStatus::kSuperseded
             : status == "expired"    ? TargetStatus::kExpired
                                      : TargetStatus::kPending;
  return t;
}

}  // namespace

std::string_view to_string(TargetStatus s) {
  switch (s) {
    case TargetStatus::kPending:
      return "pending";
    case TargetStatus::kActing:
      return "acting";
    case TargetStatus::kDone:
      return "done";
    case TargetStatus::kSuperseded:
      return "superseded";
    case TargetStatus::kExpired:
      return "expired";
  }
  return "?";
}

std::string_view intent_kind_name(domain::TargetKind kind) {
  switch (kind) {
    case domain::TargetKind::kShares:
      return "shares";
    case domain::TargetKind::kPercentOfEquity:
      return "percent";
    case domain::TargetKind::kKrw:
      return "krw";
  }
  return "shares";
}

json exits_json(const domain::ProtectiveExits& e) {
  return json{{"stop_loss", e.stop_loss},
              {"take_profit", e.take_profit},
              {"trailing_stop", e.trailing_stop}};
}

domain::ProtectiveExits exits_from_json(const json& j) {
  domain::ProtectiveExits e;
  e.stop_loss = j.value("stop_loss", 0.0);
  e.take_profit = j.value("take_profit", 0.0);
  e.trailing_stop = j.value("trailing_stop", 0.0);
  return e;
}

json levels_json(const execution::ExitLevels& l) {
  return json{{"stop", l.stop},
              {"take", l.take},
              {"trail", l.trail},
              {"highest_close", l.highest_close},
              {"watching", l.watching}};
}

execution::ExitLevels levels_from_json(const json& j) {
  execution::ExitLevels l;
  l.stop = j.value("stop", 0.0);
  l.take = j.value("take", 0.0);
  l.trail = j.value("trail", 0.0);
  l.highest_close = j.value("highest_close", 0.0);
  l.watching = j.value("watching", false);
  return l;
}

json intent_json(const domain::Intent& i) {
  return json{
      {"kind", intent_kind_name(i.kind)}, {"value", i.value}, {"exits", exits_json(i.exits)}};
}

std::optional<domain::Intent> intent_from_json(const json& j) {
  if (!j.is_object() || !j.contains("kind")) return std::nullopt;
  domain::Intent i;
  const std::string kind = j.value("kind", std::string("shares"));
  i.kind = kind == "percent" ? domain::TargetKind::kPercentOfEquity
           : kind == "krw"   ? domain::TargetKind::kKrw
                             : domain::TargetKind::kShares;
  i.value = j.value("value", 0.0);
  i.exits = exits_from_json(j.value("exits", json::object()));
  return i;
}

Result<domain::SessionId> SessionStore::create(const SessionRecord& d, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    storage::WriteTransaction tx(db_, db);
    auto q =
        db_.statement(db,
                      "INSERT INTO live_sessions(strategy_id, strategy_version, strategy_name, "
                      "script, params, symbols, interval, market, account_id, capital, cash, "
                      "settings, state, state_reason, created_at, updated_at) "
                      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (d.strategy_id) {
      q->bind(1, d.strategy_id->value());
    } else {
      q->bind(1);
    }
    q->bind(2, d.strategy_version);
    q->bind(3, d.strategy_name);
    q->bind(4, d.script);
    json params = json::object();
    for (const auto& [k, v] : d.params) params[k] = v;
    q->bind(5, params.dump());
    json symbols = json::array();
    for (const auto& s : d.symbols) symbols.push_back(s.str());
    q->bind(6, symbols.dump());
    q->bind(7, std::string(domain::to_string(d.interval)));
    q->bind(8, std::string(domain::to_string(d.market)));
    q->bind(9, d.account_id.value());
    q->bind(10, d.capital);
    q->bind(11, d.capital);
    q->bind(12, to_json(d.settings).dump());
    q->bind(13, std::string(to_string(d.state)));
    q->bind(14, d.state_reason);
    q->bind(15, now);
    q->bind(16, now);
    try {
      q->exec();
    } catch (const SQLite::Exception& e) {
      if (e.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE) {
        return Status::already_exists("the strategy already has a running live session");
      }
      throw;
    }
    const domain::SessionId id(db.getLastInsertRowid());
    if (d.strategy_id) {
      auto a = db_.statement(db, "UPDATE strategies SET active = 1 WHERE id = ?");
      a->bind(1, d.strategy_id->value());
      a->exec();
    }
    journal(db_, db, now, d.account_id.value(), id, "session_state", "", to_string(d.state),
            "operator", json{{"capital", d.capital}, {"strategy_version", d.strategy_version}});
    tx.commit();
    return id;
  } catch (const std::exception& e) {
    return internal("cannot create the live session", e);
  }
}

Result<SessionRecord> SessionStore::get(domain::SessionId id) {
  try {
    auto q = db_.statement(db_.connection(),
                           std::string("SELECT ") + kColumns + " FROM live_sessions WHERE id = ?");
    q->bind(1, id.value());
    if (!q->executeStep()) return no_session(id);
    return read_session(*q);
  } catch (const std::exception& e) {
    return internal("cannot read live session", e);
  }
}

Result<std::pair<SessionState, std::string>> SessionStore::state(domain::SessionId id) {
  try {
    auto q = db_.statement("SELECT state, state_reason FROM live_sessions WHERE id = ?");
    q->bind(1, id.value());
    if (!q->executeStep()) return no_session(id);
    return std::make_pair(
        parse_session_state(q->getColumn(0).getString()).value_or(SessionState::kFailed),
        q->getColumn(1).isNull() ? std::string() : q->getColumn(1).getString());
  } catch (const std::exception& e) {
    return internal("cannot read live session", e);
  }
}

namespace {

// Not stopped or failed, and not on the replay account (whose label PaperBroker defines).
constexpr const char* kRunningOnDaemonClock =
    "state NOT IN ('stopped', 'failed') AND account_id NOT IN (SELECT id FROM broker_accounts "
    "WHERE broker = 'paper' AND environment = 'sim' AND label = 'replay')";

}  // namespace

Result<bool> SessionStore::is_replay(domain::SessionId id) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT a.label = 'replay' AND a.broker = 'paper' FROM live_sessions s "
                           "JOIN broker_accounts a ON a.id = s.account_id WHERE s.id = ?");
    q->bind(1, id.value());
    if (!q->executeStep()) {
      return Status::not_found("no live session with id " + std::to_string(id.value()));
    }
    return q->getColumn(0).getInt() != 0;
  } catch (const std::exception& e) {
    return internal("cannot read the live session", e);
  }
}

Result<std::vector<SessionRecord>> SessionStore::list(bool running_only) {
  try {
    std::string sql = std::string("SELECT ") + kColumns + " FROM live_sessions";
    if (running_only) sql += std::string(" WHERE ") + kRunningOnDaemonClock;
    sql += " ORDER BY id DESC";
    auto q = db_.statement(db_.connection(), sql);
    std::vector<SessionRecord> out;
    while (q->executeStep()) out.push_back(read_session(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list live sessions", e);
  }
}

Result<std::vector<std::int64_t>> SessionStore::running_ids() {
  try {
    auto q = db_.statement(db_.connection(), std::string("SELECT id FROM live_sessions WHERE ") +
                                                 kRunningOnDaemonClock + " ORDER BY id");
    std::vector<std::int64_t> out;
    while (q->executeStep()) out.push_back(q->getColumn(0).getInt64());
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list live sessions", e);
  }
}

Result<std::optional<domain::SessionId>> SessionStore::running_for_strategy(
    domain::StrategyId strategy) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT id FROM live_sessions WHERE strategy_id = ? AND state NOT IN "
                           "('stopped', 'failed')");
    q->bind(1, strategy.value());
    if (!q->executeStep()) return std::optional<domain::SessionId>();
    return std::optional<domain::SessionId>(domain::SessionId(q->getColumn(0).getInt64()));
  } catch (const std::exception& e) {
    return internal("cannot read live sessions", e);
  }
}

Status SessionStore::set_state(domain::SessionId id, SessionState state, const std::string& reason,
                               std::string_view source, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    storage::WriteTransaction tx(db_, db);
    auto cur =
        db_.statement(db, "SELECT state, account_id, strategy_id FROM live_sessions WHERE id = ?");
    cur->bind(1, id.value());
    if (!cur->executeStep()) return no_session(id);
    const std::string from = cur->getColumn(0).getString();
    const std::int64_t account = cur->getColumn(1).getInt64();
    const auto strategy = opt_int(cur->getColumn(2));
    cur->reset();
    auto q = db_.statement(db,
                           "UPDATE live_sessions SET state = ?, state_reason = ?, updated_at = ?, "
                           "stopped_at = CASE WHEN ? THEN ? ELSE stopped_at END WHERE id = ?");
    q->bind(1, std::string(to_string(state)));
    q->bind(2, reason);
    q->bind(3, now);
    q->bind(4, is_terminal(state) ? 1 : 0);
    q->bind(5, now);
    q->bind(6, id.value());
    q->exec();
    if (is_terminal(state) && strategy) {
      auto a = db_.statement(db, "UPDATE strategies SET active = 0 WHERE id = ?");
      a->bind(1, *strategy);
      a->exec();
    }
    if (state == SessionState::kStopped) {
      // Shares a stopped session still holds stay in the account: no session owns them now.
      auto b = db_.statement(db,
                             "INSERT INTO account_baseline(account_id, symbol, quantity, note, "
                             "updated_at) SELECT ?, symbol, quantity, ?, ? FROM positions WHERE "
                             "session_id = ? AND quantity > 0 ON CONFLICT(account_id, symbol) DO "
                             "UPDATE SET quantity = account_baseline.quantity + excluded.quantity, "
                             "note = excluded.note, updated_at = excluded.updated_at");
      b->bind(1, account);
      b->bind(2, "left by live session " + std::to_string(id.value()) + " when it stopped");
      b->bind(3, now);
      b->bind(4, id.value());
      b->exec();
    }
    journal(db_, db, now, account, id, "session_state", from, to_string(state), source,
            json{{"reason", reason}});
    tx.commit();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot change the live session's state", e);
  }
}

Status SessionStore::finish_warmup(domain::SessionId id, TimestampMs warmup_from,
                                   TimestampMs trade_from, std::optional<TimestampMs> last_bar,
                                   SessionState state, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    storage::WriteTransaction tx(db_, db);
    auto q = db_.statement(db,
                           "UPDATE live_sessions SET warmup_from_ts = ?, trade_from_ts = ?, "
                           "last_bar_ts = ?, updated_at = ? WHERE id = ?");
    q->bind(1, warmup_from);
    q->bind(2, trade_from);
    bind_opt(*q, 3, last_bar);
    q->bind(4, now);
    q->bind(5, id.value());
    if (q->exec() == 0) return no_session(id);
    tx.commit();
  } catch (const std::exception& e) {
    return internal("cannot record the warm-up", e);
  }
  return set_state(id, state, "", "session", now);
}

Status SessionStore::set_data_note(domain::SessionId id, const std::string& note, TimestampMs now) {
  try {
    auto q =
        db_.statement(db_.connection(),
                      "UPDATE live_sessions SET data_note = ?, updated_at = ? WHERE id = ? AND "
                      "coalesce(data_note, '') <> ?");
    if (note.empty()) {
      q->bind(1);
    } else {
      q->bind(1, note);
    }
    q->bind(2, now);
    q->bind(3, id.value());
    q->bind(4, note);
    q->exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot record the session's data note", e);
  }
}

Result<std::vector<domain::TargetId>> SessionStore::commit_bar(domain::SessionId id,
                                                               const BarCommit& c,
                                                               TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    storage::WriteTransaction tx(db_, db);
    std::vector<domain::TargetId> ids;
    for (const TargetRecord& t : c.targets) {
      auto sup = db_.statement(db,
                               "UPDATE live_targets SET status = 'superseded' WHERE session_id = ? "
                               "AND symbol = ? AND status = 'pending'");
      sup->bind(1, id.value());
      sup->bind(2, t.symbol.str());
      sup->exec();
      auto q =
          db_.statement(db,
                        "INSERT INTO live_targets(session_id, symbol, decided_ts, kind, value, "
                        "exits, status, created_at) VALUES(?, ?, ?, ?, ?, ?, 'pending', ?)");
      q->bind(1, id.value());
      q->bind(2, t.symbol.str());
      q->bind(3, t.decided_ts);
      q->bind(4, std::string(intent_kind_name(t.intent.kind)));
      q->bind(5, t.intent.value);
      q->bind(6, exits_json(t.intent.exits).dump());
      q->bind(7, now);
      q->exec();
      ids.emplace_back(db.getLastInsertRowid());
    }
    auto ev = db_.statement(db,
                            "INSERT OR REPLACE INTO live_evaluations(session_id, symbol, bar_ts, "
                            "close, position, entry_price, bars_held, cash, equity, target_id) "
                            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const EvaluationRecord& e : c.evaluations) {
      ev->bind(1, id.value());
      ev->bind(2, e.symbol.str());
      ev->bind(3, e.bar_ts);
      ev->bind(4, e.close);
      ev->bind(5, e.ctx.position);
      ev->bind(6, e.ctx.entry_price);
      ev->bind(7, e.ctx.bars_held);
      ev->bind(8, e.ctx.cash);
      ev->bind(9, e.ctx.equity);
      std::optional<std::int64_t> target;
      for (std::size_t k = 0; k < c.targets.size(); ++k) {
        if (c.targets[k].symbol == e.symbol) target = ids[k].value();
      }
      bind_opt(*ev, 10, target);
      ev->exec();
      ev->reset();
    }
    auto lv =
        db_.statement(db,
                      "UPDATE positions SET exit_levels = ?, highest_close = ?, updated_at = ? "
                      "WHERE session_id = ? AND symbol = ?");
    for (const auto& [symbol, levels] : c.levels) {
      lv->bind(1, levels_json(levels).dump());
      lv->bind(2, levels.highest_close);
      lv->bind(3, now);
      lv->bind(4, id.value());
      lv->bind(5, symbol.str());
      lv->exec();
      lv->reset();
    }
    if (c.equity) {
      auto eq = db_.statement(db,
                              "INSERT OR REPLACE INTO equity_snapshots(session_id, ts, cash, "
                              "positions_value, equity) VALUES(?, ?, ?, ?, ?)");
      eq->bind(1, id.value());
      eq->bind(2, c.equity->ts);
      eq->bind(3, c.equity->cash);
      eq->bind(4, c.equity->positions_value);
      eq->bind(5, c.equity->equity);
      eq->exec();
    }
    auto last =
        db_.statement(db, "UPDATE live_sessions SET last_bar_ts = ?, updated_at = ? WHERE id = ?");
    last->bind(1, c.ts);
    last->bind(2, now);
    last->bind(3, id.value());
    last->exec();
    tx.commit();
    return ids;
  } catch (const std::exception& e) {
    return internal("cannot record the session's bar", e);
  }
}

Result<std::vector<EvaluationRecord>> SessionStore::evaluations(domain::SessionId id,
                                                                TimestampMs from, TimestampMs to,
                                                                std::size_t limit) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT e.symbol, e.bar_ts, e.close, e.position, e.entry_price, "
                           "e.bars_held, e.cash, e.equity, e.target_id, t.kind, t.value, t.exits "
                           "FROM live_evaluations e LEFT JOIN live_targets t ON t.id = e.target_id "
                           "WHERE e.session_id = ? AND e.bar_ts BETWEEN ? AND ? "
                           "ORDER BY e.bar_ts, e.symbol");
    q->bind(1, id.value());
    q->bind(2, from);
    q->bind(3, to);
    std::vector<EvaluationRecord> out;
    while (q->executeStep() && out.size() < limit) {
      EvaluationRecord e;
      e.symbol = domain::Symbol(q->getColumn(0).getString());
      e.bar_ts = q->getColumn(1).getInt64();
      e.close = q->getColumn(2).getDouble();
      e.ctx.position = q->getColumn(3).getInt64();
      e.ctx.entry_price = q->getColumn(4).getDouble();
      e.ctx.bars_held = q->getColumn(5).getInt64();
      e.ctx.cash = q->getColumn(6).getInt64();
      e.ctx.equity = q->getColumn(7).getDouble();
      if (!q->getColumn(8).isNull()) {
        e.target = domain::TargetId(q->getColumn(8).getInt64());
        e.intent = intent_from_json(json{{"kind", q->getColumn(9).getString()},
                                         {"value", q->getColumn(10).getDouble()},
                                         {"exits", json::parse(q->getColumn(11).getString())}});
      }
      out.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read evaluations", e);
  }
}

Result<std::vector<TargetRecord>> SessionStore::targets(domain::SessionId id, TimestampMs from,
                                                        TimestampMs to) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT id, symbol, decided_ts, kind, value, exits, status FROM "
                           "live_targets WHERE session_id = ? AND decided_ts BETWEEN ? AND ? "
                           "ORDER BY decided_ts, id");
    q->bind(1, id.value());
    q->bind(2, from);
    q->bind(3, to);
    std::vector<TargetRecord> out;
    while (q->executeStep()) out.push_back(read_target(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read targets", e);
  }
}

Result<std::vector<TargetRecord>> SessionStore::open_targets(domain::SessionId id) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT id, symbol, decided_ts, kind, value, exits, status FROM "
                           "live_targets WHERE session_id = ? AND status IN ('pending', 'acting') "
                           "ORDER BY decided_ts, id");
    q->bind(1, id.value());
    std::vector<TargetRecord> out;
    while (q->executeStep()) out.push_back(read_target(*q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read targets", e);
  }
}

Status SessionStore::set_target_status(domain::TargetId id, TargetStatus status) {
  try {
    auto q = db_.statement(db_.connection(), "UPDATE live_targets SET status = ? WHERE id = ?");
    q->bind(1, std::string(to_string(status)));
    q->bind(2, id.value());
    q->exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot update a target", e);
  }
}

Result<std::pair<std::int64_t, std::vector<PositionRecord>>> SessionStore::ledger(
    domain::SessionId id, const std::vector<domain::Symbol>& symbols) {
  try {
    SQLite::Database& db = db_.connection();
    auto c = db_.statement(db, "SELECT cash FROM live_sessions WHERE id = ?");
    c->bind(1, id.value());
    if (!c->executeStep()) return no_session(id);
    const std::int64_t cash = c->getColumn(0).getInt64();
    std::vector<PositionRecord> out;
    auto q = db_.statement(db,
                           "SELECT quantity, avg_price, entry_ts, exits, exit_levels, in_force, "
                           "realized_pnl, updated_at FROM positions WHERE session_id = ? AND "
                           "symbol = ?");
    for (const domain::Symbol& s : symbols) {
      PositionRecord p;
      p.symbol = s;
      q->bind(1, id.value());
      q->bind(2, s.str());
      if (q->executeStep()) {
        p.position.quantity = q->getColumn(0).getInt64();
        p.position.entry_price = q->getColumn(1).getDouble();
        p.position.entry_ts = q->getColumn(2).getInt64();
        p.position.exits = exits_from_json(json::parse(q->getColumn(3).getString()));
        p.levels = levels_from_json(json::parse(q->getColumn(4).getString()));
        p.position.highest_close = p.levels.highest_close;
        if (!q->getColumn(5).isNull()) {
          p.in_force = intent_from_json(json::parse(q->getColumn(5).getString()));
        }
        p.realized_pnl = q->getColumn(6).getInt64();
        p.updated_at = q->getColumn(7).getInt64();
      }
      q->reset();
      out.push_back(std::move(p));
    }
    return std::make_pair(cash, std::move(out));
  } catch (const std::exception& e) {
    return internal("cannot read the session's ledger", e);
  }
}

Result<std::vector<EquityPoint>> SessionStore::equity(domain::SessionId id, TimestampMs from,
                                                      TimestampMs to) {
  try {
    auto q = db_.statement(db_.connection(),
                           "SELECT ts, cash, positions_value, equity FROM equity_snapshots WHERE "
                           "session_id = ? AND ts BETWEEN ? AND ? ORDER BY ts");
    q->bind(1, id.value());
    q->bind(2, from);
    q->bind(3, to);
    std::vector<EquityPoint> out;
    while (q->executeStep()) {
      out.push_back({q->getColumn(0).getInt64(), q->getColumn(1).getInt64(),
                     q->getColumn(2).getDouble(), q->getColumn(3).getDouble()});
    }
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read the equity curve", e);
  }
}

Result<double> SessionStore::equity_before(domain::SessionId id, TimestampMs ts, double otherwise) {
  try {
    auto q = db_.statement(
        "SELECT equity FROM equity_snapshots WHERE session_id = ? AND ts < ? ORDER BY ts DESC "
        "LIMIT 1");
    q->bind(1, id.value());
    q->bind(2, ts);
    return q->executeStep() ? q->getColumn(0).getDouble() : otherwise;
  } catch (const std::exception& e) {
    return internal("cannot read the equity curve", e);
  }
}

}  // namespace quantd::live
