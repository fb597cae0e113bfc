// The compiler: checked syntax tree + param values -> ProgramData.
//
// Lowering walks the tree from the roots (the rules, or the expression), so a `let` nothing uses
// costs nothing; a `let` used several times is lowered once (memoised). Every node goes through a
// hash-consing table keyed by (operation, inputs, constants), which is what makes identical
// sub-expressions one indicator instance. Constants stay symbolic (Value::is_const) until an
// operation needs them as a column, so arithmetic on constants folds without leaving dead nodes.
#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

#include "program_internal.h"

namespace quantd::lang {

namespace internal {

namespace {

// A lowered expression: a column, or a constant not materialised yet.
struct Value {
  int column = -1;
  double constant = 0;
  bool is_const() const { return column < 0; }
};

std::string at_text(Span s) { return std::to_string(s.line) + ":" + std::to_string(s.col) + ": "; }

class Compiler {
 public:
  Compiler(const ScriptData& d, const ParamValues& values, ProgramData& out)
      : d_(d), values_(values), out_(out) {}

  Status run() {
    let_values_.assign(d_.lets.size(), Value{});
    let_done_.assign(d_.lets.size(), false);
    if (d_.expression_mode) {
      out_.expression = true;
      out_.condition = d_.info[static_cast<std::size_t>(d_.result)].type == Type::kCondition;
      out_.result_column = root(d_.result);
    } else {
      out_.buy_column = root(d_.buy.expr);
      if (d_.sell.present) out_.sell_column = root(d_.sell.expr);
      if (status_.ok()) entry();
    }
    if (!status_.ok()) return status_;
    finish();
    return status_;
  }

 private:
  const Expr& expr(int e) const { return d_.exprs[static_cast<std::size_t>(e)]; }
  const ExprInfo& info(int e) const { return d_.info[static_cast<std::size_t>(e)]; }

  void error(Span at, const std::string& message) {
    if (!status_.ok()) return;
    status_ = Status::invalid_argument(at_text(at) + message);
    error_ = Diagnostic{at.line, at.col, std::max(1, at.len), message};
  }

 public:
  // Where the error of run() is, when it has a place (line 0 otherwise).
  const Diagnostic& error_place() const { return error_; }

 private:
  int root(int e) {
    const Value v = lower(e);
    return status_.ok() ? column_of(v) : -1;
  }

  // ---- nodes and columns ----

  using Key = std::tuple<NodeOp, int, int, int, int, int, int, std::uint64_t>;

