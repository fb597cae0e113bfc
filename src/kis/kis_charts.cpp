#include "quantd/kis/kis_charts.h"

#include <algorithm>
#include <cstdio>

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

// Ascending, each timestamp once (pages may overlap after a retry).
std::vector<domain::Bar> in_order(std::vector<domain::Bar> bars) {
  std::sort(bars.begin(), bars.end(), [](const auto& x, const auto& y) { return x.ts < y.ts; });
  bars.erase(std::unique(bars.begin(), bars.end(),
                         [](const auto& x, const auto& y) { return x.ts == y.ts; }),
             bars.end());
  return bars;
}

}  // namespace

Result<std::vector<domain::Bar>> daily_chart(KisRest& rest, const domain::Symbol& symbol,
                                             CivilDate first, CivilDate last, Priority priority) {
  std::vector<domain::Bar> out;
  CivilDate end = last;
  for (int call = 0; call < 100 && !(end < first); ++call) {
    auto page = rest.query(Call::kDailyChart,
                           {{"FID_COND_MRKT_DIV_CODE", "J"},
                            {"FID_INPUT_ISCD", symbol.str()},
                            {"FID_INPUT_DATE_1", yyyymmdd(first)},
                            {"FID_INPUT_DATE_2", yyyymmdd(end)},
                            {"FID_PERIOD_DIV_CODE", "D"},
                            {"FID_ORG_ADJ_PRC", "0"}},
                           priority);
    if (!page.ok()) return page.status();
    auto got = parse_daily_bars(field_of(page->envelope.body, "output2"));
    if (!got.ok()) return got.status();
    if (got->empty()) break;
    const std::size_t n = got->size();
    out.insert(out.begin(), got->begin(), got->end());
    if (n < 100) break;  // at most 100 a call (PROTOCOL §4.2)
    end = civil_from_days(days_from_civil(to_seoul(got->front().ts).date) - 1);
  }
  return in_order(std::move(out));
}

Result<std::vector<domain::Bar>> today_minutes(KisRest& rest, const domain::Symbol& symbol,
                                               TimestampMs from, TimestampMs until, CivilDate today,
                                               Priority priority) {
  const TimestampMs until_asked = until;
  std::vector<domain::Bar> out;
  for (int call = 0; call < 20; ++call) {
    if (to_seoul(until).date != today) break;  // the chart has today only
    auto page = rest.query(Call::kMinuteChart,
                           {{"FID_ETC_CLS_CODE", ""},
                            {"FID_COND_MRKT_DIV_CODE", "J"},
                            {"FID_INPUT_ISCD", symbol.str()},
                            {"FID_INPUT_HOUR_1", hhmmss(until)},
                            {"FID_PW_DATA_INCU_YN", "Y"}},
                           priority);
    if (!page.ok()) return page.status();
    auto got = parse_minute_bars(field_of(page->envelope.body, "output2"));
    if (!got.ok()) return got.status();
    if (got->empty()) break;
    out.insert(out.end(), got->begin(), got->end());
    const TimestampMs oldest = got->front().ts;
    const SeoulTime t = to_seoul(oldest);
    // The regular session's first minute is 09:00: nothing older to walk back to.
    if (oldest <= from || got->size() < 30 || t.hour * 60 + t.minute <= 9 * 60) break;
    until = oldest - kMsPerMinute;
  }
  std::erase_if(out, [&](const domain::Bar& b) { return b.ts < from || b.ts > until_asked; });
  return in_order(std::move(out));
}

}  // namespace quantd::kis
