// The account view (LIVE.md §8): what the broker holds against what quantd says it should hold,
// the sum of the sessions' ledgers plus the baseline (shares no session owns), symbol by symbol,
// each difference explained with what the next reconciliation does about it and what the
// operator can do; and the last reconciliation's report.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/live/broker.h"
#include "quantd/storage/database.h"

namespace quantd::live {

// A running session's shares of one symbol.
struct SessionShare {
  std::int64_t session_id = 0;
  std::string strategy_name;
  std::int64_t quantity = 0;
};

// What quantd says the account holds of one symbol, and who trades it.
struct LedgerHolding {
  std::vector<SessionShare> sessions;  // running sessions holding it (quantity != 0)
  std::int64_t session_total = 0;
  std::int64_t baseline = 0;  // shares no session owns
  std::string baseline_note;
  std::vector<std::int64_t> traders;  // running sessions whose symbols include it
};

// Every symbol a running session of `account` holds or trades, or the baseline holds: the one
// reading of quantd's side for the reconciliation and the account view.
Result<std::map<std::string, LedgerHolding>> load_ledger_holdings(storage::Database& db,
                                                                  domain::AccountId account);

// {"holdings": [{"symbol", "broker", "sessions": [{"session_id", "strategy_name",
// "quantity"}], "session_total", "baseline", "baseline_note", "difference", "status": "ok" |
// "mismatch" | "unknown", "explanation"}], "broker_view": {"cash", "orderable", "as_of"} | null,
// "broker_error",
// "allocated_capital", "last_reconciliation": {"ts", "kind", "result", "report"} | null}.
// `broker_view` is the broker's answer, or its error (the view then shows quantd's side only).
Result<nlohmann::json> account_view(storage::Database& db, domain::AccountId account,
                                    const Result<AccountView>& broker_view);

}  // namespace quantd::live
