// Exactness where the references are exact: for whole-number inputs every mean below is the
// correctly rounded value of the exact expression, computed here independently with integer
// arithmetic and one division, and compared bit for bit (==, not Approx). Ties that are exact
// must compare equal.
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
