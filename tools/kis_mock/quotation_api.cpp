// Quotations (PROTOCOL §4.1–§4.3): current price, daily/weekly/monthly/yearly bars and today's
// minute bars, all derived from the replayed bars at the mock clock (market.h's time model).
// Field names and order follow examples 02, 03 and 04.
#include <algorithm>
#include <cmath>

#include "gateway.h"
#include "kis_api.h"

namespace quantd::kis_mock {

namespace {

constexpr std::size_t kDailyRows = 100;
constexpr std::size_t kMinuteRows = 30;
constexpr std::size_t kPastMinuteRows = 120;

// prdy_vrss_sign: 1 limit up, 2 up, 3 flat, 4 limit down, 5 down.
std::string change_sign(std::int64_t price, std::int64_t base, const PriceLimits* band) {
  if (band != nullptr && band->base > 0) {
    if (price >= band->upper) return "1";
    if (price <= band->lower) return "4";
  }
  return price > base ? "2" : price == base ? "3" : "5";
}

std::string pct(std::int64_t part, std::int64_t whole, int decimals) {
  return fixed(whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole),
               decimals);
}

std::string market_label(domain::Market market) {
  switch (market) {
    case domain::Market::kKosdaq:
      return "KOSDAQ";
    case domain::Market::kKonex:
      return "KONEX";
    case domain::Market::kEtf:
      return "ETF";
    default:
      return "KOSPI";
  }
}

// FID_COND_MRKT_DIV_CODE and FID_INPUT_ISCD of every quotation: the symbol, or the answer.
std::optional<http::Response> read_symbol(const MockState& s, const http::Request& r,
                                          std::string* symbol) {
  const auto market = query_param(r, "FID_COND_MRKT_DIV_CODE");
  // Paper trades KRX only; the real host also knows NXT and the unified book (PROTOCOL §3.5).
  if (!market ||
      (*market != "J" && (s.options.is_virtual() || (*market != "NX" && *market != "UN")))) {
    return input_error("FID_COND_MRKT_DIV_CODE");
  }
  *symbol = query_param(r, "FID_INPUT_ISCD").value_or("");
  if (!s.market->has(*symbol)) return input_error("FID_INPUT_ISCD");
  return std::nullopt;
}

std::optional<std::int64_t> parse_yyyymmdd(const std::string& text) {
  if (text.size() != 8) return std::nullopt;
  const auto date =
      parse_civil_date(text.substr(0, 4) + "-" + text.substr(4, 2) + "-" + text.substr(6, 2));
  if (!date) return std::nullopt;
  return days_from_civil(*date);
}

// "HHMMSS" → seconds since midnight.
std::optional<int> parse_hhmmss(const std::string& text) {
  if (text.size() != 6 || text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int h = std::stoi(text.substr(0, 2)), m = std::stoi(text.substr(2, 2)),
            sec = std::stoi(text.substr(4, 2));
  if (h > 23 || m > 59 || sec > 59) return std::nullopt;
  return h * 3600 + m * 60 + sec;
}

// The example 02 fields, valued from the quote.
Json price_output(const MockState& s, const std::string& symbol, const Quote& q) {
  const std::int64_t today = seoul_day(s.now);
  const std::int64_t base = q.limits.base;
  std::int64_t w52_high = 0, w52_low = 0, w52_high_day = today, w52_low_day = today;
  for (const DayRow& d : s.market->day_rows(symbol, s.now)) {
    if (d.day <= today - 365) continue;
    if (w52_high == 0 || d.high > w52_high) w52_high = d.high, w52_high_day = d.day;
    if (w52_low == 0 || d.low < w52_low) w52_low = d.low, w52_low_day = d.day;
  }
  const auto day_text = [](std::int64_t day) { return kst_date(from_seoul(civil_from_days(day))); };
  const std::int64_t prev_volume = q.previous_day ? q.previous_day->volume : 0;
  Json o = Json::object();
  o["iscd_stat_cls_code"] = "55";
  o["marg_rate"] = "20.00";
  o["rprs_mrkt_kor_name"] = market_label(s.market->market_of(symbol));
  o["bstp_kor_isnm"] = "";
  o["temp_stop_yn"] = "N";
  o["crdt_able_yn"] = "Y";
  o["stck_prpr"] = num(q.price);
  o["prdy_vrss"] = num(q.price - base);
  o["prdy_vrss_sign"] = change_sign(q.price, base, &q.limits);
  o["prdy_ctrt"] = pct(q.price - base, base, 2);
  o["acml_tr_pbmn"] = num(q.value);
  o["acml_vol"] = num(q.volume);
  o["prdy_vrss_vol_rate"] = pct(q.volume, prev_volume, 2);
  o["stck_oprc"] = num(q.open);
  o["stck_hgpr"] = num(q.high);
  o["stck_lwpr"] = num(q.low);
  o["stck_mxpr"] = num(q.limits.upper);
  o["stck_llam"] = num(q.limits.lower);
  o["stck_sdpr"] = num(base);
  o["wghn_avrg_stck_prc"] =
      fixed(q.volume == 0 ? 0.0 : static_cast<double>(q.value) / static_cast<double>(q.volume), 2);
  o["rstc_wdth_prc"] = num(q.limits.width);
  o["stck_fcam"] = "100";
  o["aspr_unit"] = num(s.market->tick(symbol, q.price, today));
  o["hts_deal_qty_unit_val"] = "1";
  o["lstn_stcn"] = "0";
  o["hts_avls"] = "0";
  o["per"] = "0.00";
  o["pbr"] = "0.00";
  o["eps"] = "0.00";
  o["bps"] = "0.00";
  o["w52_hgpr"] = num(w52_high);
  o["w52_hgpr_date"] = day_text(w52_high_day);
  o["w52_lwpr"] = num(w52_low);
  o["w52_lwpr_date"] = day_text(w52_low_day);
  o["ssts_yn"] = "Y";
  o["stck_shrn_iscd"] = symbol;
  o["vi_cls_code"] = "N";
  o["ovtm_vi_cls_code"] = "N";
  o["invt_caful_yn"] = "N";
  o["mrkt_warn_cls_code"] = "00";
  o["short_over_yn"] = "N";
  o["sltr_yn"] = "N";
  o["mang_issu_cls_code"] = "N";
  return o;
}

// The summary object (output1) of the chart answers (examples 03 and 04).
Json chart_summary(const MockState& s, const std::string& symbol, const Quote& q, bool daily) {
  const std::int64_t base = q.limits.base;
  Json o = Json::object();
  o["prdy_vrss"] = num(q.price - base);
  o["prdy_vrss_sign"] = change_sign(q.price, base, &q.limits);
  o["prdy_ctrt"] = pct(q.price - base, base, 2);
  o["stck_prdy_clpr"] = num(base);
  o["acml_vol"] = num(q.volume);
  o["acml_tr_pbmn"] = num(q.value);
  o["hts_kor_isnm"] = s.market->name(symbol);
  o["stck_prpr"] = num(q.price);
  if (!daily) return o;
  const std::int64_t tick = s.market->tick(symbol, q.price, seoul_day(s.now));
  const std::int64_t prev_volume = q.previous_day ? q.previous_day->volume : 0;
  o["stck_shrn_iscd"] = symbol;
  o["prdy_vol"] = num(prev_volume);
  o["stck_mxpr"] = num(q.limits.upper);
  o["stck_llam"] = num(q.limits.lower);
  o["stck_oprc"] = num(q.open);
  o["stck_hgpr"] = num(q.high);
  o["stck_lwpr"] = num(q.low);
  o["stck_prdy_oprc"] = num(q.previous_day ? q.previous_day->open : 0);
  o["stck_prdy_hgpr"] = num(q.previous_day ? q.previous_day->high : 0);
  o["stck_prdy_lwpr"] = num(q.previous_day ? q.previous_day->low : 0);
  o["askp"] = num(q.price + tick);
  o["bidp"] = num(q.price);
  o["prdy_vrss_vol"] = num(q.volume - prev_volume);
  o["vol_tnrt"] = "0.00";
  o["stck_fcam"] = "100";
  o["lstn_stcn"] = "0";
  o["cpfn"] = "0";
  o["hts_avls"] = "0";
  o["per"] = "0.00";
  o["eps"] = "0.00";
  o["pbr"] = "0.00";
  o["itewhol_loan_rmnd_ratem"] = "0.00";
  return o;
}

// The period a day belongs to: itself (D), its week from Monday (W), month (M) or year (Y).
std::int64_t period_key(std::int64_t day, char period) {
  const CivilDate d = civil_from_days(day);
  switch (period) {
    case 'W':
      return day - (weekday_from_days(day) + 6) % 7;
    case 'M':
      return d.year * 100 + d.month;
    case 'Y':
      return d.year;
    default:
      return day;
  }
}

http::Response inquire_price(MockState& s, const http::Request& r, const CallInfo&) {
  std::string symbol;
  if (auto error = read_symbol(s, r, &symbol)) return std::move(*error);
  Json body = Json::object();
  body["output"] = price_output(s, symbol, s.market->quote(symbol, s.now));
  append_envelope(body, "0", "MCA00000");
  return kis_json(200, body);
}

http::Response daily_chart(MockState& s, const http::Request& r, const CallInfo&) {
  std::string symbol;
  if (auto error = read_symbol(s, r, &symbol)) return std::move(*error);
  const auto from = parse_yyyymmdd(query_param(r, "FID_INPUT_DATE_1").value_or(""));
  if (!from) return input_error("FID_INPUT_DATE_1");
  const auto to = parse_yyyymmdd(query_param(r, "FID_INPUT_DATE_2").value_or(""));
  if (!to) return input_error("FID_INPUT_DATE_2");
  const std::string period = query_param(r, "FID_PERIOD_DIV_CODE").value_or("");
  if (period != "D" && period != "W" && period != "M" && period != "Y") {
    return input_error("FID_PERIOD_DIV_CODE");
  }
  const std::string adjusted = query_param(r, "FID_ORG_ADJ_PRC").value_or("");
  if (adjusted != "0" && adjusted != "1") return input_error("FID_ORG_ADJ_PRC");

  // Periods over the days in [from, to], oldest first; each dated by its last trading day.
  std::vector<DayRow> periods;
  std::int64_t current_key = INT64_MIN;
  for (const DayRow& d : s.market->day_rows(symbol, s.now)) {
    if (d.day < *from || d.day > *to) continue;
    const std::int64_t key = period_key(d.day, period[0]);
    if (periods.empty() || key != current_key) {
      periods.push_back(d);
      current_key = key;
      continue;
    }
    DayRow& p = periods.back();
    p.day = d.day;
    p.high = std::max(p.high, d.high);
    p.low = std::min(p.low, d.low);
    p.close = d.close;
    p.volume += d.volume;
    p.value += d.value;
  }
  Json rows = Json::array();
  for (std::size_t i = periods.size(); i-- > 0 && rows.size() < kDailyRows;) {
    const DayRow& p = periods[i];
    const PriceLimits band = s.market->limits(symbol, p.day);
    const std::int64_t prev = i > 0 ? periods[i - 1].close : band.base;
    Json row = Json::object();
    row["stck_bsop_date"] = kst_date(from_seoul(civil_from_days(p.day)));
    row["stck_clpr"] = num(p.close);
    row["stck_oprc"] = num(p.open);
    row["stck_hgpr"] = num(p.high);
    row["stck_lwpr"] = num(p.low);
    row["acml_vol"] = num(p.volume);
    row["acml_tr_pbmn"] = num(p.value);
    row["flng_cls_code"] = "00";
    row["prtt_rate"] = "0.00";
    row["mod_yn"] = "N";
    row["prdy_vrss_sign"] = change_sign(p.close, prev, period == "D" ? &band : nullptr);
    row["prdy_vrss"] = num(p.close - prev);
    row["revl_issu_reas"] = "";
    rows.push_back(std::move(row));
  }
  Json body = Json::object();
  body["output1"] = chart_summary(s, symbol, s.market->quote(symbol, s.now), true);
  body["output2"] = std::move(rows);
  append_envelope(body, "0", "MCA00000");
  return kis_json(200, body);
}

// Minute rows of `day` up to `upto`, newest first, at most `limit`; `acml_tr_pbmn` is the day's
// cumulative traded value up to each row.
Json minute_rows_json(const MockState& s, const std::string& symbol, std::int64_t day,
                      TimestampMs upto, std::size_t limit) {
  const bool in_progress = s.options.bar_visible == BarVisible::kStart;
  const auto rows = s.market->minute_rows(symbol, day, upto, s.now, in_progress);
  std::vector<std::int64_t> cumulative(rows.size());
  std::int64_t value = 0;
  for (std::size_t i = 0; i < rows.size(); ++i)
    cumulative[i] = value += rows[i].close * rows[i].volume;
  Json out = Json::array();
  for (std::size_t i = rows.size(); i-- > 0 && out.size() < limit;) {
    const MinuteRow& m = rows[i];
    Json row = Json::object();
    row["stck_bsop_date"] = kst_date(m.ts);
    row["stck_cntg_hour"] = kst_time(m.ts);
    row["stck_prpr"] = num(m.close);
    row["stck_oprc"] = num(m.open);
    row["stck_hgpr"] = num(m.high);
    row["stck_lwpr"] = num(m.low);
    row["cntg_vol"] = num(m.volume);
    row["acml_tr_pbmn"] = num(cumulative[i]);
    out.push_back(std::move(row));
  }
  return out;
}

// FID_INPUT_HOUR_1 of `day`: bars up to and including that minute; a time after the mock clock
// means "now" (PROTOCOL §4.3).
std::optional<TimestampMs> read_hour(const MockState& s, const http::Request& r, std::int64_t day) {
  const auto seconds = parse_hhmmss(query_param(r, "FID_INPUT_HOUR_1").value_or(""));
  if (!seconds) return std::nullopt;
  const TimestampMs at = from_seoul(civil_from_days(day)) + *seconds * kMsPerSecond;
  return std::min(at, s.now);
}

http::Response minute_chart(MockState& s, const http::Request& r, const CallInfo&) {
  std::string symbol;
  if (auto error = read_symbol(s, r, &symbol)) return std::move(*error);
  const std::int64_t today = seoul_day(s.now);
  const auto upto = read_hour(s, r, today);
  if (!upto) return input_error("FID_INPUT_HOUR_1");
  const std::string include = query_param(r, "FID_PW_DATA_INCU_YN").value_or("Y");
  if (include != "Y" && include != "N") return input_error("FID_PW_DATA_INCU_YN");
  if (!query_param(r, "FID_ETC_CLS_CODE")) return input_error("FID_ETC_CLS_CODE");
  Json body = Json::object();
  body["output1"] = chart_summary(s, symbol, s.market->quote(symbol, s.now), false);
  body["output2"] = minute_rows_json(s, symbol, today, *upto, kMinuteRows);
  append_envelope(body, "0", "MCA00000");
  return kis_json(200, body);
}

// Past days' minute bars, real only (PROTOCOL §4.3b); today's rows follow the visibility rule.
http::Response past_minute_chart(MockState& s, const http::Request& r, const CallInfo&) {
  std::string symbol;
  if (auto error = read_symbol(s, r, &symbol)) return std::move(*error);
  const auto day = parse_yyyymmdd(query_param(r, "FID_INPUT_DATE_1").value_or(""));
  if (!day || *day > seoul_day(s.now)) return input_error("FID_INPUT_DATE_1");
  const auto upto = read_hour(s, r, *day);
  if (!upto) return input_error("FID_INPUT_HOUR_1");
  Json body = Json::object();
  body["output1"] = chart_summary(s, symbol, s.market->quote(symbol, s.now), false);
  body["output2"] = minute_rows_json(s, symbol, *day, *upto, kPastMinuteRows);
  append_envelope(body, "0", "MCA00000");
  return kis_json(200, body);
}

}  // namespace

void add_quotation_routes(http::Router& router, MockState& s) {
  add_kis_route(router, s, *find_endpoint("inquire-price"), inquire_price);
  add_kis_route(router, s, *find_endpoint("inquire-daily-itemchartprice"), daily_chart);
  add_kis_route(router, s, *find_endpoint("inquire-time-itemchartprice"), minute_chart);
  add_kis_route(router, s, *find_endpoint("inquire-time-dailychartprice"), past_minute_chart);
}

}  // namespace quantd::kis_mock
