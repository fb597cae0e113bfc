#include "quantd/kis/kis_messages.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace quantd::kis {

using nlohmann::json;

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A row's string field; every KIS value is a string (PROTOCOL §3.1).
Result<std::string> field(const json& row, const char* name, std::string_view what) {
  auto it = row.find(name);
  if (it == row.end() || !it->is_string()) {
    return Status::invalid_argument(std::string(what) + ": field " + name + " is missing");
  }
  return it->get<std::string>();
}

// A whole number in a string ("10", "-100"; "71950.0000" only when its fraction is zero).
Result<std::int64_t> integer_field(const json& row, const char* name, std::string_view what) {
  auto text = field(row, name, what);
  if (!text.ok()) return text.status();
  std::string t = trim(*text);
  if (const auto dot = t.find('.'); dot != std::string::npos) {
    if (t.find_first_not_of('0', dot + 1) != std::string::npos) {
      return Status::invalid_argument(std::string(what) + ": field " + name +
                                      " is not a whole number");
    }
    t.resize(dot);
  }
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
    return Status::invalid_argument(std::string(what) + ": field " + name +
                                    " is not a whole number");
  }
  return v;
}

// A decimal number in a string ("71950.0000").
Result<double> number_field(const json& row, const char* name, std::string_view what) {
  auto text = field(row, name, what);
  if (!text.ok()) return text.status();
  const std::string t = trim(*text);
  double v = 0;
  const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size() || !std::isfinite(v)) {
    return Status::invalid_argument(std::string(what) + ": field " + name + " is not a number");
  }
  return v;
}

std::optional<CivilDate> parse_yyyymmdd(std::string_view s) {
  if (s.size() != 8 || !all_digits(s)) return std::nullopt;
  CivilDate d{std::atoi(std::string(s.substr(0, 4)).c_str()),
              std::atoi(std::string(s.substr(4, 2)).c_str()),
              std::atoi(std::string(s.substr(6, 2)).c_str())};
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return std::nullopt;
  return d;
}

// "HHMMSS" → seconds of the day.
std::optional<int> parse_hhmmss(std::string_view s) {
  if (s.size() != 6 || !all_digits(s)) return std::nullopt;
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[2] - '0') * 10 + (s[3] - '0');
  const int sec = (s[4] - '0') * 10 + (s[5] - '0');
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return h * 3600 + m * 60 + sec;
}

Result<CivilDate> date_field(const json& row, const char* name, std::string_view what) {
  auto text = field(row, name, what);
  if (!text.ok()) return text.status();
  auto d = parse_yyyymmdd(trim(*text));
  if (!d) return Status::invalid_argument(std::string(what) + ": field " + name + " is not a date");
  return *d;
}

// A chart row's open, high, low, close (`close` names its field) and volume.
Status read_prices(const json& row, const char* close, const char* volume, std::string_view what,
                   domain::Bar& b) {
  for (auto [name, target] : {std::pair{"stck_oprc", &b.open},
                              {"stck_hgpr", &b.high},
                              {"stck_lwpr", &b.low},
                              {close, &b.close}}) {
    auto v = number_field(row, name, what);
    if (!v.ok()) return v.status();
    *target = *v;
  }
  auto vol = integer_field(row, volume, what);
  if (!vol.ok()) return vol.status();
  b.volume = *vol;
  return {};
}

const json& rows_of(const json& v) {
  static const json kEmpty = json::array();
  return v.is_array() ? v : kEmpty;
}

std::string account_tr(std::string_view real, Environment env) {
  std::string id(real);
  if (env == Environment::kPaper) id[0] = 'V';  // TTTC0012U → VTTC0012U (PROTOCOL §3.2)
  return id;
}

}  // namespace

std::string_view to_string(Environment env) { return env == Environment::kReal ? "real" : "paper"; }

std::optional<Environment> parse_environment(std::string_view text) {
  if (text == "paper") return Environment::kPaper;
  if (text == "real") return Environment::kReal;
  return std::nullopt;
}

std::string_view default_rest_url(Environment env) {
  return env == Environment::kReal ? "https://openapi.koreainvestment.com:9443"
                                   : "https://openapivts.koreainvestment.com:29443";
}

