// Faults: the switches of POST /_mock/faults (LIVE.md §12; README.md "Faults"), queued until a
// matching call consumes them.
//
// Each queued fault has a kind, a count (how many matching calls it hits) and a scope naming the
// calls it hits: "any" (every /uapi call), "order" (order-cash and order-rvsecncl), "buy" /
// "sell" (order-cash of that side), an endpoint name ("inquire-balance", "tokenP", ...) or a
// tr_id ("VTTC0012U"). Defaults: accept_then_drop, accept_then_delay_s and reject_next_order hit
// "order"; error_next with EGW00215 (the balance ledger limit) hits "inquire-balance"; the rest
// hit "any". Faults of one kind are consumed first in, first out.
// Not thread-safe: the mock calls it under its state lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envelope.h"
#include "quantd/domain/order.h"

namespace quantd::kis_mock {

enum class FaultKind : std::uint8_t {
  kDropNext,         // close the connection before the call is processed
  kHttp500Next,      // HTTP 500 EGW00002, nothing processed
  kRateLimitNext,    // HTTP 500 EGW00201 (counted in rate_limit_hits), nothing processed
  kErrorNext,        // answer msg_cd (500 for EGW codes, else 200 rt_cd "1"), nothing processed
  kDelayNext,        // processed normally, answered `seconds` late
  kAcceptThenDrop,   // an order booked, then the connection closed without an answer
  kAcceptThenDelay,  // an order booked, answered `seconds` late
  kRejectNextOrder,  // an order refused with msg_cd (HTTP 200, rt_cd "1"), nothing booked
};

struct Fault {
  FaultKind kind = FaultKind::kDropNext;
  int count = 1;
  std::string call;  // the scope (see above)
  double seconds = 0;
  std::string msg_cd;
  std::string msg1;
  int http_status = 0;  // error_next: 0 = by code (EGW... 500, else 200)
};

// What a call is, for matching fault scopes.
struct CallInfo {
  std::string name;  // endpoint name: "order-cash", "inquire-price", "tokenP", ...
  std::string tr_id;
  bool uapi = true;  // a /uapi call (false for /oauth2)
  bool order = false;
  std::optional<domain::Side> side;  // order-cash only
};

class Faults {
 public:
  // Queues the faults of a POST /_mock/faults body (top-level "call" is the default scope of
  // the body's plain-number forms; "clear": true empties the queue first). Sets *expire_token /
  // *invalidate_token when the body asks for them. Errors: invalid_argument naming the first
  // unknown key or malformed value; nothing is queued then.
  Status add(const nlohmann::json& body, bool* expire_token, bool* invalidate_token);

  // The first queued fault of `kind` whose scope matches `call`, consumed (count − 1); nullopt
  // when none.
  std::optional<Fault> take(FaultKind kind, const CallInfo& call);

  void clear() { queue_.clear(); }
  // The queue as [{"fault", "count", "call", ...}].
  Json describe() const;

 private:
  std::vector<Fault> queue_;
};

}  // namespace quantd::kis_mock
