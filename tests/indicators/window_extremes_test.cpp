// Highest / Lowest: hand cases, ties, NA rule, and a brute-force comparison.
#include "quantd/indicators/window_extremes.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace qi = quantd::indicators;

namespace {

constexpr double kNa = qi::kNa;

template <class Indicator>
std::vector<double> run(Indicator ind, const std::vector<double>& xs) {
  std::vector<double> out;
  for (double x : xs) out.push_back(ind.update(x));
  return out;
}

void expect_equal(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t t = 0; t < got.size(); ++t) {
    CAPTURE(t);
    REQUIRE(qi::is_na(got[t]) == qi::is_na(want[t]));
    if (!qi::is_na(want[t])) CHECK(got[t] == want[t]);
  }
}

}  // namespace

TEST_CASE("Highest / Lowest: window includes the current bar") {
  const std::vector<double> xs = {1, 3, 2, 2, 0, -1, 5};
  CHECK(qi::Highest(3).warmup() == 2);
  CHECK(qi::Lowest(3).warmup() == 2);
  expect_equal(run(qi::Highest(3), xs), {kNa, kNa, 3, 3, 2, 2, 5});
  expect_equal(run(qi::Lowest(3), xs), {kNa, kNa, 1, 2, 0, -1, -1});
  expect_equal(run(qi::Highest(1), xs), xs);
  expect_equal(run(qi::Lowest(1), xs), xs);
}

TEST_CASE("Highest / Lowest: ties and monotone runs") {
  expect_equal(run(qi::Highest(2), {4, 4, 4, 3, 3}), {kNa, 4, 4, 4, 3});
  expect_equal(run(qi::Lowest(2), {4, 4, 4, 5, 5}), {kNa, 4, 4, 4, 5});
  expect_equal(run(qi::Highest(3), {5, 4, 3, 2, 1}), {kNa, kNa, 5, 4, 3});
  expect_equal(run(qi::Lowest(3), {1, 2, 3, 4, 5}), {kNa, kNa, 1, 2, 3});
  expect_equal(run(qi::Highest(3), {1, 2, 3, 4, 5}), {kNa, kNa, 3, 4, 5});
}

TEST_CASE("Highest / Lowest: NA inputs are skipped") {
  expect_equal(run(qi::Highest(2), {kNa, kNa, 1, kNa, 3, 2}), {kNa, kNa, kNa, kNa, 3, 3});
  expect_equal(run(qi::Lowest(2), {kNa, 1, kNa, 3, 2}), {kNa, kNa, kNa, 1, 2});
}

TEST_CASE("Highest / Lowest: match brute force for many lengths") {
  std::vector<double> xs;
  std::uint64_t s = 12345;
  for (int i = 0; i < 5000; ++i) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    xs.push_back(static_cast<double>((s >> 33) % 50));  // many ties
  }
  for (const int n : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 1000}) {
    CAPTURE(n);
    const auto hi = run(qi::Highest(n), xs);
    const auto lo = run(qi::Lowest(n), xs);
    for (std::size_t t = 0; t < xs.size(); ++t) {
      if (t + 1 < static_cast<std::size_t>(n)) {
        REQUIRE(qi::is_na(hi[t]));
        REQUIRE(qi::is_na(lo[t]));
        continue;
      }
      const auto first = xs.begin() + static_cast<long>(t + 1) - n;
      const auto last = xs.begin() + static_cast<long>(t + 1);
      REQUIRE(hi[t] == *std::max_element(first, last));
      REQUIRE(lo[t] == *std::min_element(first, last));
    }
  }
}