Endpoint endpoint(Call call, Environment env) {
  constexpr std::string_view q = "/uapi/domestic-stock/v1/quotations/";
  constexpr std::string_view t = "/uapi/domestic-stock/v1/trading/";
  static const std::array<std::string, 9> kPaths = {std::string(q) + "inquire-price",
                                                    std::string(q) + "inquire-daily-itemchartprice",
                                                    std::string(q) + "inquire-time-itemchartprice",
                                                    std::string(t) + "order-cash",
                                                    std::string(t) + "order-cash",
                                                    std::string(t) + "order-rvsecncl",
                                                    std::string(t) + "inquire-balance",
                                                    std::string(t) + "inquire-daily-ccld",
                                                    std::string(t) + "inquire-psbl-order"};
  const std::string_view path = kPaths[static_cast<std::size_t>(call)];
  switch (call) {
    case Call::kPrice:
      return {"GET", path, "FHKST01010100"};
    case Call::kDailyChart:
      return {"GET", path, "FHKST03010100"};
    case Call::kMinuteChart:
      return {"GET", path, "FHKST03010200"};
    case Call::kBuy:
      return {"POST", path, account_tr("TTTC0012U", env)};
    case Call::kSell:
      return {"POST", path, account_tr("TTTC0011U", env)};
    case Call::kReviseCancel:
      return {"POST", path, account_tr("TTTC0013U", env)};
    case Call::kBalance:
      return {"GET", path, account_tr("TTTC8434R", env)};
    case Call::kDailyOrders:
      return {"GET", path, account_tr("TTTC0081R", env)};
    case Call::kBuyingPower:
      return {"GET", path, account_tr("TTTC8908R", env)};
  }
  return {"GET", path, ""};
}

Result<AccountNo> parse_account(std::string_view text) {
  std::string digits;
  for (char c : trim(text)) {
    if (c == '-') continue;
    digits.push_back(c);
  }
  if (digits.size() != 10 || !all_digits(digits)) {
    return Status::invalid_argument(
        "the KIS account number must be 10 digits, 8 and 2, e.g. \"12345678-01\"");
  }
  return AccountNo{digits.substr(0, 8), digits.substr(8)};
}

std::string mask_account(const AccountNo& account) {
  return account.cano.substr(0, 4) + "****-" + account.product;
}

std::string Envelope::describe() const {
  if (!is_json || (msg_cd.empty() && msg1.empty())) return "HTTP " + std::to_string(http_status);
  std::string out = msg_cd;
  if (!msg1.empty()) out += (out.empty() ? "" : " ") + msg1;
  return out;
}

Envelope parse_envelope(int http_status, std::string_view body) {
  Envelope e;
  e.http_status = http_status;
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return e;
  e.is_json = true;
  auto text = [&](const char* key) {
    auto it = j.find(key);
    if (it == j.end()) return std::string();
    if (it->is_string()) return trim(it->get<std::string>());
    if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
    return std::string();
  };
  e.rt_cd = text("rt_cd");
  e.msg_cd = text("msg_cd");
  e.msg1 = text("msg1");
  e.body = std::move(j);
  return e;
}

bool is_rate_limited(std::string_view msg_cd) {
  return msg_cd == "EGW00201" || msg_cd == "EGW00215";
}

bool is_token_rejected(std::string_view msg_cd) {
  return msg_cd == "EGW00121" || msg_cd == "EGW00122" || msg_cd == "EGW00123" ||
         msg_cd == "EGW00205";
}

bool is_configuration_error(const Envelope& e) {
  const std::string& c = e.msg_cd;
  if (c == "EGW00102" || c == "EGW00103" || c == "EGW00104" || c == "EGW00105" || c == "EGW02004" ||
      c == "EGW00208") {
    return true;
  }
  return e.msg1.find("모의투자 TR 이 아닙니다") != std::string::npos;
}

