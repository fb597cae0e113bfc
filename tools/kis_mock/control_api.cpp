#include "control_api.h"

#include <mutex>

#include "envelope.h"
#include "gateway.h"

namespace quantd::kis_mock {

namespace {

bool is_loopback(const http::Request& r) {
  return r.remote.empty() || r.remote.starts_with("127.") || r.remote.starts_with("[::1]");
}

http::Response bad_request(std::string detail) {
  return http::problem(400, "Bad Request", std::move(detail));
}

std::string kind_name(OrderKind kind) {
  switch (kind) {
    case OrderKind::kRevise:
      return "revise";
    case OrderKind::kCancel:
      return "cancel";
    default:
      return "order";
  }
}

Json execution_json(const Execution& e) {
  Json j = Json::object();
  j["at"] = iso_kst(e.at);
  j["ord_dt"] = e.ord_dt;
  j["odno"] = e.odno;
  j["pdno"] = e.symbol;
  j["side"] = side_name(e.side);
  j["qty"] = e.quantity;
  j["price"] = e.price;
  j["commission"] = e.commission;
  j["tax"] = e.tax;
  return j;
}

Json order_json(const Order& o) {
  Json j = Json::object();
  j["ord_dt"] = o.ord_dt;
  j["odno"] = o.odno;
  j["orgno"] = o.orgno;
  j["orgn_odno"] = o.orgn_odno;
  j["kind"] = kind_name(o.kind);
  j["source"] = o.source;
  j["tr_id"] = o.tr_id;
  j["side"] = side_name(o.side);
  j["pdno"] = o.symbol;
  j["ord_dvsn"] = o.ord_dvsn;
  j["qty"] = o.quantity;
  j["price"] = o.price;
  j["ord_tmd"] = kst_time(o.accepted_at);
  j["accepted_at"] = iso_kst(o.accepted_at);
  j["filled_qty"] = o.filled_qty;
  j["filled_amt"] = o.filled_amt;
  j["avg_price"] = o.filled_qty == 0 ? 0.0 : static_cast<double>(o.filled_amt) / o.filled_qty;
  j["fees"] = o.fees;
  j["cancelled_qty"] = o.cancelled_qty;
  j["remaining"] = o.kind == OrderKind::kCancel ? 0 : o.remaining();
  j["state"] = state_name(o.state);
  j["delivery"] = o.delivery;
  if (o.delivery == "delayed") j["delay_s"] = o.delay_s;
  return j;
}

Json settings_json(const MockOptions& o) {
  Json j = Json::object();
  j["env"] = o.is_virtual() ? "virtual" : "real";
  j["bar_visible"] = o.bar_visible == BarVisible::kEnd ? "end" : "start";
  j["rate_limit"] = o.rate_limit_per_s;
  j["ccld_page_size"] = o.ccld_page_size;
  j["balance_page_size"] = o.balance_page_size;
  j["ccld_lag_s"] = o.ccld_lag_s;
  j["token_throttle_s"] = o.token_throttle_s;
  j["fill_volume_pct"] = o.fill_volume_pct;
  j["commission_bps"] = o.commission_bps;
  j["ws_notices"] = o.ws_notices;
  j["ws_notice_fields"] = o.ws_notice_fields;
  j["ws_ping_s"] = o.ws_ping_s;
  return j;
}

// A non-negative integer given as a JSON number or a decimal string.
std::optional<std::int64_t> integer(const nlohmann::json& v) {
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoll(s);
    }
  }
  return std::nullopt;
}

http::Response set_clock(MockState& s, const nlohmann::json& body) {
  TimestampMs target = s.now;
  if (body.contains("ts") && body["ts"].is_string()) {
    const auto ts = parse_timestamp(body["ts"].get<std::string>());
    if (!ts) return bad_request("ts: not a time like 2026-07-09T09:01:02+09:00");
    target = *ts;
  } else if (body.contains("advance_s") && body["advance_s"].is_number()) {
    target = s.now + static_cast<TimestampMs>(body["advance_s"].get<double>() * 1000);
  } else {
    return bad_request("give {\"ts\": \"2026-07-09T09:01:02+09:00\"} or {\"advance_s\": N}");
  }
  if (target < s.now) {
    return http::problem(409, "Conflict",
                         "the mock clock never goes backwards: it is " + iso_kst(s.now));
  }
  Json out = Json::object();
  Json fills = Json::array();
  for (const Execution& e : s.set_clock(target)) fills.push_back(execution_json(e));
  out["clock"] = iso_kst(s.now);
  out["fills"] = std::move(fills);
  return kis_json(200, out);
}

