// The built-in native strategies. Each is final so the compiler sees through its own members;
// the only virtual call per bar is Strategy::on_bar itself.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "native_strategies_internal.h"
#include "quantd/indicators/cross.h"
#include "quantd/indicators/moving_average.h"

namespace quantd::strategy::internal {

namespace {

domain::ProtectiveExits exits_from(const Params& p) {
  domain::ProtectiveExits e;
  e.stop_loss = p.at("stop_loss");
  e.take_profit = p.at("take_profit");
  e.trailing_stop = p.at("trailing_stop");
  return e;
}

// Golden/death cross of two simple moving averages of the close, all in: on crossover(fast, slow)
// target 100% of equity, on crossunder(fast, slow) target nothing. Crossover follows the strategy
// language (a bar where the averages are equal neither starts nor ends a cross).
//
// Its decisions depend on the closes only, never on the position. So when the run announces the
// bars (a backtest), they are computed over blocks of bars ahead into a short list of the block's
// decision bars: on_bar then only compares its row with the next decision's, and skip_quiet lets
// the run pass every bar up to it at once. A block goes through the very indicators live uses or,
// while every close is whole won, through their exact window sums taken from the bars (sum_rows):
// the same values either way.
class SmaCross final : public Strategy {
 public:
  SmaCross(int fast, int slow, domain::ProtectiveExits exits)
      : fast_(fast), slow_(slow), exits_(exits), warmup_(slow) {}

  int warmup_bars() const override { return warmup_; }

  void on_series(std::span<const domain::Bar> bars) override {
    series_ = bars;
    warm_ = static_cast<std::size_t>(std::max(fast_.length(), slow_.length()) - 1);
    next_ = 0;
    row_ = rows_ = 0;
    events_.assign(kBlockRows, 0);
    n_events_ = next_event_ = 0;
  }

  void on_bar(const DataContext&, const domain::Bar& bar, IntentSink& out) override {
    if (series_.empty()) {
      decide(update(bar.close), out);
      return;
    }
    if (row_ == rows_) next_block(bar);
    const std::uint32_t row = row_++;
    if (next_event_ < n_events_ && events_[next_event_] >> 2 == row) {
      decide(static_cast<Signal>(events_[next_event_++] & 3), out);
    }
  }

  std::size_t skip_quiet(std::size_t max) override {
    std::size_t skipped = 0;
    while (skipped < max) {
      if (row_ == rows_) {
        if (next_ == series_.size()) break;
        next_block(series_[next_]);
      }
      const std::uint32_t stop = next_event_ < n_events_ ? events_[next_event_] >> 2 : rows_;
      const auto k = static_cast<std::uint32_t>(std::min<std::size_t>(stop - row_, max - skipped));
      row_ += k;
      skipped += k;
      if (row_ < rows_) break;  // at a decision, or `max` reached
    }
    return skipped;
  }

 private:
  enum Signal : std::uint32_t { kNone = 0, kUp = 1, kDown = 2 };
  static constexpr std::uint32_t kBlockRows = 4096;

  // Both state machines see every bar, whichever fires.
  Signal update(double close) {
    const double f = fast_.update(close);
    const double s = slow_.update(close);
    const bool up = up_.update(f, s) > 0.5;
    const bool down = down_.update(f, s) > 0.5;
    return up ? kUp : down ? kDown : kNone;
  }

  void decide(Signal signal, IntentSink& out) const {
    if (signal == kUp) {
      out.emit(domain::Intent::percent_of_equity(1.0, exits_));
    } else if (signal == kDown) {
      out.emit(domain::Intent::flat());
    }
  }

