// The checker: names, types, arity and constants of a parsed script.
//
// Types are "number" and "condition"; an expression whose type cannot be known because of an
// error already reported (an unknown name, a `let` whose line did not parse) gets Type::kError,
// which is accepted everywhere without a further message, so one mistake yields one error.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include "quantd/indicators/common.h"
#include "script_internal.h"

namespace quantd::lang::internal {

namespace {

std::string at_text(Span s) { return std::to_string(s.line) + ":" + std::to_string(s.col); }

std::string percent_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g%%", v * 100.0);
  return buf;
}

// ", got 0" / ", but param 'n' is 0" (with the percentage when `as_percent`).
std::string got(double v, std::string_view param, bool as_percent = false) {
  const std::string shown = as_percent ? percent_text(v) : format_number(v);
  if (param.empty()) return ", got " + shown;
  std::string s = ", but param '" + std::string(param) + "' is " + format_number(v);
  if (as_percent) s += " (" + shown + ")";
  return s;
}

class Checker {
 public:
  explicit Checker(ScriptData& d) : d_(d), parse_failed_(!d.diagnostics.empty()) {
    d_.info.assign(d_.exprs.size(), ExprInfo{});
  }

  void run() {
    declare_names();
    let_types_.assign(d_.lets.size(), Type::kError);
    for (std::size_t i = 0; i < d_.lets.size(); ++i) {
      const LetDecl& l = d_.lets[i];
      if (l.expr < 0) continue;
      current_line_ = l.name_span.line;
      current_let_ = static_cast<int>(i);
      let_types_[i] = check(l.expr);
    }
    current_let_ = -1;
    if (d_.expression_mode) {
      current_line_ = 1;
      if (d_.result >= 0) check(d_.result);
      return;
    }
    rule(d_.buy, "buy");
    rule(d_.sell, "sell");
    amount(d_.size, "size");
    amount(d_.stop_loss, "stop_loss");
    amount(d_.take_profit, "take_profit");
    amount(d_.trailing_stop, "trailing_stop");
    // A line that did not parse may be the missing rule: say nothing about the whole script then.
    if (parse_failed_) return;
    if (!d_.buy.present) {
      report(Span{1, 1, 1}, "the script has no 'buy when' rule");
    } else if (!d_.sell.present && !d_.stop_loss.present && !d_.take_profit.present &&
               !d_.trailing_stop.present) {
      report(d_.buy.keyword_span,
             "the script has no way out: add 'sell when ...', or a stop_loss, take_profit or "
             "trailing_stop");
    }
  }

 private:
  struct Decl {
    NameRef kind;
    int index;
    Span span;
  };

  void report(Span at, std::string message) {
    d_.diagnostics.push_back({at.line, at.col, std::max(1, at.len), std::move(message)});
  }

  // Registers every `param` and `let` name in source order; later duplicates are errors.
  void declare_names() {
    struct Item {
      Span span;
      NameRef kind;
      int index;
      std::string_view name;
    };
    std::vector<Item> items;
    for (std::size_t i = 0; i < d_.params.size(); ++i) {
      items.push_back(
          {d_.params[i].name_span, NameRef::kParam, static_cast<int>(i), d_.params[i].name});
    }
    for (std::size_t i = 0; i < d_.lets.size(); ++i) {
      items.push_back({d_.lets[i].name_span, NameRef::kLet, static_cast<int>(i), d_.lets[i].name});
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.span.line != b.span.line ? a.span.line < b.span.line : a.span.col < b.span.col;
    });
    for (const Item& it : items) {
      auto [pos, inserted] = decls_.try_emplace(it.name, Decl{it.kind, it.index, it.span});
      if (!inserted) {
        report(it.span,
               "'" + std::string(it.name) + "' is already defined at " + at_text(pos->second.span));
      }
      names_.push_back(it.name);
    }
  }

  ExprInfo& info(int e) { return d_.info[static_cast<std::size_t>(e)]; }
  const Expr& expr(int e) const { return d_.exprs[static_cast<std::size_t>(e)]; }

