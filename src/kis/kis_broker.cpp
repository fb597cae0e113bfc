#include "quantd/kis/kis_broker.h"

#include <algorithm>
#include <cstdio>

#include "quantd/domain/aggregate.h"

namespace quantd::kis {

using nlohmann::json;

namespace {

std::string yyyymmdd(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
  return buf;
}

std::string hhmmss(TimestampMs ts) {
  const SeoulTime t = to_seoul(ts);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", t.hour, t.minute, t.second);
  return buf;
}

const json& field_of(const json& body, const char* key) {
  static const json kNull;
  auto it = body.find(key);
  return it == body.end() ? kNull : *it;
}

}  // namespace

KisBroker::KisBroker(std::shared_ptr<KisRest> rest, const Clock& clock)
    : rest_(std::move(rest)), clock_(clock) {}

live::BrokerCaps KisBroker::caps() const {
  live::BrokerCaps c;
  c.name = "kis";
  c.order_book_lag_s = rest_->environment() == Environment::kPaper ? 60 : 30;
  c.simulated_bars = false;
  return c;
}

live::SendResult KisBroker::submit(const live::OrderRequest& request) {
  auto body = order_body(rest_->account(), request);
  if (!body.ok()) {
    live::SendResult r;
    r.outcome = live::SendOutcome::kRejected;  // refused here: nothing left the process
    r.code = "QUANTD";
    r.message = body.status().message();
    return r;
  }
  const Call call = request.side == domain::Side::kBuy ? Call::kBuy : Call::kSell;
  return rest_->post_order(call, *body, to_seoul(clock_.now()).date);
}

live::SendResult KisBroker::cancel(const live::BrokerOrderRef& ref, const domain::Symbol&,
                                   std::int64_t quantity) {
  return rest_->post_order(Call::kReviseCancel, cancel_body(rest_->account(), ref, quantity),
                           to_seoul(clock_.now()).date);
}

Result<std::vector<live::BrokerOrder>> KisBroker::orders(const live::OrderQuery& query) {
  const AccountNo& a = rest_->account();
  const std::string day = yyyymmdd(query.date);
  std::string side = "00";
  if (query.side) side = *query.side == domain::Side::kSell ? "01" : "02";
  Params params = {{"CANO", a.cano},
                   {"ACNT_PRDT_CD", a.product},
                   {"INQR_STRT_DT", day},
                   {"INQR_END_DT", day},
                   {"SLL_BUY_DVSN_CD", side},
                   {"INQR_DVSN", "00"},
                   {"PDNO", query.symbol ? query.symbol->str() : ""},
                   {"CCLD_DVSN", query.open_only ? "02" : "00"},
                   {"ORD_GNO_BRNO", ""},
                   {"ODNO", ""},
                   {"INQR_DVSN_3", "00"},
                   {"INQR_DVSN_1", ""},
                   {"EXCG_ID_DVSN_CD", "KRX"},
                   {"CTX_AREA_FK100", ""},
                   {"CTX_AREA_NK100", ""}};
  auto pages = rest_->query_all(Call::kDailyOrders, std::move(params), Priority::kResolve);
  if (!pages.ok()) return pages.status();
  std::vector<live::BrokerOrder> out;
  for (const Envelope& page : *pages) {
    auto rows = parse_daily_orders(field_of(page.body, "output1"));
    if (!rows.ok()) return rows.status();
    for (live::BrokerOrder& o : *rows) {
      if (query.symbol && o.symbol != *query.symbol) continue;
      if (query.side && o.side != *query.side) continue;
      if (query.open_only && !o.open()) continue;
      out.push_back(std::move(o));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto& x, const auto& y) { return x.ref.order_no < y.ref.order_no; });
  // Pages overlapping after a retry must not list an order twice.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& x, const auto& y) { return x.ref == y.ref; }),
            out.end());
  return out;
}

