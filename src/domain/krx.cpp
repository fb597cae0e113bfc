#include "quantd/domain/krx.h"

#include <array>
#include <cmath>

namespace quantd::domain {

std::string_view to_string(Market market) {
  switch (market) {
    case Market::kKospi:
      return "kospi";
    case Market::kKosdaq:
      return "kosdaq";
    case Market::kKonex:
      return "konex";
    case Market::kEtf:
      return "etf";
  }
  return "?";
}

std::optional<Market> parse_market(std::string_view text) {
  for (Market m : {Market::kKospi, Market::kKosdaq, Market::kKonex, Market::kEtf}) {
    if (to_string(m) == text) return m;
  }
  return std::nullopt;
}

namespace {

constexpr CivilDate kTickReform2023{2023, 1, 25};

struct Band {
  double below;  // the band covers prices < below
  std::int64_t tick;
};

// Since 2023-01-25, identical for KOSPI, KOSDAQ and KONEX (PROTOCOL.md §7.2).
constexpr std::array<Band, 7> kTicks2023{{{2'000, 1},
                                          {5'000, 5},
                                          {20'000, 10},
                                          {50'000, 50},
                                          {200'000, 100},
                                          {500'000, 500},
                                          {1e300, 1'000}}};
// Before 2023-01-25, KOSPI. Derived from the reform articles (PROTOCOL.md §7.2).
constexpr std::array<Band, 7> kTicksOldKospi{{{1'000, 1},
                                              {5'000, 5},
                                              {10'000, 10},
                                              {50'000, 50},
                                              {100'000, 100},
                                              {500'000, 500},
                                              {1e300, 1'000}}};
// Before 2023-01-25, KOSDAQ/KONEX: 100 KRW from 50,000 up (the ">= 50,000 = 100" rule is from
// memory, consistent with the articles, unconfirmed).
constexpr std::array<Band, 5> kTicksOldKosdaq{
    {{1'000, 1}, {5'000, 5}, {10'000, 10}, {50'000, 50}, {1e300, 100}}};

template <std::size_t N>
std::int64_t lookup(const std::array<Band, N>& bands, double price) {
  for (const Band& b : bands) {
    if (price < b.below) return b.tick;
  }
  return bands.back().tick;
}

}  // namespace

std::int64_t tick_size(double price, Market market, CivilDate trade_date) {
  if (market == Market::kEtf) return 5;
  if (trade_date >= kTickReform2023) return lookup(kTicks2023, price);
  if (market == Market::kKospi) return lookup(kTicksOldKospi, price);
  return lookup(kTicksOldKosdaq, price);
}

double round_to_tick(double price, Market market, CivilDate trade_date, TickRounding rounding) {
  if (!(price > 0)) return price;
  const double tick = static_cast<double>(tick_size(price, market, trade_date));
  // Band boundaries are multiples of the ticks on both sides, so the grid of the band that
  // `price` is in also lands exactly on the neighbouring band's boundary.
  const double q = price / tick;
  double steps = 0;
  switch (rounding) {
    case TickRounding::kDown:
      steps = std::floor(q + 1e-9);
      break;
    case TickRounding::kUp:
      steps = std::ceil(q - 1e-9);
      break;
    case TickRounding::kNearest:
      steps = std::floor(q + 0.5);
      break;
  }
  return steps * tick;
}

bool is_krx_closed(CivilDate date) {
  const std::int64_t days = days_from_civil(date);
  const int wd = weekday_from_days(days);
  if (wd == 0 || wd == 6) return true;
  if (date.month == 1 && date.day == 1) return true;
  if (date.month == 12 && date.day >= 25) {
    // The year-end closing day (연말 휴장일) is the last weekday of the year: 31 December, or the
    // Friday before when the 31st falls on a weekend (e.g. 2022-12-30, 2023-12-29).
    std::int64_t last = days_from_civil({date.year, 12, 31});
    while (weekday_from_days(last) == 0 || weekday_from_days(last) == 6) --last;
    if (days == last) return true;
  }
  return false;
}

CivilDate settlement_date(CivilDate trade_date, int trading_days) {
  std::int64_t days = days_from_civil(trade_date);
  for (int n = 0; n < trading_days;) {
    ++days;
    if (!is_krx_closed(civil_from_days(days))) ++n;
  }
  return civil_from_days(days);
}

namespace {

// Sell-side tax by settlement (양도) date, in bps (KOSPI includes the 0.15% 농어촌특별세).
//
// Sources (see also shared/kis/PROTOCOL.md §7.4):
// * 1995-07 0.50% → 0.45% and 1996-04 0.45% → 0.30% (KOSPI, incl. 농특세):
// mediapen.com/news/view/437107
//   (2019-05). The exact days in July 1995 and April 1996 are not established; the 1st of the
//   month is assumed. Rates before 1995-07 are a flat 0.50% KOSPI / 0.30% others (uncertain;
//   KOSDAQ in its current form opened 1996-07).
// * 1996–2019-06-02: KOSPI 0.15% + 0.15% 농특세 = 0.30%, KOSDAQ/KONEX/K-OTC 0.30%
//   (fntimes.com 2019-04-02, hankookilbo.com 2019-05-21).
// * From settlement 2019-06-03 (trades from 2019-05-30): KOSPI 0.10% + 0.15% = 0.25%, KOSDAQ 0.25%,
//   KONEX 0.10% (same sources; m.fntimes.com 2019-05-30).
// * 2021–2022: 0.23% (KOSPI 0.08% + 0.15%), KONEX 0.10%. 2023: 0.20%. 2024: 0.18%. 2025: 0.15%.
//   2026–: 0.20% (PROTOCOL.md §7.4; moneymindsite.com for 2025 and the settlement-date rule).
// The 2021 and later changes apply from 1 January of the settlement year.
struct TaxRow {
  CivilDate from;  // first settlement date this row applies to
  double kospi_bps;
  double kosdaq_bps;
  double konex_bps;
};

constexpr std::array<TaxRow, 9> kTaxTable{{
    {{1900, 1, 1}, 50, 30, 30},
    {{1995, 7, 1}, 45, 30, 30},
    {{1996, 4, 1}, 30, 30, 30},
    {{2019, 6, 3}, 25, 25, 10},
    {{2021, 1, 1}, 23, 23, 10},
    {{2023, 1, 1}, 20, 20, 10},
    {{2024, 1, 1}, 18, 18, 10},
    {{2025, 1, 1}, 15, 15, 10},
    {{2026, 1, 1}, 20, 20, 10},
}};

}  // namespace

double sell_tax_bps(Market market, CivilDate settlement) {
  if (market == Market::kEtf) return 0;
  const TaxRow* row = &kTaxTable.front();
  for (const TaxRow& r : kTaxTable) {
    if (settlement >= r.from) row = &r;
  }
  switch (market) {
    case Market::kKospi:
      return row->kospi_bps;
    case Market::kKosdaq:
      return row->kosdaq_bps;
    case Market::kKonex:
      return row->konex_bps;
    case Market::kEtf:
      return 0;
  }
  return 0;
}

}  // namespace quantd::domain
