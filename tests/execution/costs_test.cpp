#include "quantd/execution/costs.h"

#include <doctest/doctest.h>

using namespace quantd;
using namespace quantd::execution;
using domain::Market;
using domain::Side;

TEST_CASE("commission and tax are rounded down to the won, exactly") {
  CostModel m(CostSettings{});
  CHECK(CostModel::notional(97, 10'300) == 999'100);
  CHECK(CostModel::notional(3, 0.5) == 2);  // round(1.5) = 2
  CHECK(m.commission(999'100) == 149);      // 149.865
  CHECK(m.commission(1'234'567) == 185);    // 185.18505
  CHECK(m.commission(20'000) == 3);         // exactly 3.0
  CHECK(m.commission(6'666) == 0);          // 0.9999
  CHECK(m.commission(6'667) == 1);
  // Tax by settlement date: 2024-12-26 settles 2024-12-30 (0.18%), 2024-12-27 settles in 2025.
  CHECK(m.sell_tax(1'234'567, Market::kKospi, {2024, 12, 26}) == 2'222);  // 2,222.2206
  CHECK(m.sell_tax(1'234'567, Market::kKospi, {2024, 12, 27}) == 1'851);  // 1,851.8505
  CHECK(m.sell_tax(1'234'567, Market::kKosdaq, {2018, 7, 2}) == 3'703);   // 0.30%
  CHECK(m.sell_tax(1'234'567, Market::kEtf, {2024, 7, 1}) == 0);
  CostSettings fixed;
  fixed.tax_bps = 23;
  fixed.commission_bps = 1.40527;  // KIS online: 0.0140527%
  CostModel f(fixed);
  CHECK(f.sell_tax(1'000'000, Market::kKospi, {2025, 3, 3}) == 2'300);
  CHECK(f.commission(1'000'000) == 140);  // 140.527
  CHECK(f.commission(10'000'000) == 1'405);
}

TEST_CASE("slippage moves the price against the trader onto the tick grid") {
  CostModel none(CostSettings{});
  CHECK(none.slipped_price(10'001.5, Side::kBuy, Market::kKospi, {2024, 1, 2}) == 10'001.5);
  CostSettings s;
  s.slippage_bps = 10;
  CostModel bps(s);
  CHECK(bps.slipped_price(10'000, Side::kBuy, Market::kKospi, {2024, 1, 2}) == 10'010);
  CHECK(bps.slipped_price(10'000, Side::kSell, Market::kKospi, {2024, 1, 2}) == 9'990);
  s.slippage_bps = 25;
  CostModel more(s);
  CHECK(more.slipped_price(10'000, Side::kBuy, Market::kKospi, {2024, 1, 2}) ==
        10'030);  // 10,025 ↑
  CHECK(more.slipped_price(10'000, Side::kSell, Market::kKospi, {2024, 1, 2}) == 9'970);  // 9,975 ↓
  CostSettings t;
  t.slippage_ticks = 2;
  CostModel ticks(t);
  CHECK(ticks.slipped_price(10'000, Side::kBuy, Market::kKospi, {2024, 1, 2}) == 10'020);
  CHECK(ticks.slipped_price(10'000, Side::kBuy, Market::kKospi, {2022, 1, 3}) ==
        10'100);  // old: 50
  CHECK(ticks.slipped_price(100'000, Side::kSell, Market::kKosdaq, {2022, 1, 3}) == 99'800);
}

TEST_CASE("affordable_quantity: floor(cash / (price × (1 + rate))), reduced while fees overdraw") {
  CostModel m(CostSettings{});
  CHECK(m.affordable_quantity(1'000'000, 10'300) == 97);
  CHECK(m.affordable_quantity(100'016, 100'000) == 1);
  CHECK(m.affordable_quantity(100'014, 100'000) == 0);
  CHECK(m.affordable_quantity(0, 100) == 0);
  CostSettings s;
  s.commission_bps = 100;
  CostModel high(s);
  for (std::int64_t cash : {1, 99, 1'000, 12'345, 999'999, 1'000'000'000}) {
    for (double price : {0.3, 1.0, 3.7, 99.0, 10'050.0}) {
      const std::int64_t q = high.affordable_quantity(cash, price);
      const std::int64_t n = CostModel::notional(q, price);
      CHECK(n + high.commission(n) <= cash);
      const auto formula = static_cast<std::int64_t>(static_cast<double>(cash) /
                                                     (price * (1.0 + high.commission_rate())));
      CHECK(q <= formula);
      const std::int64_t n1 = CostModel::notional(q + 1, price);
      CHECK((q == formula || n1 + high.commission(n1) > cash));
    }
  }
}
