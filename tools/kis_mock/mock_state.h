// MockState: everything one kis-mock process knows — the mock clock, the market, the account,
// the order book, tokens, the rate limiter, queued faults, counters and the rejection journal —
// behind one mutex.
//
// Threading: the HTTP server runs handlers on several threads; every handler holds `mu` for its
// whole run (handlers never block: delays and drops are Response fields the server acts on), so
// the mock behaves as if calls were processed one at a time in arrival order.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "account.h"
#include "envelope.h"
#include "faults.h"
#include "market.h"
#include "options.h"
#include "order_book.h"
#include "rate_limiter.h"
#include "token_service.h"

namespace quantd::kis_mock {

struct Counters {
  std::map<std::string, std::int64_t> calls_by_tr_id;     // every /uapi call, by its tr_id header
  std::map<std::string, std::int64_t> calls_by_endpoint;  // every call, by endpoint name
  std::int64_t rate_limit_hits = 0;  // EGW00201 answers (bucket and rate_limit_next)
  std::int64_t token_issued = 0;     // tokenP answered with a token (new or the same one)
  std::int64_t token_minted = 0;     // of which new tokens
  std::int64_t token_throttled = 0;  // tokenP answered EGW00133
  std::int64_t dropped = 0;          // connections closed unanswered (drop_next, accept_then_drop)
  std::int64_t delayed = 0;          // answers held back (delay_next_s, accept_then_delay_s)
  std::int64_t injected_errors = 0;  // http_500_next and error_next answers
  Json oauth_log = Json::array();    // every /oauth2 and hashkey call: when and what came of it
};

// The WebSocket's counters (GET /_mock/state "ws").
struct WsCounters {
  std::int64_t sessions = 0;      // upgrades accepted on /tryitout
  std::int64_t in_use = 0;        // sessions refused with OPSP8996 (one per appkey)
  std::int64_t subscribes = 0;    // registrations acknowledged (OPSP0000)
  std::int64_t unsubscribes = 0;  // OPSP0001
  std::int64_t refused = 0;       // registrations refused (bad approval key, TR, over 41)
  std::int64_t notices = 0;       // H0STCNI0/9 records sent
  std::int64_t trades = 0;        // H0STCNT0 records sent
  std::int64_t pings = 0;         // PINGPONG sent
  std::int64_t pongs = 0;         // PINGPONG echoed back
  std::int64_t drops = 0;         // sessions closed without a close frame
};

// An order call that was refused (GET /_mock/orders "rejected").
struct Rejection {
  TimestampMs at = 0;
  std::string call;  // "order-cash", "order-rvsecncl", "hts-order"
  std::string tr_id;
  std::string stage;  // "gateway" (EGW..., tr_id, token), "input", "fault" or "order"
  int http_status = 200;
  std::string msg_cd;
  std::string msg1;
  Json request;  // the body as sent (parsed when it was JSON)
};

class MockState {
 public:
  // Builds the initial state from the options (the clock, cash and holdings given there).
  MockState(MockOptions options, std::shared_ptr<const Market> market);

  // Back to the state at start: clock, account, orders, tokens, faults and counters.
  void reset();

  // Moves the mock clock to `ts` and matches what the move allows; returns the executions.
  // Precondition: ts >= now.
  std::vector<Execution> set_clock(TimestampMs ts);

  // Milliseconds of wall time since the process started (for journals).
  std::int64_t wall_ms() const;

  std::mutex mu;  // guards everything below
  MockOptions options;
  std::shared_ptr<const Market> market;
  TimestampMs now = 0;
  std::unique_ptr<Account> account;
  std::unique_ptr<OrderBook> book;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<RateLimiter> limiter;
  Faults faults;
  Counters counters;
  std::vector<Rejection> rejected;
  std::set<std::string> approval_keys;  // issued by /oauth2/Approval
  WsCounters ws;
  int ws_drop_requests = 0;  // POST /_mock/ws/drop: close every session, no close frame
  std::string ws_url;        // "ws://127.0.0.1:PORT/tryitout" once it listens (kept by reset)

 private:
  MockOptions initial_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// "2026-07-09T09:01:02+09:00".
std::string iso_kst(TimestampMs ts);

}  // namespace quantd::kis_mock