  Type check(int e) {
    const Expr& x = expr(e);
    Type t = Type::kError;
    switch (x.kind) {
      case ExprKind::kNumber:
        t = Type::kNumber;
        break;
      case ExprKind::kName:
        t = name(e);
        break;
      case ExprKind::kCall:
        t = call(e);
        break;
      case ExprKind::kUnary:
        t = unary(x);
        break;
      case ExprKind::kBinary:
        t = binary(x);
        break;
      case ExprKind::kIndex:
        t = index(x);
        break;
    }
    info(e).type = t;
    return t;
  }

  std::vector<std::string_view> name_candidates() const {
    std::vector<std::string_view> c = names_;
    c.insert(c.end(), std::begin(kFieldNames), std::end(kFieldNames));
    if (!d_.expression_mode)
      c.insert(c.end(), std::begin(kPositionNames), std::end(kPositionNames));
    return c;
  }

  Type name(int e) {
    const Expr& x = expr(e);
    ExprInfo& in = info(e);
    const std::string name_text = "'" + std::string(x.name) + "'";
    if (auto it = decls_.find(x.name); it != decls_.end()) {
      const Decl& decl = it->second;
      if (decl.kind == NameRef::kLet && decl.index == current_let_) {
        report(x.span, name_text + " is used in its own definition");
        return Type::kError;
      }
      if (decl.span.line >= current_line_) {
        report(x.span, name_text + " is defined later, at " + at_text(decl.span) +
                           "; move its definition above this line");
        return Type::kError;
      }
      in.ref = decl.kind;
      in.ref_index = decl.index;
      if (decl.kind == NameRef::kParam) return Type::kNumber;
      return let_types_[static_cast<std::size_t>(decl.index)];
    }
    Field f;
    if (find_field(x.name, f)) {
      in.ref = NameRef::kField;
      in.ref_index = static_cast<int>(f);
      return Type::kNumber;
    }
    PositionVar pv;
    if (find_position_var(x.name, pv)) {
      if (d_.expression_mode) {
        report(x.span, name_text + " is not available here: it depends on the strategy's trades");
        return Type::kError;
      }
      in.ref = NameRef::kPosition;
      in.ref_index = static_cast<int>(pv);
      return Type::kNumber;
    }
    if (const FnInfo* fn = find_function(x.name)) {
      report(x.span, name_text + " is a function; call it like " + std::string(fn->signature));
      return Type::kError;
    }
    if (x.name == "true" || x.name == "false") {
      report(x.span, "unknown name " + name_text +
                         " — conditions come from comparisons, e.g. 'close > open'");
      return Type::kError;
    }
    report(x.span, "unknown name " + name_text + did_you_mean(x.name, name_candidates()));
    return Type::kError;
  }

  // A constant argument: a number, a param, or either negated.
  struct Constant {
    enum State { kNo, kUnknown, kYes } state = kNo;
    double value = 0;
    std::string_view param;
  };

  Constant constant(int e) const {
    const Expr& x = expr(e);
    const ExprInfo& in = d_.info[static_cast<std::size_t>(e)];
    if (x.kind == ExprKind::kNumber) return {Constant::kYes, x.number, {}};
    if (x.kind == ExprKind::kName) {
      if (in.type == Type::kError) return {Constant::kUnknown, 0, {}};
      if (in.ref != NameRef::kParam) return {};
      const ParamDecl& p = d_.params[static_cast<std::size_t>(in.ref_index)];
      if (!p.ok) return {Constant::kUnknown, 0, {}};
      return {Constant::kYes, p.value, p.name};
    }
    if (x.kind == ExprKind::kUnary && x.op == Op::kNeg) {
      Constant c = constant(x.a);
      c.value = -c.value;
      return c;
    }
    return {};
  }

  void constant_arg(int arg, ArgKind kind, std::string_view fn, std::string_view arg_name) {
    const Constant c = constant(arg);
    const Span span = expr(arg).span;
    if (c.state == Constant::kUnknown) return;
    if (c.state == Constant::kNo) {
      if (info(arg).type != Type::kError) {
        report(span, std::string(fn) + ": " + std::string(arg_name) +
                         " must be a constant (a number or a param)");
      }
      return;
    }
    std::string problem = check_constant(kind, fn, arg_name, c.value, c.param);
    if (!problem.empty()) report(span, std::move(problem));
  }