  // Computes the decisions of the next block of announced bars, `bar` being its first.
  void next_block(const domain::Bar& bar) {
    // The contract of on_series: on_bar gets the announced bars in order. Anything else would
    // desynchronise the precomputed decisions from the bars: a bug in the caller.
    if (next_ >= series_.size() || series_[next_].ts != bar.ts) {
      std::fprintf(stderr, "quantd: sma_cross got a bar (ts %lld) other than the announced one\n",
                   static_cast<long long>(bar.ts));
      std::abort();
    }
    const std::size_t from = next_;
    const std::size_t to = from + std::min<std::size_t>(series_.size() - from, kBlockRows);
    n_events_ = 0;
    // Warm-up bars (the averages NA) go through the indicators one by one.
    const std::size_t warm = std::min(to, std::max(from, warm_));
    if (warm > from) indicator_rows(from, warm);
    if (warm < to && !(whole_ && sum_rows(warm, to))) {
      resync(warm);
      indicator_rows(warm, to);
    }
    next_ = to;
    row_ = 0;
    rows_ = static_cast<std::uint32_t>(to - from);
    next_event_ = 0;
  }

  // Bars [from, to) of the series through the indicators themselves (the state live has).
  void indicator_rows(std::size_t from, std::size_t to) {
    const domain::Bar* b = series_.data();
    // The indicators are locals for the block so their running sums stay in registers.
    indicators::Sma fast = std::move(fast_);
    indicators::Sma slow = std::move(slow_);
    indicators::Crossover up = up_;
    indicators::Crossunder down = down_;
    std::uint32_t* ev = events_.data();
    std::uint32_t k = n_events_;
    std::int64_t unused = 0;
    bool whole = whole_;
    const std::size_t row0 = next_;
    for (std::size_t t = from; t < to; ++t) {
      const double x = b[t].close;
      whole = whole && indicators::as_small_whole(x, unused);
      const double f = fast.update(x);
      const double s = slow.update(x);
      const bool u = up.update(f, s) > 0.5;
      const bool d = down.update(f, s) > 0.5;
      ev[k] = static_cast<std::uint32_t>(t - row0) << 2 | (u ? kUp : kDown);  // kept if decided
      k += u || d ? 1 : 0;
    }
    fast_ = std::move(fast);
    slow_ = std::move(slow);
    up_ = up;
    down_ = down;
    n_events_ = k;
    whole_ = whole;
    summed_ = false;  // the indicators hold the state now
  }

  // Bars [from, to), every bar before `from` a small whole number and both averages defined, with
  // the averages computed from the bars themselves: the running sums of the last n closes, which
  // are exact integers (as indicators::Sma keeps them for whole-won prices) divided by n, the same
  // one rounding, so the same bits. Returns false and changes nothing when some close in the
  // block is not a small whole number (Sma then leaves its exact sum for a compensated one).
  // Meanwhile fast_, slow_, up_ and down_ are left behind; resync() catches them up.
  bool sum_rows(std::size_t from, std::size_t to) {
    const domain::Bar* b = series_.data();
    const std::size_t nf = static_cast<std::size_t>(fast_.length());
    const std::size_t ns = static_cast<std::size_t>(slow_.length());
    // `from` is warm_ when the sums start: the first bar with both averages, no side yet.
    double sum_fast = summed_ ? sum_fast_ : window_sum(from, nf);
    double sum_slow = summed_ ? sum_slow_ : window_sum(from, ns);
    int side = summed_ ? side_ : 0;
    const double nf_double = static_cast<double>(nf);
    const double ns_double = static_cast<double>(ns);
    // Checked along the way rather than in a pass of its own, so that reading the bars from
    // memory overlaps with the arithmetic; a block that fails is simply not kept.
    bool whole = true;
    std::int64_t unused = 0;
    std::uint32_t* ev = events_.data();
    std::uint32_t k = n_events_;
    const std::size_t row0 = next_;
    // Sma's `whole_sum_ += x - old`, given the closes leaving the windows.
    auto step = [&](std::size_t t, double old_fast, double old_slow) {
      const double x = b[t].close;
      whole &= indicators::as_small_whole(x, unused);
      sum_fast += x - old_fast;
      sum_slow += x - old_slow;
      const double f = sum_fast / nf_double;
      const double s = sum_slow / ns_double;
      // Crossover and Crossunder with both inputs defined: a cross is a change of the side of
      // fast against slow, equal averages keeping the side. Branch-free: `now` changes too often
      // for branches on it to be predicted.
      const int now = (f > s) - (f < s);
      ev[k] = static_cast<std::uint32_t>(t - row0) << 2 | static_cast<std::uint32_t>(2 - (now > 0));
      k += static_cast<std::uint32_t>((now != 0) & (side != 0) & (now != side));
      side = now != 0 ? now : side;
    };
    std::size_t t = from;
    // The first bar with both averages can be the last of the longer window's filling (whose
    // old value is then 0).
    for (; t < to && (t < nf || t < ns); ++t) {
      step(t, t >= nf ? b[t - nf].close : 0.0, t >= ns ? b[t - ns].close : 0.0);
    }
    for (; t < to; ++t) step(t, b[t - nf].close, b[t - ns].close);
    if (!whole) return false;
    sum_fast_ = sum_fast;
    sum_slow_ = sum_slow;
    side_ = side;
    summed_ = true;
    n_events_ = k;
    return true;
  }

