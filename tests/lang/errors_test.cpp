// Error messages, tried on broken scripts: each case has the exact message and position expected.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "quantd/lang/script.h"

namespace quantd::lang {

namespace {

struct Case {
  const char* script;
  int line;
  int column;
  int length;
  const char* message;
};

// Each script has exactly one error.
const Case kCases[] = {
    // ---- unknown names and functions, with suggestions ----
    {"let f = smaa(close, 20)\nbuy when f > 1\nsell when f < 1", 1, 9, 4,
     "unknown function 'smaa' — did you mean 'sma'?"},
    {"buy when ma(close, 5) > 1\nsell when close < 1", 1, 10, 2,
     "unknown function 'ma' — did you mean 'sma'?"},
    {"buy when crosover(close, open)\nsell when close < 1", 1, 10, 8,
     "unknown function 'crosover' — did you mean 'crossover'?"},
    {"param fast = 10\nbuy when sma(close, fsat) > close\nsell when close < open", 2, 21, 4,
     "unknown name 'fsat' — did you mean 'fast'?"},
    {"buy when clsoe > open\nsell when close < open", 1, 10, 5,
     "unknown name 'clsoe' — did you mean 'close'?"},
    {"let trend = sma(close, 50)\nbuy when close > trnd\nsell when close < trend", 2, 18, 4,
     "unknown name 'trnd' — did you mean 'trend'?"},
    {"buy when position > 1 or entry_pric > 1\nsell when close < 1", 1, 26, 10,
     "unknown name 'entry_pric' — did you mean 'entry_price'?"},
    {"buy when zzz > 1\nsell when close < 1", 1, 10, 3, "unknown name 'zzz'"},
    {"buy when obv > 1\nsell when close < 1", 1, 10, 3, "'obv' is a function; call it like obv()"},
    {"param fast = 5\nbuy when fast(close) > 1\nsell when close < 1", 2, 10, 4,
     "'fast' is not a function"},
    {"buy when true\nsell when close < 1", 1, 10, 4,
     "unknown name 'true' — conditions come from comparisons, e.g. 'close > open'"},
    // ---- arity and constants ----
    {"buy when sma(close) > 1\nsell when close < open", 1, 10, 10,
     "wrong number of arguments for sma(x, n): expected 2, got 1"},
    {"buy when tr(close) > 1\nsell when close < 1", 1, 10, 9,
     "wrong number of arguments for tr(): expected 0, got 1"},
    {"buy when sma(close, 0) > 1\nsell when close < open", 1, 21, 1,
     "sma: n must be at least 1, got 0"},
    {"buy when sma(close, 2.5) > 1\nsell when close < open", 1, 21, 3,
     "sma: n must be a whole number, got 2.5"},
    {"buy when sma(close, 2000000) > 1\nsell when close < open", 1, 21, 7,
     "sma: n must be at most 1000000, got 2000000"},
    {"buy when sma(close, close) > 1\nsell when close < open", 1, 21, 5,
     "sma: n must be a constant (a number or a param)"},
    {"param n = 0\nbuy when ema(close, n) > 1\nsell when close < open", 2, 21, 1,
     "ema: n must be at least 1, but param 'n' is 0"},
    {"buy when macd(close, 12, 26, 0) > 0\nsell when close < open", 1, 30, 1,
     "macd: signal must be at least 1, got 0"},
    {"buy when bb_upper(close, 20, open) > 1\nsell when close < 1", 1, 30, 4,
     "bb_upper: k must be a constant (a number or a param)"},
    {"buy when close[-1] > open\nsell when close < open", 1, 16, 2,
     "x[n]: n must be at least 0, got -1 (x[n] is the value n bars ago)"},
    {"buy when close[open] > open\nsell when close < open", 1, 16, 4,
     "x[n]: n must be a constant (a number or a param)"},
    // ---- types ----
    {"buy when sma(close, 5)\nsell when close < open", 1, 10, 13,
     "'buy when' needs a condition, but this is a number (compare it, e.g. 'x > 0')"},
    {"buy when close > open\nsell when sma(close, 5) + 1", 2, 11, 17,
     "'sell when' needs a condition, but this is a number (compare it, e.g. 'x > 0')"},
    {"buy when rsi(close > open, 14) > 50\nsell when close < open", 1, 14, 12,
     "rsi: x must be a number, but this is a condition"},
    {"buy when crossover(close, open > 1)\nsell when close < 1", 1, 27, 8,
     "crossover: b must be a number, but this is a condition"},
    {"buy when close > open and volume\nsell when close < open", 1, 27, 6,
     "'and' needs conditions on both sides, but the right side is a number (compare it, e.g. "
     "'x > 0')"},
    {"buy when not close\nsell when close < open", 1, 14, 5,
     "'not' needs a condition, but this is a number"},
    {"buy when close + (open > 1) > 2\nsell when close < open", 1, 19, 8,
     "'+' needs numbers on both sides, but the right side is a condition"},
    {"buy when (close > 1) < 2\nsell when close < open", 1, 11, 9,
     "'<' compares numbers, but the left side is a condition"},
    // ---- definitions ----
    {"param a = 1\nparam a = 2\nbuy when close > a\nsell when close < a", 2, 7, 1,
     "'a' is already defined at 1:7"},
    {"let x = close\nlet x = open\nbuy when x > 1\nsell when x < 1", 2, 5, 1,
     "'x' is already defined at 1:5"},
    {"buy when y > 1\nsell when close < 1\nlet y = close", 1, 10, 1,
     "'y' is defined later, at 3:5; move its definition above this line"},
    {"let y = y + 1\nbuy when y > 1\nsell when y < 1", 1, 9, 1,
     "'y' is used in its own definition"},
    {"let buy = close\nbuy when close > 1\nsell when close < 1", 1, 5, 3,
     "'buy' is a keyword and cannot be used as a name"},
    {"let close = open\nbuy when close > 1\nsell when close < 1", 1, 5, 5,
     "'close' is a bar field and cannot be redefined"},
    {"let sma = open\nbuy when close > 1\nsell when close < 1", 1, 5, 3,
     "'sma' is a function and cannot be used as a name"},
    {"let position = 1\nbuy when close > 1\nsell when close < 1", 1, 5, 8,
     "'position' is built in and cannot be redefined"},
    // ---- rules, size and exits ----
    {"buy when close > 1\nsell when close < 1\nbuy when open > 1", 3, 1, 3,
     "duplicate 'buy when' (the first is at 1:1); combine the conditions with 'or'"},
    {"sell when close < open", 1, 1, 1, "the script has no 'buy when' rule"},
    {"buy when close > open", 1, 1, 3,
     "the script has no way out: add 'sell when ...', or a stop_loss, take_profit or "
     "trailing_stop"},
    {"buy when close > open\nstop_loss 5", 2, 11, 1,
     "stop_loss must be a percentage, e.g. 'stop_loss 5%'"},
    {"buy when close > open\nstop_loss 0%", 2, 11, 2, "stop_loss must be more than 0%, got 0%"},
    {"buy when close > open\ntrailing_stop 150%", 2, 15, 4,
     "trailing_stop must be less than 100%, got 150%"},
    {"param stop = 1.5\nbuy when close > open\nstop_loss stop", 3, 11, 4,
     "stop_loss must be less than 100%, but param 'stop' is 1.5 (150%)"},
    {"buy when close > open\ntake_profit 5%\nsize 20 equity", 3, 6, 2,
     "size in equity must be a percentage, e.g. 'size 20% equity'"},
    {"buy when close > open\ntake_profit 5%\nsize 150% equity", 3, 6, 4,
     "size must be at most 100% of equity (no leverage), got 150%"},
    {"buy when close > open\ntake_profit 5%\nsize 10.5 shares", 3, 6, 4,
     "size in shares must be a whole number, got 10.5"},
    {"buy when close > open\ntake_profit 5%\nsize 5% krw", 3, 6, 2,
     "size in krw is a plain number, without '%'; for a share of equity write 'size N% equity'"},
    {"buy when close > open\ntake_profit 5%\nsize 10% equity\nsize 20% equity", 4, 1, 4,
     "duplicate 'size' (the first is at 3:1)"},
    {"buy when close > open\ntake_profit 5%\nsize 100", 3, 9, 1,
     "expected 'equity', 'krw' or 'shares' after the size, found the end of the script"},
    {"buy when close > open\ntake_profit 5%\nsize 20%", 3, 9, 1,
     "expected 'equity' after 'size 20%', found the end of the script"},
    {"let n = close\nbuy when close > open\ntake_profit 5%\nsize n shares", 4, 6, 1,
     "size must be a constant (a number or a param)"},
    // ---- syntax ----
    {"buy close > open\nsell when close < open", 1, 5, 5,
     "expected 'when' after 'buy', found 'close'"},
    {"buy when\nsell when close < open", 1, 9, 1,
     "expected an expression, found the end of the line"},
    {"buy when (close > open\nsell when close < open", 1, 23, 1,
     "expected ')' to close the '(' at 1:10, found the end of the line"},
    {"buy when sma(close, 10 > 1\nsell when close < open", 1, 27, 1,
     "expected ',' or ')' in the call to 'sma' at 1:13, found the end of the line"},
    {"buy when close > open open\nsell when close < open", 1, 23, 4,
     "unexpected 'open' after the expression"},
    {"buy when close > open > high\nsell when close < open", 1, 23, 1,
     "comparisons cannot be chained; combine them with 'and', e.g. 'a < b and b < c'"},
    {"buy when close = open\nsell when close < open", 1, 16, 1,
     "unexpected '=' — write '==' to compare"},
    {"buy when close > open && high > low\nsell when close < open", 1, 23, 2,
     "unexpected '&&' — write 'and'"},
    {"buy when !(close > open)\nsell when close < open", 1, 10, 1,
     "unexpected character '!' — write 'not' to negate, '!=' to compare"},
    {"buy when close > 1.2.3\nsell when close < open", 1, 18, 5, "invalid number '1.2.3'"},
    {"buy when close > 1e5\nsell when close < open", 1, 18, 3, "invalid number '1e5'"},
    {"let = close\nbuy when close > 1\nsell when close < 1", 1, 5, 1,
     "expected a name after 'let', found '='"},
    {"let x close\nbuy when close > 1\nsell when close < 1", 1, 7, 5,
     "expected '=' after 'let x', found 'close'"},
    {"param p = close\nbuy when close > p\nsell when close < p", 1, 11, 5,
     "expected a number after 'param p =', found 'close' (a param is a constant; use 'let' for a "
     "series)"},
    {"x = 5\nbuy when close > 1\nsell when close < 1", 1, 1, 1,
     "expected a statement; to define 'x' write 'let x = ...' or 'param x = ...'"},
    {"by when close > 1\nsell when close < 1", 1, 1, 2,
     "unknown statement 'by' — did you mean 'buy'?"},
    {"buy when close > 1 # fine\nsell when close < 1 ; x", 2, 21, 1,
     "unexpected ';' — write one statement per line"},
    {"buy when 가격 > 1\nsell when close < 1", 1, 10, 1,
     "unexpected character '가' — only comments may contain non-ASCII text"},
    {"buy when close[] > 1\nsell when close < 1", 1, 16, 1,
     "expected an offset inside '[ ]', e.g. 'close[1]'"},
    {"buy when close[1 > 1\nsell when close < 1", 1, 21, 1,
     "expected ']' to close the '[' at 1:15, found the end of the line"},
    {"buy when close > )\nsell when close < 1", 1, 18, 1, "expected an expression, found ')'"},
    {"buy when close > 'a'\nsell when close < 1", 1, 18, 1,
     "unexpected \"'\" — the language has no strings"},
    {"buy when close > 1 when\nsell when close < 1", 1, 20, 4,
     "unexpected 'when' after the expression"},
    {"buy when close > buy\nsell when close < 1", 1, 18, 3,
     "expected an expression, found the keyword 'buy'"},
};

}  // namespace

TEST_CASE("every broken script gets its exact message at its exact position") {
  CHECK(std::size(kCases) >= 30);
  for (const Case& c : kCases) {
    CAPTURE(c.script);
    const Script s = Script::analyze(c.script);
    REQUIRE(s.diagnostics().size() == 1);
    const Diagnostic& d = s.diagnostics()[0];
    CHECK(d.message == c.message);
    CHECK(d.line == c.line);
    CHECK(d.column == c.column);
    CHECK(d.length == c.length);
  }
}

TEST_CASE("one run reports every error of a script, one per broken line, in order") {
  const char* script =
      "param fast = 10\n"
      "let f = smaa(close, fast)\n"  // unknown function
      "let s = sma(close, 30\n"      // parse error: the line is skipped
      "let t = s + f\n"              // s and f are known (broken lines declare their names)
      "buy when crossover(f, s) and rsi(close, 0) < 70\n"  // length < 1
      "sell when crossunder(f, s) or clsoe < 1\n";         // unknown name
  const Script s = Script::analyze(script);
  const std::vector<Diagnostic> want = {
      {2, 9, 4, "unknown function 'smaa' — did you mean 'sma'?"},
      {3, 22, 1, "expected ',' or ')' in the call to 'sma' at 3:12, found the end of the line"},
      {5, 41, 1, "rsi: n must be at least 1, got 0"},
      {6, 31, 5, "unknown name 'clsoe' — did you mean 'close'?"},
  };
  CHECK(s.diagnostics() == want);
}

TEST_CASE("errors are capped, the last one saying how many more there are") {
  std::string script;
  for (int i = 0; i < 80; ++i) script += "buy when nope" + std::to_string(i) + " > 1\n";
  const Script s = Script::analyze(script);
  REQUIRE(s.diagnostics().size() == static_cast<std::size_t>(kMaxDiagnostics));
  CHECK(s.diagnostics().back().message.find("too many errors") == 0);
}

TEST_CASE("the caret snippet underlines the span, counting code points and wide characters") {
  const std::string src = "# 골든 크로스\n\tlet f = smaa(close, 20) # 이동평균\n";
  const Script s = Script::analyze(src + "buy when f > 1\nsell when f < 1\n");
  REQUIRE(s.diagnostics().size() == 1);
  const std::string out = format_diagnostics("g.qs", s.source(), s.diagnostics());
  CHECK(out ==
        "g.qs:2:10: unknown function 'smaa' — did you mean 'sma'?\n"
        "    \tlet f = smaa(close, 20) # 이동평균\n"
        "    \t        ^^^^\n");
  // After Korean text on the same line, columns count characters and the carets count cells.
  const Diagnostic d{1, 6, 2, "x"};
  CHECK(caret_snippet("# 가나 ab\n", d) == "    # 가나 ab\n" + std::string(4 + 7, ' ') + "^^\n");
  // A position at the end of the line gets one caret there.
  const Diagnostic end{1, 9, 1, "x"};
  CHECK(caret_snippet("buy when", end) == "    buy when\n            ^\n");
}

}  // namespace quantd::lang
