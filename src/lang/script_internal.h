// The syntax tree and the checker's findings, shared by the lexer, parser, checker and compiler of
// this component. Not part of the API.
//
// Expressions live in one arena (ScriptData::exprs) and refer to each other by index, so a tree is
// a flat vector: cheap to build, to copy and to free. A statement is one line, so every span is on
// one line and columns are enough to place it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/lang/diagnostic.h"
#include "quantd/lang/script.h"

namespace quantd::lang::internal {

// A place in the source: one line, `len` code points from `col`.
struct Span {
  int line = 1;
  int col = 1;
  int len = 1;
  int end() const { return col + len; }  // one past the last column
};

// [a.col, b.end()) on a's line.
inline Span join(Span a, Span b) {
  if (b.line != a.line || b.end() <= a.col) return a;
  return Span{a.line, a.col, b.end() - a.col};
}

// ---- Tokens ----

enum class Tok : std::uint8_t {
  kEnd,
  kNewline,
  kIdent,
  kNumber,  // `12`, `0.5`, or with `percent` set `7%`
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kAssign,  // =
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kError,  // a character or number the lexer could not read; `error` says why
};

// A small value: the parser copies tokens freely.
struct Token {
  Tok kind = Tok::kEnd;
  bool percent = false;  // kNumber written with '%'
  int error = -1;        // kError: index into Lexer::error()
  Span span;
  std::string_view text;  // into the source
  double number = 0;      // kNumber: the value, with '%' applied
};

// Produces the tokens of `source` one at a time (the parser needs one token of lookahead, so no
// token vector is ever built). Lexical errors become kError tokens, after which the rest of
// their line is skipped. Comments are dropped; each line end is a kNewline; at the end, kEnd
// forever.
class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}
  Token next();
  // The message of a kError token.
  const std::string& error(const Token& t) const {
    return errors_[static_cast<std::size_t>(t.error)];
  }

 private:
  Token make(Tok kind, std::size_t start, std::size_t bytes) const;
  Token error_token(std::size_t bytes, int columns, std::string message);
  void advance(std::size_t bytes);
  void skip_to_line_end();
  Token number();
  Token punctuation();

  std::string_view src_;
  std::vector<std::string> errors_;
  std::size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

// How a token is named in messages: "'sma'", "'('", "the end of the line".
std::string describe(const Token& t);

// ---- Expressions ----

enum class ExprKind : std::uint8_t { kNumber, kName, kCall, kUnary, kBinary, kIndex };

enum class Op : std::uint8_t {
  kNone,
  kNeg,
  kNot,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kLt,
  kLe,
  kGt,
  kGe,
  kEq,
  kNe,
  kAnd,
  kOr,
};

// The operator as written: "+", "<=", "and".
std::string_view op_text(Op op);

struct Expr {
  ExprKind kind = ExprKind::kNumber;
  Op op = Op::kNone;
  Span span;     // the whole expression
  Span op_span;  // the operator, the function name, or the name
  double number = 0;
  bool percent = false;
  std::string_view name;  // kName, kCall: into ScriptData::source
  int a = -1;             // kUnary operand; kBinary left; kIndex series
  int b = -1;             // kBinary right; kIndex offset
  int first_arg = 0;      // kCall: ScriptData::args[first_arg, first_arg + n_args)
  int n_args = 0;
};

// ---- Statements ----

struct ParamDecl {
  std::string_view name;
  Span name_span;
  double value = 0;
  bool ok = false;  // false when the line did not parse: the name exists, its value is unknown
};

struct LetDecl {
  std::string_view name;
  Span name_span;
  int expr = -1;  // -1 when the line did not parse
};

struct RuleDecl {
  bool present = false;
  Span keyword_span;  // `buy` / `sell`
  int expr = -1;      // -1 when the line did not parse
};

enum class SizeUnit : std::uint8_t { kEquity, kKrw, kShares };

// `size ...`, `stop_loss ...`, `take_profit ...`, `trailing_stop ...`: a literal or a param.
struct AmountDecl {
  bool present = false;
  bool ok = false;  // the line parsed
  Span keyword_span;
  Span value_span;
  double literal = 0;  // when `param_name` is empty, with '%' applied
  bool percent = false;
  std::string_view param_name;        // the value is this param
  SizeUnit unit = SizeUnit::kEquity;  // size only
};

// ---- What the checker finds ----

enum class Type : std::uint8_t { kNumber, kCondition, kError };