  // The sum of the n closes before bar t (fewer at the start): exact, they are small whole numbers.
  double window_sum(std::size_t t, std::size_t n) const {
    double sum = 0;
    for (std::size_t i = t - std::min(t, n); i < t; ++i) sum += series_[i].close;
    return sum;
  }

  // Brings the indicators to where bar-by-bar updates would have them before bar t, after
  // sum_rows left them behind. Fed the last n closes, an Sma holds exactly the state it would
  // after all of them (its window, count and exact sum; its ring only rotates). A cross state
  // machine holds the side of its latest unequal inputs, and that it saw defined ones.
  void resync(std::size_t t) {
    if (!summed_) return;
    auto replay = [&](int n) {
      indicators::Sma sma(n);
      for (std::size_t i = t - std::min<std::size_t>(t, static_cast<std::size_t>(n)); i < t; ++i) {
        sma.update(series_[i].close);
      }
      return sma;
    };
    fast_ = replay(fast_.length());
    slow_ = replay(slow_.length());
    const double a = side_ > 0 ? 1 : 0;
    const double b = side_ < 0 ? 1 : 0;
    up_ = indicators::Crossover();
    down_ = indicators::Crossunder();
    up_.update(a, b);
    down_.update(a, b);
    summed_ = false;
  }

  indicators::Sma fast_;
  indicators::Sma slow_;
  indicators::Crossover up_;
  indicators::Crossunder down_;
  domain::ProtectiveExits exits_;
  int warmup_;
  // Announced bars (empty: live, decided bar by bar) and the current block of them.
  std::span<const domain::Bar> series_;
  std::size_t warm_ = 0;  // the first bar at which both averages are defined (no NA inputs)
  bool whole_ = true;     // every close so far is a small whole number (as_small_whole)
  bool summed_ = false;   // sum_fast_ and sum_slow_ hold the state, not fast_ and slow_
  double sum_fast_ = 0;   // with summed_: the exact sums of the last n closes
  double sum_slow_ = 0;
  int side_ = 0;  // with summed_: the sign of fast - slow at the latest bar where they differed
  std::size_t next_ = 0;    // index in series_ of the next block's first bar
  std::uint32_t row_ = 0;   // row in the block of the next bar
  std::uint32_t rows_ = 0;  // bars in the block
  // The block's decisions in row order, as row << 2 | Signal.
  std::vector<std::uint32_t> events_;
  std::uint32_t n_events_ = 0;
  std::uint32_t next_event_ = 0;
};

class SmaCrossFactory final : public StrategyFactory {
 public:
  explicit SmaCrossFactory(const Params& p)
      : fast_(static_cast<int>(p.at("fast"))),
        slow_(static_cast<int>(p.at("slow"))),
        exits_(exits_from(p)) {}
  std::unique_ptr<Strategy> create(const domain::Symbol&) const override {
    return std::make_unique<SmaCross>(fast_, slow_, exits_);
  }
  int warmup_bars() const override { return slow_; }
  std::string describe() const override {
    return "builtin:sma_cross(fast=" + std::to_string(fast_) + ",slow=" + std::to_string(slow_) +
           ")";
  }

