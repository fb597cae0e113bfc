// The built-in native strategies. Each is final so the compiler sees through its own members;
// the only virtual call per bar is Strategy::on_bar itself.
#include <cmath>

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
class SmaCross final : public Strategy {
 public:
  SmaCross(int fast, int slow, domain::ProtectiveExits exits)
      : fast_(fast), slow_(slow), exits_(exits), warmup_(slow) {}

  int warmup_bars() const override { return warmup_; }

  void on_bar(const DataContext&, const domain::Bar& bar, IntentSink& out) override {
    const double f = fast_.update(bar.close);
    const double s = slow_.update(bar.close);
    // Both state machines see every bar, whichever fires.
    const bool up = up_.update(f, s) > 0.5;
    const bool down = down_.update(f, s) > 0.5;
    if (up) {
      out.emit(domain::Intent::percent_of_equity(1.0, exits_));
    } else if (down) {
      out.emit(domain::Intent::flat());
    }
  }

 private:
  indicators::Sma fast_;
  indicators::Sma slow_;
  indicators::Crossover up_;
  indicators::Crossunder down_;
  domain::ProtectiveExits exits_;
  int warmup_;
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
