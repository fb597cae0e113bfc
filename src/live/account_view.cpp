#include "quantd/live/account_view.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <set>

namespace quantd::live {

using nlohmann::json;

namespace {

std::string explain(const std::string& symbol, const LedgerHolding& r, std::int64_t broker,
                    bool broker_known) {
  if (!broker_known) return "the broker's holdings could not be read; quantd's side is shown";
  const std::int64_t diff = broker - r.session_total - r.baseline;
  if (diff == 0) return "the broker holds what the sessions and the baseline add up to";
  const std::string amount = std::to_string(diff > 0 ? diff : -diff) + " shares of " + symbol +
                             (diff > 0 ? " more" : " fewer");
  if (r.traders.empty()) {
    return "the broker holds " + amount +
           " than quantd knows of, and no session trades it: the next reconciliation moves the "
           "difference into the baseline (shares no session owns). Nothing to do unless you did "
           "not trade it yourself.";
  }
  std::string who;
  for (std::int64_t id : r.traders) who += (who.empty() ? "#" : ", #") + std::to_string(id);
  return "the broker holds " + amount + " than the sessions and the baseline, and session " + who +
         " trades it: the next reconciliation halts it. Look in the broker's order book for an "
         "order placed outside quantd; then deactivate the session (keep or flatten) and activate "
         "it again once the account is as you want it.";
}

}  // namespace

Result<std::map<std::string, LedgerHolding>> load_ledger_holdings(storage::Database& db,
                                                                  domain::AccountId account) {
  std::map<std::string, LedgerHolding> out;
  try {
    SQLite::Database& c = db.connection();
    SQLite::Statement p(c,
                        "SELECT p.symbol, s.id, s.strategy_name, p.quantity FROM positions p JOIN "
                        "live_sessions s ON s.id = p.session_id WHERE s.account_id = ? AND "
                        "s.state NOT IN ('stopped', 'failed') AND p.quantity <> 0 ORDER BY "
                        "p.symbol, s.id");
    p.bind(1, account.value());
    while (p.executeStep()) {
      LedgerHolding& h = out[p.getColumn(0).getString()];
      h.sessions.push_back(
          {p.getColumn(1).getInt64(), p.getColumn(2).getString(), p.getColumn(3).getInt64()});
      h.session_total += p.getColumn(3).getInt64();
    }
    SQLite::Statement b(c,
                        "SELECT symbol, quantity, note FROM account_baseline WHERE account_id = ? "
                        "AND quantity <> 0");
    b.bind(1, account.value());
    while (b.executeStep()) {
      LedgerHolding& h = out[b.getColumn(0).getString()];
      h.baseline = b.getColumn(1).getInt64();
      h.baseline_note = b.getColumn(2).getString();
    }
    SQLite::Statement t(c,
                        "SELECT s.id, j.value FROM live_sessions s, json_each(s.symbols) j WHERE "
                        "s.account_id = ? AND s.state NOT IN ('stopped', 'failed') ORDER BY s.id");
    t.bind(1, account.value());
    while (t.executeStep())
      out[t.getColumn(1).getString()].traders.push_back(t.getColumn(0).getInt64());
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read the session ledgers: ") + e.what());
  }
  return out;
}

Result<json> account_view(storage::Database& db, domain::AccountId account,
                          const Result<AccountView>& broker_view) {
  auto ledger = load_ledger_holdings(db, account);
  if (!ledger.ok()) return ledger.status();
  std::map<std::string, std::int64_t> broker_qty;
  if (broker_view.ok()) {
    for (const Holding& h : broker_view->holdings) broker_qty[h.symbol.str()] += h.quantity;
  }
  for (const auto& [symbol, qty] : broker_qty) (void)(*ledger)[symbol];
  json last = nullptr;
  std::int64_t allocated = 0;
  try {
    SQLite::Database& c = db.connection();
    SQLite::Statement a(c,
                        "SELECT coalesce(sum(capital), 0) FROM live_sessions WHERE account_id = ? "
                        "AND state NOT IN ('stopped', 'failed')");
    a.bind(1, account.value());
    if (a.executeStep()) allocated = a.getColumn(0).getInt64();
    SQLite::Statement r(c,
                        "SELECT ts, kind, result, report FROM reconciliations WHERE account_id = ? "
                        "ORDER BY id DESC LIMIT 1");
    r.bind(1, account.value());
    if (r.executeStep()) {
      last = {{"ts", r.getColumn(0).getInt64()},
              {"kind", r.getColumn(1).getString()},
              {"result", r.getColumn(2).getString()},
              {"report", json::parse(r.getColumn(3).getString(), nullptr, false)}};
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read the account's ledgers: ") + e.what());
  }
  const bool known = broker_view.ok();
  json holdings = json::array();
  for (const auto& [symbol, r] : *ledger) {
    const std::int64_t held = broker_qty.count(symbol) ? broker_qty.at(symbol) : 0;
    if (held == 0 && r.session_total == 0 && r.baseline == 0) continue;  // traded, not held
    const std::int64_t diff = held - r.session_total - r.baseline;
    json sessions = json::array();
    for (const SessionShare& q : r.sessions) {
      sessions.push_back({{"session_id", q.session_id},
                          {"strategy_name", q.strategy_name},
                          {"quantity", q.quantity}});
    }
    holdings.push_back(
        {{"symbol", symbol},
         {"broker", known ? json(held) : json(nullptr)},
         {"sessions", sessions},
         {"session_total", r.session_total},
         {"baseline", r.baseline},
         {"baseline_note", r.baseline_note.empty() ? json(nullptr) : json(r.baseline_note)},
         {"difference", known ? json(diff) : json(nullptr)},
         {"status", !known      ? "unknown"
                    : diff == 0 ? "ok"
                                : "mismatch"},
         {"explanation", explain(symbol, r, held, known)}});
  }
  json broker = nullptr;
  if (broker_view.ok()) {
    broker = {{"cash", broker_view->cash},
              {"orderable", broker_view->orderable},
              {"as_of", broker_view->as_of}};
  }
  return json{
      {"holdings", holdings},
      {"broker_view", broker},
      {"broker_error", broker_view.ok() ? json(nullptr) : json(broker_view.status().message())},
      {"allocated_capital", allocated},
      {"last_reconciliation", last}};
}

}  // namespace quantd::live
