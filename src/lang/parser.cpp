// The parser: recursive descent over the tokens of one line at a time.
//
// Error recovery is by line: every statement is one line, so after the first error in a line the
// rest of it is skipped and parsing resumes at the next, which reports every broken line of a
// script in one run without cascades. A name whose `let`/`param` line failed still counts as
// declared (with an unknown value), so its uses raise no second error.
//
// Bounds: nesting (parentheses, calls, unary operators, brackets) is limited to kMaxNesting and
// the depth of the tree to 2 * kMaxNesting, so neither the parser nor the recursive checker and
// compiler can exhaust the stack.
#include <algorithm>

#include "script_internal.h"

namespace quantd::lang::internal {

namespace {

constexpr std::string_view kStatements[] = {"param", "let",       "buy",         "sell",
                                            "size",  "stop_loss", "take_profit", "trailing_stop"};
constexpr int kMaxDepth = 2 * kMaxNesting;

class Parser {
 public:
  explicit Parser(ScriptData& d) : d_(d), lex_(d.source) { cur_ = lex_.next(); }

  void script() {
    while (peek().kind != Tok::kEnd) {
      line_failed_ = false;
      statement();
      if (!line_failed_ && !at_line_end()) {
        fail(peek(), "unexpected " + describe(peek()) + " after the end of the statement");
      }
      while (!at_line_end()) take();
      if (peek().kind == Tok::kNewline) take();
    }
  }

  void expression_only() {
    line_failed_ = false;
    if (at_line_end()) {
      fail(peek(), "expected an expression, found " + describe(peek()));
      return;
    }
    const int e = expr();
    if (e < 0) return;
    if (peek().kind == Tok::kNewline) {
      fail(peek(), "an expression must be on one line");
      return;
    }
    if (!at_line_end()) {
      fail(peek(), unexpected_after_expression());
      return;
    }
    d_.result = e;
  }

 private:
  const std::string& error_of(const Token& t) const { return lex_.error(t); }

  // Tokens are returned by value: the parser's buffer moves on under any reference.
  Token peek(int ahead = 0) {
    if (ahead == 0) return cur_;
    if (!have_next_) {
      next_ = lex_.next();
      have_next_ = true;
    }
    return next_;
  }
  Token take() {
    prev_ = cur_;
    if (cur_.kind != Tok::kEnd) {
      cur_ = have_next_ ? next_ : lex_.next();
      have_next_ = false;
    }
    return prev_;
  }
  bool at_line_end() {
    const Tok k = peek().kind;
    return k == Tok::kNewline || k == Tok::kEnd;
  }
  bool is_word(const Token& t, std::string_view w) const {
    return t.kind == Tok::kIdent && t.text == w;
  }

  // Records the line's first error and returns -1 for the callers to pass up.
  int fail(const Token& at, std::string message) { return fail(at.span, std::move(message), at); }
  int fail(Span at, std::string message) { return fail(at, std::move(message), peek()); }
  int fail(Span at, std::string message, const Token& t) {
    if (line_failed_) return -1;
    line_failed_ = true;
    if (t.kind == Tok::kError && t.span.line == at.line && t.span.col <= at.col) {
      // A lexical error earlier than (or at) the parse error explains it.
      d_.diagnostics.push_back({t.span.line, t.span.col, t.span.len, error_of(t)});
      return -1;
    }
    d_.diagnostics.push_back({at.line, at.col, std::max(1, at.len), std::move(message)});
    return -1;
  }

  // ---- statements ----

