// StrategyRunner: the per-bar sequence of one run, the same for a backtest and a live session.
//
// Design note. A run is one strategy over one or more symbols sharing one Ledger. The runner owns
// a Strategy instance per symbol, their targets (target_planner.h), the protective-exit levels
// (protective_exits.h) and the one DataContext both modes use (a view of the ledger). What it
// does not own is where trades go: a Venue carries out each trade it decides — the backtest's
// simulated fill venue books it at once, a live session journals and sends an order.
//
// The sequence for each timestamp at which some symbols have a completed bar:
//   1. act_at_open(s, bar, kSells) for each of those symbols, then act_at_open(s, bar, kBuys):
//      targets decided at an earlier close execute at this bar's open, sales first so their
//      cash is there for purchases (a live session acting at once calls act_now instead);
//   2. on_bar(s, history) for each: protective exits are checked against the bar; the bar's
//      close marks the position; the strategy sees the completed bar (no later one, ever) and
//      may emit a target; the trailing stop follows the close.
// Targets decided at bars before Options::trade_from are discarded: those bars only warm the
// strategy up, and the run stays flat until then (LIVE.md §7.4, backtests' --trade-from).
//
// Performance: on_bar is inline and, on a bar where nothing happens, costs the Strategy::on_bar
// virtual call and a few loads and compares; planning and venue calls happen only when something
// is pending or an exit is armed. A backtest lets whole stretches of bars on which nothing can
// happen pass with one skip_quiet call when the strategy knows them. Nothing allocates per bar.
//
// Threading: one run, one thread (the caller's). Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/intent.h"
#include "quantd/domain/krx.h"
#include "quantd/domain/ledger.h"
#include "quantd/domain/order.h"
#include "quantd/execution/costs.h"
#include "quantd/execution/protective_exits.h"
#include "quantd/execution/target_planner.h"
#include "quantd/strategy/registry.h"
#include "quantd/strategy/strategy.h"

namespace quantd::execution {

struct RunSymbol {
  domain::Symbol symbol;
  domain::Market market = domain::Market::kKospi;
};

// One trade the runner wants carried out.
struct Ticket {
  std::uint32_t symbol = 0;
  domain::Side side = domain::Side::kBuy;
  std::int64_t quantity = 0;  // > 0
  domain::OrderReason reason = domain::OrderReason::kSignal;
  TimestampMs decided_ts = 0;  // the bar whose close decided it (the trigger bar for an exit)
  // The bar it executes in: at its open for a target, inside it for an exit. 0 for act_now.
  TimestampMs bar_ts = 0;
  double price = 0;   // the price the plan assumed: by the backtest's rules, the fill price
  bool exit = false;  // a protective exit: exit_kind and exit_level say how it executes
  ExitKind exit_kind = ExitKind::kStop;
  double exit_level = 0;
  domain::ProtectiveExits exits;  // a buy: the exits a position it opens gets
};

enum class VenueResult : std::uint8_t {
  kDone,      // executed or definitively refused: the ledger shows the outcome
  kInFlight,  // sent, outcome not known yet: the symbol waits (resolved() tells the runner)
  kRetry,     // proven never placed: plan again at once
  kDeferred,  // nothing was sent (e.g. trading paused): the target waits for the next chance
};

// Where the runner's trades go. Called on the run's thread.
class Venue {
 public:
  virtual ~Venue() = default;
  // Carries out `ticket`, booking what executed into the run's ledger before returning kDone.
  virtual VenueResult execute(const Ticket& ticket) = 0;
  // A buy the run's cash cannot pay a single share of: recorded as rejected, nothing traded.
  virtual void reject(const Ticket& ticket) = 0;
};

// The values a DataContext reported at one bar, and what the strategy then decided.
struct Evaluation {
  std::uint32_t symbol = 0;
  const domain::Bar* bar = nullptr;
  std::int64_t position = 0;
  double entry_price = 0;
  std::int64_t bars_held = 0;
  std::int64_t cash = 0;
  double equity = 0;
  const domain::Intent* intent = nullptr;  // null: no new decision
  bool tradable = false;                   // bar.ts >= trade_from: the intent may act
};

// Told of every evaluation (live sessions record them); may be absent (backtests).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void on_evaluation(const Evaluation& e) = 0;
};

