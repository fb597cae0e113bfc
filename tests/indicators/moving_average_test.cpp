// Hand-computed cases for Sma, Ema, Rma and Wma, the NA rule, and long-series
// drift against exact windows.
#include "quantd/indicators/moving_average.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace qi = quantd::indicators;

namespace {

constexpr double kNa = qi::kNa;

// Feeds xs and checks each result against want (NA where want is NA).
template <class Indicator>
void expect_series(Indicator& ind, const std::vector<double>& xs, const std::vector<double>& want) {
  REQUIRE(xs.size() == want.size());
  for (std::size_t t = 0; t < xs.size(); ++t) {
    CAPTURE(t);
    const double got = ind.update(xs[t]);
    REQUIRE(qi::is_na(got) == qi::is_na(want[t]));
    REQUIRE(qi::is_na(ind.value()) == qi::is_na(got));
    if (!qi::is_na(want[t])) {
      CHECK(got == doctest::Approx(want[t]).epsilon(1e-14));
      CHECK(ind.value() == got);
    }
  }
}

// Deterministic pseudo-random numbers in [0, 1) (xorshift64*).
struct Rng {
  std::uint64_t s = 0x9E3779B97F4A7C15ULL;
  double next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<double>((s * 2685821657736338717ULL) >> 11) * 0x1p-53;
  }
};

}  // namespace

TEST_CASE("Sma: small windows") {
  qi::Sma sma3(3);
  CHECK(sma3.warmup() == 2);
  CHECK(qi::is_na(sma3.value()));
  expect_series(sma3, {1, 2, 3, 4, 5}, {kNa, kNa, 2, 3, 4});

  qi::Sma sma5(5);
  CHECK(sma5.warmup() == 4);
  expect_series(sma5, {1, 2, 3, 4, 5, 6, 10}, {kNa, kNa, kNa, kNa, 3, 4, 5.6});

  qi::Sma sma1(1);
  CHECK(sma1.warmup() == 0);
  expect_series(sma1, {4.25, -3, 7}, {4.25, -3, 7});
}

TEST_CASE("Sma: leading NAs start the window at the first value") {
  qi::Sma sma(3);
  expect_series(sma, {kNa, kNa, 1, 2, 3, 4}, {kNa, kNa, kNa, kNa, 2, 3});
}

TEST_CASE("Sma: a mid-series NA or inf is skipped and leaves the state") {
  qi::Sma sma(3);
  expect_series(sma, {1, 2, kNa, 3, INFINITY, 4, -INFINITY, 8}, {kNa, kNa, kNa, 2, kNa, 3, kNa, 5});
}

TEST_CASE("Ema: seeded with the SMA of the first n values") {
  qi::Ema ema3(3);  // alpha = 0.5
  CHECK(ema3.alpha() == 0.5);
  CHECK(ema3.warmup() == 2);
  expect_series(ema3, {2, 4, 6, 1, 9}, {kNa, kNa, 4, 2.5, 5.75});

  qi::Ema ema1(1);  // alpha = 1: the input itself
  expect_series(ema1, {3, 5, 7}, {3, 5, 7});

  qi::Ema ema_leading(3);
  expect_series(ema_leading, {kNa, 2, 4, 6, kNa, 1, 9}, {kNa, kNa, kNa, 4, kNa, 2.5, 5.75});
}

TEST_CASE("Ema: explicit ratio") {
  qi::Ema ema(2, 0.25);
  expect_series(ema, {1, 3, 7}, {kNa, 2, 0.25 * 7 + 0.75 * 2});
}

TEST_CASE("Rma: Wilder smoothing, alpha = 1/n, SMA seed") {
  qi::Rma rma2(2);
  CHECK(rma2.alpha() == 0.5);
  expect_series(rma2, {2, 4, 6, 1}, {kNa, 3, 4.5, 2.75});

  qi::Rma rma3(3);
  CHECK(rma3.warmup() == 2);
  expect_series(rma3, {3, 6, 9, 12}, {kNa, kNa, 6, 8});
}

TEST_CASE("Wma: weights 1..n, newest heaviest") {
  qi::Wma wma3(3);
  CHECK(wma3.warmup() == 2);
  expect_series(wma3, {1, 2, 3, 4, 10}, {kNa, kNa, 14.0 / 6, 20.0 / 6, 41.0 / 6});

  qi::Wma wma1(1);
  expect_series(wma1, {5, -2}, {5, -2});

  qi::Wma wma2(2);  // NA skipped: the window is the last 2 accepted values
  expect_series(wma2, {kNa, 3, kNa, 6, 9}, {kNa, kNa, kNa, 5, 8});
}

TEST_CASE("Sma and Wma stay on the exact window over a long series") {
  // A random walk far from zero with small steps is the worst case for a
  // running sum: the sum is large, the changes small.
  const int kBars = 2'000'000;
  const int n = 37;
  qi::Sma sma(n);
  qi::Wma wma(n);
  std::vector<double> xs;
  xs.reserve(kBars);
  Rng rng;
  double x = 1e6;
  double worst_sma = 0.0;
  double worst_wma = 0.0;
  for (int t = 0; t < kBars; ++t) {
    x += rng.next() - 0.5;
    xs.push_back(x);
    const double s = sma.update(x);
    const double w = wma.update(x);
    if (t >= n - 1 && t % 9973 == 0) {
      long double sum = 0.0L;
      long double num = 0.0L;
      for (int i = 0; i < n; ++i) {
        const long double v = xs[static_cast<std::size_t>(t - n + 1 + i)];
        sum += v;
        num += (i + 1) * v;
      }
      const double exact_sma = static_cast<double>(sum / n);
      const double exact_wma = static_cast<double>(num / (n * (n + 1) / 2));
      worst_sma = std::max(worst_sma, std::fabs(s - exact_sma) / exact_sma);
      worst_wma = std::max(worst_wma, std::fabs(w - exact_wma) / exact_wma);
    }
  }
  INFO("long series: worst relative error sma " << worst_sma << ", wma " << worst_wma);
  CHECK(worst_sma < 1e-14);
  CHECK(worst_wma < 1e-14);
}
