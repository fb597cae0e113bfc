// Stdev / MovingMoments / Bollinger: hand cases, exact zero for equal
// values, and accuracy on hard inputs against a long double two-pass.
#include "quantd/indicators/stdev.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "quantd/indicators/bollinger.h"

namespace qi = quantd::indicators;

namespace {

constexpr double kNa = qi::kNa;

// Population sd of xs[t-n+1..t] in long double, two-pass.
double exact_sd(const std::vector<double>& xs, std::size_t t, int n) {
  long double mean = 0.0L;
  for (int i = 0; i < n; ++i) mean += xs[t - static_cast<std::size_t>(i)];
  mean /= n;
  long double ss = 0.0L;
  for (int i = 0; i < n; ++i) {
    const long double d = xs[t - static_cast<std::size_t>(i)] - mean;
    ss += d * d;
  }
  return static_cast<double>(std::sqrt(ss / n));
}

}  // namespace

TEST_CASE("Stdev: population standard deviation") {
  qi::Stdev sd8(8);
  CHECK(sd8.warmup() == 7);
  double last = kNa;
  for (double x : {2, 4, 4, 4, 5, 5, 7, 9}) last = sd8.update(x);
  CHECK(last == doctest::Approx(2.0).epsilon(1e-15));

  qi::Stdev sd3(3);
  const std::vector<double> xs = {1, 2, 3, 4, 10};
  const std::vector<double> want = {kNa, kNa, std::sqrt(2.0 / 3), std::sqrt(2.0 / 3),
                                    std::sqrt(258.0 / 27)};
  for (std::size_t t = 0; t < xs.size(); ++t) {
    CAPTURE(t);
    const double got = sd3.update(xs[t]);
    REQUIRE(qi::is_na(got) == qi::is_na(want[t]));
    if (!qi::is_na(got)) CHECK(got == doctest::Approx(want[t]).epsilon(1e-14));
  }

  qi::Stdev sd1(1);
  CHECK(sd1.update(5.5) == 0.0);
  CHECK(sd1.update(-2) == 0.0);
}

TEST_CASE("Stdev: NA rule") {
  qi::Stdev sd(2);
  CHECK(qi::is_na(sd.update(kNa)));
  CHECK(qi::is_na(sd.update(1)));
  CHECK(qi::is_na(sd.update(kNa)));
  CHECK(qi::is_na(sd.value()));
  CHECK(sd.update(3) == doctest::Approx(1.0));  // window {1, 3}
  CHECK(qi::is_na(sd.update(INFINITY)));
  CHECK(sd.update(3) == 0.0);  // window {3, 3}
}

TEST_CASE("Stdev: a window of equal values is exactly zero, after any history") {
  qi::Stdev sd(5);
  for (double x : {3.08, 50.0, 12.5, 47.31, 3.09}) sd.update(x);
  double last = kNa;
  for (int i = 0; i < 5; ++i) last = sd.update(47.11);
  CHECK(last == 0.0);
  last = sd.update(47.12);
  CHECK(last > 0.0);
  CHECK(last ==
        doctest::Approx(exact_sd({47.11, 47.11, 47.11, 47.11, 47.12}, 4, 5)).epsilon(1e-12));
}

TEST_CASE("Stdev: accurate for tiny spreads far from zero and after jumps") {
  std::vector<double> xs;
  std::uint64_t s = 42;
  auto noise = [&s] {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(s >> 11) * 0x1p-53 - 0.5;
  };
  double level = 1e9;
  for (int t = 0; t < 300000; ++t) {
    if (t % 50000 == 0) level *= 0.001;            // jumps by orders of magnitude
    level += noise() * level * 1e-3;               // trend
    xs.push_back(level + noise() * level * 1e-6);  // tiny spread
  }
  for (const int n : {2, 10, 64, 2000}) {
    CAPTURE(n);
    qi::Stdev sd(n);
    double worst = 0.0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      const double got = sd.update(xs[t]);
      if (t + 1 < static_cast<std::size_t>(n)) continue;
      if (t % 7 != 0) continue;
      const double want = exact_sd(xs, t, n);
      worst = std::max(worst, std::fabs(got - want) / want);
    }
    INFO("worst relative error " << worst);
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("Stdev: accurate after leaving whole numbers (a fraction, or a far deviation)") {
  // Whole prices (exact integer mode) with a jump at bar 10,000 beyond the integer mode's
  // deviation bound for the long window, then two-decimal prices, then whole ones again: the
  // compensated mode takes over from the integer sums either way.
  std::vector<double> xs;
  std::uint64_t s = 77;
  double level = 50'000;
  for (int t = 0; t < 60'000; ++t) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    level += static_cast<double>(static_cast<int>((s >> 33) % 201) - 100);
    if (t == 10'000) level += 3e6;
    xs.push_back(t >= 20'000 && t < 40'000 ? level + 0.01 * static_cast<double>((s >> 20) % 100)
                                           : level);
  }
  for (const int n : {2, 20, 2000}) {
    CAPTURE(n);
    qi::Stdev sd(n);
    double worst = 0.0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      const double got = sd.update(xs[t]);
      if (t + 1 < static_cast<std::size_t>(n) || t % 5 != 0) continue;
      const double want = exact_sd(xs, t, n);
      worst = std::max(worst, want == 0 ? std::fabs(got) : std::fabs(got - want) / want);
    }
    INFO("worst relative error " << worst);
    CHECK(worst < 1e-12);
  }
}

TEST_CASE("Bollinger: middle +- k * population sd") {
  qi::Bollinger bb(3, 1.5);
  CHECK(bb.warmup() == 2);
  CHECK(qi::is_na(bb.update(1)));
  CHECK(qi::is_na(bb.update(2)));
  CHECK(qi::is_na(bb.upper()));
  CHECK(qi::is_na(bb.lower()));
  CHECK(bb.update(6) == doctest::Approx(3.0));
  const double sd = std::sqrt(14.0 / 3);  // deviations -2, -1, 3
  CHECK(bb.middle() == doctest::Approx(3.0));
  CHECK(bb.upper() == doctest::Approx(3.0 + 1.5 * sd));
  CHECK(bb.lower() == doctest::Approx(3.0 - 1.5 * sd));
  CHECK(qi::is_na(bb.update(kNa)));
  CHECK(qi::is_na(bb.upper()));
  CHECK(bb.update(3) == doctest::Approx(11.0 / 3));  // window {2, 6, 3}
}