  // The node (shared if an identical one exists) and its first output column.
  int node(NodeOp op, std::initializer_list<int> in, int p0 = 0, int p1 = 0, int p2 = 0,
           double k = 0, int n_out = 1) {
    int ins[3] = {-1, -1, -1};
    int n_in = 0;
    for (int c : in) ins[n_in++] = c;
    // Commutative operations: one order, so that a + b and b + a share a node. (IEEE addition,
    // multiplication, min, max, ==, != and the three-valued and/or are exactly commutative.)
    if ((op == NodeOp::kAdd || op == NodeOp::kMul || op == NodeOp::kMin || op == NodeOp::kMax ||
         op == NodeOp::kEq || op == NodeOp::kNe || op == NodeOp::kAnd || op == NodeOp::kOr) &&
        ins[1] < ins[0]) {
      std::swap(ins[0], ins[1]);
    }
    std::uint64_t kbits;
    static_assert(sizeof kbits == sizeof k);
    std::memcpy(&kbits, &k, sizeof k);
    const Key key{op, ins[0], ins[1], ins[2], p0, p1, p2, kbits};
    if (auto it = cse_.find(key); it != cse_.end())
      return out_.nodes[static_cast<std::size_t>(it->second)].out[0];
    if (static_cast<int>(out_.nodes.size()) >= kMaxNodes) {
      if (status_.ok()) {
        status_ = Status::invalid_argument("the script is too complex: more than " +
                                           std::to_string(kMaxNodes) + " operations");
      }
      return 0;
    }
    Node n;
    n.op = op;
    n.n_in = n_in;
    n.n_out = n_out;
    for (int i = 0; i < 3; ++i) n.in[i] = ins[i];
    n.p[0] = p0;
    n.p[1] = p1;
    n.p[2] = p2;
    n.k = k;
    n.position_dependent = op == NodeOp::kPosition;
    std::int64_t w = 0;
    for (int i = 0; i < n_in; ++i) {
      const auto c = static_cast<std::size_t>(ins[i]);
      n.position_dependent = n.position_dependent || column_position_[c];
      w = std::max(w, column_warmup_[c]);
    }
    std::int64_t warm[3] = {w, w, w};
    switch (op) {
      case NodeOp::kSma:
      case NodeOp::kEma:
      case NodeOp::kWma:
      case NodeOp::kRma:
      case NodeOp::kStdev:
      case NodeOp::kHighest:
      case NodeOp::kLowest:
        warm[0] = w + p0 - 1;
        break;
      case NodeOp::kRsi:
      case NodeOp::kAtr:
      case NodeOp::kRoc:
      case NodeOp::kChange:
      case NodeOp::kLag:
        warm[0] = w + p0;
        break;
      case NodeOp::kMacd:
        warm[0] = w + std::max(p0, p1) - 1;
        warm[1] = warm[2] = warm[0] + p2 - 1;
        break;
      case NodeOp::kBollinger:
        warm[0] = warm[1] = warm[2] = w + p0 - 1;
        break;
      case NodeOp::kTr:
      case NodeOp::kCrossover:
      case NodeOp::kCrossunder:
        warm[0] = w + 1;
        break;
      case NodeOp::kStochK:
        warm[0] = w + p0 - 1 + p1 - 1;
        break;
      case NodeOp::kStochD:
        warm[0] = w + p0 - 1 + p1 - 1 + p2 - 1;
        break;
      default:
        break;
    }
    history_ += history_values(op, p0, p1, p2);
    if (history_ > kMaxHistoryValues && status_.ok()) {
      status_ = Status::invalid_argument("the script's indicators need more than " +
                                         std::to_string(kMaxHistoryValues) +
                                         " values of history; use shorter lengths");
    }
    for (int i = 0; i < n_out; ++i) {
      n.out[i] = out_.n_columns++;
      column_warmup_.push_back(warm[i]);
      column_position_.push_back(n.position_dependent);
      column_node_.push_back(static_cast<int>(out_.nodes.size()));
    }
    cse_.emplace(key, static_cast<int>(out_.nodes.size()));
    out_.nodes.push_back(n);
    return n.out[0];
  }

  // Values an instance keeps in buffers (bounds memory per Evaluator).
  static std::int64_t history_values(NodeOp op, int p0, int p1, int p2) {
    switch (op) {
      case NodeOp::kSma:
      case NodeOp::kWma:
      case NodeOp::kStdev:
      case NodeOp::kBollinger:
        return p0;
      case NodeOp::kHighest:
      case NodeOp::kLowest:
      case NodeOp::kRoc:
      case NodeOp::kChange:
      case NodeOp::kLag:
        return 2 * (std::int64_t{p0} + 1);  // power-of-two rings
      case NodeOp::kStochK:
        return 4 * std::int64_t{p0} + 2 * p1;
      case NodeOp::kStochD:
        return 4 * std::int64_t{p0} + 2 * p1 + p2;
      default:
        return 0;
    }
  }

  int column_of(Value v) {
    if (!v.is_const()) return v.column;
    return node(NodeOp::kConst, {}, 0, 0, 0, v.constant);
  }

  bool is_const_column(int c) const {
    return out_.nodes[static_cast<std::size_t>(column_node_[static_cast<std::size_t>(c)])].op ==
           NodeOp::kConst;
  }

  // ---- lowering ----

  Value lower(int e) {
    if (!status_.ok()) return {};
    const Expr& x = expr(e);
    const ExprInfo& in = info(e);
    switch (x.kind) {
      case ExprKind::kNumber:
        return Value{-1, x.number};
      case ExprKind::kName:
        switch (in.ref) {
          case NameRef::kField:
            return Value{node(NodeOp::kField, {}, in.ref_index)};
          case NameRef::kPosition:
            return Value{node(NodeOp::kPosition, {}, in.ref_index)};
          case NameRef::kParam:
            return Value{-1, param_value(in.ref_index)};
          case NameRef::kLet:
            return let_value(in.ref_index);
          case NameRef::kNone:
            break;
        }
        error(x.span, "internal error: unresolved name");
        return {};
      case ExprKind::kUnary: {
        const Value a = lower(x.a);
        return elementwise(x.op == Op::kNot ? NodeOp::kNot : NodeOp::kNeg, a, Value{-1, 0}, true);
      }
      case ExprKind::kBinary: {
        const Value a = lower(x.a);
        const Value b = lower(x.b);
        return elementwise(binary_op(x.op), a, b, false);
      }
      case ExprKind::kIndex: {
        const Value a = lower(x.a);
        const int n = length(x.b, ArgKind::kOffset, "x[n]", "n");
        if (!status_.ok()) return {};
        if (n == 0) return a;
        return Value{node(NodeOp::kLag, {column_of(a)}, n)};
      }
      case ExprKind::kCall:
        return call(e);
    }
    return {};
  }