  void statement() {
    const Token& t = peek();
    if (t.kind == Tok::kNewline || t.kind == Tok::kEnd) return;
    if (t.kind != Tok::kIdent) {
      fail(t,
           "expected a statement (param, let, buy when, sell when, size, stop_loss, "
           "take_profit or trailing_stop), found " +
               describe(t));
      return;
    }
    if (t.text == "param") return param_statement();
    if (t.text == "let") return let_statement();
    if (t.text == "buy") return rule_statement(d_.buy, "buy");
    if (t.text == "sell") return rule_statement(d_.sell, "sell");
    if (t.text == "size") return size_statement();
    if (t.text == "stop_loss") return exit_statement(d_.stop_loss);
    if (t.text == "take_profit") return exit_statement(d_.take_profit);
    if (t.text == "trailing_stop") return exit_statement(d_.trailing_stop);
    if (peek(1).kind == Tok::kAssign) {
      fail(t, "expected a statement; to define '" + std::string(t.text) + "' write 'let " +
                  std::string(t.text) + " = ...' or 'param " + std::string(t.text) + " = ...'");
      return;
    }
    std::vector<std::string_view> cands(std::begin(kStatements), std::end(kStatements));
    const std::string_view guess = closest(t.text, cands);
    if (!guess.empty()) {
      fail(t, "unknown statement " + describe(t) + " — did you mean '" + std::string(guess) + "'?");
    } else {
      fail(t,
           "expected a statement (param, let, buy when, sell when, size, stop_loss, "
           "take_profit or trailing_stop), found " +
               describe(t));
    }
  }

  // The name after `let` / `param`; false (after reporting) when it is not a usable name.
  bool declared_name(const Token& keyword, Span& span, std::string_view& name) {
    const Token& t = peek();
    if (t.kind != Tok::kIdent) {
      fail(t, "expected a name after '" + std::string(keyword.text) + "', found " + describe(t));
      return false;
    }
    Field f;
    PositionVar pv;
    if (is_keyword(t.text)) {
      fail(t, describe(t) + " is a keyword and cannot be used as a name");
      return false;
    }
    if (find_field(t.text, f)) {
      fail(t, describe(t) + " is a bar field and cannot be redefined");
      return false;
    }
    if (find_position_var(t.text, pv)) {
      fail(t, describe(t) + " is built in and cannot be redefined");
      return false;
    }
    if (find_function(t.text) != nullptr) {
      fail(t, describe(t) + " is a function and cannot be used as a name");
      return false;
    }
    span = t.span;
    name = t.text;
    take();
    return true;
  }

  void param_statement() {
    const Token& kw = take();
    ParamDecl p;
    if (!declared_name(kw, p.name_span, p.name)) return;
    const std::size_t index = d_.params.size();
    d_.params.push_back(p);  // declared even if the rest fails
    if (peek().kind != Tok::kAssign) {
      fail(peek(),
           "expected '=' after 'param " + std::string(p.name) + "', found " + describe(peek()));
      return;
    }
    take();
    bool negative = false;
    if (peek().kind == Tok::kMinus) {
      negative = true;
      take();
    }
    const Token& v = peek();
    if (v.kind != Tok::kNumber) {
      std::string msg =
          "expected a number after 'param " + std::string(p.name) + " =', found " + describe(v);
      if (v.kind == Tok::kIdent || v.kind == Tok::kLParen) {
        msg += " (a param is a constant; use 'let' for a series)";
      }
      fail(v, std::move(msg));
      return;
    }
    take();
    d_.params[index].value = negative ? -v.number : v.number;
    d_.params[index].ok = true;
  }

  void let_statement() {
    const Token& kw = take();
    LetDecl l;
    if (!declared_name(kw, l.name_span, l.name)) return;
    const std::size_t index = d_.lets.size();
    d_.lets.push_back(l);
    if (peek().kind != Tok::kAssign) {
      fail(peek(),
           "expected '=' after 'let " + std::string(l.name) + "', found " + describe(peek()));
      return;
    }
    take();
    const int e = required_expr();
    if (e < 0) return;
    d_.lets[index].expr = e;
  }

  void rule_statement(RuleDecl& rule, std::string_view word) {
    const Token& kw = take();
    const bool duplicate = rule.present;
    if (!duplicate) {
      // Present even if the rest of the line fails, so that no "has no rule" error follows.
      rule.present = true;
      rule.keyword_span = kw.span;
      rule.expr = -1;
    }
    if (!is_word(peek(), "when")) {
      fail(peek(), "expected 'when' after '" + std::string(word) + "', found " + describe(peek()));
      return;
    }
    take();
    const int e = required_expr();
    if (!duplicate) {
      rule.expr = e;
    } else if (e >= 0) {  // a broken duplicate line gets its parse error only
      duplicate_rules_.push_back({kw.span, rule.keyword_span, std::string(word)});
    }
  }

