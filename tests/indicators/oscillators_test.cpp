// Hand-computed cases for Rsi, Macd, TrueRange / Atr, StochK / StochD, Obv.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "quantd/indicators/macd.h"
#include "quantd/indicators/obv.h"
#include "quantd/indicators/rsi.h"
#include "quantd/indicators/stochastic.h"
#include "quantd/indicators/true_range.h"

namespace qi = quantd::indicators;

namespace {

constexpr double kNa = qi::kNa;

void expect_value(double got, double want) {
  REQUIRE(qi::is_na(got) == qi::is_na(want));
  if (!qi::is_na(want)) CHECK(got == doctest::Approx(want).epsilon(1e-13));
}

struct Hlc {
  double h, l, c;
};

template <class Indicator>
void expect_hlc(Indicator ind, const std::vector<Hlc>& bars, const std::vector<double>& want) {
  REQUIRE(bars.size() == want.size());
  for (std::size_t t = 0; t < bars.size(); ++t) {
    CAPTURE(t);
    const double got = ind.update(bars[t].h, bars[t].l, bars[t].c);
    expect_value(got, want[t]);
    expect_value(ind.value(), want[t]);
  }
}

}  // namespace

TEST_CASE("Rsi: Wilder averages of gains and losses") {
  qi::Rsi rsi(2);
  CHECK(rsi.warmup() == 2);
  // changes +1 +2 -1 0 +2; seed AU = 1.5, AD = 0 at bar 2.
  const std::vector<double> xs = {1, 2, 4, 3, 3, 5};
  const std::vector<double> want = {kNa, kNa, 100, 60, 60, 100 * 1.1875 / 1.3125};
  for (std::size_t t = 0; t < xs.size(); ++t) {
    CAPTURE(t);
    expect_value(rsi.update(xs[t]), want[t]);
  }
}

TEST_CASE("Rsi: flat start gives 50; NA skipped") {
  qi::Rsi rsi(2);
  for (double x : {kNa, 5.0, 5.0}) CHECK(qi::is_na(rsi.update(x)));
  CHECK(rsi.update(5) == 50);
  CHECK(qi::is_na(rsi.update(kNa)));
  // The change is taken from the last accepted value (5): +1.
  CHECK(rsi.update(6) == doctest::Approx(100.0));
  CHECK(rsi.update(5) == doctest::Approx(100 * 0.25 / 0.75));
}

TEST_CASE("Macd: line, signal and histogram with small lengths") {
  qi::Macd macd(2, 3, 2);
  CHECK(macd.warmup() == 2);
  CHECK(macd.signal_warmup() == 3);
  const std::vector<double> xs = {1, 2, 3, 5, 4};
  // Fast EMA(2): alpha 2/3, seed 1.5 at bar 1; slow EMA(3): alpha 1/2, seed 2.
  const double f2 = 2.0 / 3 * 3 + 1.0 / 3 * 1.5;
  const double f3 = 2.0 / 3 * 5 + 1.0 / 3 * f2;
  const double f4 = 2.0 / 3 * 4 + 1.0 / 3 * f3;
  const double s2 = 2.0;
  const double s3 = 0.5 * 5 + 0.5 * s2;
  const double s4 = 0.5 * 4 + 0.5 * s3;
  const double sig3 = ((f2 - s2) + (f3 - s3)) / 2;
  const double sig4 = 2.0 / 3 * (f4 - s4) + 1.0 / 3 * sig3;
  const std::vector<double> line = {kNa, kNa, f2 - s2, f3 - s3, f4 - s4};
  const std::vector<double> signal = {kNa, kNa, kNa, sig3, sig4};
  for (std::size_t t = 0; t < xs.size(); ++t) {
    CAPTURE(t);
    expect_value(macd.update(xs[t]), line[t]);
    expect_value(macd.line(), line[t]);
    expect_value(macd.signal(), signal[t]);
    expect_value(macd.histogram(), line[t] - signal[t]);
  }
  CHECK(qi::is_na(macd.update(kNa)));
  CHECK(qi::is_na(macd.signal()));
  CHECK(qi::is_na(macd.histogram()));
}

