#include "quantd/kis/bar_download.h"

#include <algorithm>
#include <cctype>

#include "quantd/domain/aggregate.h"
#include "quantd/kis/kis_charts.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/bar_source_repository.h"

namespace quantd::kis {

namespace {

constexpr std::int64_t kWindowDays = 140;  // ≤ 100 trading days: one daily-chart call

bool krx_code(const std::string& s) {
  return s.size() == 6 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

TimestampMs day_start(CivilDate d) { return from_seoul(d); }

std::string day_text(CivilDate d) { return format_seoul_date(from_seoul(d)); }

}  // namespace

Result<CivilDate> download_start(const KisRest& rest, storage::Database& db,
                                 const DownloadRequest& request, TimestampMs now) {
  const CivilDate today = to_seoul(now).date;
  const bool daily = request.interval == domain::Interval::k1d;
  if (!daily && request.interval != domain::Interval::k1m) {
    return Status::invalid_argument(
        "interval: KIS offers daily (1d) and 1-minute (1m) bars; longer intervals are built from "
        "them by every backtest");
  }
  if (!krx_code(request.symbol.str())) {
    return Status::invalid_argument(
        "symbol: a KRX code of 6 characters is expected, such as 005930");
  }
  const CivilDate to = std::min(request.to, today);
  if (to < request.from) {
    return Status::invalid_argument("from: " + day_text(request.from) + " is after " +
                                    day_text(to));
  }
  CivilDate start = request.from;
  if (request.resume) {
    storage::BarRepository repo(db);
    storage::BarSourceRepository sources(db);
    auto listed = sources.list();
    if (!listed.ok()) return listed.status();
    const bool from_kis = std::any_of(listed->begin(), listed->end(), [&](const auto& s) {
      return s.symbol == request.symbol && s.interval == request.interval && s.source == "kis";
    });
    if (from_kis) {
      auto stored = repo.load(request.symbol, request.interval, day_start(request.from),
                              day_start(civil_from_days(days_from_civil(to) + 1)) - 1);
      if (!stored.ok()) return stored.status();
      if (!stored->empty()) start = std::max(start, to_seoul(stored->back().ts).date);
    }
  }
  if (!daily && start < today) {
    if (rest.environment() == Environment::kPaper) {
      return Status::failed_precondition(
          "KIS paper (모의투자) offers today's minutes only; past 1-minute bars need the real "
          "environment (inquire-time-dailychartprice) or an import of a CSV file. Ask from " +
          day_text(today) + " for today's minutes.");
    }
    return Status::failed_precondition(
        "past 1-minute bars (inquire-time-dailychartprice) are not downloaded by this version; "
        "ask from " +
        day_text(today) + " for today's minutes, or import a CSV file");
  }
  return start;
}

Result<DownloadProgress> download_bars(KisRest& rest, storage::Database& db,
                                       const DownloadRequest& request, TimestampMs now,
                                       const DownloadListener& listener) {
  auto first = download_start(rest, db, request, now);
  if (!first.ok()) return first.status();
  const CivilDate start = *first;
  const CivilDate today = to_seoul(now).date;
  const bool daily = request.interval == domain::Interval::k1d;
  const CivilDate to = std::min(request.to, today);
  storage::BarRepository repo(db);
  DownloadProgress progress;
  const double span = static_cast<double>(days_from_civil(to) - days_from_civil(request.from) + 1);
  auto store = [&](const std::vector<domain::Bar>& bars, CivilDate reached) -> Status {
    if (!bars.empty()) {
      auto saved = repo.upsert(request.symbol, request.interval, bars);
      if (!saved.ok()) return saved.status();
      progress.inserted += saved->inserted;
      progress.bars += static_cast<std::int64_t>(bars.size());
      storage::BarSourceRepository sources(db);
      const std::string note = std::string(daily ? "KIS daily chart" : "KIS minute chart") +
                               (rest.environment() == Environment::kPaper ? " (paper)" : "");
      if (Status st = sources.record({request.symbol, request.interval, "kis", note, now});
          !st.ok()) {
        return st;
      }
    }
    progress.reached = reached;
    progress.fraction =
        static_cast<double>(days_from_civil(reached) - days_from_civil(request.from) + 1) / span;
    return {};
  };

  if (!daily) {
    const TimestampMs open = from_seoul(today, 9, 0);
    auto bars = today_minutes(rest, request.symbol, open, from_seoul(today, 23, 59), today,
                              Priority::kBackfill);
    ++progress.calls;
    if (!bars.ok()) return bars.status();
    std::erase_if(*bars, [&](const domain::Bar& b) {  // the minute still trading is not a bar yet
      return domain::bar_complete_at(b.ts, domain::Interval::k1m) > now;
    });
    if (Status st = store(*bars, today); !st.ok()) return st;
    if (listener) listener(progress);
    return progress;
  }
  for (CivilDate w = start; !(to < w);) {
    const CivilDate last = std::min(to, civil_from_days(days_from_civil(w) + kWindowDays - 1));
    auto bars = daily_chart(rest, request.symbol, w, last, Priority::kBackfill);
    ++progress.calls;
    if (!bars.ok()) return bars.status();
    if (Status st = store(*bars, last); !st.ok()) return st;
    if (listener && !listener(progress)) break;
    w = civil_from_days(days_from_civil(last) + 1);
  }
  return progress;
}

}  // namespace quantd::kis
