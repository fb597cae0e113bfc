#include "quantd/kis/kis_broker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "quantd/domain/aggregate.h"
#include "quantd/kis/kis_charts.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/bar_repository.h"

namespace quantd::kis {

using nlohmann::json;

namespace {

std::string yyyymmdd(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", d.year, d.month, d.day);
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
  c.poll_open_orders = true;
  return c;
}

std::string KisBroker::blocked_reason() const {
  return rest_->token_invalid() ? "token_invalid" : "";
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
                   {"INQR_DVSN", "01"},        {"UNPR_DVSN", "01"},
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
  const CivilDate today = to_seoul(now).date;
  const TimestampMs today_start = days_from_civil(today) * kMsPerDay - kSeoulOffsetMs;
  std::vector<domain::Bar> out;
  if (from < today_start) {
    storage::BarRepository repo(db_);
    auto stored = storage::load_bars(repo, symbol, interval, from, std::min(to, today_start - 1));
    if (!stored.ok()) return stored.status();
    out = std::move(stored).value();
    if (out.empty() && interval == domain::Interval::k1d) {
      auto got = daily_chart(*rest_, symbol, to_seoul(from).date,
                             to_seoul(std::min(to, today_start - 1)).date, Priority::kBackfill);
      if (!got.ok()) return got.status();
      out = std::move(got).value();
    }
  }
  if (to >= today_start && std::max(from, today_start) <= std::min(to, now)) {
    std::vector<domain::Bar> fresh;
    if (interval == domain::Interval::k1d) {
      auto got = daily_chart(*rest_, symbol, today, today, Priority::kBars);
      if (!got.ok()) return got.status();
      fresh = std::move(got).value();
    } else {
      // A bucket is built from all of its minutes: read from the start of the one holding
      // `from` (today's buckets start at or after 09:00, so today's minutes make them whole).
      const TimestampMs start = std::max(from, today_start);
      const TimestampMs first = interval == domain::Interval::k1m
                                    ? start
                                    : domain::BarAggregator(interval).bucket_start(start);
      auto got = today_minutes(*rest_, symbol, first, std::min(to, now), today, Priority::kBars);
      if (!got.ok()) return got.status();
      fresh = std::move(got).value();
      std::vector<domain::Bar> done;
      for (const domain::Bar& b : fresh) {
        if (domain::bar_complete_at(b.ts, domain::Interval::k1m) <= now) done.push_back(b);
      }
      if (!done.empty()) {
        storage::BarRepository repo(db_);
        auto stored = repo.upsert(symbol, domain::Interval::k1m, done);
        if (!stored.ok()) {
          spdlog::warn("kis: cannot store the minute bars of {}: {}", symbol.str(),
                       stored.status().message());
        }
      }
      if (interval != domain::Interval::k1m) fresh = domain::aggregate_bars(fresh, interval);
    }
    out.insert(out.end(), fresh.begin(), fresh.end());
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.ts < y.ts; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const auto& x, const auto& y) { return x.ts == y.ts; }),
            out.end());
  std::erase_if(out, [&](const domain::Bar& b) { return b.ts < from || b.ts > to; });
  return out;
}

}  // namespace quantd::kis