Result<json> order_body(const AccountNo& account, const live::OrderRequest& r) {
  if (r.quantity < 1) return Status::invalid_argument("the order quantity must be at least 1");
  std::string dvsn;
  std::string price = "0";
  if (r.type == live::OrderType::kLimit) {
    if (!(r.limit_price >= 1) || r.limit_price != std::floor(r.limit_price) ||
        r.limit_price > 1e12) {
      return Status::invalid_argument("a KIS limit price must be a positive whole number of won");
    }
    dvsn = "00";
    price = std::to_string(static_cast<std::int64_t>(r.limit_price));
  } else if (r.type == live::OrderType::kMarket) {
    dvsn = "01";
  } else {
    return Status::invalid_argument(
        "KIS takes no stop orders here: quantd watches protective exits and sends a market order");
  }
  return json{
      {"CANO", account.cano},    {"ACNT_PRDT_CD", account.product},       {"PDNO", r.symbol.str()},
      {"ORD_DVSN", dvsn},        {"ORD_QTY", std::to_string(r.quantity)}, {"ORD_UNPR", price},
      {"EXCG_ID_DVSN_CD", "KRX"}};
}

json cancel_body(const AccountNo& account, const live::BrokerOrderRef& ref, std::int64_t quantity) {
  return json{{"CANO", account.cano},
              {"ACNT_PRDT_CD", account.product},
              {"KRX_FWDG_ORD_ORGNO", ref.branch},
              {"ORGN_ODNO", ref.order_no},
              {"ORD_DVSN", "00"},
              {"RVSE_CNCL_DVSN_CD", "02"},
              {"ORD_QTY", std::to_string(quantity)},
              {"ORD_UNPR", "0"},
              {"QTY_ALL_ORD_YN", quantity == 0 ? "Y" : "N"},
              {"EXCG_ID_DVSN_CD", "KRX"}};
}

live::SendResult classify_order(const Envelope& e, CivilDate today) {
  live::SendResult r;
  r.code = e.msg_cd;
  r.message = e.describe();
  if (!e.is_json) {
    r.outcome = live::SendOutcome::kUnknown;  // a 5xx page, a proxy's HTML: it may be placed
    return r;
  }
  if (is_rate_limited(e.msg_cd) || is_token_rejected(e.msg_cd)) {
    // The gateway refused before routing (LIVE.md §4.2): the same row may go again.
    r.outcome = live::SendOutcome::kRejected;
    r.resend_allowed = true;
    return r;
  }
  if (is_configuration_error(e)) {
    r.outcome = live::SendOutcome::kRejected;
    return r;
  }
  if (e.http_status == 200 && e.rt_cd == "0") {
    const json* out = nullptr;
    if (auto it = e.body.find("output"); it != e.body.end() && it->is_object()) out = &*it;
    auto get = [&](const char* upper, const char* lower) -> std::string {
      if (out == nullptr) return {};
      for (const char* k : {upper, lower}) {
        if (auto it = out->find(k); it != out->end() && it->is_string()) {
          return trim(it->get<std::string>());
        }
      }
      return {};
    };
    const std::string odno = get("ODNO", "odno");
    if (odno.empty()) {
      r.outcome = live::SendOutcome::kUnknown;  // "success" without an order number proves nothing
      return r;
    }
    r.outcome = live::SendOutcome::kAccepted;
    r.ref = live::BrokerOrderRef{odno, get("KRX_FWDG_ORD_ORGNO", "krx_fwdg_ord_orgno"), today};
    r.broker_time = get("ORD_TMD", "ord_tmd");
    return r;
  }
  if (e.http_status == 200) {
    r.outcome = live::SendOutcome::kRejected;  // a business refusal: definitive
    return r;
  }
  r.outcome = live::SendOutcome::kUnknown;  // a 5xx with any other code (EGW00002, …)
  return r;
}

live::SendResult classify_no_answer(const Status& error, bool sent) {
  live::SendResult r;
  r.outcome = sent ? live::SendOutcome::kUnknown : live::SendOutcome::kNotSent;
  r.message = error.message();
  return r;
}