  Type call(int e) {
    const Expr& x = expr(e);
    ExprInfo& in = info(e);
    auto check_args = [&] {
      for (int k = 0; k < x.n_args; ++k) check(d_.args[static_cast<std::size_t>(x.first_arg + k)]);
    };
    const FnInfo* fn = find_function(x.name);
    if (fn == nullptr) {
      Field f;
      PositionVar pv;
      if (decls_.count(x.name) != 0 || find_field(x.name, f) || find_position_var(x.name, pv)) {
        report(x.op_span, "'" + std::string(x.name) + "' is not a function");
      } else {
        std::vector<std::string_view> names;
        for (const FnInfo& f2 : functions()) names.push_back(f2.name);
        report(x.op_span,
               "unknown function '" + std::string(x.name) + "'" + did_you_mean(x.name, names));
      }
      check_args();
      return Type::kError;
    }
    in.fn = fn;
    if (x.n_args != fn->n_args) {
      report(x.span, "wrong number of arguments for " + std::string(fn->signature) + ": expected " +
                         std::to_string(fn->n_args) + ", got " + std::to_string(x.n_args));
      check_args();
      return fn->result;
    }
    for (int k = 0; k < x.n_args; ++k) {
      const int arg = d_.args[static_cast<std::size_t>(x.first_arg + k)];
      const Type t = check(arg);
      const ArgKind kind = fn->args[k];
      if (kind == ArgKind::kSeries) {
        if (t == Type::kCondition) {
          report(expr(arg).span, std::string(fn->name) + ": " + std::string(fn->arg_names[k]) +
                                     " must be a number, but this is a condition");
        }
      } else {
        constant_arg(arg, kind, fn->name, fn->arg_names[k]);
      }
    }
    return fn->result;
  }

  Type unary(const Expr& x) {
    const Type t = check(x.a);
    if (x.op == Op::kNot) {
      if (t == Type::kNumber) {
        report(expr(x.a).span, "'not' needs a condition, but this is a number");
      }
      return Type::kCondition;
    }
    if (t == Type::kCondition)
      report(expr(x.a).span, "'-' needs a number, but this is a condition");
    return Type::kNumber;
  }

  Type binary(const Expr& x) {
    const Type l = check(x.a);
    const Type r = check(x.b);
    const std::string op = "'" + std::string(op_text(x.op)) + "'";
    const bool logic = x.op == Op::kAnd || x.op == Op::kOr;
    const bool compare = x.op >= Op::kLt && x.op <= Op::kNe;
    const Type want = logic ? Type::kCondition : Type::kNumber;
    auto side = [&](Type t, int e, const char* which) {
      if (t == Type::kError || t == want) return;
      std::string m;
      if (logic) {
        m = op + " needs conditions on both sides, but the " + which +
            " side is a number (compare it, e.g. 'x > 0')";
      } else if (compare) {
        m = op + " compares numbers, but the " + which + " side is a condition";
      } else {
        m = op + " needs numbers on both sides, but the " + which + " side is a condition";
      }
      report(expr(e).span, std::move(m));
    };
    side(l, x.a, "left");
    side(r, x.b, "right");
    return (logic || compare) ? Type::kCondition : Type::kNumber;
  }

  Type index(const Expr& x) {
    const Type t = check(x.a);
    check(x.b);
    constant_arg(x.b, ArgKind::kOffset, "x[n]", "n");
    return t;
  }

  void rule(const RuleDecl& r, std::string_view word) {
    if (!r.present || r.expr < 0) return;
    current_line_ = r.keyword_span.line;
    const Type t = check(r.expr);
    if (t == Type::kNumber) {
      report(expr(r.expr).span, "'" + std::string(word) +
                                    " when' needs a condition, but this is a number (compare it, "
                                    "e.g. 'x > 0')");
    }
  }

