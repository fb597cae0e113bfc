// RuleStrategy: a compiled strategy-language script behind the engine's Strategy interface, so a
// script runs unchanged in backtests and live, exactly like a native strategy.
//
// Rules, at each bar's close (STRATEGY_LANGUAGE.md): when flat (position() == 0) and `buy when`
// is true, emit the entry intent (the `size`, default 100% of equity, carrying the stop_loss /
// take_profit / trailing_stop fractions for the executor to watch); when long and `sell when` is
// true, emit Intent::flat(). NA is not true, so no rule fires on incomplete data. Nothing is
// emitted otherwise: the current target stands.
//
// Speed: when the run announces the bars ahead (Strategy::on_series, a backtest), the part of the
// script that does not depend on the position is evaluated over blocks of those bars ahead of the
// rules (evaluator.h); on_bar then reads one row and, if the script uses position state,
// evaluates just the position-dependent operations for that bar. Without the announcement (live)
// every on_bar evaluates a block of one bar. Both give identical values. on_bar does not allocate.
// A script without position state also lets the run pass the bars no rule marked at once
// (skip_quiet).
//
// Threading: a RuleStrategy is used by one thread at a time; the factory is immutable and
// thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/lang/evaluator.h"
#include "quantd/lang/program.h"
#include "quantd/strategy/registry.h"
#include "quantd/strategy/strategy.h"

namespace quantd::lang {

class RuleStrategy final : public strategy::Strategy {
 public:
  // Precondition: `program` is a script (not an expression). block_rows 0: the default.
  explicit RuleStrategy(std::shared_ptr<const Program> program, int block_rows = 0);

  int warmup_bars() const override;
  void on_series(std::span<const domain::Bar> bars) override;
  void on_bar(const strategy::DataContext& ctx, const domain::Bar& bar,
              strategy::IntentSink& out) override;
  // Lets pass the bars of the announced series whose rows no rule marked (scripts without
  // position state only; others let none pass).
  std::size_t skip_quiet(std::size_t max) override;

 private:
  [[gnu::noinline]] void on_bar_slow(const strategy::DataContext& ctx, const domain::Bar& bar,
                                     strategy::IntentSink& out);
  [[gnu::noinline]] void fire(const strategy::DataContext& ctx, std::uint8_t fires,
                              strategy::IntentSink& out);
  void next_block(const domain::Bar& bar);
  // Scripts without position state: fires_[row] = 1 if `buy when` is true, | 2 if `sell when`.
  void mark_rules(int rows);

  Evaluator eval_;
  domain::Intent entry_;
  int buy_column_;
  int sell_column_;
  bool uses_position_;
  bool uses_bars_held_;
  std::span<const domain::Bar> series_;  // announced bars; empty when not announced
  std::size_t next_ = 0;                 // index in series_ of the next block's first bar
  int row_ = 0;                          // row of the current bar in the block
  int rows_ = 0;                         // rows of the current block
  std::vector<std::uint8_t> fires_;      // see mark_rules
};

// Creates RuleStrategy instances of one compiled program (one per symbol).
class RuleStrategyFactory final : public strategy::StrategyFactory {
 public:
  // `name` identifies the script in describe(), e.g. its file name.
  RuleStrategyFactory(std::shared_ptr<const Program> program, std::string name);

  std::unique_ptr<strategy::Strategy> create(const domain::Symbol& symbol) const override;
  int warmup_bars() const override;
  // "script:NAME" followed by the params, e.g. "script:golden_cross.qs(fast=20,slow=60)".
  std::string describe() const override;
  const Program& program() const { return *program_; }

 private:
  std::shared_ptr<const Program> program_;
  std::string name_;
};

// Analyzes and compiles `source` with `overrides` for its params and returns the factory.
// Errors (kInvalidArgument): the script's diagnostics formatted by format_diagnostics (with `name`
// as the file name, carets included), or a compile error (see compile()).
Result<std::unique_ptr<strategy::StrategyFactory>> make_rule_strategy(
    std::string_view source, const ParamValues& overrides, std::string_view name = "script");

}  // namespace quantd::lang
