// builtin:sma_cross and its script twin against a plain reference loop that computes each moving
// average as Backtrader does: the exact (integer) window sum divided by n, one rounding. The
// reference shares no code and no arithmetic with the engine: int64 sums, one double division,
// the language's crossover rule written out, fills at the next bar's open. Trades must match entry
// and exit bar for bar, on generated 1-minute KRX series built so that the two averages tie
// exactly (10-bar sum / 10 == 30-bar sum / 30) many times, also at the bars where they cross:
// multiplying the sums by 1/n instead of dividing (two roundings) makes such a tie look like
// fast > slow and buys a bar early. Plus a constructed series with such ties at known bars.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "backtest_support.h"
#include "quantd/core/time.h"
#include "quantd/domain/krx.h"
#include "quantd/lang/evaluator.h"
#include "quantd/lang/rule_strategy.h"
#include "quantd/strategy/registry.h"

namespace quantd::lang {

namespace {

__extension__ typedef __int128 Int128;  // exact products of sums

constexpr int kFast = 10;
constexpr int kSlow = 30;
constexpr std::size_t kOpen = std::numeric_limits<std::size_t>::max();

// The script equivalent of builtin:sma_cross (docs/language.md).
constexpr const char* kTwin =
    "param fast = 10\n"
    "param slow = 30\n"
    "let f = sma(close, fast)\n"
    "let s = sma(close, slow)\n"
    "buy  when crossover(f, s)\n"
    "sell when crossunder(f, s)\n";

// ---- generated KRX 1-minute bars ----

// splitmix64: a fixed sequence on every platform (no std:: distribution).
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>((next() >> 33) % static_cast<std::uint64_t>(n)); }
};

