// KRX market rules the backtester and the paper broker need: tick sizes, the sell-side
// transaction tax by settlement date, and the T+2 settlement calendar.
//
// Sources and uncertainty are documented in src/domain/krx.cpp and shared/kis/PROTOCOL.md §7.
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "quantd/core/time.h"

namespace quantd::domain {

enum class Market : std::uint8_t {
  kKospi,
  kKosdaq,
  kKonex,
  kEtf,  // ETF/ETN/ELW: 5 KRW tick at every price, no transaction tax on sale
};

// "kospi", "kosdaq", "konex", "etf".
std::string_view to_string(Market market);
// Parses the names above (lower case); nullopt otherwise.
std::optional<Market> parse_market(std::string_view text);

// The KRX tick size (호가가격단위) for a price on a trade date: the table in force since
// 2023-01-25, or the older one (KOSPI and KOSDAQ differ above 100,000) before that.
// Precondition: price > 0.
std::int64_t tick_size(double price, Market market, CivilDate trade_date);

enum class TickRounding : std::uint8_t { kDown, kUp, kNearest };

// `price` moved onto the tick grid valid at that price. Rounding down uses the tick of the band
// the result falls in, so 20,049 rounds down to 20,000 (tick 50) and 19,995 up to 20,000.
double round_to_tick(double price, Market market, CivilDate trade_date, TickRounding rounding);

// True when KRX is closed on `date`: Saturdays, Sundays, 1 January and the year-end closing day
// (the last weekday of December). Lunar and other public holidays are NOT modelled; bar data
// itself decides which days trade, this calendar only serves settlement dates.
bool is_krx_closed(CivilDate date);

// The settlement date of a trade: `trading_days` (2 = T+2) KRX trading days after `trade_date`.
CivilDate settlement_date(CivilDate trade_date, int trading_days = 2);

// The sell-side transaction tax (증권거래세 + 농어촌특별세) in basis points (0.01%) for a sale
// settling on `settlement`, per the dated table in krx.cpp. ETF sales are exempt (0).
double sell_tax_bps(Market market, CivilDate settlement);

}  // namespace quantd::domain