  static NodeOp binary_op(Op op) {
    switch (op) {
      case Op::kAdd:
        return NodeOp::kAdd;
      case Op::kSub:
        return NodeOp::kSub;
      case Op::kMul:
        return NodeOp::kMul;
      case Op::kDiv:
        return NodeOp::kDiv;
      case Op::kLt:
        return NodeOp::kLt;
      case Op::kLe:
        return NodeOp::kLe;
      case Op::kGt:
        return NodeOp::kGt;
      case Op::kGe:
        return NodeOp::kGe;
      case Op::kEq:
        return NodeOp::kEq;
      case Op::kNe:
        return NodeOp::kNe;
      case Op::kAnd:
        return NodeOp::kAnd;
      case Op::kOr:
        return NodeOp::kOr;
      default:
        return NodeOp::kAdd;
    }
  }

  Value elementwise(NodeOp op, Value a, Value b, bool unary) {
    if (!status_.ok()) return {};
    if (a.is_const() && (unary || b.is_const())) {
      return Value{-1, apply_elementwise(op, a.constant, b.constant)};
    }
    if (unary) return Value{node(op, {column_of(a)})};
    const int ca = column_of(a);
    const int cb = column_of(b);
    return Value{node(op, {ca, cb})};
  }

  double param_value(int index) const {
    const ParamDecl& p = d_.params[static_cast<std::size_t>(index)];
    const auto it = values_.find(std::string(p.name));
    return it != values_.end() ? it->second : p.value;
  }

  Value let_value(int index) {
    const auto i = static_cast<std::size_t>(index);
    if (!let_done_[i]) {
      let_values_[i] = lower(d_.lets[i].expr);
      let_done_[i] = true;
    }
    return let_values_[i];
  }

  // The constant value of argument expression `e` (a number, a param, or either negated),
  // validated as `kind`.
  int length(int e, ArgKind kind, std::string_view fn, std::string_view arg) {
    double value = 0;
    std::string_view param;
    const_value(e, value, param);
    std::string problem = check_constant(kind, fn, arg, value, param);
    if (!problem.empty()) {
      error(expr(e).span, problem);
      return 1;
    }
    return static_cast<int>(value);
  }

  double real(int e, std::string_view fn, std::string_view arg) {
    double value = 0;
    std::string_view param;
    const_value(e, value, param);
    std::string problem = check_constant(ArgKind::kReal, fn, arg, value, param);
    if (!problem.empty()) error(expr(e).span, problem);
    return value;
  }

  void const_value(int e, double& value, std::string_view& param) const {
    const Expr& x = expr(e);
    if (x.kind == ExprKind::kNumber) {
      value = x.number;
    } else if (x.kind == ExprKind::kName) {
      const int index = info(e).ref_index;
      value = param_value(index);
      param = d_.params[static_cast<std::size_t>(index)].name;
    } else if (x.kind == ExprKind::kUnary) {
      const_value(x.a, value, param);
      value = -value;
    }
  }

