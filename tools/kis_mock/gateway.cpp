#include "gateway.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace quantd::kis_mock {

namespace {

http::Response gateway_error(std::string_view msg_cd, std::string_view msg1 = {}) {
  return kis_error(500, msg_cd, msg1);
}

std::optional<http::Response> check_headers(MockState& s, const Endpoint& endpoint,
                                            const http::Request& r) {
  const std::string appkey(r.header("appkey").value_or(""));
  const std::string appsecret(r.header("appsecret").value_or(""));
  if (appkey != s.options.appkey) {
    if (!s.options.is_virtual() && appkey.starts_with("PS")) return gateway_error("EGW02004");
    return gateway_error("EGW00103");
  }
  if (appsecret != s.options.appsecret) return gateway_error("EGW00105");
  const std::string_view authorization = r.header("authorization").value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return gateway_error("EGW00205");
  switch (s.tokens->check(authorization.substr(kBearer.size()), s.now)) {
    case TokenCheck::kValid:
      break;
    case TokenCheck::kExpired:
      return gateway_error("EGW00123");
    case TokenCheck::kInvalid:
      return gateway_error("EGW00121");
  }
  switch (check_tr_id(endpoint, s.options.env, r.header("tr_id").value_or(""))) {
    case TrIdCheck::kOk:
      break;
    case TrIdCheck::kNotPaperTr:
      return gateway_error("", kNotPaperTr);
    case TrIdCheck::kUnknownService:
      return gateway_error("OPSQ0002");
  }
  const std::string_view custtype = r.header("custtype").value_or("");
  if (custtype != "P" && custtype != "B") return gateway_error("EGW00101");
  return std::nullopt;
}

}  // namespace

void record_rejection(MockState& s, const CallInfo& call, const http::Request& request,
                      const http::Response& answer, std::string stage) {
  Rejection rej;
  rej.at = s.now;
  rej.call = call.name;
  rej.tr_id = call.tr_id;
  rej.stage = std::move(stage);
  rej.http_status = answer.status;
  const Json body = Json::parse(answer.body, nullptr, false);
  if (body.is_object()) {
    rej.msg_cd = body.value("msg_cd", "");
    rej.msg1 = body.value("msg1", "");
  }
  rej.request = Json::parse(request.body, nullptr, false);
  if (rej.request.is_discarded()) rej.request = request.body;
  s.rejected.push_back(std::move(rej));
}

Admission admit(MockState& s, const Endpoint& endpoint, const http::Request& r) {
  Admission a;
  a.call.name = endpoint.name;
  a.call.tr_id = std::string(r.header("tr_id").value_or(""));
  a.call.order = endpoint.order;
  if (endpoint.name == "order-cash") a.call.side = order_side(a.call.tr_id);
  ++s.counters.calls_by_tr_id[a.call.tr_id.empty() ? "(none)" : a.call.tr_id];
  ++s.counters.calls_by_endpoint[endpoint.name];

  if (s.faults.take(FaultKind::kDropNext, a.call)) {
    ++s.counters.dropped;
    http::Response drop;
    drop.close_without_reply = true;
    a.answer = std::move(drop);
    return a;
  }
  if (auto delay = s.faults.take(FaultKind::kDelayNext, a.call)) {
    ++s.counters.delayed;
    a.delay_s = delay->seconds;
  }
  const std::string appkey(r.header("appkey").value_or(""));
  if (s.faults.take(FaultKind::kRateLimitNext, a.call) ||
      !s.limiter->admit(appkey, RateLimiter::Clock::now())) {
    ++s.counters.rate_limit_hits;
    a.answer = gateway_error("EGW00201");
  } else if (s.faults.take(FaultKind::kHttp500Next, a.call)) {
    ++s.counters.injected_errors;
    a.answer = gateway_error("EGW00002");
  } else if (auto error = s.faults.take(FaultKind::kErrorNext, a.call)) {
    ++s.counters.injected_errors;
    const int status = error->http_status != 0            ? error->http_status
                       : error->msg_cd.starts_with("EGW") ? 500
                                                          : 200;
    a.answer = kis_error(status, error->msg_cd, error->msg1);
  } else {
    a.answer = check_headers(s, endpoint, r);
  }
  if (a.answer && endpoint.order) record_rejection(s, a.call, r, *a.answer, "gateway");
  return a;
}

void add_kis_route(http::Router& router, MockState& state, const Endpoint& endpoint,
                   EndpointHandler handler) {
  add_mock_route(router, endpoint.method, endpoint.path,
                 [&state, &endpoint, handler = std::move(handler)](const http::Request& request) {
                   std::lock_guard lock(state.mu);
                   Admission a = admit(state, endpoint, request);
                   http::Response response =
                       a.answer ? std::move(*a.answer) : handler(state, request, a.call);
                   if (response.close_without_reply) return response;
                   const std::string tr_cont(response.header("tr_cont").value_or(""));
                   set_kis_headers(response, a.call.tr_id, tr_cont);
                   if (a.delay_s > 0) {
                     response.delay = std::max(
                         response.delay, std::chrono::milliseconds(std::llround(a.delay_s * 1000)));
                   }
                   return response;
                 });
}

void add_mock_route(http::Router& router, std::string method, std::string pattern,
                    http::Handler handler) {
  http::RouteOptions any;
  any.accepts.clear();
  router.add(std::move(method), std::move(pattern), std::move(handler), std::move(any));
}

}  // namespace quantd::kis_mock
