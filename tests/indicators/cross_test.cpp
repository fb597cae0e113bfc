// crossover / crossunder: the language's definition, equal bars, NA bars.
#include "quantd/indicators/cross.h"

#include <doctest/doctest.h>

#include <vector>

namespace qi = quantd::indicators;

namespace {

constexpr double kNa = qi::kNa;
constexpr double T = 1.0;
constexpr double F = 0.0;

struct Bar {
  double a, b;
};

template <class Cross>
void expect_cross(const std::vector<Bar>& bars, const std::vector<double>& want) {
  Cross cross;
  REQUIRE(bars.size() == want.size());
  for (std::size_t t = 0; t < bars.size(); ++t) {
    CAPTURE(t);
    const double got = cross.update(bars[t].a, bars[t].b);
    REQUIRE(qi::is_na(got) == qi::is_na(want[t]));
    if (!qi::is_na(want[t])) {
      CHECK(got == want[t]);
      CHECK(cross.fired() == (want[t] == T));
    } else {
      CHECK_FALSE(cross.fired());
    }
  }
}

}  // namespace

TEST_CASE("crossover: strict crossings") {
  CHECK(qi::Crossover().warmup() == 1);
  expect_cross<qi::Crossover>({{1, 2}, {3, 2}, {4, 2}, {1, 2}, {3, 2}}, {kNa, T, F, F, T});
  expect_cross<qi::Crossunder>({{1, 2}, {3, 2}, {4, 2}, {1, 2}, {3, 2}}, {kNa, F, F, T, F});
}

TEST_CASE("crossover: equal bars neither start nor end a cross") {
  // a < b, a == b, a > b: a crossover on the third bar.
  expect_cross<qi::Crossover>({{1, 2}, {2, 2}, {3, 2}}, {kNa, F, T});
  // a > b, a == b, a > b: no cross (the latest bar with a != b had a > b).
  expect_cross<qi::Crossover>({{3, 2}, {2, 2}, {3, 2}}, {kNa, F, F});
  // a > b, a == b, a < b: a crossunder on the third bar.
  expect_cross<qi::Crossunder>({{3, 2}, {2, 2}, {2, 2}, {1, 2}}, {kNa, F, F, T});
  // Starting equal: no earlier bar with a != b, so no cross.
  expect_cross<qi::Crossover>({{2, 2}, {2, 2}, {3, 2}, {1, 2}, {2, 2}, {5, 2}},
                              {kNa, F, F, F, F, T});
  expect_cross<qi::Crossunder>({{2, 2}, {1, 2}, {3, 2}, {2, 2}, {1, 2}}, {kNa, F, F, F, T});
}

TEST_CASE("crossover: NA bars give NA and keep the state") {
  // Warm-up NAs first, then the first defined bar is NA (nothing earlier).
  expect_cross<qi::Crossover>({{kNa, 2}, {1, kNa}, {1, 2}, {3, 2}}, {kNa, kNa, kNa, T});
  // A gap inside a cross still reports it where a > b.
  expect_cross<qi::Crossover>({{1, 2}, {kNa, 2}, {3, 2}}, {kNa, kNa, T});
  expect_cross<qi::Crossunder>({{3, 2}, {2, kNa}, {2, 2}, {1, 2}}, {kNa, kNa, F, T});
}
