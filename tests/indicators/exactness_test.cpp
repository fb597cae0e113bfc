// Exactness where the references are exact (docs/indicators.md): for whole-number inputs every
// mean, ratio and rate below is the correctly rounded value of the exact expression, computed
// here independently with integer arithmetic and one division, and compared bit for bit (==, not
// Approx). Ties that are exact must compare equal.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "quantd/indicators/indicators.h"

namespace qi = quantd::indicators;

namespace {

__extension__ typedef __int128 Int128;  // exact products of sums

// Deterministic whole-number random walk (splitmix64 steps of -3..3), level ~`start`.
std::vector<std::int64_t> integer_walk(std::size_t n, std::uint64_t seed, std::int64_t start) {
  std::vector<std::int64_t> v;
  v.reserve(n);
  std::int64_t x = start;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint64_t z = (seed += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    x = std::max<std::int64_t>(1, x + static_cast<std::int64_t>(z % 7) - 3);
    v.push_back(x);
  }
  return v;
}

// Fractional inputs (two decimals) with jumps in level, which force MovingMoments to rebase.
std::vector<double> fractional_walk(std::size_t n) {
  std::vector<double> v;
  std::uint64_t s = 0xF00DF00D;
  double x = 30.0;
  for (std::size_t i = 0; i < n; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    x = std::max(0.01, x + static_cast<double>(static_cast<int>((s >> 33) % 41) - 20) / 100);
    if (i % 997 == 0) x *= 7.3;
    if (i % 2003 == 0) x /= 9.1;
    v.push_back(x);
  }
  return v;
}

}  // namespace

