#include "quantd/domain/ledger.h"

#include <doctest/doctest.h>

using namespace quantd;
using namespace quantd::domain;

TEST_CASE("ledger: buys average the entry, sells book net proceeds, closing resets") {
  Ledger l(100'000, 2);
  CHECK(l.buy(0, 10, 1000, 10'000, 15, 123, ProtectiveExits{0.05, 0, 0}));
  CHECK(l.cash() == 100'000 - 10'015);
  CHECK_FALSE(l.buy(0, 10, 2000, 20'000, 30, 456, {}));
  CHECK(l.position(0).quantity == 20);
  CHECK(l.position(0).entry_price == 1500);
  CHECK(l.position(0).entry_ts == 123);  // the opening buy's
  CHECK(l.position(0).exits.stop_loss == 0.05);
  CHECK(l.open_positions() == 1);
  l.mark(0, 1600);
  CHECK(l.equity() == static_cast<double>(l.cash()) + 20 * 1600.0);
  CHECK(l.equity_at(0, 1000) == static_cast<double>(l.cash()) + 20 * 1000.0);
  CHECK_FALSE(l.sell(0, 5, 8000, 12, 16));
  CHECK(l.sell(0, 15, 24'000, 36, 48));
  CHECK(l.position(0).quantity == 0);
  CHECK(l.position(0).entry_price == 0);
  CHECK(l.open_positions() == 0);
  CHECK(l.cash() == 100'000 - 10'015 - 20'030 + 8000 - 28 + 24'000 - 84);
}
