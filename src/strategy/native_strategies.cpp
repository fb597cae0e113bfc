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
// bars (a backtest), they are computed over blocks of bars ahead, with the very indicators live
// uses, into a short list of the block's decision bars: on_bar then only compares its row with
// the next decision's, and skip_quiet lets the run pass every bar up to it at once.
class SmaCross final : public Strategy {
 public:
  SmaCross(int fast, int slow, domain::ProtectiveExits exits)
      : fast_(fast), slow_(slow), exits_(exits), warmup_(slow) {}

  int warmup_bars() const override { return warmup_; }

  void on_series(std::span<const domain::Bar> bars) override {
    series_ = bars;
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
    const auto n =
        static_cast<std::uint32_t>(std::min<std::size_t>(series_.size() - next_, kBlockRows));
    const domain::Bar* b = series_.data() + next_;
    // The indicators are locals for the block so their running sums stay in registers.
    indicators::Sma fast = std::move(fast_);
    indicators::Sma slow = std::move(slow_);
    indicators::Crossover up = up_;
    indicators::Crossunder down = down_;
    std::uint32_t* ev = events_.data();
    std::uint32_t k = 0;
    for (std::uint32_t j = 0; j < n; ++j) {
      const double f = fast.update(b[j].close);
      const double s = slow.update(b[j].close);
      const bool u = up.update(f, s) > 0.5;
      const bool d = down.update(f, s) > 0.5;
      ev[k] = j << 2 | (u ? kUp : kDown);  // written always, kept only on a decision
      k += u || d ? 1 : 0;
    }
    fast_ = std::move(fast);
    slow_ = std::move(slow);
    up_ = up;
    down_ = down;
    next_ += n;
    row_ = 0;
    rows_ = n;
    n_events_ = k;
    next_event_ = 0;
  }

  indicators::Sma fast_;
  indicators::Sma slow_;
  indicators::Crossover up_;
  indicators::Crossunder down_;
  domain::ProtectiveExits exits_;
  int warmup_;
  // Announced bars (empty: live, decided bar by bar) and the current block of them.
  std::span<const domain::Bar> series_;
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