  // A literal number or a param name; fills literal/param_name/value_span.
  bool amount_value(AmountDecl& a, std::string_view what) {
    const Token& v = peek();
    if (v.kind == Tok::kNumber) {
      a.literal = v.number;
      a.percent = v.percent;
      a.value_span = v.span;
      take();
      return true;
    }
    if (v.kind == Tok::kIdent && !is_keyword(v.text)) {
      a.param_name = v.text;
      a.value_span = v.span;
      take();
      return true;
    }
    fail(v, "expected " + std::string(what) + ", found " + describe(v));
    return false;
  }

  void size_statement() {
    const Token& kw = take();
    AmountDecl a;
    a.present = true;
    a.keyword_span = kw.span;
    size_tail(a);
    store_amount(d_.size, a, "size");
  }

  void size_tail(AmountDecl& a) {
    if (!amount_value(a, "a size after 'size', e.g. 'size 20% equity'")) return;
    const Token& u = peek();
    if (is_word(u, "equity")) {
      a.unit = SizeUnit::kEquity;
    } else if (is_word(u, "krw")) {
      a.unit = SizeUnit::kKrw;
    } else if (is_word(u, "shares")) {
      a.unit = SizeUnit::kShares;
    } else {
      const Token prev = prev_;
      if (prev.percent) {
        fail(u,
             "expected 'equity' after 'size " + std::string(prev.text) + "', found " + describe(u));
      } else {
        fail(u, "expected 'equity', 'krw' or 'shares' after the size, found " + describe(u));
      }
      return;
    }
    take();
    a.ok = true;
  }

  void exit_statement(AmountDecl& target) {
    const Token& kw = take();
    AmountDecl a;
    a.present = true;
    a.keyword_span = kw.span;
    a.ok = amount_value(a, "a percentage after '" + std::string(kw.text) + "', e.g. '" +
                               std::string(kw.text) + " 5%'");
    store_amount(target, a, kw.text);
  }

  void store_amount(AmountDecl& target, const AmountDecl& a, std::string_view word) {
    if (target.present) {
      if (!a.ok) return;  // a broken duplicate line gets its parse error only
      d_.diagnostics.push_back({a.keyword_span.line, a.keyword_span.col, a.keyword_span.len,
                                "duplicate '" + std::string(word) + "' (the first is at " +
                                    std::to_string(target.keyword_span.line) + ":" +
                                    std::to_string(target.keyword_span.col) + ")"});
      return;
    }
    target = a;
  }

  // ---- expressions ----

  int required_expr() {
    if (at_line_end()) return fail(peek(), "expected an expression, found " + describe(peek()));
    const int e = expr();
    if (e >= 0 && !at_line_end()) return fail(peek(), unexpected_after_expression());
    return e;
  }

  std::string unexpected_after_expression() {
    const Token& t = peek();
    if (t.kind == Tok::kAssign) return "unexpected '=' — write '==' to compare";
    if (t.kind == Tok::kRParen) return "unexpected ')' without a matching '('";
    if (t.kind == Tok::kRBracket) return "unexpected ']' without a matching '['";
    if (t.kind == Tok::kError) return error_of(t);
    return "unexpected " + describe(t) + " after the expression";
  }

  int add(Expr e) {
    int depth = 1;
    if (e.a >= 0) depth = std::max(depth, depth_[static_cast<std::size_t>(e.a)] + 1);
    if (e.b >= 0) depth = std::max(depth, depth_[static_cast<std::size_t>(e.b)] + 1);
    for (int k = 0; k < e.n_args; ++k) {
      const int arg = d_.args[static_cast<std::size_t>(e.first_arg + k)];
      depth = std::max(depth, depth_[static_cast<std::size_t>(arg)] + 1);
    }
    if (depth > kMaxDepth) {
      return fail(e.span, "expression is too deeply nested (more than " +
                              std::to_string(kMaxDepth) + " levels)");
    }
    d_.exprs.push_back(e);
    depth_.push_back(depth);
    return static_cast<int>(d_.exprs.size()) - 1;
  }

  int binary(Op op, Span op_span, int l, int r) {
    Expr e;
    e.kind = ExprKind::kBinary;
    e.op = op;
    e.a = l;
    e.b = r;
    e.op_span = op_span;
    e.span = join(span_of(l), span_of(r));
    return add(e);
  }

  Span span_of(int e) const { return d_.exprs[static_cast<std::size_t>(e)].span; }

