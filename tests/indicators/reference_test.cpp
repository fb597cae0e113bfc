// Every indicator against a direct (non-incremental) implementation of the
// formulas in shared/oracle/README.md, for many lengths, on synthetic bars
// with ties, flat stretches and windows where high == low, each series
// starting after a few leading NAs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <vector>

#include "quantd/indicators/indicators.h"

namespace qi = quantd::indicators;

namespace {

using Series = std::vector<double>;
constexpr double kNa = qi::kNa;
constexpr std::size_t kLead = 5;  // leading NA bars
constexpr std::size_t kBars = 3000;

struct Bars {
  Series high, low, close, volume;
};

// Two-decimal prices with frequent ties; bars 1000..1099 are completely flat.
const Bars& bars() {
  static const Bars b = [] {
    Bars r;
    std::uint64_t s = 7;
    auto next = [&s] {
      s = s * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<double>(s >> 11) * 0x1p-53;
    };
    double price = 30.0;
    for (std::size_t t = 0; t < kBars; ++t) {
      if (t < kLead) {
        r.high.push_back(kNa);
        r.low.push_back(kNa);
        r.close.push_back(kNa);
        r.volume.push_back(kNa);
        continue;
      }
      const bool flat = t >= 1000 && t < 1100;
      if (!flat) price = std::max(1.0, price + std::round((next() - 0.5) * 40) / 100);
      const double up = flat ? 0 : std::round(next() * 30) / 100;
      const double down = flat ? 0 : std::round(next() * 30) / 100;
      const double c =
          flat ? price : price + std::round((next() - 0.5) * 2 * std::min(up, down) * 100) / 100;
      r.high.push_back(price + up);
      r.low.push_back(price - down);
      r.close.push_back(std::clamp(c, price - down, price + up));
      r.volume.push_back(std::round(next() * 1e6));
    }
    return r;
  }();
  return b;
}

// Reference on the defined part x[kLead..]: f(t) gives the value at absolute
// row t from the rows kLead..t, or NA.
Series reference(const std::function<double(std::size_t)>& f) {
  Series out(kBars, kNa);
  for (std::size_t t = kLead; t < kBars; ++t) out[t] = f(t);
  return out;
}

void expect_close(const Series& got, const Series& want, int warmup) {
  REQUIRE(got.size() == want.size());
  for (std::size_t t = 0; t < got.size(); ++t) {
    CAPTURE(t);
    REQUIRE(qi::is_na(got[t]) == qi::is_na(want[t]));
    if (qi::is_na(want[t])) continue;
    CHECK(std::fabs(got[t] - want[t]) <= 1e-9 * std::max(1.0, std::fabs(want[t])));
  }
  std::size_t first = 0;
  while (first < got.size() && qi::is_na(got[first])) ++first;
  CHECK(static_cast<int>(first - kLead) == warmup);
}

template <class Indicator>
Series run(Indicator ind, const Series& x) {
  Series out;
  for (double v : x) out.push_back(ind.update(v));
  return out;
}

template <class Indicator>
Series run_hlc(Indicator ind) {
  const Bars& b = bars();
  Series out;
  for (std::size_t t = 0; t < kBars; ++t) {
    out.push_back(ind.update(b.high[t], b.low[t], b.close[t]));
  }
  return out;
}

double window_mean(const Series& x, std::size_t t, int n) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += x[t - static_cast<std::size_t>(i)];
  return sum / n;
}

bool warm(std::size_t t, int bars_before) {
  return t >= kLead + static_cast<std::size_t>(bars_before);
}

// TTR's EMA on the defined part of x (first defined row f): seed
// mean(x_f..x_{f+n-1}), then the recursion.
Series ttr_ema(const Series& x, int n, double alpha) {
  Series out(x.size(), kNa);
  std::size_t f = 0;
  while (f < x.size() && qi::is_na(x[f])) ++f;
  const auto un = static_cast<std::size_t>(n);
  if (f + un > x.size()) return out;
  double seed = 0.0;
  for (std::size_t i = f; i < f + un; ++i) seed += x[i] / n;
  out[f + un - 1] = seed;
  for (std::size_t t = f + un; t < x.size(); ++t) {
    out[t] = alpha * x[t] + (1 - alpha) * out[t - 1];
  }
  return out;
}

}  // namespace