Result<live::AccountView> KisBroker::account() {
  const AccountNo& a = rest_->account();
  Params params = {{"CANO", a.cano},           {"ACNT_PRDT_CD", a.product},
                   {"AFHR_FLPR_YN", "N"},      {"OFL_YN", ""},
                   {"INQR_DVSN", "02"},        {"UNPR_DVSN", "01"},
                   {"FUND_STTL_ICLD_YN", "N"}, {"FNCG_AMT_AUTO_RDPT_YN", "N"},
                   {"PRCS_DVSN", "00"},        {"CTX_AREA_FK100", ""},
                   {"CTX_AREA_NK100", ""}};
  auto pages = rest_->query_all(Call::kBalance, std::move(params), Priority::kBalance);
  if (!pages.ok()) return pages.status();
  live::AccountView view;
  json rows = json::array();
  for (const Envelope& page : *pages) {
    for (const json& r : field_of(page.body, "output1").is_array() ? field_of(page.body, "output1")
                                                                   : json::array()) {
      rows.push_back(r);
    }
  }
  auto holdings = parse_holdings(rows);
  if (!holdings.ok()) return holdings.status();
  view.holdings = std::move(holdings).value();
  auto cash = parse_cash(field_of(pages->back().body, "output2"));
  if (!cash.ok()) return cash.status();
  view.cash = cash->d2;
  auto power = rest_->query(Call::kBuyingPower,
                            {{"CANO", a.cano},
                             {"ACNT_PRDT_CD", a.product},
                             {"PDNO", ""},
                             {"ORD_UNPR", ""},
                             {"ORD_DVSN", "01"},
                             {"CMA_EVLU_AMT_ICLD_YN", "N"},
                             {"OVRS_ICLD_YN", "N"}},
                            Priority::kBalance);
  if (!power.ok()) return power.status();
  auto orderable = parse_orderable(field_of(power->envelope.body, "output"));
  if (!orderable.ok()) return orderable.status();
  view.orderable = *orderable;
  view.as_of = clock_.now();
  return view;
}

Result<std::vector<domain::Bar>> KisChartSource::bars(const domain::Symbol& symbol,
                                                      domain::Interval interval, TimestampMs from,
                                                      TimestampMs to, TimestampMs now) {
  if (interval == domain::Interval::k1d) {
    const CivilDate first = to_seoul(from).date;
    const CivilDate last = to_seoul(std::min(to, now)).date;
    std::vector<domain::Bar> out;
    CivilDate end = last;
    for (int call = 0; call < 100; ++call) {
      auto page = rest_->query(Call::kDailyChart,
                               {{"FID_COND_MRKT_DIV_CODE", "J"},
                                {"FID_INPUT_ISCD", symbol.str()},
                                {"FID_INPUT_DATE_1", yyyymmdd(first)},
                                {"FID_INPUT_DATE_2", yyyymmdd(end)},
                                {"FID_PERIOD_DIV_CODE", "D"},
                                {"FID_ORG_ADJ_PRC", "0"}},
                               Priority::kBackfill);
      if (!page.ok()) return page.status();
      auto got = parse_daily_bars(field_of(page->envelope.body, "output2"));
      if (!got.ok()) return got.status();
      const std::size_t n = got->size();
      out.insert(out.begin(), got->begin(), got->end());
      if (n < 100 || got->empty()) break;  // at most 100 a call (PROTOCOL §4.2)
      end = civil_from_days(days_from_civil(to_seoul(got->front().ts).date) - 1);
      if (end < first) break;
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.ts < y.ts; });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const auto& x, const auto& y) { return x.ts == y.ts; }),
              out.end());
    std::erase_if(out, [&](const domain::Bar& b) { return b.ts < from || b.ts > to; });
    return out;
  }
  // Minute bars, today only, 30 a call, newest first: walk back from `to` (PROTOCOL §4.3).
  std::vector<domain::Bar> minutes;
  TimestampMs until = std::min(to, now);
  const CivilDate today = to_seoul(now).date;
  for (int call = 0; call < 20; ++call) {
    if (to_seoul(until).date != today) break;  // the chart has today only
    auto page = rest_->query(Call::kMinuteChart,
                             {{"FID_ETC_CLS_CODE", ""},
                              {"FID_COND_MRKT_DIV_CODE", "J"},
                              {"FID_INPUT_ISCD", symbol.str()},
                              {"FID_INPUT_HOUR_1", hhmmss(until)},
                              {"FID_PW_DATA_INCU_YN", "Y"}},
                             Priority::kBars);
    if (!page.ok()) return page.status();
    auto got = parse_minute_bars(field_of(page->envelope.body, "output2"));
    if (!got.ok()) return got.status();
    if (got->empty()) break;
    minutes.insert(minutes.end(), got->begin(), got->end());
    const TimestampMs oldest = got->front().ts;
    if (oldest <= from || got->size() < 30) break;
    until = oldest - kMsPerMinute;
  }
  std::sort(minutes.begin(), minutes.end(),
            [](const auto& x, const auto& y) { return x.ts < y.ts; });
  minutes.erase(std::unique(minutes.begin(), minutes.end(),
                            [](const auto& x, const auto& y) { return x.ts == y.ts; }),
                minutes.end());
  std::erase_if(minutes, [&](const domain::Bar& b) { return b.ts < from || b.ts > to; });
  if (interval == domain::Interval::k1m) return minutes;
  return domain::aggregate_bars(minutes, interval);
}

}  // namespace quantd::kis