  Value call(int e) {
    const Expr& x = expr(e);
    const FnInfo& fn = *info(e).fn;
    auto arg = [&](int k) { return d_.args[static_cast<std::size_t>(x.first_arg + k)]; };
    auto series = [&](int k) { return column_of(lower(arg(k))); };
    auto len = [&](int k) { return length(arg(k), ArgKind::kLength, fn.name, fn.arg_names[k]); };
    auto field = [&](Field f) { return node(NodeOp::kField, {}, static_cast<int>(f)); };
    auto simple = [&](NodeOp op) {
      const int x0 = series(0);
      const int n = len(1);
      if (!status_.ok()) return Value{};
      return Value{node(op, {x0}, n)};
    };
    switch (fn.fn) {
      case Fn::kSma:
        return simple(NodeOp::kSma);
      case Fn::kEma:
        return simple(NodeOp::kEma);
      case Fn::kWma:
        return simple(NodeOp::kWma);
      case Fn::kRma:
        return simple(NodeOp::kRma);
      case Fn::kRsi:
        return simple(NodeOp::kRsi);
      case Fn::kStdev:
        return simple(NodeOp::kStdev);
      case Fn::kHighest:
        return simple(NodeOp::kHighest);
      case Fn::kLowest:
        return simple(NodeOp::kLowest);
      case Fn::kRoc:
        return simple(NodeOp::kRoc);
      case Fn::kChange:
        return simple(NodeOp::kChange);
      case Fn::kMacd:
      case Fn::kMacdSignal:
      case Fn::kMacdHist: {
        const int x0 = series(0);
        const int fast = len(1);
        const int slow = len(2);
        const int signal = len(3);
        if (!status_.ok()) return {};
        const int line = node(NodeOp::kMacd, {x0}, fast, slow, signal, 0, 3);
        const int offset = fn.fn == Fn::kMacd ? 0 : fn.fn == Fn::kMacdSignal ? 1 : 2;
        return Value{line + offset};
      }
      case Fn::kBbUpper:
      case Fn::kBbMiddle:
      case Fn::kBbLower: {
        const int x0 = series(0);
        const int n = len(1);
        const double k = real(arg(2), fn.name, fn.arg_names[2]);
        if (!status_.ok()) return {};
        const int middle = node(NodeOp::kBollinger, {x0}, n, 0, 0, k, 3);
        const int offset = fn.fn == Fn::kBbMiddle ? 0 : fn.fn == Fn::kBbUpper ? 1 : 2;
        return Value{middle + offset};
      }
      case Fn::kTr:
        return Value{
            node(NodeOp::kTr, {field(Field::kHigh), field(Field::kLow), field(Field::kClose)})};
      case Fn::kAtr: {
        const int n = len(0);
        if (!status_.ok()) return {};
        return Value{
            node(NodeOp::kAtr, {field(Field::kHigh), field(Field::kLow), field(Field::kClose)}, n)};
      }
      case Fn::kStochK: {
        const int n = len(0);
        const int smooth = len(1);
        if (!status_.ok()) return {};
        return Value{node(NodeOp::kStochK,
                          {field(Field::kHigh), field(Field::kLow), field(Field::kClose)}, n,
                          smooth)};
      }
      case Fn::kStochD: {
        const int n = len(0);
        const int smooth = len(1);
        const int d = len(2);
        if (!status_.ok()) return {};
        return Value{node(NodeOp::kStochD,
                          {field(Field::kHigh), field(Field::kLow), field(Field::kClose)}, n,
                          smooth, d)};
      }
      case Fn::kObv:
        return Value{node(NodeOp::kObv, {field(Field::kClose), field(Field::kVolume)})};
      case Fn::kCrossover:
      case Fn::kCrossunder: {
        const int a = series(0);
        const int b = series(1);
        if (!status_.ok()) return {};
        return Value{
            node(fn.fn == Fn::kCrossover ? NodeOp::kCrossover : NodeOp::kCrossunder, {a, b})};
      }
      case Fn::kAbs:
        return elementwise(NodeOp::kAbs, lower(arg(0)), Value{-1, 0}, true);
      case Fn::kLog:
        return elementwise(NodeOp::kLog, lower(arg(0)), Value{-1, 0}, true);
      case Fn::kMin:
      case Fn::kMax: {
        const Value a = lower(arg(0));
        const Value b = lower(arg(1));
        return elementwise(fn.fn == Fn::kMin ? NodeOp::kMin : NodeOp::kMax, a, b, false);
      }
    }
    return {};
  }

  // ---- size and exits ----

  double amount(const AmountDecl& a, std::string_view word) {
    double value = a.literal;
    std::string_view param;
    if (!a.param_name.empty()) {
      for (std::size_t i = 0; i < d_.params.size(); ++i) {
        if (d_.params[i].name == a.param_name) {
          value = param_value(static_cast<int>(i));
          param = d_.params[i].name;
          break;
        }
      }
    }
    std::string problem = check_amount(a, word, value, param);
    if (!problem.empty()) error(a.value_span, problem);
    return value;
  }

