#include "quantd/domain/krx.h"

#include <doctest/doctest.h>

using namespace quantd;
using namespace quantd::domain;

namespace {
constexpr CivilDate kNew{2023, 6, 1};
constexpr CivilDate kOld{2022, 6, 1};
}  // namespace

TEST_CASE("tick sizes since 2023-01-25 (same for KOSPI and KOSDAQ)") {
  for (Market m : {Market::kKospi, Market::kKosdaq, Market::kKonex}) {
    CHECK(tick_size(1'999, m, kNew) == 1);
    CHECK(tick_size(2'000, m, kNew) == 5);
    CHECK(tick_size(4'995, m, kNew) == 5);
    CHECK(tick_size(5'000, m, kNew) == 10);
    CHECK(tick_size(19'990, m, kNew) == 10);
    CHECK(tick_size(20'000, m, kNew) == 50);
    CHECK(tick_size(49'950, m, kNew) == 50);
    CHECK(tick_size(50'000, m, kNew) == 100);
    CHECK(tick_size(199'900, m, kNew) == 100);
    CHECK(tick_size(200'000, m, kNew) == 500);
    CHECK(tick_size(499'500, m, kNew) == 500);
    CHECK(tick_size(500'000, m, kNew) == 1'000);
  }
  // The reform day itself uses the new table, the day before the old one.
  CHECK(tick_size(1'500, Market::kKospi, {2023, 1, 25}) == 1);
  CHECK(tick_size(1'500, Market::kKospi, {2023, 1, 24}) == 5);
}

TEST_CASE("tick sizes before 2023-01-25 differ between KOSPI and KOSDAQ above 100,000") {
  CHECK(tick_size(999, Market::kKospi, kOld) == 1);
  CHECK(tick_size(1'000, Market::kKospi, kOld) == 5);
  CHECK(tick_size(5'000, Market::kKospi, kOld) == 10);
  CHECK(tick_size(10'000, Market::kKospi, kOld) == 50);
  CHECK(tick_size(50'000, Market::kKospi, kOld) == 100);
  CHECK(tick_size(100'000, Market::kKospi, kOld) == 500);
  CHECK(tick_size(500'000, Market::kKospi, kOld) == 1'000);
  CHECK(tick_size(15'000, Market::kKosdaq, kOld) == 50);
  CHECK(tick_size(100'000, Market::kKosdaq, kOld) == 100);
  CHECK(tick_size(600'000, Market::kKosdaq, kOld) == 100);
  CHECK(tick_size(600'000, Market::kEtf, kOld) == 5);
  CHECK(tick_size(600'000, Market::kEtf, kNew) == 5);
}

TEST_CASE("round_to_tick") {
  CHECK(round_to_tick(20'049, Market::kKospi, kNew, TickRounding::kDown) == 20'000);
  CHECK(round_to_tick(19'995, Market::kKospi, kNew, TickRounding::kUp) == 20'000);
  CHECK(round_to_tick(19'991, Market::kKospi, kNew, TickRounding::kUp) == 20'000);
  CHECK(round_to_tick(12'345, Market::kKospi, kNew, TickRounding::kNearest) == 12'350);
  CHECK(round_to_tick(12'344, Market::kKospi, kNew, TickRounding::kNearest) == 12'340);
  CHECK(round_to_tick(12'345, Market::kKospi, kOld, TickRounding::kDown) == 12'300);
  CHECK(round_to_tick(9'500, Market::kKospi, kNew, TickRounding::kDown) == 9'500);
  CHECK(round_to_tick(123'456, Market::kKospi, kOld, TickRounding::kUp) == 123'500);
  CHECK(round_to_tick(123'456, Market::kKosdaq, kOld, TickRounding::kUp) == 123'500);
  CHECK(round_to_tick(123'401, Market::kKosdaq, kOld, TickRounding::kUp) == 123'500);
  CHECK(round_to_tick(123'401, Market::kKospi, kNew, TickRounding::kDown) == 123'400);
}

TEST_CASE("KRX closing days: weekends, 1 January and the last weekday of December") {
  CHECK(is_krx_closed({2024, 12, 28}));  // Saturday
  CHECK(is_krx_closed({2024, 12, 31}));  // Tuesday, year-end closing day
  CHECK(is_krx_closed({2025, 1, 1}));
  CHECK_FALSE(is_krx_closed({2024, 12, 30}));
  CHECK(is_krx_closed({2022, 12, 30}));  // Friday; the 31st was a Saturday
  CHECK_FALSE(is_krx_closed({2022, 12, 29}));
  CHECK(is_krx_closed({2023, 12, 29}));  // Friday; the 31st was a Sunday
}

TEST_CASE("settlement is T+2 trading days") {
  CHECK(settlement_date({2024, 3, 6}) == CivilDate{2024, 3, 8});   // Wed → Fri
  CHECK(settlement_date({2024, 3, 7}) == CivilDate{2024, 3, 11});  // Thu → Mon
  CHECK(settlement_date({2024, 12, 26}) == CivilDate{2024, 12, 30});
  CHECK(settlement_date({2024, 12, 27}) == CivilDate{2025, 1, 2});  // over 31 Dec and 1 Jan
  CHECK(settlement_date({2024, 12, 30}) == CivilDate{2025, 1, 3});
  CHECK(settlement_date({2019, 5, 30}) == CivilDate{2019, 6, 3});
  CHECK(settlement_date({2022, 12, 28}) == CivilDate{2023, 1, 2});
}

TEST_CASE("sell tax by settlement date and market") {
  CHECK(sell_tax_bps(Market::kKospi, {1995, 6, 30}) == 50);
  CHECK(sell_tax_bps(Market::kKospi, {1995, 7, 1}) == 45);
  CHECK(sell_tax_bps(Market::kKospi, {2010, 5, 5}) == 30);
  CHECK(sell_tax_bps(Market::kKosdaq, {2010, 5, 5}) == 30);
  CHECK(sell_tax_bps(Market::kKonex, {2018, 5, 5}) == 30);
  CHECK(sell_tax_bps(Market::kKospi, {2019, 5, 31}) == 30);
  CHECK(sell_tax_bps(Market::kKospi, {2019, 6, 3}) == 25);
  CHECK(sell_tax_bps(Market::kKosdaq, {2019, 6, 3}) == 25);
  CHECK(sell_tax_bps(Market::kKonex, {2019, 6, 3}) == 10);
  CHECK(sell_tax_bps(Market::kKospi, {2020, 12, 31}) == 25);
  CHECK(sell_tax_bps(Market::kKospi, {2021, 1, 4}) == 23);
  CHECK(sell_tax_bps(Market::kKosdaq, {2022, 12, 29}) == 23);
  CHECK(sell_tax_bps(Market::kKospi, {2023, 1, 2}) == 20);
  CHECK(sell_tax_bps(Market::kKospi, {2024, 6, 1}) == 18);
  CHECK(sell_tax_bps(Market::kKospi, {2025, 1, 2}) == 15);
  CHECK(sell_tax_bps(Market::kKonex, {2025, 1, 2}) == 10);
  CHECK(sell_tax_bps(Market::kKospi, {2026, 1, 2}) == 20);
  CHECK(sell_tax_bps(Market::kEtf, {2024, 6, 1}) == 0);
  // The year-end rule of PROTOCOL.md §7.4: a sale on 2024-12-27 settles in 2025.
  CHECK(sell_tax_bps(Market::kKospi, settlement_date({2024, 12, 26})) == 18);
  CHECK(sell_tax_bps(Market::kKospi, settlement_date({2024, 12, 27})) == 15);
  CHECK(sell_tax_bps(Market::kKospi, settlement_date({2019, 5, 29})) == 30);
  CHECK(sell_tax_bps(Market::kKospi, settlement_date({2019, 5, 30})) == 25);
}

TEST_CASE("market names") {
  CHECK(parse_market("kosdaq") == Market::kKosdaq);
  CHECK(to_string(Market::kEtf) == "etf");
  CHECK_FALSE(parse_market("nyse").has_value());
}
