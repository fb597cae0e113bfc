// The account view (LIVE.md §8): what the broker holds against what quantd says it should hold,
// the sum of the sessions' ledgers plus the baseline (shares no session owns), symbol by symbol,
// each difference explained with what the next reconciliation does about it and what the
// operator can do; and the last reconciliation's report.
#pragma once

#include <nlohmann/json.hpp>

#include "quantd/core/status.h"
#include "quantd/live/broker.h"
#include "quantd/storage/database.h"

namespace quantd::live {

// {"holdings": [{"symbol", "broker", "sessions": [{"session_id", "strategy_name",
// "quantity"}], "session_total", "baseline", "baseline_note", "difference", "status": "ok" |
// "mismatch" | "unknown", "explanation"}], "broker_view": {"cash", "orderable", "as_of"} | null,
// "broker_error",
// "allocated_capital", "last_reconciliation": {"ts", "kind", "result", "report"} | null}.
// `broker_view` is the broker's answer, or its error (the view then shows quantd's side only).
Result<nlohmann::json> account_view(storage::Database& db, domain::AccountId account,
                                    const Result<AccountView>& broker_view);

}  // namespace quantd::live