// Values a restarted live session replays instead of its ledger's (LIVE.md §11): what the
// DataContext said at that bar the first time.
struct RecordedContext {
  std::int64_t position = 0;
  double entry_price = 0;
  std::int64_t bars_held = 0;
  std::int64_t cash = 0;
  double equity = 0;
};

class StrategyRunner {
 public:
  struct Options {
    domain::Interval interval = domain::Interval::k1d;
    TimestampMs trade_from = std::numeric_limits<TimestampMs>::min();
  };

  // One strategy instance per symbol from `factory`. `ledger`, `venue` and `costs` are not owned
  // and must outlive the runner; ledger.size() == symbols.size().
  StrategyRunner(const strategy::StrategyFactory& factory, std::vector<RunSymbol> symbols,
                 domain::Ledger& ledger, Venue& venue, const CostModel& costs, Options options);
  ~StrategyRunner();
  StrategyRunner(const StrategyRunner&) = delete;
  StrategyRunner& operator=(const StrategyRunner&) = delete;

  std::uint32_t size() const { return static_cast<std::uint32_t>(symbols_.size()); }
  const RunSymbol& symbol(std::uint32_t s) const { return symbols_[s]; }
  const Options& options() const { return options_; }

  // Announces every bar symbol s will get (Strategy::on_series; backtests only).
  void announce(std::uint32_t s, std::span<const domain::Bar> bars);

  // True when some symbol has a target waiting. Cheap.
  bool any_pending() const { return pending_count_ > 0; }
  bool pending(std::uint32_t s) const { return targets_[s].pending; }

  // Step 1 at the open of `bar`, the first bar of symbol s after its target was decided.
  void act_at_open(std::uint32_t s, const domain::Bar& bar, Phase phase);

  // Acts on every pending target at once at `reference[s]` (live, acting at send time): sales
  // of all symbols first, then purchases; `now` dates the trades.
  void act_now(std::span<const double> reference, TimestampMs now);

  // Step 2 for symbol s's completed bar `history.back()`; `history` is every completed bar the
  // strategy may see, oldest first (it must stay valid during the call).
  void on_bar(std::uint32_t s, std::span<const domain::Bar> history) {
    const domain::Bar& bar = history.back();
    SymbolState& st = state_[s];
    if (st.levels.watching) check_exits(s, bar);
    ledger_.mark(s, bar.close);
    if (ledger_.position(s).quantity > 0) ++st.bars_held;
    ctx_.set(s, history);
    strategies_[s]->on_bar(ctx_, bar, sink_);
    if (observer_ != nullptr || sink_.has_intent()) [[unlikely]]
      after_decision(s, bar);
    if (st.levels.watching) on_close(st.levels, ledger_.position(s).exits, bar, symbols_[s].market);
  }

  // Step 2 for a stretch of symbol s's next completed bars at once (a backtest, after on_bar):
  // when no target is pending, no exit is armed and no observer listens, the strategy may let
  // the first of `upcoming` pass without a decision (Strategy::skip_quiet); they are then marked
  // and counted as held as on_bar would. Returns how many passed (0: call on_bar for the next
  // one). Nothing can trade on them, so the ledger's cash and position stay as they are.
  std::size_t skip_quiet(std::uint32_t s, std::span<const domain::Bar> upcoming) {
    SymbolState& st = state_[s];
    if (pending_count_ > 0 || st.levels.watching || observer_ != nullptr) return 0;
    const std::size_t k = strategies_[s]->skip_quiet(upcoming.size());
    if (k == 0) return 0;
    ledger_.mark(s, upcoming[k - 1].close);
    if (ledger_.position(s).quantity > 0) st.bars_held += static_cast<std::int64_t>(k);
    return k;
  }

  // Sells symbol s's whole position at `bar`'s close (a backtest's close_at_end).
  void close_at(std::uint32_t s, const domain::Bar& bar, domain::OrderReason reason);