// KRX tick size of a regular stock since 2023-01-25 (whole won).
std::int64_t krx_tick(std::int64_t price) {
  if (price < 2'000) return 1;
  if (price < 5'000) return 5;
  if (price < 20'000) return 10;
  if (price < 50'000) return 50;
  return 100;
}

std::int64_t move_ticks(std::int64_t price, int ticks) {
  for (; ticks > 0; --ticks) price += krx_tick(price);
  for (; ticks < 0; ++ticks) price -= krx_tick(price - 1);
  return price;
}

struct WalkSpec {
  std::uint64_t seed;
  std::int64_t start_price;  // on the tick grid
  std::int64_t low, high;    // soft band: steps that would leave it are reflected
};

// `n` one-minute bars of the KRX regular session (09:00 .. 15:29 Seoul, trading days from
// 2016-01-04), a random walk in ticks: each bar opens at the previous close (the first bar of a
// day may gap a tick) and moves 0 (45%), 1 (40%), 2 (10%) or 3 (5%) ticks. Low-priced stocks
// (ticks of 1 and 5 won) give averages that are not binary fractions, so an exact tie is decided
// by rounding; the walk stays flat often, so ties are frequent.
std::vector<domain::Bar> krx_walk(const WalkSpec& spec, std::size_t n) {
  SplitMix rng{spec.seed};
  std::vector<domain::Bar> bars;
  bars.reserve(n);
  std::int64_t close = spec.start_price;
  for (std::int64_t day = days_from_civil({2016, 1, 4}); bars.size() < n; ++day) {
    const CivilDate date = civil_from_days(day);
    if (domain::is_krx_closed(date)) continue;
    for (int minute = 0; minute < 390 && bars.size() < n; ++minute) {
      const int r = rng.below(100);
      int step = r < 45 ? 0 : r < 85 ? 1 : r < 95 ? 2 : 3;
      if (rng.below(2) == 0) step = -step;
      if ((step > 0 && close >= spec.high) || (step < 0 && close <= spec.low)) step = -step;
      const int gap = minute == 0 ? rng.below(3) - 1 : 0;
      const std::int64_t open = move_ticks(close, gap);
      close = move_ticks(open, step);
      const std::int64_t hi = move_ticks(std::max(open, close), rng.below(3));
      const std::int64_t lo = move_ticks(std::min(open, close), -rng.below(3));
      bars.push_back({from_seoul(date, 9 + minute / 60, minute % 60), static_cast<double>(open),
                      static_cast<double>(hi), static_cast<double>(lo), static_cast<double>(close),
                      1 + rng.below(50'000)});
    }
  }
  return bars;
}

// ---- the reference ----

struct RefTrade {
  std::size_t entry, exit;  // fill bars; exit == kOpen: still open at the end
};

struct Reference {
  std::vector<RefTrade> trades;
  int ties = 0;           // bars where the averages are equal (exact integer arithmetic)
  int crossing_ties = 0;  // ... in a run of ties between bars where fast - slow has opposite signs
  int inexact_ties = 0;   // ... whose mean is not a binary fraction: rounding decides
  int division_sign_errors = 0;  // bars where the divided doubles compare otherwise than exactly
};

int sign(Int128 v) { return (v > 0) - (v < 0); }

// Whether sum / n is a binary fraction (exactly a double here): n's odd part divides the sum.
bool is_binary_fraction(std::int64_t sum, int n) {
  while (n % 2 == 0) n /= 2;
  return sum % n == 0;
}

// SMA(fast) / SMA(slow) crossover, all in, long only. Backtrader's SMA: fsum(window) / period,
// here the exact int64 sum of the window divided by n. Crossover (the language's, and
// Backtrader's CrossOver with its non-zero difference): fast > slow now, fast < slow at the latest
// earlier bar where they differed. Decided at a bar's close, filled at the next bar's open; a
// signal on the last bar is not filled; buy only when flat, sell only when long.
Reference reference_sma_cross(const std::vector<domain::Bar>& bars, int fast, int slow) {
  Reference ref;
  std::vector<std::int64_t> close(bars.size());
  for (std::size_t t = 0; t < bars.size(); ++t) {
    close[t] = static_cast<std::int64_t>(bars[t].close);
    REQUIRE(static_cast<double>(close[t]) == bars[t].close);  // whole won
  }
  std::int64_t sum_fast = 0, sum_slow = 0;
  int side = 0;             // sign of fast - slow at the latest bar where they differed
  int side_before_tie = 0;  // side when the current run of ties began
  int tie_run = 0;          // bars in the current run of ties
  int pending = 0;          // +1 buy, -1 sell at the next open
  bool long_position = false;
  for (std::size_t t = 0; t < bars.size(); ++t) {
    if (pending > 0 && !long_position) {
      ref.trades.push_back({t, kOpen});
      long_position = true;
    } else if (pending < 0 && long_position) {
      ref.trades.back().exit = t;
      long_position = false;
    }
    pending = 0;
    sum_fast += close[t];
    sum_slow += close[t];
    if (t >= static_cast<std::size_t>(fast)) sum_fast -= close[t - fast];
    if (t >= static_cast<std::size_t>(slow)) sum_slow -= close[t - slow];
    if (t + 1 < static_cast<std::size_t>(std::max(fast, slow))) continue;
    const double f = static_cast<double>(sum_fast) / fast;
    const double s = static_cast<double>(sum_slow) / slow;
    const int now = (f > s) - (f < s);
    const int exact =
        sign(static_cast<Int128>(sum_fast) * slow - static_cast<Int128>(sum_slow) * fast);
    ref.division_sign_errors += now != exact;
    if (exact == 0) {
      ++ref.ties;
      if (!is_binary_fraction(sum_fast, fast)) ++ref.inexact_ties;
      if (tie_run++ == 0) side_before_tie = side;
    } else if (tie_run > 0) {
      if (side_before_tie != 0 && exact != side_before_tie) ref.crossing_ties += tie_run;
      tie_run = 0;
    }
    if (now != 0 && side != 0 && now != side) pending = now;  // side 0: nothing to cross yet
    if (now != 0) side = now;
    if (pending > 0 && long_position) pending = 0;
    if (pending < 0 && !long_position) pending = 0;
  }
  return ref;
}

// ---- the runs ----

// No costs: over thousands of round trips commission and tax would eat the cash until a buy
// cannot be filled, and the reference buys on every crossover when flat.
backtest::BacktestConfig minute_config() {
  backtest::BacktestConfig c;
  c.initial_cash = 100'000'000;
  c.interval = domain::Interval::k1m;
  c.costs.commission_bps = 0;
  c.costs.tax_bps = 0;
  return c;
}

// The engine's trades as fill bars (index into `bars`), an open position at the end as kOpen.
std::vector<RefTrade> engine_trades(const strategy::StrategyFactory& f,
                                    const std::vector<domain::Bar>& bars) {
  const backtest::BacktestResult r = testing::run(f, bars, minute_config());
  auto index_of = [&](TimestampMs ts) {
    const auto it = std::lower_bound(bars.begin(), bars.end(), ts,
                                     [](const domain::Bar& b, TimestampMs x) { return b.ts < x; });
    REQUIRE(it != bars.end());
    REQUIRE(it->ts == ts);
    return static_cast<std::size_t>(it - bars.begin());
  };
  std::vector<RefTrade> v;
  for (const analytics::Trade& t : r.trades)
    v.push_back({index_of(t.entry_ts), index_of(t.exit_ts)});
  if (r.final_portfolio.positions.at(0).is_open()) {
    // The open position's entry: the last filled buy.
    TimestampMs entry = 0;
    for (const domain::Order& o : r.orders) {
      if (o.side == domain::Side::kBuy && o.status == domain::OrderStatus::kFilled) {
        entry = o.fill.ts;
      }
    }
    v.push_back({index_of(entry), kOpen});
  }
  return v;
}

// Checks trade for trade; reports the first difference with its bar and time.
void check_trades(const std::vector<RefTrade>& got, const std::vector<RefTrade>& want,
                  const std::vector<domain::Bar>& bars, const std::string& who) {
  CAPTURE(who);
  const std::size_t n = std::min(got.size(), want.size());
  std::size_t first = n;
  for (std::size_t i = 0; i < n && first == n; ++i) {
    if (got[i].entry != want[i].entry || got[i].exit != want[i].exit) first = i;
  }
  if (first < n) {
    const SeoulTime when = to_seoul(bars[want[first].entry].ts);
    MESSAGE(who << ": trade " << first << " of " << want.size() << " differs: entry bar "
                << got[first].entry << " (reference " << want[first].entry << ", " << when.date.year
                << "-" << when.date.month << "-" << when.date.day << " " << when.hour << ":"
                << when.minute << "), exit bar " << got[first].exit << " (reference "
                << want[first].exit << ")");
  }
  CHECK(first == n);
  CHECK(got.size() == want.size());
}

std::unique_ptr<strategy::StrategyFactory> twin_factory() {
  auto f = make_rule_strategy(kTwin, {}, "twin.qs");
  if (!f.ok()) MESSAGE(f.status().message());
  REQUIRE(f.ok());
  return std::move(f).value();
}

std::unique_ptr<strategy::StrategyFactory> native_factory() {
  auto f = strategy::make_native_strategy("sma_cross", {{"fast", kFast}, {"slow", kSlow}});
  REQUIRE(f.ok());
  return std::move(f).value();
}

// The closing price that, appended to `closes`, makes the 10-bar and the 30-bar sums of the new
// last bar tie exactly: 3 (A + x) = B + x, A and B the sums of the last 9 and 29 closes.
double tie_price(const std::vector<double>& closes) {
  double a = 0, b = 0;
  for (std::size_t k = 1; k <= kFast - 1; ++k) a += closes[closes.size() - k];
  for (std::size_t k = 1; k <= kSlow - 1; ++k) b += closes[closes.size() - k];
  const double x = (b - 3 * a) / 2;
  REQUIRE(x == static_cast<double>(static_cast<std::int64_t>(x)));  // whole won
  return x;
}

}  // namespace

TEST_CASE("sma_cross and its script twin make the reference loop's trades on KRX series") {
  // Seeds used nowhere else in the repository. Bands: 1-won ticks only, the 2,000-won boundary
  // (1- and 5-won ticks), and two more 1-won walks of other volatility and level.
  const std::vector<WalkSpec> specs = {
      {8'000'001, 1'480, 1'000, 1'990},
      {8'000'002, 1'950, 1'300, 3'000},
      {8'000'003, 1'105, 1'000, 1'400},
      {8'000'004, 1'750, 1'500, 1'999},
  };
  const auto native = native_factory();
  const auto script = twin_factory();
  const testing::BarByBarFactory script_bar_by_bar(*script);
  for (const WalkSpec& spec : specs) {
    CAPTURE(spec.seed);
    const std::vector<domain::Bar> bars = krx_walk(spec, 200'000);
    const Reference ref = reference_sma_cross(bars, kFast, kSlow);
    MESSAGE("seed " << spec.seed << ": " << ref.trades.size() << " trades, " << ref.ties
                    << " bars with tied averages (" << ref.crossing_ties << " inside a cross, "
                    << ref.inexact_ties << " with a mean that is no binary fraction)");
    // The reference's division is exact in the sense that matters: its doubles compare as the
    // exact fractions do (distinct means differ by far more than an ulp here).
    REQUIRE(ref.division_sign_errors == 0);
    // The series exercise what the test is about: exact ties, ties inside a cross, and ties whose
    // mean must be rounded (where sum * (1/n) and sum / n disagree).
    REQUIRE(ref.ties > 0);
    REQUIRE(ref.crossing_ties > 0);
    REQUIRE(ref.inexact_ties > 0);
    REQUIRE(ref.trades.size() > 1000);
    check_trades(engine_trades(*native, bars), ref.trades, bars, "builtin:sma_cross");
    check_trades(engine_trades(*script, bars), ref.trades, bars, "script, block evaluation");
    check_trades(engine_trades(script_bar_by_bar, bars), ref.trades, bars, "script, bar by bar");
  }
}

TEST_CASE("an exact tie neither starts nor ends a cross, in sma_cross and in the script") {
  // Closes built so that SMA(10) == SMA(30) exactly on three bars (t1, t2, t3), each with a mean
  // that is not a binary fraction (10-bar sums that are not multiples of 5):
  //   t1: fast < slow before, tie, fast > slow after: the crossover is on t1 + 1;
  //   t2: fast > slow before, tie, fast < slow after: the crossunder is on t2 + 1;
  //   t3: fast < slow before, tie, fast < slow after: no cross at all.
  std::vector<double> closes(30, 1000);  // flat: equal averages, no side yet
  closes.insert(closes.end(), 10, 998);  // fast < slow
  closes.push_back(tie_price(closes));   // 1017
  const std::size_t t1 = closes.size() - 1;
  closes.insert(closes.end(), 40, 1100);  // fast > slow: the crossover; then flat
  closes.insert(closes.end(), 10, 1102);  // fast > slow
  closes.push_back(tie_price(closes));    // 1083
  const std::size_t t2 = closes.size() - 1;
  closes.insert(closes.end(), 40, 950);  // fast < slow: the crossunder; then flat
  closes.insert(closes.end(), 10, 948);  // fast < slow
  closes.push_back(tie_price(closes));   // 967
  const std::size_t t3 = closes.size() - 1;
  closes.insert(closes.end(), 5, 910);  // fast < slow
  CHECK(closes[t1] == 1017);
  CHECK(closes[t2] == 1083);
  CHECK(closes[t3] == 967);
  for (std::size_t t : {t1, t2, t3}) {
    std::int64_t sum10 = 0, sum30 = 0;
    for (std::size_t k = 0; k < kSlow; ++k) {
      if (k < kFast) sum10 += static_cast<std::int64_t>(closes[t - k]);
      sum30 += static_cast<std::int64_t>(closes[t - k]);
    }
    CHECK(3 * sum10 == sum30);
    CHECK_FALSE(is_binary_fraction(sum10, kFast));
  }

  std::vector<domain::Bar> bars;
  const TimestampMs t0 = from_seoul({2024, 3, 4}, 9, 0);
  for (std::size_t i = 0; i < closes.size(); ++i) {
    bars.push_back({t0 + static_cast<TimestampMs>(i) * kMsPerMinute, closes[i], closes[i] + 5,
                    closes[i] - 5, closes[i], 1000});
  }

  // quantd's averages are equal on the tie bars, exactly.
  const Script expr = Script::analyze_expression("sma(close, 10) == sma(close, 30)", {});
  REQUIRE(expr.ok());
  auto program = compile(expr);
  REQUIRE(program.ok());
  const auto equal = evaluate_series(*program, bars);
  REQUIRE(equal.ok());
  for (std::size_t t : {t1, t2, t3}) {
    CAPTURE(t);
    CHECK((*equal)[t] == 1.0);
    CHECK((*equal)[t - 1] == 0.0);
    CHECK((*equal)[t + 1] == 0.0);
  }

  // One trade: bought at the open after the bar after t1, sold at the open after the bar after
  // t2; nothing around t3. (With sum * (1/n), t1 looks like fast > slow: a buy one bar early,
  // and t3 a crossover followed by a crossunder: a second trade.)
  const std::vector<RefTrade> want = {{t1 + 2, t2 + 2}};
  CHECK(reference_sma_cross(bars, kFast, kSlow).trades.size() == 1);
  check_trades(reference_sma_cross(bars, kFast, kSlow).trades, want, bars, "reference");
  const auto native = native_factory();
  const auto script = twin_factory();
  const testing::BarByBarFactory script_bar_by_bar(*script);
  check_trades(engine_trades(*native, bars), want, bars, "builtin:sma_cross");
  check_trades(engine_trades(*script, bars), want, bars, "script, block evaluation");
  check_trades(engine_trades(script_bar_by_bar, bars), want, bars, "script, bar by bar");
}

}  // namespace quantd::lang