enum class Field : std::uint8_t { kOpen, kHigh, kLow, kClose, kVolume };
enum class PositionVar : std::uint8_t { kPosition, kEntryPrice, kBarsHeld, kUnrealized };

enum class NameRef : std::uint8_t { kNone, kField, kPosition, kParam, kLet };

enum class Fn : std::uint8_t {
  kSma,
  kEma,
  kWma,
  kRma,
  kRsi,
  kMacd,
  kMacdSignal,
  kMacdHist,
  kBbUpper,
  kBbMiddle,
  kBbLower,
  kStdev,
  kTr,
  kAtr,
  kStochK,
  kStochD,
  kObv,
  kHighest,
  kLowest,
  kRoc,
  kChange,
  kCrossover,
  kCrossunder,
  kAbs,
  kLog,
  kMin,
  kMax,
};

enum class ArgKind : std::uint8_t {
  kSeries,  // any number series
  kLength,  // a constant whole number in [1, kMaxLength]
  kReal,    // a constant finite number
  kOffset,  // the n of x[n]: a constant whole number in [0, kMaxLength]
};

struct FnInfo {
  Fn fn;
  std::string_view name;
  std::string_view signature;  // "sma(x, n)"
  int n_args;
  ArgKind args[4];
  std::string_view arg_names[4];
  Type result;
};

// The function called `name`, or null.
const FnInfo* find_function(std::string_view name);
// Every function, in the order of Fn.
const std::vector<FnInfo>& functions();

struct ExprInfo {
  Type type = Type::kError;
  NameRef ref = NameRef::kNone;
  int ref_index = -1;  // Field / PositionVar value, or the param / let index
  const FnInfo* fn = nullptr;
};

// Expressions refer into `source` by string_view: a ScriptData is built in place and never copied.
struct ScriptData {
  ScriptData() = default;
  ScriptData(const ScriptData&) = delete;
  ScriptData& operator=(const ScriptData&) = delete;

  std::string source;
  std::vector<std::string> owned_names;  // expression mode: the params' names (reserved up front)
  bool expression_mode = false;

  std::vector<Expr> exprs;
  std::vector<int> args;
  std::vector<ExprInfo> info;  // parallel to exprs, filled by the checker

  std::vector<ParamDecl> params;
  std::vector<ParamInfo> param_infos;  // the public view of `params`
  std::vector<LetDecl> lets;
  RuleDecl buy;
  RuleDecl sell;
  AmountDecl size;
  AmountDecl stop_loss;
  AmountDecl take_profit;
  AmountDecl trailing_stop;
  int result = -1;  // expression mode: the expression

  std::vector<Diagnostic> diagnostics;
};

// Parses a script (or, with data.expression_mode, one expression) from data.source into `data`,
// adding parse errors to data.diagnostics.
void parse(ScriptData& data);

// Checks a parsed ScriptData, filling data.info and adding errors to data.diagnostics.
void check(ScriptData& data);

// The closest of `candidates` to `name` by edit distance (case-insensitive, transpositions count
// one), if close enough to be a plausible typo; empty otherwise.
std::string_view closest(std::string_view name, const std::vector<std::string_view>& candidates);

// " — did you mean 'x'?" for closest(name, candidates), or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates);

// Checks the value of a constant argument: "" when valid, else the message, e.g.
// "sma: n must be at least 1, got 0" or, when `param` names the param it came from,
// "sma: n must be at least 1, but param 'len' is 0". `fn` and `arg` name it ("sma", "n").
std::string check_constant(ArgKind kind, std::string_view fn, std::string_view arg, double value,
                           std::string_view param);

// Checks the value of `size`, `stop_loss`, `take_profit` or `trailing_stop` (named by `word`):
// "" when valid, else the message. `param` as for check_constant.
std::string check_amount(const AmountDecl& a, std::string_view word, double value,
                         std::string_view param);

// Shortest decimal text that reads back as `v` ("0.07", "20", "1e+300").
std::string format_number(double v);

// The reserved words of the language.
bool is_keyword(std::string_view word);
// The bar field called `name`.
bool find_field(std::string_view name, Field& out);
// The position variable called `name`.
bool find_position_var(std::string_view name, PositionVar& out);

inline constexpr std::string_view kFieldNames[] = {"open", "high", "low", "close", "volume"};
inline constexpr std::string_view kPositionNames[] = {"position", "entry_price", "bars_held",
                                                      "unrealized"};

}  // namespace quantd::lang::internal