TEST_CASE("TrueRange and Atr") {
  const std::vector<Hlc> bars = {{10, 8, 9}, {11, 9, 10.5}, {10, 7, 8}, {12, 11, 11.5}};
  CHECK(qi::TrueRange().warmup() == 1);
  expect_hlc(qi::TrueRange(), bars, {kNa, 2, 3.5, 4});
  CHECK(qi::Atr(2).warmup() == 2);
  expect_hlc(qi::Atr(2), bars, {kNa, kNa, 2.75, 3.375});
  // A bar with an NA field is skipped: the previous close stays 10.5.
  expect_hlc(qi::TrueRange(), {{10, 8, 9}, {11, 9, 10.5}, {kNa, 7, 8}, {10, 7, 8}},
             {kNa, 2, kNa, 3.5});
}

TEST_CASE("StochK / StochD: raw, smoothed (both modes) and %D") {
  const std::vector<Hlc> bars = {{10, 8, 9}, {12, 9, 11}, {11, 7, 8}, {13, 10, 12}, {12, 11, 11.5}};
  // Raw %K over 3 bars: 1/5, 5/6, 4.5/6.
  const double k2 = 100.0 / 5;
  const double k3 = 500.0 / 6;
  const double k4 = 450.0 / 6;
  CHECK(qi::StochK(3).warmup() == 2);
  expect_hlc(qi::StochK(3), bars, {kNa, kNa, k2, k3, k4});
  CHECK(qi::StochK(3, 2).warmup() == 3);
  expect_hlc(qi::StochK(3, 2), bars, {kNa, kNa, kNa, (k2 + k3) / 2, (k3 + k4) / 2});
  expect_hlc(qi::StochK(3, 2, qi::StochSmoothing::kRatioOfSums), bars,
             {kNa, kNa, kNa, 100.0 * 6 / 11, 100.0 * 9.5 / 12});
  CHECK(qi::StochD(3, 1, 2).warmup() == 3);
  expect_hlc(qi::StochD(3, 1, 2), bars, {kNa, kNa, kNa, (k2 + k3) / 2, (k3 + k4) / 2});
  CHECK(qi::StochD(3, 2, 2).warmup() == 4);
  expect_hlc(qi::StochD(3, 2, 2), bars, {kNa, kNa, kNa, kNa, ((k2 + k3) / 2 + (k3 + k4) / 2) / 2});
}

TEST_CASE("StochK: smooth = 3 and a longer window") {
  std::vector<Hlc> bars;
  for (int i = 0; i < 30; ++i) {
    const double mid = 20 + 5 * std::sin(i * 0.7);
    bars.push_back({mid + 1 + (i % 3), mid - 1 - (i % 2), mid + 0.3 * (i % 5) - 0.6});
  }
  qi::StochK k3(5, 3);
  qi::StochK raw(5, 1);
  std::vector<double> raws;
  for (std::size_t t = 0; t < bars.size(); ++t) {
    raws.push_back(raw.update(bars[t].h, bars[t].l, bars[t].c));
    const double got = k3.update(bars[t].h, bars[t].l, bars[t].c);
    if (t < 6) {
      CHECK(qi::is_na(got));
    } else {
      CHECK(got == doctest::Approx((raws[t] + raws[t - 1] + raws[t - 2]) / 3));
      CHECK(got >= 0.0);
      CHECK(got <= 100.0);
    }
  }
}

TEST_CASE("StochK: 50 when the window's high equals its low") {
  qi::StochK k(2);
  CHECK(qi::is_na(k.update(5, 5, 5)));
  CHECK(k.update(5, 5, 5) == 50.0);
  qi::StochK ratio(2, 2, qi::StochSmoothing::kRatioOfSums);
  for (int i = 0; i < 2; ++i) CHECK(qi::is_na(ratio.update(5, 5, 5)));
  CHECK(ratio.update(5, 5, 5) == 50.0);
}

TEST_CASE("Obv: starts at the first volume; TTR's equal band") {
  qi::Obv obv;
  CHECK(obv.warmup() == 0);
  CHECK(qi::is_na(obv.value()));
  CHECK(qi::is_na(obv.update(kNa, 5)));
  CHECK(obv.update(10, 100) == 100);
  CHECK(obv.update(11, 200) == 300);
  CHECK(obv.update(11, 300) == 300);                             // equal
  CHECK(obv.update(10.5, 400) == -100);                          // down
  CHECK(obv.update(10.5 * (1 + 1e-9), 500) == -100);             // within 2^-26: equal
  CHECK(obv.update(10.5 * (1 + 1e-9) * (1 + 3e-8), 50) == -50);  // beyond: up
  CHECK(qi::is_na(obv.update(12, kNa)));                         // skipped
  CHECK(obv.update(12, 600) == 550);
  CHECK(obv.update(12 * (1 - 3e-8), 10) == 540);  // just beyond: down
}
