#include "quantd/app/sample_data.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "quantd/core/time.h"
#include "quantd/domain/krx.h"

namespace quantd::app {
namespace {

// SplitMix64: tiny, fast, and identical on every platform (std::normal_distribution is not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1).
  double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  // Standard normal (Box-Muller; the second value is dropped to keep the stream simple).
  double normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

 private:
  std::uint64_t state_;
};

struct Recipe {
  const char* symbol;
  const char* description;
  std::uint64_t seed;
  double start_price;
  double annual_drift;  // mean log return per year
  double annual_vol;
  double cycle_years;  // a slow sine on the drift (0: none): bull and bear phases
  double cycle_amplitude;
  std::int64_t base_volume;
};

constexpr Recipe kRecipes[] = {
    {"SAMPLE-A", "synthetic large cap: long rise with a deep correction", 0x5A3A1E01, 61'000, 0.10,
     0.22, 2.5, 0.55, 12'000'000},
    {"SAMPLE-B", "synthetic cyclical: long bull and bear swings", 0x5A3A1E02, 24'500, 0.02, 0.28,
     1.6, 1.10, 3'500'000},
    {"SAMPLE-C", "synthetic small cap: volatile", 0x5A3A1E03, 8'150, 0.00, 0.45, 0.9, 0.90,
     900'000},
};

constexpr CivilDate kFirstDay{2019, 1, 2};
constexpr CivilDate kLastDay{2024, 12, 30};

double on_tick(double price, CivilDate date, domain::TickRounding rounding) {
  return domain::round_to_tick(std::max(price, 1.0), domain::Market::kKospi, date, rounding);
}

SampleSeries generate(const Recipe& r) {
  SampleSeries out;
  out.symbol = domain::Symbol(r.symbol);
  out.description = r.description;
  Rng rng(r.seed);
  const double dt = 1.0 / 252.0;
  const double daily_vol = r.annual_vol * std::sqrt(dt);
  double close = r.start_price;
  std::int64_t index = 0;
  for (std::int64_t day = days_from_civil(kFirstDay); day <= days_from_civil(kLastDay); ++day) {
    const CivilDate date = civil_from_days(day);
    if (domain::is_krx_closed(date)) continue;
    const double years = static_cast<double>(index) * dt;
    double drift = r.annual_drift;
    if (r.cycle_years > 0) {
      drift += r.cycle_amplitude * std::sin(2.0 * std::numbers::pi * years / r.cycle_years);
    }
    const double gap = 0.25 * daily_vol * rng.normal();
    const double body = (drift - 0.5 * r.annual_vol * r.annual_vol) * dt +
                        std::sqrt(1.0 - 0.0625) * daily_vol * rng.normal();
    const double open_raw = close * std::exp(gap);
    const double close_raw = open_raw * std::exp(body);
    const double wick_up = std::abs(rng.normal()) * 0.45 * daily_vol;
    const double wick_down = std::abs(rng.normal()) * 0.45 * daily_vol;

    domain::Bar bar;
    bar.ts = from_seoul(date);
    bar.open = on_tick(open_raw, date, domain::TickRounding::kNearest);
    bar.close = on_tick(close_raw, date, domain::TickRounding::kNearest);
    bar.high =
        on_tick(std::max(open_raw, close_raw) * (1.0 + wick_up), date, domain::TickRounding::kUp);
    bar.low = on_tick(std::min(open_raw, close_raw) * (1.0 - wick_down), date,
                      domain::TickRounding::kDown);
    bar.high = std::max({bar.high, bar.open, bar.close});
    bar.low = std::min({bar.low, bar.open, bar.close});
    const double activity = 1.0 + 2.5 * std::abs(gap + body) / daily_vol / 2.0;
    bar.volume = static_cast<std::int64_t>(static_cast<double>(r.base_volume) * activity *
                                           std::exp(0.35 * rng.normal()));
    out.bars.push_back(bar);
    close = bar.close;
    ++index;
  }
  return out;
}

}  // namespace

std::vector<SampleSeries> sample_series() {
  std::vector<SampleSeries> out;
  for (const Recipe& r : kRecipes) out.push_back(generate(r));
  return out;
}

}  // namespace quantd::app
