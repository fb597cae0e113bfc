// The bus messages of bus/messages.h as Fields, for buses that cross a process boundary (Redis
// Streams). Every message becomes a "kind" field plus one decimal field per member, so an entry
// stays a few dozen bytes and readable with redis-cli:
//
//   RunBacktest      kind=run_backtest backtest_id=12 sweep_id=0 helper=0
//   EvaluateStrategy kind=evaluate_strategy strategy_id=3 minute=1783560000000
//   EvaluateSession  kind=evaluate_session session_id=7 minute=1783560000000
//   StrategyCommand  kind=strategy_command strategy_id=3 command=activate|deactivate
//
// Decoding ignores fields it does not know (a newer sender may add some), and fails on a missing
// or malformed one. Pure functions; thread-safe.
#pragma once

#include <variant>

#include "quantd/bus/fields.h"
#include "quantd/bus/messages.h"
#include "quantd/core/status.h"

namespace quantd::bus {

using BusMessage = std::variant<RunBacktest, EvaluateStrategy, EvaluateSession, StrategyCommand>;

Fields encode(const RunBacktest& message);
Fields encode(const EvaluateStrategy& message);
Fields encode(const EvaluateSession& message);
Fields encode(const StrategyCommand& message);
Fields encode(const BusMessage& message);

// The message the fields describe. Errors, invalid_argument naming the field: no "kind", an
// unknown kind, a missing member, a member that is not a decimal integer (or 0/1 for a flag, or
// activate/deactivate for a command).
Result<BusMessage> decode(const Fields& fields);

// decode(), then the one message type the caller expects (a backtest worker reads only
// RunBacktest); invalid_argument when the fields hold another kind.
template <typename Message>
Result<Message> decode_as(const Fields& fields) {
  Result<BusMessage> any = decode(fields);
  if (!any.ok()) return any.status();
  if (auto* message = std::get_if<Message>(&any.value())) return *message;
  return Status::invalid_argument("bus message is of another kind");
}

}  // namespace quantd::bus
