// The KIS REST API the mock serves (PROTOCOL §2, §4), registered on a quantd::http::Router.
//
// - add_oauth_routes: POST /oauth2/tokenP, /oauth2/revokeP, /oauth2/Approval, /uapi/hashkey
//   (oauth_api.cpp);
// - add_quotation_routes: inquire-price, inquire-daily-itemchartprice,
//   inquire-time-itemchartprice, inquire-time-dailychartprice (real only) (quotation_api.cpp);
// - add_trading_routes: order-cash, order-rvsecncl, inquire-balance, inquire-daily-ccld,
//   inquire-psbl-order, and the real-only APIs the mock does not model (trading_api.cpp).
// Every /uapi endpoint passes the gateway (gateway.h) first. `state` must outlive the router.
#pragma once

#include "mock_state.h"
#include "quantd/http/router.h"

namespace quantd::kis_mock {

void add_oauth_routes(http::Router& router, MockState& state);
void add_quotation_routes(http::Router& router, MockState& state);
void add_trading_routes(http::Router& router, MockState& state);

}  // namespace quantd::kis_mock