  // After a kInFlight trade of symbol s reached its outcome (booked in the ledger): a target
  // proven never placed (`retry`) is planned again at the next opportunity; otherwise the
  // target or exit is settled as if the venue had returned kDone.
  void resolved(std::uint32_t s, bool retry);
  bool in_flight(std::uint32_t s) const { return state_[s].in_flight != InFlight::kNone; }
  // After a restart: symbol s's trade for `acting` is still open at the broker (the position was
  // `held_before` when it was sent); resolved() settles it later.
  void restore_in_flight(std::uint32_t s, const domain::Intent& acting, std::int64_t held_before);

  // State a live session persists and restores (LIVE.md §11).
  const SymbolTarget& target(std::uint32_t s) const { return targets_[s]; }
  void restore_target(std::uint32_t s, const SymbolTarget& target);
  const ExitLevels& exit_levels(std::uint32_t s) const { return state_[s].levels; }
  void restore_exit_levels(std::uint32_t s, const ExitLevels& levels) { state_[s].levels = levels; }
  std::int64_t bars_held(std::uint32_t s) const;
  void restore_bars_held(std::uint32_t s, std::int64_t n) { state_[s].bars_held = n; }

  // While set, the DataContext answers from `recorded` instead of the ledger (restart replay).
  void set_recorded(const RecordedContext* recorded) { ctx_.recorded = recorded; }
  void set_observer(RunObserver* observer) { observer_ = observer; }
  // Targets decided from now on at bars before `ts` are discarded.
  void set_trade_from(TimestampMs ts) { options_.trade_from = ts; }

 private:
  enum class InFlight : std::uint8_t { kNone, kTarget, kExit };

  struct SymbolState {
    ExitLevels levels;
    std::int64_t bars_held = 0;  // bars completed since the entry fill, counting the fill bar
    InFlight in_flight = InFlight::kNone;
    domain::Intent acting;         // the target of the trade in flight
    std::int64_t held_before = 0;  // the position before it
  };

  // The one DataContext of both modes: the ledger as it is at this bar.
  class Context final : public strategy::DataContext {
   public:
    explicit Context(const StrategyRunner& runner) : runner_(runner) {}
    void set(std::uint32_t s, std::span<const domain::Bar> history) {
      s_ = s;
      history_ = history;
    }
    TimestampMs now() const override;
    const domain::Symbol& symbol() const override { return runner_.symbols_[s_].symbol; }
    std::span<const domain::Bar> bars() const override { return history_; }
    std::int64_t position() const override {
      return recorded ? recorded->position : runner_.ledger_.position(s_).quantity;
    }
    double entry_price() const override {
      return recorded ? recorded->entry_price : runner_.ledger_.position(s_).entry_price;
    }
    std::int64_t bars_held() const override {
      return recorded ? recorded->bars_held : runner_.bars_held(s_);
    }
    std::int64_t cash() const override {
      return recorded ? recorded->cash : runner_.ledger_.cash();
    }
    double equity() const override {
      return recorded ? recorded->equity : runner_.ledger_.equity();
    }
    const RecordedContext* recorded = nullptr;

   private:
    const StrategyRunner& runner_;
    std::uint32_t s_ = 0;
    std::span<const domain::Bar> history_;
  };

  void check_exits(std::uint32_t s, const domain::Bar& bar);
  void after_decision(std::uint32_t s, const domain::Bar& bar);
  // Plans and carries out s's pending target at `reference`, executing in bar `bar_ts` (0: now)
  // on the trade date of `date_ts`.
  void act(std::uint32_t s, double reference, TimestampMs bar_ts, TimestampMs date_ts, Phase phase);
  void settle_after(std::uint32_t s, std::int64_t held_before, const domain::Intent& acted);
  void clear_pending(std::uint32_t s);

  std::vector<RunSymbol> symbols_;
  domain::Ledger& ledger_;
  Venue& venue_;
  const CostModel& costs_;
  Options options_;
  std::vector<std::unique_ptr<strategy::Strategy>> strategies_;
  std::vector<SymbolTarget> targets_;
  std::vector<SymbolState> state_;
  Context ctx_;
  strategy::IntentSink sink_;
  RunObserver* observer_ = nullptr;
  int pending_count_ = 0;
};

}  // namespace quantd::execution