TEST_CASE("reference: moving averages, stdev, bands, extremes, lags") {
  const Series& c = bars().close;
  for (const int n : {1, 2, 3, 5, 8, 21, 50}) {
    CAPTURE(n);
    const auto un = static_cast<std::size_t>(n);
    expect_close(run(qi::Sma(n), c), reference([&](std::size_t t) {
                   return warm(t, n - 1) ? window_mean(c, t, n) : kNa;
                 }),
                 n - 1);
    expect_close(run(qi::Ema(n), c), ttr_ema(c, n, 2.0 / (n + 1)), n - 1);
    expect_close(run(qi::Rma(n), c), ttr_ema(c, n, 1.0 / n), n - 1);
    expect_close(run(qi::Wma(n), c), reference([&](std::size_t t) {
                   if (!warm(t, n - 1)) return kNa;
                   double num = 0.0;
                   for (std::size_t i = 0; i < un; ++i) {
                     num += static_cast<double>(un - i) * c[t - i];
                   }
                   return num / (n * (n + 1) / 2.0);
                 }),
                 n - 1);
    auto sd = [&](std::size_t t) {
      const double m = window_mean(c, t, n);
      double ss = 0.0;
      for (std::size_t i = 0; i < un; ++i) ss += (c[t - i] - m) * (c[t - i] - m);
      return std::sqrt(ss / n);
    };
    expect_close(run(qi::Stdev(n), c),
                 reference([&](std::size_t t) { return warm(t, n - 1) ? sd(t) : kNa; }), n - 1);
    qi::Bollinger bb(n, 2.5);
    Series upper;
    for (double x : c) {
      bb.update(x);
      upper.push_back(bb.upper());
    }
    expect_close(upper, reference([&](std::size_t t) {
                   return warm(t, n - 1) ? window_mean(c, t, n) + 2.5 * sd(t) : kNa;
                 }),
                 n - 1);
    auto extreme = [&](const Series& x, bool max) {
      return reference([&, max](std::size_t t) {
        if (!warm(t, n - 1)) return kNa;
        double e = x[t];
        for (std::size_t i = 1; i < un; ++i) {
          e = max ? std::max(e, x[t - i]) : std::min(e, x[t - i]);
        }
        return e;
      });
    };
    expect_close(run(qi::Highest(n), bars().high), extreme(bars().high, true), n - 1);
    expect_close(run(qi::Lowest(n), bars().low), extreme(bars().low, false), n - 1);
    auto lagged = [&](auto op) {
      return reference([&, op](std::size_t t) { return warm(t, n) ? op(c[t], c[t - un]) : kNa; });
    };
    expect_close(run(qi::Change(n), c), lagged([](double a, double b) { return a - b; }), n);
    expect_close(run(qi::Roc(n), c), lagged([](double a, double b) { return a / b - 1; }), n);
    expect_close(run(qi::RocLog(n), c),
                 lagged([](double a, double b) { return std::log(a) - std::log(b); }), n);
  }
}

TEST_CASE("reference: rsi, atr, stochastics, obv") {
  const Bars& b = bars();
  const Series& c = b.close;
  for (const int n : {1, 2, 3, 5, 14, 30}) {
    CAPTURE(n);
    // RSI: Wilder averages of U and D, which start one bar after the close.
    Series up(kBars, kNa), down(kBars, kNa);
    for (std::size_t t = kLead + 1; t < kBars; ++t) {
      up[t] = std::max(c[t] - c[t - 1], 0.0);
      down[t] = std::max(c[t - 1] - c[t], 0.0);
    }
    const Series au = ttr_ema(up, n, 1.0 / n);
    const Series ad = ttr_ema(down, n, 1.0 / n);
    expect_close(run(qi::Rsi(n), c), reference([&](std::size_t t) {
                   if (qi::is_na(au[t])) return kNa;
                   const double s = au[t] + ad[t];
                   return s > 0 ? 100 * au[t] / s : 50.0;
                 }),
                 n);
    Series tr(kBars, kNa);
    for (std::size_t t = kLead + 1; t < kBars; ++t) {
      tr[t] = std::max(b.high[t], c[t - 1]) - std::min(b.low[t], c[t - 1]);
    }
    expect_close(run_hlc(qi::TrueRange()), tr, 1);
    expect_close(run_hlc(qi::Atr(n)), ttr_ema(tr, n, 1.0 / n), n);

    const auto un = static_cast<std::size_t>(n);
    Series num(kBars, kNa), den(kBars, kNa), raw(kBars, kNa);
    for (std::size_t t = kLead + un - 1; t < kBars; ++t) {
      double hh = b.high[t], ll = b.low[t];
      for (std::size_t i = 1; i < un; ++i) {
        hh = std::max(hh, b.high[t - i]);
        ll = std::min(ll, b.low[t - i]);
      }
      num[t] = c[t] - ll;
      den[t] = hh - ll;
      raw[t] = den[t] != 0 ? 100 * num[t] / den[t] : 50.0;
    }
    auto sma_of = [](const Series& x, int m) {
      Series out(x.size(), kNa);
      std::size_t f = 0;
      while (f < x.size() && qi::is_na(x[f])) ++f;
      for (std::size_t t = f + static_cast<std::size_t>(m) - 1; t < x.size(); ++t) {
        out[t] = window_mean(x, t, m);
      }
      return out;
    };
    expect_close(run_hlc(qi::StochK(n)), raw, n - 1);
    for (const int smooth : {2, 3}) {
      CAPTURE(smooth);
      const Series k = sma_of(raw, smooth);
      expect_close(run_hlc(qi::StochK(n, smooth)), k, n + smooth - 2);
      const Series sn = sma_of(num, smooth), sd = sma_of(den, smooth);
      Series ratio(kBars, kNa);
      for (std::size_t t = 0; t < kBars; ++t) {
        if (!qi::is_na(sd[t])) ratio[t] = sd[t] != 0 ? 100 * sn[t] / sd[t] : 50.0;
      }
      expect_close(run_hlc(qi::StochK(n, smooth, qi::StochSmoothing::kRatioOfSums)), ratio,
                   n + smooth - 2);
      expect_close(run_hlc(qi::StochD(n, smooth, 4)), sma_of(k, 4), n + smooth + 4 - 3);
    }
  }
  qi::Obv obv;
  Series got, want(kBars, kNa);
  for (std::size_t t = 0; t < kBars; ++t) {
    got.push_back(obv.update(c[t], b.volume[t]));
    if (t < kLead) continue;
    if (t == kLead) {
      want[t] = b.volume[t];
      continue;
    }
    const double change = std::log(c[t]) - std::log(c[t - 1]);
    const double dir = std::fabs(change) < 0x1p-26 ? 0 : (change > 0 ? 1 : -1);
    want[t] = want[t - 1] + dir * b.volume[t];
  }
  expect_close(got, want, 0);
}
