// The gateway: what every /uapi call passes before its endpoint runs (PROTOCOL §3, §5, §9).
//
// In order; the first that answers ends the call:
//   1. counting (calls_by_tr_id, calls_by_endpoint) — every call, refused or not;
//   2. drop_next: the connection is closed, nothing else happens;
//   3. delay_next_s: the answer (whatever it is) is held back;
//   4. rate_limit_next, then the appkey's bucket: 500 EGW00201 (rate_limit_hits + 1);
//   5. http_500_next: 500 EGW00002; error_next: its msg_cd;
//   6. headers: appkey (EGW00103; EGW02004 for a paper "PS…" key on the real port), appsecret
//      (EGW00105), authorization "Bearer <token>" (EGW00205 without the word Bearer; EGW00121
//      unknown, revoked, replaced or invalidated; EGW00123 expired), tr_id for this path and
//      environment (500 "모의투자 TR 이 아닙니다." / OPSQ0002), custtype P or B (EGW00101).
// Refusals of order calls are journalled in MockState::rejected (stage "gateway").
// Called with MockState::mu held.
#pragma once

#include <functional>
#include <optional>

#include "endpoints.h"
#include "faults.h"
#include "mock_state.h"
#include "quantd/http/request.h"
#include "quantd/http/response.h"
#include "quantd/http/router.h"

namespace quantd::kis_mock {

struct Admission {
  std::optional<http::Response> answer;  // set: send this, the endpoint does not run
  CallInfo call;
  double delay_s = 0;  // hold the eventual answer back this long (delay_next_s)
};

Admission admit(MockState& state, const Endpoint& endpoint, const http::Request& request);

// The work of one endpoint once the gateway let its call through; runs with MockState::mu held.
using EndpointHandler =
    std::function<http::Response(MockState&, const http::Request&, const CallInfo&)>;

// Registers `endpoint` on `router`: each call takes the state lock, passes admit(), runs
// `handler`, and gets the KIS response headers (tr_id echo; tr_cont "" unless the handler set
// it) and any delay. `state` and `endpoint` must outlive the router.
void add_kis_route(http::Router& router, MockState& state, const Endpoint& endpoint,
                   EndpointHandler handler);

// Registers a mock route. Bodies of any media type reach it: the mock answers a body KIS would
// refuse the way KIS does (EGW00101), not with quantd's own 415 (http/request_guard.h).
void add_mock_route(http::Router& router, std::string method, std::string pattern,
                    http::Handler handler);

// Journals a refused order call.
void record_rejection(MockState& state, const CallInfo& call, const http::Request& request,
                      const http::Response& answer, std::string stage);

}  // namespace quantd::kis_mock