  void entry() {
    domain::ProtectiveExits exits;
    if (d_.stop_loss.present) exits.stop_loss = amount(d_.stop_loss, "stop_loss");
    if (d_.take_profit.present) exits.take_profit = amount(d_.take_profit, "take_profit");
    if (d_.trailing_stop.present) exits.trailing_stop = amount(d_.trailing_stop, "trailing_stop");
    out_.entry = domain::Intent::percent_of_equity(1.0, exits);
    if (d_.size.present) {
      const double v = amount(d_.size, "size");
      switch (d_.size.unit) {
        case SizeUnit::kEquity:
          out_.entry = domain::Intent::percent_of_equity(v, exits);
          break;
        case SizeUnit::kKrw:
          out_.entry = domain::Intent::krw(static_cast<std::int64_t>(v), exits);
          break;
        case SizeUnit::kShares:
          out_.entry = domain::Intent::shares(static_cast<std::int64_t>(v), exits);
          break;
      }
    }
  }

  void finish() {
    for (std::size_t i = 0; i < out_.nodes.size(); ++i) {
      const Node& n = out_.nodes[i];
      if (n.position_dependent) {
        out_.position_nodes.push_back(static_cast<int>(i));
      } else if (n.op != NodeOp::kConst) {
        out_.block_nodes.push_back(static_cast<int>(i));
      }
    }
    // Every node was reached from a root, so the warm-up is the latest first value of any.
    for (std::int64_t w : column_warmup_) out_.warmup = std::max(out_.warmup, w);
    out_.history = history_;
    for (std::size_t i = 0; i < d_.params.size(); ++i) {
      out_.params[std::string(d_.params[i].name)] = param_value(static_cast<int>(i));
    }
  }

  const ScriptData& d_;
  const ParamValues& values_;
  ProgramData& out_;
  Status status_;
  Diagnostic error_{0, 0, 0, ""};
  std::map<Key, int> cse_;
  std::vector<Value> let_values_;
  std::vector<bool> let_done_;
  std::vector<std::int64_t> column_warmup_;
  std::vector<bool> column_position_;
  std::vector<int> column_node_;
  std::int64_t history_ = 0;
};

}  // namespace

}  // namespace internal

Program::Program(std::unique_ptr<const internal::ProgramData> data) : data_(std::move(data)) {}
Program::~Program() = default;

int Program::warmup_bars() const {
  return static_cast<int>(std::min<std::int64_t>(data_->warmup, std::numeric_limits<int>::max()));
}
bool Program::is_expression() const { return data_->expression; }
bool Program::is_condition() const { return data_->condition; }
const domain::Intent& Program::entry_intent() const { return data_->entry; }
bool Program::has_sell_rule() const { return data_->sell_column >= 0; }
const ParamValues& Program::param_values() const { return data_->params; }
bool Program::uses_position() const { return !data_->position_nodes.empty(); }
int Program::node_count() const { return static_cast<int>(data_->nodes.size()); }
std::int64_t Program::history_values() const { return data_->history; }

Result<std::shared_ptr<const Program>> compile(const Script& script, const ParamValues& overrides,
                                               Diagnostic* error) {
  auto fail = [&](Diagnostic where, std::string message) -> Status {
    if (error != nullptr) {
      *error = std::move(where);
      if (error->message.empty()) error->message = message;
    }
    return Status::invalid_argument(std::move(message));
  };
  const internal::ScriptData& d = script.data();
  if (!script.ok()) {
    std::string m;
    for (const Diagnostic& diag : script.diagnostics()) {
      if (!m.empty()) m += "\n";
      m += std::to_string(diag.line) + ":" + std::to_string(diag.column) + ": " + diag.message;
    }
    return fail(script.diagnostics().front(), m);
  }
  std::vector<std::string_view> names;
  for (const internal::ParamDecl& p : d.params) names.push_back(p.name);
  for (const auto& [name, value] : overrides) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string m = "unknown param '" + name + "'" + internal::did_you_mean(name, names);
      if (names.empty()) m += " (the script declares no params)";
      return fail(Diagnostic{0, 0, 0, ""}, m);
    }
  }
  auto data = std::make_unique<internal::ProgramData>();
  internal::Compiler compiler(d, overrides, *data);
  if (Status s = compiler.run(); !s.ok()) return fail(compiler.error_place(), s.message());
  return std::make_shared<const Program>(std::move(data));
}

}  // namespace quantd::lang