  struct NestingGuard {
    explicit NestingGuard(int& n) : n_(n) { ++n_; }
    ~NestingGuard() { --n_; }
    int& n_;
  };

  int expr() {
    NestingGuard guard(nesting_);
    if (nesting_ > kMaxNesting) {
      return fail(peek(), "expression is too deeply nested (more than " +
                              std::to_string(kMaxNesting) + " levels)");
    }
    return or_expr();
  }

  int or_expr() {
    int l = and_expr();
    while (l >= 0 && is_word(peek(), "or")) {
      const Span op = take().span;
      const int r = and_expr();
      if (r < 0) return -1;
      l = binary(Op::kOr, op, l, r);
    }
    return l;
  }

  int and_expr() {
    int l = not_expr();
    while (l >= 0 && is_word(peek(), "and")) {
      const Span op = take().span;
      const int r = not_expr();
      if (r < 0) return -1;
      l = binary(Op::kAnd, op, l, r);
    }
    return l;
  }

  int not_expr() {
    if (!is_word(peek(), "not")) return comparison();
    NestingGuard guard(nesting_);
    const Token& kw = take();
    if (nesting_ > kMaxNesting) {
      return fail(kw, "expression is too deeply nested (more than " + std::to_string(kMaxNesting) +
                          " levels)");
    }
    const int a = not_expr();
    if (a < 0) return -1;
    Expr e;
    e.kind = ExprKind::kUnary;
    e.op = Op::kNot;
    e.a = a;
    e.op_span = kw.span;
    e.span = join(kw.span, span_of(a));
    return add(e);
  }

  static bool comparison_op(Tok k, Op& op) {
    switch (k) {
      case Tok::kLt:
        op = Op::kLt;
        return true;
      case Tok::kLe:
        op = Op::kLe;
        return true;
      case Tok::kGt:
        op = Op::kGt;
        return true;
      case Tok::kGe:
        op = Op::kGe;
        return true;
      case Tok::kEq:
        op = Op::kEq;
        return true;
      case Tok::kNe:
        op = Op::kNe;
        return true;
      default:
        return false;
    }
  }

  int comparison() {
    const int l = additive();
    if (l < 0) return -1;
    Op op;
    if (!comparison_op(peek().kind, op)) return l;
    const Span op_span = take().span;
    const int r = additive();
    if (r < 0) return -1;
    const int e = binary(op, op_span, l, r);
    if (e < 0) return -1;
    Op again;
    if (comparison_op(peek().kind, again)) {
      return fail(peek(),
                  "comparisons cannot be chained; combine them with 'and', e.g. "
                  "'a < b and b < c'");
    }
    return e;
  }

  int additive() {
    int l = multiplicative();
    while (l >= 0 && (peek().kind == Tok::kPlus || peek().kind == Tok::kMinus)) {
      const Token& t = take();
      const int r = multiplicative();
      if (r < 0) return -1;
      l = binary(t.kind == Tok::kPlus ? Op::kAdd : Op::kSub, t.span, l, r);
    }
    return l;
  }

  int multiplicative() {
    int l = unary();
    while (l >= 0 && (peek().kind == Tok::kStar || peek().kind == Tok::kSlash)) {
      const Token& t = take();
      const int r = unary();
      if (r < 0) return -1;
      l = binary(t.kind == Tok::kStar ? Op::kMul : Op::kDiv, t.span, l, r);
    }
    return l;
  }

  int unary() {
    if (peek().kind != Tok::kMinus) return postfix();
    NestingGuard guard(nesting_);
    const Token& t = take();
    if (nesting_ > kMaxNesting) {
      return fail(t, "expression is too deeply nested (more than " + std::to_string(kMaxNesting) +
                         " levels)");
    }
    const int a = unary();
    if (a < 0) return -1;
    Expr e;
    e.kind = ExprKind::kUnary;
    e.op = Op::kNeg;
    e.a = a;
    e.op_span = t.span;
    e.span = join(t.span, span_of(a));
    return add(e);
  }