  void amount(const AmountDecl& a, std::string_view word) {
    if (!a.present || !a.ok) return;
    current_line_ = a.keyword_span.line;
    double value = a.literal;
    std::string_view param;
    if (!a.param_name.empty()) {
      const std::string name_text = "'" + std::string(a.param_name) + "'";
      auto it = decls_.find(a.param_name);
      if (it == decls_.end()) {
        Field f;
        PositionVar pv;
        if (find_field(a.param_name, f) || find_position_var(a.param_name, pv) ||
            find_function(a.param_name) != nullptr) {
          report(a.value_span, std::string(word) + " must be a constant (a number or a param)");
        } else {
          std::vector<std::string_view> params;
          for (const ParamDecl& p : d_.params) params.push_back(p.name);
          report(a.value_span, "unknown name " + name_text + did_you_mean(a.param_name, params));
        }
        return;
      }
      const Decl& decl = it->second;
      if (decl.kind != NameRef::kParam) {
        report(a.value_span, std::string(word) + " must be a constant (a number or a param)");
        return;
      }
      if (decl.span.line >= current_line_) {
        report(a.value_span, name_text + " is defined later, at " + at_text(decl.span) +
                                 "; move its definition above this line");
        return;
      }
      const ParamDecl& p = d_.params[static_cast<std::size_t>(decl.index)];
      if (!p.ok) return;
      value = p.value;
      param = p.name;
    }
    std::string problem = check_amount(a, word, value, param);
    if (!problem.empty()) report(a.value_span, std::move(problem));
  }

  ScriptData& d_;
  bool parse_failed_;
  std::unordered_map<std::string_view, Decl> decls_;
  std::vector<std::string_view> names_;  // every declared name, for suggestions
  std::vector<Type> let_types_;
  int current_line_ = 0;
  int current_let_ = -1;
};

}  // namespace

std::string check_constant(ArgKind kind, std::string_view fn, std::string_view arg, double value,
                           std::string_view param) {
  const std::string head = std::string(fn) + ": " + std::string(arg);
  if (kind == ArgKind::kReal) {
    if (!std::isfinite(value)) return head + " must be a finite number" + got(value, param);
    return "";
  }
  if (!std::isfinite(value) || value != std::floor(value)) {
    return head + " must be a whole number" + got(value, param);
  }
  const double min = kind == ArgKind::kOffset ? 0 : 1;
  if (value < min) {
    std::string m = head + " must be at least " + format_number(min) + got(value, param);
    if (kind == ArgKind::kOffset) m += " (x[n] is the value n bars ago)";
    return m;
  }
  if (value > indicators::kMaxLength) {
    return head + " must be at most " + std::to_string(indicators::kMaxLength) + got(value, param);
  }
  return "";
}

std::string check_amount(const AmountDecl& a, std::string_view word, double value,
                         std::string_view param) {
  const std::string w(word);
  const bool literal = param.empty();
  if (word == "size") {
    switch (a.unit) {
      case SizeUnit::kEquity:
        if (literal && !a.percent) {
          return "size in equity must be a percentage, e.g. 'size 20% equity'";
        }
        if (!(value > 0)) return "size must be more than 0% of equity" + got(value, param, true);
        if (value > 1) {
          return "size must be at most 100% of equity (no leverage)" + got(value, param, true);
        }
        return "";
      case SizeUnit::kKrw:
      case SizeUnit::kShares: {
        const std::string unit = a.unit == SizeUnit::kKrw ? "krw" : "shares";
        if (literal && a.percent) {
          return "size in " + unit +
                 " is a plain number, without '%'; for a share of equity "
                 "write 'size N% equity'";
        }
        if (!std::isfinite(value) || value != std::floor(value)) {
          return "size in " + unit + " must be a whole number" + got(value, param);
        }
        if (value < 1) return "size in " + unit + " must be at least 1" + got(value, param);
        if (value > 1e15) return "size in " + unit + " must be at most 1e15" + got(value, param);
        return "";
      }
    }
    return "";
  }
  if (literal && !a.percent) return w + " must be a percentage, e.g. '" + w + " 5%'";
  if (!(value > 0)) return w + " must be more than 0%" + got(value, param, true);
  if (word == "take_profit") {
    if (value > 100) return w + " must be at most 10000%" + got(value, param, true);
  } else if (value >= 1) {
    return w + " must be less than 100%" + got(value, param, true);
  }
  return "";
}

void check(ScriptData& data) { Checker(data).run(); }

}  // namespace quantd::lang::internal
