// The compiled form of a script, shared by the compiler and the evaluator. Not part of the API.
#pragma once

#include <cmath>
#include <cstdint>
#include <variant>
#include <vector>

#include "quantd/domain/intent.h"
#include "quantd/indicators/indicators.h"
#include "quantd/lang/program.h"
#include "script_internal.h"

namespace quantd::lang::internal {

enum class NodeOp : std::uint8_t {
  // Sources: their columns are written by the evaluator (bar fields, position state) or once at
  // construction (constants).
  kField,     // p[0] = Field
  kConst,     // k = the value
  kPosition,  // p[0] = PositionVar
  // Elementwise.
  kNeg,
  kNot,
  kAbs,
  kLog,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMin,
  kMax,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
  // Stateful: quantd::indicators instances.
  kSma,         // p[0] = n
  kEma,         // p[0] = n
  kWma,         // p[0] = n
  kRma,         // p[0] = n
  kRsi,         // p[0] = n
  kStdev,       // p[0] = n
  kHighest,     // p[0] = n
  kLowest,      // p[0] = n
  kRoc,         // p[0] = n
  kChange,      // p[0] = n
  kLag,         // p[0] = n
  kMacd,        // p = fast, slow, signal; out = line, signal, histogram
  kBollinger,   // p[0] = n, k; out = middle, upper, lower
  kTr,          // in = high, low, close
  kAtr,         // in = high, low, close; p[0] = n
  kStochK,      // in = high, low, close; p = n, smooth
  kStochD,      // in = high, low, close; p = n, smooth, d
  kObv,         // in = close, volume
  kCrossover,   // in = a, b
  kCrossunder,  // in = a, b
};

struct Node {
  NodeOp op = NodeOp::kConst;
  bool position_dependent = false;
  int n_in = 0;
  int n_out = 1;
  int in[3] = {-1, -1, -1};   // input columns
  int out[3] = {-1, -1, -1};  // output columns
  int p[3] = {0, 0, 0};
  double k = 0;
};

struct ProgramData {
  bool expression = false;
  bool condition = false;   // expression programs
  std::vector<Node> nodes;  // inputs before users
  int n_columns = 0;
  std::vector<int> block_nodes;     // position-independent, non-constant nodes, in order
  std::vector<int> position_nodes;  // position-dependent nodes (kPosition first), in order
  int buy_column = -1;
  int sell_column = -1;
  int result_column = -1;
  domain::Intent entry = domain::Intent::percent_of_equity(1.0);
  std::int64_t warmup = 0;
  std::int64_t history = 0;  // values in indicator buffers
  ParamValues params;
};

// One node's indicator instance (std::monostate for stateless nodes).
using IndicatorState =
    std::variant<std::monostate, indicators::Sma, indicators::Ema, indicators::Wma, indicators::Rma,
                 indicators::Rsi, indicators::Stdev, indicators::Highest, indicators::Lowest,
                 indicators::Roc, indicators::Change, indicators::Lag, indicators::Macd,
                 indicators::Bollinger, indicators::TrueRange, indicators::Atr, indicators::StochK,
                 indicators::StochD, indicators::Obv, indicators::Crossover,
                 indicators::Crossunder>;

struct NodeState {
  IndicatorState state;
};

// ---- The elementwise semantics, shared by the evaluator's loops and constant folding ----
// NA (NaN) in, NA out; conditions are 1/0/NaN with three-valued `and`/`or`/`not`. Division by zero
// and the logarithm of a number <= 0 are NA.

inline bool either_na(double a, double b) { return std::isnan(a) || std::isnan(b); }

inline double op_neg(double a) { return -a; }
inline double op_not(double a) { return std::isnan(a) ? a : 1.0 - a; }
inline double op_abs(double a) { return std::fabs(a); }
inline double op_log(double a) { return a > 0 ? std::log(a) : indicators::kNa; }
inline double op_add(double a, double b) { return a + b; }
inline double op_sub(double a, double b) { return a - b; }
inline double op_mul(double a, double b) { return a * b; }
inline double op_div(double a, double b) { return b != 0 ? a / b : indicators::kNa; }
inline double op_min(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (b < a ? b : a);
}
inline double op_max(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (b > a ? b : a);
}
inline double op_lt(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (a < b ? 1.0 : 0.0);
}
inline double op_le(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (a <= b ? 1.0 : 0.0);
}
inline double op_gt(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (a > b ? 1.0 : 0.0);
}
inline double op_ge(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (a >= b ? 1.0 : 0.0);
}
inline double op_eq(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (a == b ? 1.0 : 0.0);
}
inline double op_ne(double a, double b) {
  return either_na(a, b) ? indicators::kNa : (a != b ? 1.0 : 0.0);
}
inline double op_and(double a, double b) {
  if (a == 0.0 || b == 0.0) return 0.0;
  return either_na(a, b) ? indicators::kNa : 1.0;
}
inline double op_or(double a, double b) {
  if (a == 1.0 || b == 1.0) return 1.0;
  return either_na(a, b) ? indicators::kNa : 0.0;
}

// Applies an elementwise op (unary ops ignore b).
inline double apply_elementwise(NodeOp op, double a, double b) {
  switch (op) {
    case NodeOp::kNeg:
      return op_neg(a);
    case NodeOp::kNot:
      return op_not(a);
    case NodeOp::kAbs:
      return op_abs(a);
    case NodeOp::kLog:
      return op_log(a);
    case NodeOp::kAdd:
      return op_add(a, b);
    case NodeOp::kSub:
      return op_sub(a, b);
    case NodeOp::kMul:
      return op_mul(a, b);
    case NodeOp::kDiv:
      return op_div(a, b);
    case NodeOp::kMin:
      return op_min(a, b);
    case NodeOp::kMax:
      return op_max(a, b);
    case NodeOp::kLt:
      return op_lt(a, b);
    case NodeOp::kLe:
      return op_le(a, b);
    case NodeOp::kGt:
      return op_gt(a, b);
    case NodeOp::kGe:
      return op_ge(a, b);
    case NodeOp::kEq:
      return op_eq(a, b);
    case NodeOp::kNe:
      return op_ne(a, b);
    case NodeOp::kAnd:
      return op_and(a, b);
    case NodeOp::kOr:
      return op_or(a, b);
    default:
      return indicators::kNa;
  }
}

inline bool is_elementwise(NodeOp op) { return op >= NodeOp::kNeg && op <= NodeOp::kOr; }

}  // namespace quantd::lang::internal