  int postfix() {
    int e = primary();
    while (e >= 0 && peek().kind == Tok::kLBracket) {
      const Token& open = take();
      if (peek().kind == Tok::kRBracket)
        return fail(peek(), "expected an offset inside '[ ]', e.g. 'close[1]'");
      if (at_line_end())
        return fail(peek(), "expected an offset after '[', found " + describe(peek()));
      const int idx = expr();
      if (idx < 0) return -1;
      if (peek().kind != Tok::kRBracket) {
        return fail(peek(), "expected ']' to close the '[' at " + pos(open.span) + ", found " +
                                describe(peek()));
      }
      const Span close = take().span;
      Expr x;
      x.kind = ExprKind::kIndex;
      x.a = e;
      x.b = idx;
      x.op_span = join(open.span, close);
      x.span = join(span_of(e), close);
      e = add(x);
    }
    return e;
  }

  static std::string pos(Span s) { return std::to_string(s.line) + ":" + std::to_string(s.col); }

  int primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kNumber: {
        take();
        Expr e;
        e.kind = ExprKind::kNumber;
        e.number = t.number;
        e.percent = t.percent;
        e.span = e.op_span = t.span;
        return add(e);
      }
      case Tok::kIdent: {
        if (is_keyword(t.text)) {
          return fail(t, "expected an expression, found the keyword " + describe(t));
        }
        take();
        if (peek().kind == Tok::kLParen) return call(t);
        Expr e;
        e.kind = ExprKind::kName;
        e.name = t.text;
        e.span = e.op_span = t.span;
        return add(e);
      }
      case Tok::kLParen: {
        const Token& open = take();  // the nesting is counted by expr()
        if (peek().kind == Tok::kRParen) return fail(peek(), "expected an expression inside '( )'");
        if (at_line_end())
          return fail(peek(), "expected an expression after '(', found " + describe(peek()));
        const int e = expr();
        if (e < 0) return -1;
        if (peek().kind != Tok::kRParen) {
          return fail(peek(), "expected ')' to close the '(' at " + pos(open.span) + ", found " +
                                  describe(peek()));
        }
        take();
        return e;
      }
      case Tok::kError:
        return fail(t, error_of(t));
      default:
        return fail(t, "expected an expression, found " + describe(t));
    }
  }

  int call(const Token& name) {
    const Token& open = take();  // the nesting is counted by expr() for each argument
    std::vector<int> args;
    if (peek().kind == Tok::kRParen) {
      take();
    } else {
      for (;;) {
        if (at_line_end()) {
          return fail(peek(), "expected ')' to close the call to '" + std::string(name.text) +
                                  "' at " + pos(open.span) + ", found " + describe(peek()));
        }
        const int a = expr();
        if (a < 0) return -1;
        args.push_back(a);
        if (peek().kind == Tok::kComma) {
          take();
          continue;
        }
        if (peek().kind == Tok::kRParen) {
          take();
          break;
        }
        return fail(peek(), "expected ',' or ')' in the call to '" + std::string(name.text) +
                                "' at " + pos(open.span) + ", found " + describe(peek()));
      }
    }
    Expr e;
    e.kind = ExprKind::kCall;
    e.name = name.text;
    e.op_span = name.span;
    e.span = join(name.span, prev_.span);
    e.first_arg = static_cast<int>(d_.args.size());
    e.n_args = static_cast<int>(args.size());
    d_.args.insert(d_.args.end(), args.begin(), args.end());
    return add(e);
  }

 public:
  struct DuplicateRule {
    Span at;
    Span first;
    std::string word;
  };
  std::vector<DuplicateRule> duplicate_rules_;

 private:
  ScriptData& d_;
  Lexer lex_;
  Token cur_;
  Token next_;  // valid when have_next_
  bool have_next_ = false;
  Token prev_;              // the last token taken
  std::vector<int> depth_;  // parallel to d_.exprs
  int nesting_ = 0;
  bool line_failed_ = false;
};

}  // namespace

void parse(ScriptData& d) {
  Parser p(d);
  if (d.expression_mode) {
    p.expression_only();
    return;
  }
  p.script();
  for (const auto& dup : p.duplicate_rules_) {
    d.diagnostics.push_back(
        {dup.at.line, dup.at.col, dup.at.len,
         "duplicate '" + dup.word + " when' (the first is at " + std::to_string(dup.first.line) +
             ":" + std::to_string(dup.first.col) + "); combine the conditions with 'or'"});
  }
}

}  // namespace quantd::lang::internal