Result<std::vector<live::BrokerOrder>> parse_daily_orders(const json& output1) {
  std::vector<live::BrokerOrder> out;
  constexpr std::string_view what = "inquire-daily-ccld";
  for (const json& row : rows_of(output1)) {
    if (!row.is_object())
      return Status::invalid_argument("inquire-daily-ccld: a row is not an object");
    live::BrokerOrder o;
    auto date = date_field(row, "ord_dt", what);
    if (!date.ok()) return date.status();
    auto odno = field(row, "odno", what);
    if (!odno.ok()) return odno.status();
    auto branch = field(row, "ord_gno_brno", what);
    if (!branch.ok()) return branch.status();
    o.ref = live::BrokerOrderRef{trim(*odno), trim(*branch), *date};
    if (o.ref.order_no.empty()) return Status::invalid_argument("inquire-daily-ccld: empty odno");
    if (auto orig = row.find("orgn_odno"); orig != row.end() && orig->is_string()) {
      o.original_order_no = trim(orig->get<std::string>());
    }
    auto pdno = field(row, "pdno", what);
    if (!pdno.ok()) return pdno.status();
    o.symbol = domain::Symbol(trim(*pdno));
    auto side = field(row, "sll_buy_dvsn_cd", what);
    if (!side.ok()) return side.status();
    if (trim(*side) == "01") {
      o.side = domain::Side::kSell;
    } else if (trim(*side) == "02") {
      o.side = domain::Side::kBuy;
    } else {
      return Status::invalid_argument("inquire-daily-ccld: sll_buy_dvsn_cd is neither 01 nor 02");
    }
    auto dvsn = field(row, "ord_dvsn_cd", what);
    if (!dvsn.ok()) return dvsn.status();
    // 00 limit; every other code executes without a price we set (01 market, 03 best, …).
    o.type = trim(*dvsn) == "00" ? live::OrderType::kLimit : live::OrderType::kMarket;
    for (auto [name, target] : {std::pair{"ord_qty", &o.quantity},
                                {"tot_ccld_qty", &o.filled_qty},
                                {"tot_ccld_amt", &o.filled_amount},
                                {"rmn_qty", &o.remaining_qty},
                                {"cnc_cfrm_qty", &o.cancelled_qty},
                                {"rjct_qty", &o.rejected_qty}}) {
      auto v = integer_field(row, name, what);
      if (!v.ok()) return v.status();
      *target = *v;
    }
    auto price = number_field(row, "ord_unpr", what);
    if (!price.ok()) return price.status();
    o.limit_price = o.type == live::OrderType::kLimit ? *price : 0;
    auto avg = number_field(row, "avg_prvs", what);
    if (!avg.ok()) return avg.status();
    o.avg_price = o.filled_qty > 0 ? *avg : 0;
    auto tmd = field(row, "ord_tmd", what);
    if (!tmd.ok()) return tmd.status();
    o.order_time = trim(*tmd);
    if (auto secs = parse_hhmmss(o.order_time)) {
      o.order_ts = from_seoul(*date, 0, 0, *secs);
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<live::Holding>> parse_holdings(const json& output1) {
  std::vector<live::Holding> out;
  constexpr std::string_view what = "inquire-balance";
  for (const json& row : rows_of(output1)) {
    auto pdno = field(row, "pdno", what);
    if (!pdno.ok()) return pdno.status();
    auto qty = integer_field(row, "hldg_qty", what);
    if (!qty.ok()) return qty.status();
    auto sellable = integer_field(row, "ord_psbl_qty", what);
    if (!sellable.ok()) return sellable.status();
    auto avg = number_field(row, "pchs_avg_pric", what);
    if (!avg.ok()) return avg.status();
    if (*qty <= 0) continue;  // sold out today: listed with 0 until D+2
    // Loan lots list one symbol on several rows: one holding per symbol.
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const live::Holding& h) { return h.symbol.str() == trim(*pdno); });
    if (it == out.end()) {
      out.push_back({domain::Symbol(trim(*pdno)), *qty, *sellable, *avg});
    } else {
      const double cost =
          it->avg_price * static_cast<double>(it->quantity) + *avg * static_cast<double>(*qty);
      it->quantity += *qty;
      it->sellable += *sellable;
      it->avg_price = cost / static_cast<double>(it->quantity);
    }
  }
  return out;
}

Result<Cash> parse_cash(const json& output2) {
  const json& row = output2.is_array() ? (output2.empty() ? json() : output2.front()) : output2;
  if (!row.is_object()) return Status::invalid_argument("inquire-balance: output2 is missing");
  Cash c;
  auto d0 = integer_field(row, "dnca_tot_amt", "inquire-balance");
  if (!d0.ok()) return d0.status();
  auto d2 = integer_field(row, "prvs_rcdl_excc_amt", "inquire-balance");
  if (!d2.ok()) return d2.status();
  c.d0 = *d0;
  c.d2 = *d2;
  return c;
}

Result<std::int64_t> parse_orderable(const json& output) {
  if (!output.is_object()) return Status::invalid_argument("inquire-psbl-order: output is missing");
  return integer_field(output, "nrcvb_buy_amt", "inquire-psbl-order");
}

Result<std::vector<domain::Bar>> parse_minute_bars(const json& output2) {
  std::vector<domain::Bar> out;
  constexpr std::string_view what = "inquire-time-itemchartprice";
  for (const json& row : rows_of(output2)) {
    auto date = date_field(row, "stck_bsop_date", what);
    if (!date.ok()) return date.status();
    auto hour = field(row, "stck_cntg_hour", what);
    if (!hour.ok()) return hour.status();
    const auto secs = parse_hhmmss(trim(*hour));
    if (!secs) return Status::invalid_argument("inquire-time-itemchartprice: bad stck_cntg_hour");
    domain::Bar b;
    b.ts = from_seoul(*date, 0, 0, *secs - *secs % 60);  // the minute's start
    if (Status st = read_prices(row, "stck_prpr", "cntg_vol", what, b); !st.ok()) return st;
    out.push_back(b);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& a, const auto& b) { return a.ts == b.ts; }),
            out.end());
  return out;
}

