#include "quantd/live/account_view.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <set>

namespace quantd::live {

using nlohmann::json;

namespace {

struct SymbolRow {
  std::int64_t broker = 0;
  json sessions = json::array();
  std::int64_t session_total = 0;
  std::int64_t baseline = 0;
  std::string baseline_note;
  std::vector<std::int64_t> traders;  // running sessions whose symbols include it
};

std::string explain(const std::string& symbol, const SymbolRow& r, bool broker_known) {
  if (!broker_known) return "the broker's holdings could not be read; quantd's side is shown";
  const std::int64_t diff = r.broker - r.session_total - r.baseline;
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

Result<json> account_view(storage::Database& db, domain::AccountId account,
                          const Result<AccountView>& broker_view) {
  std::map<std::string, SymbolRow> rows;
  json last = nullptr;
  std::int64_t allocated = 0;
  try {
    SQLite::Database& c = db.connection();
    SQLite::Statement p(c,
                        "SELECT p.symbol, s.id, s.strategy_name, p.quantity FROM positions p JOIN "
                        "live_sessions s ON s.id = p.session_id WHERE s.account_id = ? AND "
                        "s.state NOT IN ('stopped', 'failed') AND p.quantity <> 0 ORDER BY "
                        "p.symbol, s.id");
    p.bind(1, account.value());
    while (p.executeStep()) {
      SymbolRow& r = rows[p.getColumn(0).getString()];
      r.sessions.push_back({{"session_id", p.getColumn(1).getInt64()},
                            {"strategy_name", p.getColumn(2).getString()},
                            {"quantity", p.getColumn(3).getInt64()}});
      r.session_total += p.getColumn(3).getInt64();
    }
    SQLite::Statement b(c,
                        "SELECT symbol, quantity, note FROM account_baseline WHERE account_id = ? "
                        "AND quantity <> 0");
    b.bind(1, account.value());
    while (b.executeStep()) {
      SymbolRow& r = rows[b.getColumn(0).getString()];
      r.baseline = b.getColumn(1).getInt64();
      r.baseline_note = b.getColumn(2).getString();
    }
    SQLite::Statement t(c,
                        "SELECT s.id, j.value FROM live_sessions s, json_each(s.symbols) j WHERE "
                        "s.account_id = ? AND s.state NOT IN ('stopped', 'failed') ORDER BY s.id");
    t.bind(1, account.value());
    std::map<std::string, std::vector<std::int64_t>> traders;
    while (t.executeStep())
      traders[t.getColumn(1).getString()].push_back(t.getColumn(0).getInt64());
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
    if (broker_view.ok()) {
      for (const Holding& h : broker_view->holdings) rows[h.symbol.str()].broker += h.quantity;
    }
    for (auto& [symbol, row] : rows) {
      if (auto it = traders.find(symbol); it != traders.end()) row.traders = it->second;
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read the account's ledgers: ") + e.what());
  }
  json holdings = json::array();
  for (const auto& [symbol, r] : rows) {
    const bool known = broker_view.ok();
    const std::int64_t diff = r.broker - r.session_total - r.baseline;
    holdings.push_back(
        {{"symbol", symbol},
         {"broker", known ? json(r.broker) : json(nullptr)},
         {"sessions", r.sessions},
         {"session_total", r.session_total},
         {"baseline", r.baseline},
         {"baseline_note", r.baseline_note.empty() ? json(nullptr) : json(r.baseline_note)},
         {"difference", known ? json(diff) : json(nullptr)},
         {"status", !known      ? "unknown"
                    : diff == 0 ? "ok"
                                : "mismatch"},
         {"explanation", explain(symbol, r, known)}});
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