 private:
  int fast_;
  int slow_;
  domain::ProtectiveExits exits_;
};

// All in at the first bar it may trade, then hold: it asks for 100% of equity on every bar
// until it holds a position (so a live session, whose first bars only warm up, buys at its first
// bar that may trade, as a backtest with --trade-from does), and once a position was held it
// never buys again (an exit by stop, take profit or trailing stop ends it).
class BuyAndHold final : public Strategy {
 public:
  explicit BuyAndHold(domain::ProtectiveExits exits) : exits_(exits) {}
  int warmup_bars() const override { return 1; }
  void on_bar(const DataContext& ctx, const domain::Bar&, IntentSink& out) override {
    if (done_) return;
    if (ctx.position() > 0) {
      done_ = true;
      return;
    }
    out.emit(domain::Intent::percent_of_equity(1.0, exits_));
  }
  // Once it holds, nothing is left to decide.
  std::size_t skip_quiet(std::size_t max) override { return done_ ? max : 0; }

 private:
  domain::ProtectiveExits exits_;
  bool done_ = false;
};

class BuyAndHoldFactory final : public StrategyFactory {
 public:
  explicit BuyAndHoldFactory(const Params& p) : exits_(exits_from(p)) {}
  std::unique_ptr<Strategy> create(const domain::Symbol&) const override {
    return std::make_unique<BuyAndHold>(exits_);
  }
  int warmup_bars() const override { return 1; }
  std::string describe() const override { return "builtin:buy_and_hold"; }

 private:
  domain::ProtectiveExits exits_;
};

std::vector<ParamSpec> exit_params() {
  return {
      {"stop_loss", 0, 0, 1, false,
       "protective stop loss as a fraction of the entry, below 1 (0 = off)", true},
      {"take_profit", 0, 0, 100, false, "take profit as a fraction above the entry (0 = off)"},
      {"trailing_stop", 0, 0, 1, false,
       "trailing stop as a fraction below the highest close since entry, below 1 (0 = off)", true},
  };
}

}  // namespace

std::vector<NativeStrategyEntry> make_entries() {
  std::vector<NativeStrategyEntry> v;
  {
    NativeStrategyEntry e;
    e.info.name = "buy_and_hold";
    e.info.help = "buy with all equity at the first bar it may trade and hold";
    e.info.params = exit_params();
    e.make = [](const Params& p) -> Result<std::unique_ptr<StrategyFactory>> {
      return std::unique_ptr<StrategyFactory>(std::make_unique<BuyAndHoldFactory>(p));
    };
    v.push_back(std::move(e));
  }
  {
    NativeStrategyEntry e;
    e.info.name = "sma_cross";
    e.info.help = "all in on crossover(sma(close, fast), sma(close, slow)), flat on crossunder";
    e.info.params = {{"fast", 10, 1, indicators::kMaxLength, true, "fast SMA length (bars)"},
                     {"slow", 30, 1, indicators::kMaxLength, true, "slow SMA length (bars)"}};
    for (auto& p : exit_params()) e.info.params.push_back(p);
    e.make = [](const Params& p) -> Result<std::unique_ptr<StrategyFactory>> {
      if (p.at("fast") >= p.at("slow")) {
        return Status::invalid_argument("sma_cross: fast (" + std::to_string(int(p.at("fast"))) +
                                        ") must be less than slow (" +
                                        std::to_string(int(p.at("slow"))) + ")");
      }
      return std::unique_ptr<StrategyFactory>(std::make_unique<SmaCrossFactory>(p));
    };
    v.push_back(std::move(e));
  }
  return v;
}

}  // namespace quantd::strategy::internal
