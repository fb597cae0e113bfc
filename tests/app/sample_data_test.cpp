#include "quantd/app/sample_data.h"

#include <doctest/doctest.h>

#include "quantd/domain/krx.h"

using quantd::app::sample_series;

TEST_CASE("sample data: deterministic, valid OHLC on whole-won ticks, KRX trading days only") {
  const auto a = sample_series();
  const auto b = sample_series();
  REQUIRE(a.size() == 3);
  for (std::size_t s = 0; s < a.size(); ++s) {
    CHECK(a[s].symbol.str().rfind("SAMPLE-", 0) == 0);
    CHECK(a[s].bars == b[s].bars);
    REQUIRE(a[s].bars.size() > 1400);
    for (std::size_t i = 0; i < a[s].bars.size(); ++i) {
      const auto& bar = a[s].bars[i];
      CHECK(bar.low <= bar.open);
      CHECK(bar.low <= bar.close);
      CHECK(bar.high >= bar.open);
      CHECK(bar.high >= bar.close);
      CHECK(bar.low > 0);
      CHECK(bar.volume > 0);
      CHECK(bar.close == static_cast<double>(static_cast<std::int64_t>(bar.close)));
      CHECK(!quantd::domain::is_krx_closed(quantd::to_seoul(bar.ts).date));
      if (i > 0) CHECK(bar.ts > a[s].bars[i - 1].ts);
    }
  }
}
