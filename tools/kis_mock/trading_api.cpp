// Trading and account inquiries (PROTOCOL §4.4–§4.8): orders go to the OrderBook, the account
// views are read from the Account and the book. Field names and order follow examples 05–09.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "gateway.h"
#include "kis_api.h"
#include "paging.h"

namespace quantd::kis_mock {

namespace {

using Fields = std::map<std::string, std::string>;

std::optional<std::int64_t> parse_int(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::string odno10(std::string odno) {
  if (odno.size() < 10 && odno.find_first_not_of("0123456789") == std::string::npos) {
    odno.insert(0, 10 - odno.size(), '0');
  }
  return odno;
}

std::int64_t previous_trading_day(std::int64_t day) {
  do {
    --day;
  } while (domain::is_krx_closed(civil_from_days(day)));
  return day;
}

// The value of `name` in a POST body or a query, or the input error naming it.
std::optional<http::Response> need(const Fields& fields, const char* name, std::string* out) {
  const auto it = fields.find(name);
  if (it == fields.end()) return input_error(name);
  *out = it->second;
  return std::nullopt;
}

std::optional<http::Response> need(const http::Request& r, const char* name, std::string* out) {
  const auto value = query_param(r, name);
  if (!value) return input_error(name);
  *out = *value;
  return std::nullopt;
}

template <typename Source>
std::optional<http::Response> check_account(const MockState& s, const Source& source) {
  std::string cano, product;
  if (auto e = need(source, "CANO", &cano)) return e;
  if (cano != s.options.cano()) return input_error("CANO");
  if (auto e = need(source, "ACNT_PRDT_CD", &product)) return e;
  if (product != s.options.acnt_prdt_cd()) return input_error("ACNT_PRDT_CD");
  return std::nullopt;
}

// EXCG_ID_DVSN_CD: optional; paper trades on KRX only (PROTOCOL §4.4).
bool exchange_ok(const MockState& s, const std::string& exchange, bool allow_all) {
  if (exchange.empty() || exchange == "KRX") return true;
  if (s.options.is_virtual()) return false;
  return exchange == "NXT" || exchange == "SOR" || (allow_all && exchange == "ALL");
}

http::Response with_envelope(Json body, std::string_view msg_cd) {
  append_envelope(body, "0", msg_cd);
  return kis_json(200, body);
}

// An order call refused after the gateway: journalled, answered HTTP 200 rt_cd "1".
http::Response refuse(MockState& s, const CallInfo& call, const http::Request& r,
                      http::Response answer, const char* stage) {
  record_rejection(s, call, r, answer, stage);
  return answer;
}

// The accepted answer (example 05), unless accept_then_drop / accept_then_delay_s hits it.
http::Response deliver(MockState& s, const CallInfo& call, Order& order) {
  if (s.faults.take(FaultKind::kAcceptThenDrop, call)) {
    order.delivery = "dropped";
    ++s.counters.dropped;
    http::Response drop;
    drop.close_without_reply = true;
    return drop;
  }
  Json body = envelope("0", "APBK0013");
  Json output = Json::object();
  output["KRX_FWDG_ORD_ORGNO"] = order.orgno;
  output["ODNO"] = order.odno;
  output["ORD_TMD"] = kst_time(order.accepted_at);
  body["output"] = std::move(output);
  http::Response response = kis_json(200, body);
  if (auto delay = s.faults.take(FaultKind::kAcceptThenDelay, call)) {
    order.delivery = "delayed";
    order.delay_s = delay->seconds;
    ++s.counters.delayed;
    response.delay = std::chrono::milliseconds(std::llround(delay->seconds * 1000));
  }
  return response;
}

// The answer of reject_next_order: its code, its text or the known one, else a generic refusal.
http::Response rejection(const Fault& fault) {
  std::string text = fault.msg1.empty() ? message_for(fault.msg_cd) : fault.msg1;
  if (text.empty()) text = "주문이 거부되었습니다.";
  return kis_error(200, fault.msg_cd, text);
}

http::Response order_cash(MockState& s, const http::Request& r, const CallInfo& call) {
  Fields f;
  if (auto e = parse_upper_body(r, f)) return refuse(s, call, r, std::move(*e), "input");
  if (auto e = check_account(s, f)) return refuse(s, call, r, std::move(*e), "input");
  std::string pdno, dvsn, qty_text, price_text;
  for (auto [name, out] : {std::pair{"PDNO", &pdno}, std::pair{"ORD_DVSN", &dvsn},
                           std::pair{"ORD_QTY", &qty_text}, std::pair{"ORD_UNPR", &price_text}}) {
    if (auto e = need(f, name, out)) return refuse(s, call, r, std::move(*e), "input");
  }
  const auto quantity = parse_int(qty_text);
  if (!quantity) return refuse(s, call, r, input_error("ORD_QTY"), "input");
  const auto price = parse_int(price_text);
  if (!price || *price < 0) return refuse(s, call, r, input_error("ORD_UNPR"), "input");
  if (!exchange_ok(s, f.count("EXCG_ID_DVSN_CD") ? f.at("EXCG_ID_DVSN_CD") : "", false)) {
    return refuse(s, call, r, input_error("EXCG_ID_DVSN_CD"), "input");
  }
  if (auto fault = s.faults.take(FaultKind::kRejectNextOrder, call)) {
    return refuse(s, call, r, rejection(*fault), "fault");
  }
  OrderRequest request;
  request.side = call.side.value_or(domain::Side::kBuy);
  request.symbol = pdno;
  request.ord_dvsn = dvsn;
  request.quantity = *quantity;
  request.price = *price;
  request.tr_id = call.tr_id;
  const Decision decision = s.book->place(request, s.now);
  if (!decision.accepted()) return refuse(s, call, r, kis_error(200, decision.msg_cd), "order");
  return deliver(s, call, *decision.order);
}

http::Response order_rvsecncl(MockState& s, const http::Request& r, const CallInfo& call) {
  Fields f;
  if (auto e = parse_upper_body(r, f)) return refuse(s, call, r, std::move(*e), "input");
  if (auto e = check_account(s, f)) return refuse(s, call, r, std::move(*e), "input");
  std::string orgno, orgn_odno, dvsn, kind, qty_text, price_text, all;
  for (auto [name, out] : {std::pair{"KRX_FWDG_ORD_ORGNO", &orgno},
                           std::pair{"ORGN_ODNO", &orgn_odno}, std::pair{"ORD_DVSN", &dvsn},
                           std::pair{"RVSE_CNCL_DVSN_CD", &kind}, std::pair{"ORD_QTY", &qty_text},
                           std::pair{"ORD_UNPR", &price_text}, std::pair{"QTY_ALL_ORD_YN", &all}}) {
    if (auto e = need(f, name, out)) return refuse(s, call, r, std::move(*e), "input");
  }
  if (kind != "01" && kind != "02") {
    return refuse(s, call, r, input_error("RVSE_CNCL_DVSN_CD"), "input");
  }
  if (all != "Y" && all != "N") return refuse(s, call, r, input_error("QTY_ALL_ORD_YN"), "input");
  const auto quantity = parse_int(qty_text);
  if (!quantity) return refuse(s, call, r, input_error("ORD_QTY"), "input");
  const auto price = parse_int(price_text);
  if (!price || *price < 0) return refuse(s, call, r, input_error("ORD_UNPR"), "input");
  if (!exchange_ok(s, f.count("EXCG_ID_DVSN_CD") ? f.at("EXCG_ID_DVSN_CD") : "", false)) {
    return refuse(s, call, r, input_error("EXCG_ID_DVSN_CD"), "input");
  }
  if (auto fault = s.faults.take(FaultKind::kRejectNextOrder, call)) {
    return refuse(s, call, r, rejection(*fault), "fault");
  }
  ReviseCancelRequest request;
  request.orgno = orgno;
  request.orgn_odno = odno10(orgn_odno);
  request.cancel = kind == "02";
  request.ord_dvsn = dvsn;
  request.quantity = *quantity;
  request.price = *price;
  request.all = all == "Y";
  request.tr_id = call.tr_id;
  const Decision decision = s.book->revise_cancel(request, s.now);
  if (!decision.accepted()) return refuse(s, call, r, kis_error(200, decision.msg_cd), "order");
  return deliver(s, call, *decision.order);
}

std::string page_msg_cd(const Page& page) {
  return page.tr_cont == "F" || page.tr_cont == "M" ? "KIOK0500" : "KIOK0510";
}

// One output1 row of inquire-balance (example 07).
Json balance_row(const MockState& s, const std::string& symbol, const Holding& h) {
  const std::int64_t today = seoul_day(s.now);
  const Quote q = s.market->quote(symbol, s.now);
  const std::int64_t base = q.limits.base;
  const DayTrades td = s.account->trades(symbol, today);
  const DayTrades yd = s.account->trades(symbol, previous_trading_day(today));
  const std::int64_t value = h.quantity * q.price;
  Json row = Json::object();
  row["pdno"] = symbol;
  row["prdt_name"] = s.market->name(symbol);
  row["trad_dvsn_name"] = "현금";
  row["bfdy_buy_qty"] = num(yd.buy_qty);
  row["bfdy_sll_qty"] = num(yd.sell_qty);
  row["thdt_buyqty"] = num(td.buy_qty);
  row["thdt_sll_qty"] = num(td.sell_qty);
  row["hldg_qty"] = num(h.quantity);
  row["ord_psbl_qty"] = num(s.book->sellable(symbol));
  row["pchs_avg_pric"] = fixed(h.avg_price(), 4);
  row["pchs_amt"] = num(h.cost);
  row["prpr"] = num(q.price);
  row["evlu_amt"] = num(value);
  row["evlu_pfls_amt"] = num(value - h.cost);
  row["evlu_pfls_rt"] =
      fixed(h.cost == 0 ? 0.0 : 100.0 * static_cast<double>(value - h.cost) / h.cost, 2);
  row["evlu_erng_rt"] = "0.00000000";
  row["loan_dt"] = "";
  row["loan_amt"] = "0";
  row["stln_slng_chgs"] = "0";
  row["expd_dt"] = "";
  row["fltt_rt"] = fixed(base == 0 ? 0.0 : 100.0 * static_cast<double>(q.price - base) / base, 8);
  row["bfdy_cprs_icdc"] = num(q.price - base);
  row["item_mgna_rt_name"] = "20%";
  row["grta_rt_name"] = "";
  row["sbst_pric"] = num(q.price * 76 / 100 / 10 * 10);
  row["stck_loan_unpr"] = "0.0000";
  return row;
}

http::Response inquire_balance(MockState& s, const http::Request& r, const CallInfo&) {
  if (auto e = check_account(s, r)) return std::move(*e);
  std::string inqr_dvsn;
  if (auto e = need(r, "INQR_DVSN", &inqr_dvsn)) return std::move(*e);
  // "02" (by stock) has been refused since 2026-02-10 (python-kis issue #81).
  if (inqr_dvsn != "01") return input_error("INQR_DVSN");
  const auto q = [&](const char* name, const char* fallback) {
    return query_param(r, name).value_or(fallback);
  };
  const std::string fk100 =
      context_key({s.options.cano(), s.options.acnt_prdt_cd(), q("AFHR_FLPR_YN", "N"),
                   q("FNCG_AMT_AUTO_RDPT_YN", "N"), inqr_dvsn, q("UNPR_DVSN", "01"),
                   q("FUND_STTL_ICLD_YN", "N")});
  const std::int64_t today = seoul_day(s.now);
  // Held positions, and positions sold out today (hldg_qty 0, PROTOCOL §4.6), by code.
  std::vector<std::string> symbols;
  for (const auto& [symbol, h] : s.account->holdings()) {
    if (h.quantity > 0 || s.account->trades(symbol, today).sell_qty > 0) symbols.push_back(symbol);
  }
  const Page page = select_page(symbols, false, read_page_request(r), fk100,
                                static_cast<std::size_t>(s.options.balance_page_size));
  if (!page.error_field.empty()) return input_error(page.error_field);

  Json rows = Json::array();
  std::int64_t purchase = 0, value = 0, before = s.account->cash_before(today);
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    const Holding& h = s.account->holdings().at(symbols[i]);
    const Json row = balance_row(s, symbols[i], h);
    purchase += h.cost;
    value += std::stoll(row["evlu_amt"].get<std::string>());
    if (i >= page.begin && i < page.end) rows.push_back(row);
  }
  for (const auto& [symbol, h] : s.account->holdings()) {
    if (s.market->has(symbol)) {
      before += s.account->held_before(symbol, today) * s.market->limits(symbol, today).base;
    }
  }
  const CashView cash = s.account->cash(today);
  const DayTrades td = s.account->trades(today);
  const DayTrades yd = s.account->trades(previous_trading_day(today));
  const std::int64_t total = value + cash.d2;
  Json sum = Json::object();
  sum["dnca_tot_amt"] = num(cash.d0);
  sum["nxdy_excc_amt"] = num(cash.d1);
  sum["prvs_rcdl_excc_amt"] = num(cash.d2);
  sum["cma_evlu_amt"] = "0";
  sum["bfdy_buy_amt"] = num(yd.buy_amt);
  sum["thdt_buy_amt"] = num(td.buy_amt);
  sum["nxdy_auto_rdpt_amt"] = "0";
  sum["bfdy_sll_amt"] = num(yd.sell_amt);
  sum["thdt_sll_amt"] = num(td.sell_amt);
  sum["d2_auto_rdpt_amt"] = "0";
  sum["bfdy_tlex_amt"] = num(yd.fees);
  sum["thdt_tlex_amt"] = num(td.fees);
  sum["tot_loan_amt"] = "0";
  sum["scts_evlu_amt"] = num(value);
  sum["tot_evlu_amt"] = num(total);
  sum["nass_amt"] = num(total);
  sum["fncg_gld_auto_rdpt_yn"] = "";
  sum["pchs_amt_smtl_amt"] = num(purchase);
  sum["evlu_amt_smtl_amt"] = num(value);
  sum["evlu_pfls_smtl_amt"] = num(value - purchase);
  sum["tot_stln_slng_chgs"] = "0";
  sum["bfdy_tot_asst_evlu_amt"] = num(before);
  sum["asst_icdc_amt"] = num(total - before);
  sum["asst_icdc_erng_rt"] = "0.00000000";

  Json body = Json::object();
  body["ctx_area_fk100"] = fk100;
  body["ctx_area_nk100"] = page.nk100;
  body["output1"] = std::move(rows);
  body["output2"] = Json::array({std::move(sum)});
  http::Response response = with_envelope(std::move(body), page_msg_cd(page));
  response.set_header("tr_cont", page.tr_cont);
  return response;
}

std::string side_label(const Order& o) {
  const bool buy = o.side == domain::Side::kBuy;
  switch (o.kind) {
    case OrderKind::kRevise:
      return buy ? "매수정정" : "매도정정";
    case OrderKind::kCancel:
      return buy ? "매수취소" : "매도취소";
    default:
      return buy ? "현금매수" : "현금매도";
  }
}

// One output1 row of inquire-daily-ccld (example 08).
Json ccld_row(const MockState& s, const Order& o) {
  const std::int64_t remaining =
      o.kind == OrderKind::kCancel ? 0 : std::max<std::int64_t>(0, o.remaining());
  Json row = Json::object();
  row["ord_dt"] = o.ord_dt;
  row["ord_gno_brno"] = o.orgno;
  row["odno"] = o.odno;
  row["orgn_odno"] = o.orgn_odno;
  row["ord_dvsn_name"] = o.is_market() ? "시장가" : "지정가";
  row["sll_buy_dvsn_cd"] = o.side == domain::Side::kSell ? "01" : "02";
  row["sll_buy_dvsn_cd_name"] = side_label(o);
  row["pdno"] = o.symbol;
  row["prdt_name"] = s.market->name(o.symbol);
  row["ord_qty"] = num(o.quantity);
  row["ord_unpr"] = num(o.price);
  row["ord_tmd"] = kst_time(o.accepted_at);
  row["tot_ccld_qty"] = num(o.filled_qty);
  row["avg_prvs"] =
      num(o.filled_qty == 0 ? 0 : std::llround(static_cast<double>(o.filled_amt) / o.filled_qty));
  row["cncl_yn"] = o.kind == OrderKind::kCancel ? "Y" : "";
  row["tot_ccld_amt"] = num(o.filled_amt);
  row["loan_dt"] = "";
  row["ordr_empno"] = o.source == "api" ? "OpnAPI" : "HTS";
  row["ord_dvsn_cd"] = o.ord_dvsn;
  row["cnc_cfrm_qty"] = num(o.cancelled_qty);
  row["rmn_qty"] = num(remaining);
  row["rjct_qty"] = "0";
  row["ccld_cndt_name"] = "없음";
  row["inqr_ip_addr"] = "";
  row["cpbc_ordp_ord_rcit_dvsn_cd"] = "";
  row["cpbc_ordp_infm_mthd_dvsn_cd"] = "";
  row["infm_tmd"] = "";
  row["ctac_tlno"] = "";
  row["prdt_type_cd"] = "300";
  row["excg_dvsn_cd"] = "02";
  row["cpbc_ordp_mtrl_dvsn_cd"] = "";
  row["ord_orgno"] = "";
  row["rsvn_ord_end_dt"] = "";
  row["excg_id_dvsn_Cd"] = "KRX";
  row["stpm_cndt_pric"] = "0";
  row["stpm_efct_occr_dtmd"] = "";
  return row;
}

http::Response inquire_daily_ccld(MockState& s, const http::Request& r, const CallInfo&) {
  if (auto e = check_account(s, r)) return std::move(*e);
  std::string from_text, to_text;
  if (auto e = need(r, "INQR_STRT_DT", &from_text)) return std::move(*e);
  if (auto e = need(r, "INQR_END_DT", &to_text)) return std::move(*e);
  const auto digits8 = [](const std::string& t) {
    return t.size() == 8 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits8(from_text)) return input_error("INQR_STRT_DT");
  if (!digits8(to_text)) return input_error("INQR_END_DT");
  const auto q = [&](const char* name, const char* fallback) {
    return query_param(r, name).value_or(fallback);
  };
  const std::string side = q("SLL_BUY_DVSN_CD", "00"), order_by = q("INQR_DVSN", "00"),
                    ccld = q("CCLD_DVSN", "00"), pdno = q("PDNO", ""), odno = q("ODNO", ""),
                    branch = q("ORD_GNO_BRNO", "");
  if (side != "00" && side != "01" && side != "02") return input_error("SLL_BUY_DVSN_CD");
  if (order_by != "00" && order_by != "01") return input_error("INQR_DVSN");
  if (ccld != "00" && ccld != "01" && ccld != "02") return input_error("CCLD_DVSN");
  if (!exchange_ok(s, q("EXCG_ID_DVSN_CD", ""), true)) return input_error("EXCG_ID_DVSN_CD");
  const std::string fk100 = context_key({s.options.cano(), s.options.acnt_prdt_cd(), from_text,
                                         to_text, pdno.empty() ? " " : pdno, side, ccld});

  // The query's rows in its order: same-day orders show only ccld_lag_s after acceptance.
  const TimestampMs lag = s.options.ccld_lag_s * kMsPerSecond;
  std::vector<const Order*> rows;
  for (const Order& o : s.book->orders()) {
    if (o.ord_dt < from_text || o.ord_dt > to_text || o.accepted_at + lag > s.now) continue;
    if (side != "00" && (side == "01") != (o.side == domain::Side::kSell)) continue;
    if (!pdno.empty() && o.symbol != pdno) continue;
    if (!odno.empty() && o.odno != odno10(odno)) continue;
    if (!branch.empty() && o.orgno != branch) continue;
    const std::int64_t remaining = o.kind == OrderKind::kCancel ? 0 : o.remaining();
    if (ccld == "01" && o.filled_qty == 0) continue;
    if (ccld == "02" && remaining <= 0) continue;
    rows.push_back(&o);
  }
  const bool newest_first = order_by == "00";
  const auto key = [](const Order* o) { return o->ord_dt + "^" + o->odno; };
  std::sort(rows.begin(), rows.end(), [&](const Order* a, const Order* b) {
    return newest_first ? key(a) > key(b) : key(a) < key(b);
  });
  std::vector<std::string> keys;
  for (const Order* o : rows) keys.push_back(key(o));
  const Page page = select_page(keys, newest_first, read_page_request(r), fk100,
                                static_cast<std::size_t>(s.options.ccld_page_size));
  if (!page.error_field.empty()) return input_error(page.error_field);

  Json out = Json::array();
  std::int64_t ordered = 0, filled = 0, amount = 0, fees = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    ordered += rows[i]->quantity;
    filled += rows[i]->filled_qty;
    amount += rows[i]->filled_amt;
    fees += rows[i]->fees;
    if (i >= page.begin && i < page.end) out.push_back(ccld_row(s, *rows[i]));
  }
  Json sum = Json::object();
  sum["tot_ord_qty"] = num(ordered);
  sum["tot_ccld_qty"] = num(filled);
  sum["tot_ccld_amt"] = num(amount);
  sum["prsm_tlex_smtl"] = num(fees);
  sum["pchs_avg_pric"] = fixed(filled == 0 ? 0.0 : static_cast<double>(amount) / filled, 4);
  Json body = Json::object();
  body["ctx_area_fk100"] = fk100;
  body["ctx_area_nk100"] = page.nk100;
  body["output1"] = std::move(out);
  body["output2"] = std::move(sum);
  http::Response response = with_envelope(std::move(body), page_msg_cd(page));
  response.set_header("tr_cont", page.tr_cont);
  return response;
}

http::Response inquire_psbl_order(MockState& s, const http::Request& r, const CallInfo&) {
  if (auto e = check_account(s, r)) return std::move(*e);
  std::string pdno, price_text, dvsn;
  if (auto e = need(r, "PDNO", &pdno)) return std::move(*e);
  if (auto e = need(r, "ORD_UNPR", &price_text)) return std::move(*e);
  if (auto e = need(r, "ORD_DVSN", &dvsn)) return std::move(*e);
  if (!pdno.empty() && !s.market->has(pdno)) return input_error("PDNO");
  const std::int64_t today = seoul_day(s.now);
  std::int64_t price = 0;
  if (!pdno.empty()) {
    const auto given = parse_int(price_text.empty() ? "0" : price_text);
    if (!given || *given < 0) return input_error("ORD_UNPR");
    // A market order is sized at the upper limit, as it reserves (PROTOCOL §4.4, §4.8).
    price = dvsn == "01" ? s.market->limits(pdno, today).upper
            : *given > 0 ? *given
                         : s.market->quote(pdno, s.now).price;
  }
  const std::int64_t cash = std::max<std::int64_t>(0, s.book->orderable_cash(s.now));
  std::int64_t quantity = 0;
  if (price > 0) {
    quantity = cash / price;
    while (quantity > 0 && s.book->buy_cost(quantity, price) > cash) --quantity;
  }
  Json o = Json::object();
  o["ord_psbl_cash"] = num(cash);
  o["ord_psbl_sbst"] = "0";
  o["ruse_psbl_amt"] = num(s.account->unsettled_sale_proceeds(today));
  o["fund_rpch_chgs"] = "0";
  o["psbl_qty_calc_unpr"] = num(price);
  o["nrcvb_buy_amt"] = num(cash);
  o["nrcvb_buy_qty"] = num(quantity);
  // No margin account is modelled: the "max" figures equal the cash-only ones.
  o["max_buy_amt"] = num(cash);
  o["max_buy_qty"] = num(quantity);
  o["cma_evlu_amt"] = "0";
  o["ovrs_re_use_amt_wcrc"] = "0";
  o["ord_psbl_frcr_amt_wcrc"] = "0";
  Json body = Json::object();
  body["output"] = std::move(o);
  return with_envelope(std::move(body), "KIOK0510");
}

http::Response not_modelled(MockState&, const http::Request&, const CallInfo&) {
  return kis_error(200, "MOCK0009");
}

}  // namespace

void add_trading_routes(http::Router& router, MockState& s) {
  add_kis_route(router, s, *find_endpoint("order-cash"), order_cash);
  add_kis_route(router, s, *find_endpoint("order-rvsecncl"), order_rvsecncl);
  add_kis_route(router, s, *find_endpoint("inquire-balance"), inquire_balance);
  add_kis_route(router, s, *find_endpoint("inquire-daily-ccld"), inquire_daily_ccld);
  add_kis_route(router, s, *find_endpoint("inquire-psbl-order"), inquire_psbl_order);
  // Real-only APIs (paper answers "모의투자 TR 이 아닙니다." at the gateway); not modelled.
  for (const char* name : {"inquire-psbl-rvsecncl", "inquire-psbl-sell", "chk-holiday"}) {
    add_kis_route(router, s, *find_endpoint(name), not_modelled);
  }
}

}  // namespace quantd::kis_mock
