// History / Lag / Change / Roc / RocLog: bar-based lookback, NA stored.
#include "quantd/indicators/lag.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace qi = quantd::indicators;

namespace {

constexpr double kNa = qi::kNa;

template <class Indicator>
void expect_series(Indicator ind, const std::vector<double>& xs, const std::vector<double>& want) {
  REQUIRE(xs.size() == want.size());
  for (std::size_t t = 0; t < xs.size(); ++t) {
    CAPTURE(t);
    const double got = ind.update(xs[t]);
    REQUIRE(qi::is_na(got) == qi::is_na(want[t]));
    if (!qi::is_na(want[t])) CHECK(got == doctest::Approx(want[t]).epsilon(1e-15));
  }
}

}  // namespace

TEST_CASE("History: value k bars ago") {
  qi::History h(3);
  CHECK(h.depth() == 3);
  CHECK(qi::is_na(h.at(0)));
  for (int i = 1; i <= 10; ++i) {
    h.push(i);
    CHECK(h.at(0) == i);
    for (int k = 1; k <= 3; ++k) {
      if (k >= i) {
        CHECK(qi::is_na(h.at(k)));
      } else {
        CHECK(h.at(k) == i - k);
      }
    }
  }
  CHECK(h.size() == 10);
  CHECK(qi::is_na(h.at(4)));   // beyond depth
  CHECK(qi::is_na(h.at(-1)));  // negative
  qi::History h0(0);
  h0.push(7);
  CHECK(h0.at(0) == 7);
  CHECK(qi::is_na(h0.at(1)));
}

TEST_CASE("Lag: x[n] counts bars, NA included") {
  CHECK(qi::Lag(2).warmup() == 2);
  expect_series(qi::Lag(2), {1, 2, 3, kNa, 5, 6}, {kNa, kNa, 1, 2, 3, kNa});
  expect_series(qi::Lag(0), {1, kNa, 3}, {1, kNa, 3});
}

TEST_CASE("Change: x - x[n]") {
  CHECK(qi::Change(2).warmup() == 2);
  expect_series(qi::Change(2), {1, 2, 3, kNa, 5, 6}, {kNa, kNa, 2, kNa, 2, kNa});
  expect_series(qi::Change(1), {kNa, 4, 1, 1.5}, {kNa, kNa, -3, 0.5});
}

TEST_CASE("Roc: x / x[n] - 1 (discrete)") {
  CHECK(qi::Roc(2).warmup() == 2);
  expect_series(qi::Roc(2), {1, 2, 4, 8, 4}, {kNa, kNa, 3, 3, 0});
  expect_series(qi::Roc(1), {kNa, 2, 3}, {kNa, kNa, 0.5});
}

TEST_CASE("RocLog: log(x) - log(x[n]) (continuous)") {
  CHECK(qi::RocLog(1).warmup() == 1);
  expect_series(qi::RocLog(1), {1, std::exp(1.0), 1}, {kNa, 1, -1});
  expect_series(qi::RocLog(2), {2, kNa, 8, 4}, {kNa, kNa, std::log(4.0), kNa});
}
