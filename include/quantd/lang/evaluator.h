// Running a compiled Program over bars.
//
// Design note. The evaluator keeps one column of doubles per value of the program (a bar field, a
// constant, an operator, an indicator output), `block_rows` rows long, and the indicator
// instances (quantd::indicators value types, the very ones native strategies use). run_block
// evaluates every position-independent operation over a block of consecutive bars column by
// column: one dispatch per operation per block, then a tight loop calling the same O(1) update
// function per bar that a bar-by-bar evaluation calls, in the same order, so the values are
// bit-identical whatever the block size. Live trading uses blocks of one bar. The operations that
// depend on the position (see program.h) are evaluated one row at a time by run_position_row,
// after the caller has decided the position at that bar.
//
// Speed. Each loop is a separate function with the indicator's update inlined and the indicator
// moved into a local for the block, so its running state lives in registers; two independent
// indicators of one kind (the two averages of a crossover, a crossover and its crossunder) share
// one loop so that their dependency chains overlap; indicators fed by a price field read it from
// the bars in place. None of this changes the order of any indicator's updates.
//
// Values: NaN is NA; conditions are 1.0 (true), 0.0 (false) or NaN. Nothing is allocated after
// construction. An Evaluator is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "quantd/domain/bar.h"
#include "quantd/lang/program.h"

namespace quantd::lang {

namespace internal {
struct NodeState;
}

// The position state at a bar's close, as the language sees it.
struct PositionState {
  double position = 0;     // shares held
  double entry_price = 0;  // average entry price; NaN when flat
  double bars_held = 0;    // bars since the entry fill, the fill bar counting 1; 0 when flat
  double unrealized = 0;   // (close - entry_price) / entry_price; NaN when flat
};

class Evaluator {
 public:
  // A block size suited to the program: about 8K values (64 KiB) in all its columns together, so
  // that a block stays in the L2 cache, between 16 and 1024 rows.
  static int default_block_rows(const Program& program);

  // Allocates the columns and the indicator instances. block_rows 0 means
  // default_block_rows(*program); otherwise it must be >= 1.
  explicit Evaluator(std::shared_ptr<const Program> program, int block_rows = 0);
  ~Evaluator();
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  int block_rows() const { return block_rows_; }

  // Evaluates the position-independent operations for `bars`, the bars that follow those of the
  // previous call, into rows [0, bars.size()). Position-dependent rows are stale until
  // run_position_row. Precondition: 1 <= bars.size() <= block_rows().
  void run_block(std::span<const domain::Bar> bars);

  // Evaluates the position-dependent operations at `row` of the current block with `state`.
  // Call it for every row, in order, after run_block (only needed when uses_position()).
  void run_position_row(int row, const PositionState& state);

  // Value of column `column` at `row` of the current block. Meaningful for the rule and result
  // columns (a price field column that only indicators read is not written).
  double value(int column, int row) const {
    return columns_[static_cast<std::size_t>(column) * stride_ + static_cast<std::size_t>(row)];
  }

  // The values of column `column` in the current block (valid until the next run_block; same
  // caveat as value()).
  const double* column_values(int column) const {
    return columns_.data() + static_cast<std::size_t>(column) * stride_;
  }

  // The columns of the rules and of an expression (-1 when absent).
  int buy_column() const { return buy_column_; }
  int sell_column() const { return sell_column_; }
  int result_column() const { return result_column_; }

  const Program& program() const { return *program_; }

 private:
  void eval_node(int node, int begin, int end);
  // Evaluates two independent nodes of the same kind in one loop (see plan_).
  void eval_pair(int first, int second, int begin, int end);
  double* column(int c) { return columns_.data() + static_cast<std::size_t>(c) * stride_; }

  std::shared_ptr<const Program> program_;
  int block_rows_;
  std::size_t stride_;
  std::vector<double> columns_;
  std::vector<internal::NodeState> states_;
  // run_block's steps: a node, or two independent nodes of the same kind run in one loop, so that
  // their serial dependency chains overlap in the CPU as in a hand-written loop (nodes[1] = -1
  // for a single node).
  struct Step {
    int nodes[2] = {-1, -1};
  };
  std::vector<Step> plan_;
  // Price fields (open, high, low, close) are read in place from the block's bars by the one-input
  // indicators fed directly by them, and copied into their column only if something else reads it.
  std::vector<signed char> field_of_column_;  // the Field of a price field column, else -1
  std::vector<char> in_place_;                // per node: reads its price field from the bars
  std::vector<char> dense_;                   // per column: must be written
  const domain::Bar* block_bars_ = nullptr;   // the current block's bars (run_block)
  int buy_column_ = -1;
  int sell_column_ = -1;
  int result_column_ = -1;
};

// Evaluates an expression Program (Script::analyze_expression) over `bars`, in blocks of
// `block_rows` (0: the default): one value per bar.
// Errors (kInvalidArgument): the program is a script, not an expression.
Result<std::vector<double>> evaluate_series(std::shared_ptr<const Program> program,
                                            std::span<const domain::Bar> bars, int block_rows = 0);

}  // namespace quantd::lang
