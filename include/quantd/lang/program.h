// Compiling a checked Script into a Program: a flat, topologically ordered list of operations over
// columns of doubles, ready for an Evaluator (evaluator.h).
//
// What compilation does:
// * substitutes the params (their defaults, or the overrides given here: a backtest run or a
//   parameter sweep compiles once per parameter set), and validates every length, offset, size
//   and exit again with the values used, so an override cannot make a script invalid;
// * shares identical sub-expressions: `sma(close, 20)` written twice, or once through a `let` and
//   once directly, or `sma(close, fast)` with fast = 20, is one indicator instance; macd /
//   macd_signal / macd_hist of the same arguments share one MACD, the three Bollinger bands one
//   Bollinger;
// * folds arithmetic on constants, drops `let`s no rule uses, and marks what depends on the
//   position (`position`, `entry_price`, `bars_held`, `unrealized` and everything computed from
//   them): the rest can be evaluated over blocks of bars ahead of the rules;
// * computes the warm-up: the index of the first bar at which every series the rules read can
//   have a value.
//
// A Program is immutable and thread-safe; one is shared by all the Evaluators (one per symbol) of
// a run.
#pragma once

#include <memory>
#include <string>

#include "quantd/core/status.h"
#include "quantd/domain/intent.h"
#include "quantd/lang/script.h"

namespace quantd::lang {

namespace internal {
struct ProgramData;
}

// Upper bounds on what one program may allocate per Evaluator.
inline constexpr std::int64_t kMaxHistoryValues = std::int64_t{1} << 24;  // indicator windows
inline constexpr int kMaxNodes = 20000;                                   // operations

class Program {
 public:
  explicit Program(std::unique_ptr<const internal::ProgramData> data);
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // Bars before the first bar at which the rules (or the expression) can have a value, for an
  // input without gaps: sma(close, 30) has 29, crossover of two of them 30. Live activation
  // replays at least this many stored bars.
  int warmup_bars() const;
  // True for a Program compiled from Script::analyze_expression.
  bool is_expression() const;
  // Expression programs: true when the value is a condition (1 true, 0 false, NaN NA).
  bool is_condition() const;
  // Scripts: what `buy when` targets: the `size` (default 100% of equity) with the protective
  // exits (stop_loss, take_profit, trailing_stop; 0 when absent).
  const domain::Intent& entry_intent() const;
  // Scripts: whether there is a `sell when` rule.
  bool has_sell_rule() const;
  // Every param with the value compiled in, by name.
  const ParamValues& param_values() const;
  // True when some expression depends on the position state.
  bool uses_position() const;
  // Number of operations (after sharing and folding), for tests and benchmarks.
  int node_count() const;
  // About how many values an Evaluator of this program keeps in indicator buffers (at most
  // kMaxHistoryValues), to size memory before creating one.
  std::int64_t history_values() const;

  // For the Evaluator.
  const internal::ProgramData& data() const { return *data_; }

 private:
  std::unique_ptr<const internal::ProgramData> data_;
};

// Compiles an ok() script with `overrides` replacing param defaults.
// Errors (kInvalidArgument): the script has diagnostics (the message lists them, one
// "LINE:COL: message" per line); an override names no param of the script ("unknown param
// 'fsat' — did you mean 'fast'?"); an override makes a length, offset, size or exit invalid
// ("5:19: sma: n must be at least 1, but param 'fast' is 0"); the program would exceed kMaxNodes
// operations or kMaxHistoryValues values of indicator history.
// When `error` is given, a failure is also described there: its place (the first diagnostic, or
// the argument an override made invalid) or line 0 / column 0 when it has none (an unknown
// param, a program too large), and the message without the position.
Result<std::shared_ptr<const Program>> compile(const Script& script,
                                               const ParamValues& overrides = {},
                                               Diagnostic* error = nullptr);

}  // namespace quantd::lang