Result<std::vector<domain::Bar>> parse_daily_bars(const json& output2) {
  std::vector<domain::Bar> out;
  constexpr std::string_view what = "inquire-daily-itemchartprice";
  for (const json& row : rows_of(output2)) {
    if (row.is_object() && row.empty()) continue;  // KIS pads short answers with empty objects
    if (auto mod = row.find("mod_yn"); mod != row.end() && mod->is_string() && *mod == "Y") {
      continue;  // no trade that day: no real open
    }
    auto date = date_field(row, "stck_bsop_date", what);
    if (!date.ok()) return date.status();
    domain::Bar b;
    b.ts = from_seoul(*date);
    if (Status st = read_prices(row, "stck_clpr", "acml_vol", what, b); !st.ok()) return st;
    out.push_back(b);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
  return out;
}

std::optional<TimestampMs> parse_kst_datetime(std::string_view text) {
  // "YYYY-MM-DD HH:MM:SS"
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  if (digits.size() != 14) return std::nullopt;
  auto date = parse_yyyymmdd(digits.substr(0, 8));
  auto secs = parse_hhmmss(digits.substr(8));
  if (!date || !secs) return std::nullopt;
  return from_seoul(*date, 0, 0, *secs);
}

Result<TokenGrant> parse_token(int http_status, std::string_view body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::unavailable("tokenP answered HTTP " + std::to_string(http_status) +
                               " without a JSON body");
  }
  const std::string code = j.value("error_code", std::string());
  const std::string why = trim(j.value("error_description", std::string()));
  if (code == "EGW00133") {
    return Status::resource_exhausted("tokenP: EGW00133 " + why + " (asked again too soon)");
  }
  if (code == "EGW00103" || code == "EGW00105" || code == "EGW02004") {
    return Status::failed_precondition("tokenP: " + code + " " + why +
                                       ": check kis.app_key and kis.app_secret");
  }
  if (http_status != 200 || !code.empty()) {
    return Status::unavailable("tokenP answered HTTP " + std::to_string(http_status) +
                               (code.empty() ? "" : " " + code + " " + why));
  }
  TokenGrant g;
  g.token = j.value("access_token", std::string());
  if (g.token.empty()) return Status::unavailable("tokenP answered without an access_token");
  const auto expiry = parse_kst_datetime(j.value("access_token_token_expired", std::string()));
  if (!expiry) {
    return Status::unavailable("tokenP's access_token_token_expired is not a KST date-time");
  }
  g.expires_at = *expiry;
  return g;
}

}  // namespace quantd::kis
