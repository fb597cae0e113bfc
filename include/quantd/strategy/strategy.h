// Strategy, DataContext and IntentSink: the seam shared by backtest and live trading.
//
// Design note. A Strategy is pure decision logic for ONE symbol: the run creates one instance per
// symbol (StrategyFactory::create) and feeds it that symbol's completed bars in time order, one
// call to on_bar per bar, at the bar's close. It keeps incremental state (O(1) indicators) and
// expresses decisions as target positions (domain::Intent) written to an IntentSink. It never
// sees storage, threads, the wall clock or whether it is backtesting: everything it may know is
// behind DataContext, which never exposes a bar that is not completed yet.
//
// Threading: a Strategy instance, its DataContext and IntentSink are used by one thread at a time
// (one run is processed by one thread). Different instances are independent.
//
// Both native C++ strategies (registry.h) and rule strategies compiled from the strategy language
// (issue 4) implement this interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/domain/intent.h"

namespace quantd::strategy {

// What is known at the close of the current bar. All references returned stay valid for the
// duration of the on_bar call only.
class DataContext {
 public:
  virtual ~DataContext() = default;
  // The close time of the current bar (its open time + interval), UTC epoch ms: "now".
  virtual TimestampMs now() const = 0;
  // The symbol the strategy instance trades.
  virtual const domain::Symbol& symbol() const = 0;
  // Completed bars of this symbol, oldest first; back() is the current bar. A backtest exposes
  // every bar so far; live exposes at least warmup_bars() of them.
  virtual std::span<const domain::Bar> bars() const = 0;
  // Shares of this symbol held now (>= 0).
  virtual std::int64_t position() const = 0;
  // Average fill price of the shares held; 0 when flat.
  virtual double entry_price() const = 0;
  // Bars completed since the entry fill (the fill bar counts as 1); 0 when flat.
  virtual std::int64_t bars_held() const = 0;
  // Free cash of the whole run (shared by its symbols), KRW.
  virtual std::int64_t cash() const = 0;
  // Cash plus every position at its latest close, KRW.
  virtual double equity() const = 0;
};

// Collects the intent a strategy emits for its symbol during one on_bar call. Emitting twice in
// one call keeps the last. Not emitting means "no new decision": the current target stands.
class IntentSink {
 public:
  void emit(const domain::Intent& intent) {
    intent_ = intent;
    has_ = true;
  }
  bool has_intent() const { return has_; }
  const domain::Intent& intent() const { return intent_; }
  void clear() { has_ = false; }

 private:
  domain::Intent intent_;
  bool has_ = false;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // Bars needed before the strategy can make its first decision (live activation replays at least
  // this many stored bars first). Constant for an instance.
  virtual int warmup_bars() const = 0;
  // Optional, for speed: announces, before the first on_bar, every bar the run will feed this
  // instance, in order (the i-th on_bar call gets bars[i]); `bars` outlives the run. A backtest
  // calls it; live trading never does. A strategy may precompute from bars[0..i] what it needs at
  // bar i (e.g. a script's indicators over blocks of bars), but must decide exactly as if this
  // had not been called: it must never look at bars after the current one to decide. The default
  // ignores it.
  virtual void on_series(std::span<const domain::Bar> bars) { (void)bars; }
  // Optional, for speed, after on_series: lets pass the next announced bars (those the next
  // on_bar calls would get), at most `max`, at which on_bar would certainly emit nothing whatever
  // the DataContext says; afterwards the strategy is where it would be had on_bar seen them.
  // Returns how many it let pass, from 0 (the next on_bar must be called) up to `max`. The run
  // calls it only when nothing but a decision could happen on those bars (a backtest with no
  // target pending and no exit armed). The default lets none pass.
  virtual std::size_t skip_quiet(std::size_t max) {
    (void)max;
    return 0;
  }
  // Called once per completed bar of the symbol, in time order, with `bar` == ctx.bars().back().
  // Must not block, allocate per call, or throw.
  virtual void on_bar(const DataContext& ctx, const domain::Bar& bar, IntentSink& out) = 0;
};

}  // namespace quantd::strategy