TEST_CASE("Sma: a 10-bar and a 30-bar average that are equal compare equal") {
  // 30 bars at 1000, 10 at 998, then 1017: the 10-bar sum is 9,999, the 30-bar sum 29,997.
  std::vector<double> closes(30, 1000);
  closes.insert(closes.end(), 10, 998);
  closes.push_back(1017);
  // The data is a tie that multiplying by a reciprocal gets wrong (two roundings).
  REQUIRE(9'999.0 * (1.0 / 10) != 29'997.0 * (1.0 / 30));
  qi::Sma fast(10), slow(30);
  double f = 0, s = 0;
  for (double c : closes) {
    f = fast.update(c);
    s = slow.update(c);
  }
  CHECK(f == s);
  CHECK(f == 9'999.0 / 10);
}

TEST_CASE("Sma: whole numbers give sum / n bit for bit, for every length, after NA gaps") {
  const auto xs = integer_walk(100'000, 11, 1'500);
  for (int n : {1, 2, 3, 5, 7, 10, 20, 30, 60, 200}) {
    CAPTURE(n);
    qi::Sma sma(n);
    std::vector<std::int64_t> window;  // the accepted inputs
    std::size_t wrong = 0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      if (t % 1009 == 0) CHECK(qi::is_na(sma.update(qi::kNa)));  // skipped, state kept
      window.push_back(xs[t]);
      const double got = sma.update(static_cast<double>(xs[t]));
      if (window.size() < static_cast<std::size_t>(n)) continue;
      std::int64_t sum = 0;
      for (std::size_t k = window.size() - static_cast<std::size_t>(n); k < window.size(); ++k) {
        sum += window[k];
      }
      wrong += got != static_cast<double>(sum) / n;
      if (window.size() > 4096) window.erase(window.begin(), window.end() - n);
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("Sma: leaving whole numbers continues exactly as a compensated sum would") {
  // The compensated algorithm alone (what Sma did before it summed whole numbers in integers).
  struct CompensatedSma {
    int n;
    std::vector<double> buf;
    std::size_t pos = 0, count = 0;
    qi::CompensatedSum sum;
    double update(double x) {
      const double old = buf[pos];
      buf[pos] = x;
      pos = (pos + 1) % buf.size();
      sum.add_difference(x, old);
      if (count < buf.size() && ++count < buf.size()) return qi::kNa;
      return sum.value() / n;
    }
  };
  const auto whole = integer_walk(30'000, 17, 5'000);
  const auto fractional = fractional_walk(30'000);
  for (int n : {1, 3, 20, 200}) {
    for (std::size_t turn : {0u, 1u, 2u, 151u, 10'000u}) {
      CAPTURE(n);
      CAPTURE(turn);
      qi::Sma sma(n);
      CompensatedSma ref{n, std::vector<double>(static_cast<std::size_t>(n), 0.0)};
      std::size_t wrong = 0;
      for (std::size_t t = 0; t < 30'000; ++t) {
        // Whole numbers until `turn`, then a whole number too large for the integer sum (at odd
        // turns) or a fraction, then fractions, then whole numbers again.
        double x = t < turn ? static_cast<double>(whole[t]) : fractional[t];
        if (t == turn && turn % 2 == 1) x = 0x1p40;
        if (t > turn + 20'000) x = static_cast<double>(whole[t]);
        const double got = sma.update(x);
        const double want = ref.update(x);
        wrong += !(got == want || (qi::is_na(got) && qi::is_na(want)));
      }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("Ema and Rma: the seed is exactly sma's value on that bar") {
  const auto xs = fractional_walk(5'000);
  for (int n : {2, 3, 10, 14, 26, 50}) {
    CAPTURE(n);
    for (std::size_t start : {0u, 123u, 4'000u}) {
      qi::Sma sma(n);
      qi::Ema ema(n);
      qi::Rma rma(n);
      double s = qi::kNa, e = qi::kNa, r = qi::kNa;
      for (std::size_t t = start; qi::is_na(s); ++t) {
        s = sma.update(xs[t]);
        e = ema.update(xs[t]);
        r = rma.update(xs[t]);
      }
      CHECK(e == s);
      CHECK(r == s);
    }
  }
}

TEST_CASE("Wma: whole numbers give TTR's num / wtsum bit for bit") {
  const auto xs = integer_walk(50'000, 12, 30'000);
  for (int n : {1, 2, 5, 9, 20, 64}) {
    CAPTURE(n);
    qi::Wma wma(n);
    const std::int64_t weights = static_cast<std::int64_t>(n) * (n + 1) / 2;
    std::size_t wrong = 0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      const double got = wma.update(static_cast<double>(xs[t]));
      if (t + 1 < static_cast<std::size_t>(n)) continue;
      std::int64_t num = 0;
      for (int i = 0; i < n; ++i) num += (i + 1) * xs[t + 1 - static_cast<std::size_t>(n - i)];
      wrong += got != static_cast<double>(num) / static_cast<double>(weights);
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("Bollinger: the middle band is sma's value, bit for bit for whole numbers") {
  std::vector<std::int64_t> whole = integer_walk(40'000, 16, 3'000);
  for (std::size_t t = 10'000; t < 20'000; ++t) whole[t] += 400'000;  // jumps: the shift moves
  const auto fractional = fractional_walk(20'000);
  for (int n : {1, 5, 20, 50}) {
    CAPTURE(n);
    qi::Bollinger bb(n, 2);
    qi::Sma sma(n);
    std::size_t wrong = 0;
    for (std::int64_t x : whole) {
      const double m = bb.update(static_cast<double>(x));
      const double s = sma.update(static_cast<double>(x));
      wrong += !(m == s || (qi::is_na(m) && qi::is_na(s)));
    }
    CHECK(wrong == 0);
    // Fractional inputs: within a few ulps (the window sum is rebuilt as S1 + n * shift).
    qi::Bollinger bb2(n, 2);
    qi::Sma sma2(n);
    double worst_ulps = 0;
    for (double x : fractional) {
      const double m = bb2.update(x);
      const double s = sma2.update(x);
      if (qi::is_na(s)) continue;
      worst_ulps = std::max(worst_ulps, std::fabs(m - s) / (std::nextafter(s, INFINITY) - s));
    }
    CHECK(worst_ulps <= 16);
  }
}

TEST_CASE("Stdev and Bollinger: whole numbers give the correctly rounded variance") {
  // var = (n * sum(x^2) - sum(x)^2) / n^2, numerator exact in 128-bit integers; the indicator
  // must round it once, whichever shift its moments were taken around (levels jump here).
  std::vector<std::int64_t> xs = integer_walk(60'000, 13, 2'000);
  for (std::size_t t = 0; t < xs.size(); ++t) {
    if (t >= 20'000 && t < 40'000) xs[t] += 250'000;  // a jump: the shift must move
  }
  for (int n : {2, 3, 14, 20, 100}) {
    CAPTURE(n);
    qi::Stdev sd(n);
    qi::Bollinger bb(n, 2);
    std::size_t wrong = 0;
    for (std::size_t t = 0; t < xs.size(); ++t) {
      const double got = sd.update(static_cast<double>(xs[t]));
      bb.update(static_cast<double>(xs[t]));
      if (t + 1 < static_cast<std::size_t>(n)) continue;
      Int128 s1 = 0, s2 = 0;
      for (int i = 0; i < n; ++i) {
        const Int128 x = xs[t - static_cast<std::size_t>(i)];
        s1 += x;
        s2 += x * x;
      }
      const Int128 num = n * s2 - s1 * s1;
      REQUIRE(num < (static_cast<Int128>(1) << 53));  // exactly a double
      const double var = static_cast<double>(num) / (static_cast<double>(n) * n);
      wrong += got != std::sqrt(var);
      wrong += bb.upper() != bb.middle() + 2 * std::sqrt(var);
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("StochK: the raw %K of whole-number prices is the correctly rounded percentage") {
  // 29% of the range: 100 * (29 / 100) would give 28.999999999999996.
  qi::StochK k(1);
  CHECK(k.update(1100, 1000, 1029) == 29.0);
  CHECK(k.update(1100, 1000, 1080) == 80.0);

  const auto closes = integer_walk(20'000, 14, 1'200);
  for (int n : {3, 14}) {
    CAPTURE(n);
    qi::StochK raw(n);
    std::size_t wrong = 0;
    for (std::size_t t = 0; t < closes.size(); ++t) {
      const std::int64_t c = closes[t];
      const double got = raw.update(static_cast<double>(c + 3), static_cast<double>(c - 2),
                                    static_cast<double>(c));
      if (t + 1 < static_cast<std::size_t>(n)) continue;
      std::int64_t hh = 0, ll = INT64_MAX;
      for (int i = 0; i < n; ++i) {
        hh = std::max(hh, closes[t - static_cast<std::size_t>(i)] + 3);
        ll = std::min(ll, closes[t - static_cast<std::size_t>(i)] - 2);
      }
      wrong += got != static_cast<double>(100 * (c - ll)) / static_cast<double>(hh - ll);
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("Roc: the rate of whole-number prices is the correctly rounded fraction") {
  // 105 after 100 is exactly the literal 0.05 (105.0 / 100 - 1 gives 0.050000000000000044).
  qi::Roc roc(1);
  roc.update(100);
  CHECK(roc.update(105) == 0.05);
  const auto xs = integer_walk(20'000, 15, 900);
  qi::Roc roc10(10);
  std::size_t wrong = 0;
  for (std::size_t t = 0; t < xs.size(); ++t) {
    const double got = roc10.update(static_cast<double>(xs[t]));
    if (t < 10) continue;
    wrong += got != static_cast<double>(xs[t] - xs[t - 10]) / static_cast<double>(xs[t - 10]);
  }
  CHECK(wrong == 0);
}
