#include "market.h"

#include <algorithm>
#include <cmath>

namespace quantd::kis_mock {

namespace {

// Names served for well-known codes when --name does not give one.
const std::map<std::string, std::string>& builtin_names() {
  static const std::map<std::string, std::string> kNames = {
      {"005930", "삼성전자"},  {"000660", "SK하이닉스"},  {"035420", "NAVER"},
      {"035720", "카카오"},    {"005380", "현대차"},      {"051910", "LG화학"},
      {"006400", "삼성SDI"},   {"068270", "셀트리온"},    {"207940", "삼성바이오로직스"},
      {"069500", "KODEX 200"}, {"005490", "POSCO홀딩스"}, {"000270", "기아"},
  };
  return kNames;
}

DayRow aggregate(std::int64_t day, const std::vector<MinuteRow>& rows) {
  DayRow d;
  d.day = day;
  bool first = true;
  for (const MinuteRow& r : rows) {
    if (first) {
      first = false;
      d.open = r.open;
      d.high = r.high;
      d.low = r.low;
    }
    d.high = std::max(d.high, r.high);
    d.low = std::min(d.low, r.low);
    d.close = r.close;
    d.volume += r.volume;
    d.value += r.close * r.volume;
  }
  return d;
}

}  // namespace

std::optional<MinuteRow> row_at(const MinuteRow& bar, TimestampMs now) {
  if (now < bar.ts) return std::nullopt;
  if (now >= bar.ts + kMsPerMinute) return bar;
  MinuteRow partial = bar;
  partial.high = partial.low = partial.close = bar.open;
  partial.volume = bar.volume * (now - bar.ts) / kMsPerMinute;
  partial.in_progress = true;
  return partial;
}

Market::Market(std::map<std::string, std::vector<domain::Bar>> bars,
               std::map<std::string, domain::Market> markets,
               std::map<std::string, std::string> names)
    : markets_(std::move(markets)), names_(std::move(names)) {
  for (auto& [symbol, list] : bars) {
    std::sort(list.begin(), list.end(),
              [](const domain::Bar& a, const domain::Bar& b) { return a.ts < b.ts; });
    Series s;
    s.bars.reserve(list.size());
    for (const domain::Bar& b : list) {
      s.bars.push_back(MinuteRow{b.ts, std::llround(b.open), std::llround(b.high),
                                 std::llround(b.low), std::llround(b.close), b.volume, false});
    }
    std::vector<MinuteRow> day;
    for (std::size_t i = 0; i < s.bars.size(); ++i) {
      const std::int64_t d = seoul_day(s.bars[i].ts);
      if (!day.empty() && seoul_day(day.front().ts) != d) {
        s.days.push_back(aggregate(seoul_day(day.front().ts), day));
        day.clear();
      }
      if (day.empty()) s.day_begin.push_back(i);
      day.push_back(s.bars[i]);
    }
    if (!day.empty()) s.days.push_back(aggregate(seoul_day(day.front().ts), day));
    symbols_.emplace(symbol, std::move(s));
  }
}

std::vector<std::string> Market::symbols() const {
  std::vector<std::string> out;
  for (const auto& [symbol, series] : symbols_) out.push_back(symbol);
  return out;
}

std::string Market::name(const std::string& symbol) const {
  if (auto it = names_.find(symbol); it != names_.end()) return it->second;
  if (auto it = builtin_names().find(symbol); it != builtin_names().end()) return it->second;
  return symbol;
}

domain::Market Market::market_of(const std::string& symbol) const {
  const auto it = markets_.find(symbol);
  return it == markets_.end() ? domain::Market::kKospi : it->second;
}

std::optional<TimestampMs> Market::first_bar_ts() const {
  std::optional<TimestampMs> first;
  for (const auto& [symbol, s] : symbols_) {
    if (!s.bars.empty() && (!first || s.bars.front().ts < *first)) first = s.bars.front().ts;
  }
  return first;
}

std::vector<MinuteRow> Market::minute_rows(const std::string& symbol, std::int64_t day,
                                           TimestampMs upto, TimestampMs now,
                                           bool include_in_progress) const {
  const Series& s = series(symbol);
  std::vector<MinuteRow> out;
  const auto it = std::lower_bound(s.days.begin(), s.days.end(), day,
                                   [](const DayRow& d, std::int64_t v) { return d.day < v; });
  if (it == s.days.end() || it->day != day) return out;
  for (std::size_t i = s.day_begin[static_cast<std::size_t>(it - s.days.begin())];
       i < s.bars.size() && seoul_day(s.bars[i].ts) == day && s.bars[i].ts <= upto; ++i) {
    const auto row = row_at(s.bars[i], now);
    if (!row) break;
    if (row->in_progress && !include_in_progress) break;
    out.push_back(*row);
  }
  return out;
}

std::vector<DayRow> Market::day_rows(const std::string& symbol, TimestampMs now) const {
  const Series& s = series(symbol);
  const std::int64_t today = seoul_day(now);
  std::vector<DayRow> out;
  for (const DayRow& d : s.days) {
    if (d.day < today) {
      out.push_back(d);
    } else if (d.day == today) {
      const auto rows = minute_rows(symbol, today, now, now, true);
      if (!rows.empty()) out.push_back(aggregate(today, rows));
    }
  }
  return out;
}

PriceLimits Market::limits(const std::string& symbol, std::int64_t day) const {
  const Series& s = series(symbol);
  PriceLimits p;
  const auto it = std::lower_bound(s.days.begin(), s.days.end(), day,
                                   [](const DayRow& d, std::int64_t v) { return d.day < v; });
  if (it != s.days.begin()) {
    p.base = std::prev(it)->close;
  } else if (it != s.days.end()) {
    p.base = it->open;  // no history before this day: the day's first print stands in
  }
  if (p.base <= 0) return p;
  const std::int64_t tick_of_base = tick(symbol, p.base, day);
  p.width = p.base * 3 / 10 / tick_of_base * tick_of_base;
  p.upper = p.base + p.width;
  p.lower = p.base - p.width;
  return p;
}

std::int64_t Market::tick(const std::string& symbol, std::int64_t price, std::int64_t day) const {
  return domain::tick_size(static_cast<double>(std::max<std::int64_t>(price, 1)), market_of(symbol),
                           civil_from_days(day));
}

Quote Market::quote(const std::string& symbol, TimestampMs now) const {
  const std::int64_t today = seoul_day(now);
  Quote q;
  q.limits = limits(symbol, today);
  const auto rows = minute_rows(symbol, today, now, now, true);
  for (const MinuteRow& r : rows) {
    if (&r == &rows.front()) {
      q.open = r.open;
      q.high = r.high;
      q.low = r.low;
    }
    q.high = std::max(q.high, r.high);
    q.low = std::min(q.low, r.low);
    q.volume += r.volume;
    q.value += r.close * r.volume;
  }
  q.price = rows.empty() ? q.limits.base : rows.back().close;
  const Series& s = series(symbol);
  for (const DayRow& d : s.days) {
    if (d.day < today) q.previous_day = d;
  }
  return q;
}

std::vector<MinuteRow> Market::bars_between(const std::string& symbol, TimestampMs from,
                                            TimestampMs to) const {
  const Series& s = series(symbol);
  auto it = std::lower_bound(s.bars.begin(), s.bars.end(), from,
                             [](const MinuteRow& r, TimestampMs v) { return r.ts < v; });
  std::vector<MinuteRow> out;
  for (; it != s.bars.end() && it->ts < to; ++it) out.push_back(*it);
  return out;
}

}  // namespace quantd::kis_mock