http::Response set_config(MockState& s, const nlohmann::json& body) {
  if (!body.is_object()) return bad_request("the body must be a JSON object");
  MockOptions o = s.options;
  for (const auto& [key, v] : body.items()) {
    const auto whole = integer(v);
    if (key == "ccld_lag_s" && whole) {
      o.ccld_lag_s = static_cast<int>(*whole);
    } else if (key == "ccld_page_size" && whole && *whole >= 1) {
      o.ccld_page_size = static_cast<int>(*whole);
    } else if (key == "balance_page_size" && whole && *whole >= 1) {
      o.balance_page_size = static_cast<int>(*whole);
    } else if (key == "token_throttle_s" && whole) {
      o.token_throttle_s = static_cast<int>(*whole);
    } else if (key == "fill_volume_pct" && whole && *whole >= 1 && *whole <= 100) {
      o.fill_volume_pct = static_cast<int>(*whole);
    } else if (key == "rate_limit" && v.is_number() && v.get<double>() > 0) {
      o.rate_limit_per_s = v.get<double>();
    } else if (key == "bar_visible" && v.is_string() &&
               (v.get<std::string>() == "end" || v.get<std::string>() == "start")) {
      o.bar_visible = v.get<std::string>() == "end" ? BarVisible::kEnd : BarVisible::kStart;
    } else if (key == "ws_notices" && v.is_boolean()) {
      o.ws_notices = v.get<bool>();
    } else if (key == "ws_notice_fields" && whole && (*whole == 26 || *whole == 23)) {
      o.ws_notice_fields = static_cast<int>(*whole);
    } else if (key == "ws_ping_s" && whole && *whole >= 1) {
      o.ws_ping_s = static_cast<int>(*whole);
    } else {
      return bad_request("unknown or malformed setting \"" + key +
                         "\"; known: ccld_lag_s, ccld_page_size, balance_page_size, rate_limit, "
                         "token_throttle_s, bar_visible, fill_volume_pct, ws_notices, "
                         "ws_notice_fields (26 or 23), "
                         "ws_ping_s");
    }
  }
  if (o.rate_limit_per_s != s.options.rate_limit_per_s) s.limiter->set_rate(o.rate_limit_per_s);
  s.tokens->set_throttle_s(o.token_throttle_s);
  s.book->set_fill_volume_pct(o.fill_volume_pct);
  s.options = o;
  return kis_json(200, settings_json(s.options));
}

// An order "from HTS": the same book and rules as order-cash, without gateway or faults.
http::Response hts_order(MockState& s, const http::Request& r, const nlohmann::json& body) {
  if (!body.is_object()) return bad_request("the body must be a JSON object");
  Decision decision;
  CallInfo call;
  call.name = "hts-order";
  const std::string action = body.value("action", "order");
  if (action == "cancel") {
    ReviseCancelRequest request;
    request.orgn_odno = body.value("odno", "");
    request.orgno = body.value("orgno", "91252");
    request.all = !body.contains("qty");
    if (!request.all) request.quantity = integer(body["qty"]).value_or(0);
    request.source = "hts";
    decision = s.book->revise_cancel(request, s.now);
  } else if (action == "order") {
    OrderRequest request;
    const std::string side = body.value("side", "");
    if (side != "buy" && side != "sell") return bad_request("side: buy or sell");
    request.side = side == "buy" ? domain::Side::kBuy : domain::Side::kSell;
    request.symbol = body.value("pdno", body.value("symbol", ""));
    const auto qty = body.contains("qty") ? integer(body["qty"]) : std::nullopt;
    if (!qty) return bad_request("qty: a whole number of shares");
    request.quantity = *qty;
    request.price = body.contains("price") ? integer(body["price"]).value_or(-1) : 0;
    if (request.price < 0) return bad_request("price: whole KRW (0 for a market order)");
    request.ord_dvsn = body.value("ord_dvsn", request.price > 0 ? "00" : "01");
    request.source = "hts";
    decision = s.book->place(request, s.now);
  } else {
    return bad_request("action: order or cancel");
  }
  if (!decision.accepted()) {
    http::Response answer = kis_error(200, decision.msg_cd);
    Rejection rej;
    rej.at = s.now;
    rej.call = call.name;
    rej.stage = "order";
    rej.msg_cd = decision.msg_cd;
    rej.msg1 = message_for(decision.msg_cd);
    rej.request = Json::parse(r.body, nullptr, false);
    s.rejected.push_back(std::move(rej));
    return answer;
  }
  Json out = envelope("0", "APBK0013");
  Json output = Json::object();
  output["KRX_FWDG_ORD_ORGNO"] = decision.order->orgno;
  output["ODNO"] = decision.order->odno;
  output["ORD_TMD"] = kst_time(decision.order->accepted_at);
  out["output"] = std::move(output);
  return kis_json(200, out);
}

