// The control API under /_mock (README.md "Control API"; LIVE.md §12): the test harness moves
// the mock clock, queues faults, changes settings, places orders "from HTS" and reads the
// journal and the state. No authentication and no rate limit; loopback peers only (others get
// 403). Errors are problem documents (400 malformed, 409 a clock moved backwards).
//
//   GET  /_mock/clock                  {"clock"}
//   POST /_mock/clock   {"ts": "2026-07-09T09:01:02+09:00"} or {"advance_s": 60}
//                                      → {"clock", "fills": [...]} (matched by the move)
//   GET  /_mock/faults                 {"faults": [...]} queued
//   POST /_mock/faults  {"accept_then_drop": 1, ...}  → {"faults": [...]}
//   DELETE /_mock/faults               empties the queue
//   POST /_mock/config  {"ccld_lag_s", "ccld_page_size", "balance_page_size", "rate_limit",
//                        "token_throttle_s", "bar_visible", "fill_volume_pct"} → the settings
//   POST /_mock/order   {"side", "pdno", "qty", "price", "ord_dvsn"} or
//                       {"action": "cancel", "odno", "qty"} → the order-cash envelope
//   GET  /_mock/orders                 {"orders": [...], "rejected": [...]}
//   GET  /_mock/state                  holdings, cash, counters, token, faults, settings
//   POST /_mock/reset                  back to the state at start
#pragma once

#include "mock_state.h"
#include "quantd/http/router.h"

namespace quantd::kis_mock {

// Registers the routes above. `state` must outlive the router.
void add_control_routes(http::Router& router, MockState& state);

// The body of GET /_mock/state and GET /_mock/orders (also used by tests). Call with
// state.mu held.
Json describe_state(const MockState& state);
Json describe_orders(const MockState& state);

}  // namespace quantd::kis_mock