// Wraps a control handler: loopback only, the state lock, the JSON body parsed.
template <typename Fn>
http::Handler control(MockState& s, Fn fn) {
  return [&s, fn](const http::Request& r) -> http::Response {
    if (!is_loopback(r)) return http::problem(403, "Forbidden", "the control API is loopback-only");
    nlohmann::json body =
        r.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return bad_request("the body is not JSON");
    std::lock_guard lock(s.mu);
    return fn(r, body);
  };
}

}  // namespace

Json describe_orders(const MockState& s) {
  Json out = Json::object();
  Json orders = Json::array();
  for (const Order& o : s.book->orders()) orders.push_back(order_json(o));
  Json rejected = Json::array();
  for (const Rejection& r : s.rejected) {
    Json j = Json::object();
    j["at"] = iso_kst(r.at);
    j["call"] = r.call;
    j["tr_id"] = r.tr_id;
    j["stage"] = r.stage;
    j["http"] = r.http_status;
    j["msg_cd"] = r.msg_cd;
    j["msg1"] = r.msg1;
    j["request"] = r.request;
    rejected.push_back(std::move(j));
  }
  out["orders"] = std::move(orders);
  out["rejected"] = std::move(rejected);
  return out;
}

Json describe_state(const MockState& s) {
  const std::int64_t today = seoul_day(s.now);
  const CashView cash = s.account->cash(today);
  Json out = Json::object();
  out["clock"] = iso_kst(s.now);
  out["env"] = s.options.is_virtual() ? "virtual" : "real";
  out["account"] = s.options.account;
  out["cash"] = cash.d2;
  Json detail = Json::object();
  detail["dnca_tot_amt"] = cash.d0;
  detail["nxdy_excc_amt"] = cash.d1;
  detail["prvs_rcdl_excc_amt"] = cash.d2;
  detail["reserved"] = s.book->reserved_cash();
  detail["orderable"] = s.book->orderable_cash(s.now);
  out["cash_detail"] = std::move(detail);
  Json holdings = Json::object();
  for (const auto& [symbol, h] : s.account->holdings()) {
    if (h.quantity == 0) continue;
    Json j = Json::object();
    j["qty"] = h.quantity;
    j["sellable"] = s.book->sellable(symbol);
    j["avg_price"] = h.avg_price();
    j["cost"] = h.cost;
    holdings[symbol] = std::move(j);
  }
  out["holdings"] = std::move(holdings);
  std::int64_t open = 0;
  for (const Order& o : s.book->orders()) open += o.state == OrderState::kOpen ? 1 : 0;
  out["orders"] = s.book->orders().size();
  out["open_orders"] = open;
  out["rejected"] = s.rejected.size();
  Json fills = Json::array();
  for (const Execution& e : s.account->executions()) fills.push_back(execution_json(e));
  out["fills"] = std::move(fills);
  out["calls_by_tr_id"] = s.counters.calls_by_tr_id;
  out["calls_by_endpoint"] = s.counters.calls_by_endpoint;
  out["rate_limit_hits"] = s.counters.rate_limit_hits;
  const Counters& c = s.counters;
  const auto endpoint_calls = [&](const char* name) {
    const auto it = c.calls_by_endpoint.find(name);
    return it == c.calls_by_endpoint.end() ? 0 : it->second;
  };
  Json counters = Json::object();
  counters["token_issued"] = c.token_issued;
  counters["token_minted"] = c.token_minted;
  counters["token_throttled"] = c.token_throttled;
  counters["rate_limit_hits"] = c.rate_limit_hits;
  counters["dropped"] = c.dropped;
  counters["delayed"] = c.delayed;
  counters["injected_errors"] = c.injected_errors;
  Json misc = Json::object();  // LIVE.md §12 reads counters.misc.token_issued
  misc["token_issued"] = c.token_issued;
  misc["token_minted"] = c.token_minted;
  misc["token_throttled"] = c.token_throttled;
  counters["misc"] = std::move(misc);
  Json oauth = Json::object();
  oauth["tokenP"] = endpoint_calls("tokenP");
  oauth["revokeP"] = endpoint_calls("revokeP");
  oauth["Approval"] = endpoint_calls("Approval");
  oauth["hashkey"] = endpoint_calls("hashkey");
  oauth["calls"] = c.oauth_log;
  counters["oauth"] = std::move(oauth);
  out["counters"] = std::move(counters);
  Json ws = Json::object();
  ws["url"] = s.ws_url;
  ws["sessions"] = s.ws.sessions;
  ws["in_use"] = s.ws.in_use;
  ws["subscribes"] = s.ws.subscribes;
  ws["unsubscribes"] = s.ws.unsubscribes;
  ws["refused"] = s.ws.refused;
  ws["notices"] = s.ws.notices;
  ws["trades"] = s.ws.trades;
  ws["pings"] = s.ws.pings;
  ws["pongs"] = s.ws.pongs;
  ws["drops"] = s.ws.drops;
  ws["approval_keys"] = s.approval_keys;  // a mock's: lets tests look for them in logs
  out["ws"] = std::move(ws);
  out["token"] = s.tokens->describe(s.now);
  out["faults"] = s.faults.describe();
  out["settings"] = settings_json(s.options);
  return out;
}

void add_control_routes(http::Router& router, MockState& s) {
  add_mock_route(router, "GET", "/_mock/clock",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   Json out = Json::object();
                   out["clock"] = iso_kst(s.now);
                   return kis_json(200, out);
                 }));
  add_mock_route(router, "POST", "/_mock/clock",
                 control(s, [&s](const http::Request&, const nlohmann::json& body) {
                   return set_clock(s, body);
                 }));
  add_mock_route(router, "GET", "/_mock/faults",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   Json out = Json::object();
                   out["faults"] = s.faults.describe();
                   return kis_json(200, out);
                 }));
  add_mock_route(router, "POST", "/_mock/faults",
                 control(s, [&s](const http::Request&, const nlohmann::json& body) {
                   bool expire = false, invalidate = false;
                   if (Status st = s.faults.add(body, &expire, &invalidate); !st.ok()) {
                     return bad_request(st.message());
                   }
                   if (expire) s.tokens->expire_now(s.now);
                   if (invalidate) s.tokens->invalidate();
                   Json out = Json::object();
                   out["faults"] = s.faults.describe();
                   out["token"] = s.tokens->describe(s.now);
                   return kis_json(200, out);
                 }));
  add_mock_route(router, "DELETE", "/_mock/faults",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   s.faults.clear();
                   Json out = Json::object();
                   out["faults"] = s.faults.describe();
                   return kis_json(200, out);
                 }));
  add_mock_route(router, "POST", "/_mock/config",
                 control(s, [&s](const http::Request&, const nlohmann::json& body) {
                   return set_config(s, body);
                 }));
  add_mock_route(router, "POST", "/_mock/order",
                 control(s, [&s](const http::Request& r, const nlohmann::json& body) {
                   return hts_order(s, r, body);
                 }));
  add_mock_route(router, "GET", "/_mock/orders",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   return kis_json(200, describe_orders(s));
                 }));
  add_mock_route(router, "GET", "/_mock/state",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   return kis_json(200, describe_state(s));
                 }));
  add_mock_route(router, "POST", "/_mock/ws/drop",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   ++s.ws_drop_requests;  // the WebSocket server acts on it within 20 ms
                   Json out = Json::object();
                   out["drop_requested"] = true;
                   return kis_json(200, out);
                 }));
  add_mock_route(router, "POST", "/_mock/reset",
                 control(s, [&s](const http::Request&, const nlohmann::json&) {
                   s.reset();
                   return kis_json(200, describe_state(s));
                 }));
}

}  // namespace quantd::kis_mock
