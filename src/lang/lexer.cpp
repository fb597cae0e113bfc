// The lexer: bytes to tokens with exact line:column positions.
//
// Columns count code points, so UTF-8 text in comments (the only place non-ASCII is allowed) does
// not shift later positions. The lexer never fails: what it cannot read becomes a kError token
// whose message the parser reports, and lexing goes on at the next line.
#include <charconv>
#include <cstdio>
#include <string>

#include "script_internal.h"

namespace quantd::lang::internal {

namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

// Length in bytes of the UTF-8 sequence starting at s[i], and its code point; 0 if invalid.
int utf8_sequence(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int n;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + static_cast<std::size_t>(n) > s.size()) return 0;
  for (int k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Text for a message, cut to a sane length.
std::string clip(std::string_view s) {
  if (s.size() <= 40) return std::string(s);
  return std::string(s.substr(0, 37)) + "...";
}

}  // namespace

Token Lexer::next() {
  while (pos_ < src_.size()) {
    const char c = src_[pos_];
    if (c == '\n') {
      Token t = make(Tok::kNewline, pos_, 1);
      ++pos_;
      ++line_;
      col_ = 1;
      return t;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      advance(1);
    } else if (c == '#') {
      skip_to_line_end();
    } else if (is_ident_start(c)) {
      std::size_t n = 1;
      while (pos_ + n < src_.size() && is_ident_char(src_[pos_ + n])) ++n;
      Token t = make(Tok::kIdent, pos_, n);
      advance(n);
      return t;
    } else {
      const bool numeric =
          is_digit(c) || (c == '.' && pos_ + 1 < src_.size() && is_digit(src_[pos_ + 1]));
      Token t = numeric ? number() : punctuation();
      if (t.kind == Tok::kError) skip_to_line_end();
      return t;
    }
  }
  return make(Tok::kEnd, pos_, 0);
}

Token Lexer::make(Tok kind, std::size_t start, std::size_t bytes) const {
  Token t;
  t.kind = kind;
  t.span = Span{line_, col_, static_cast<int>(bytes == 0 ? 1 : bytes)};
  t.text = src_.substr(start, bytes);
  return t;
}

Token Lexer::error_token(std::size_t bytes, int columns, std::string message) {
  Token t = make(Tok::kError, pos_, bytes);
  t.span.len = columns;
  t.error = static_cast<int>(errors_.size());
  errors_.push_back(std::move(message));
  return t;
}

void Lexer::advance(std::size_t bytes) {
  pos_ += bytes;
  col_ += static_cast<int>(bytes);
}

// Leaves pos_ at the next '\n' (or the end); columns matter no more on this line.
void Lexer::skip_to_line_end() {
  while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
}

Token Lexer::number() {
  std::size_t n = 0;
  while (pos_ + n < src_.size() && is_digit(src_[pos_ + n])) ++n;
  bool bad = false;
  if (pos_ + n < src_.size() && src_[pos_ + n] == '.') {
    ++n;
    std::size_t digits = 0;
    while (pos_ + n < src_.size() && is_digit(src_[pos_ + n])) ++n, ++digits;
    if (digits == 0) bad = true;
  }
  // A number runs into letters, digits, '_' or another '.': "1e5", "12abc", "1.2.3".
  std::size_t run = n;
  while (pos_ + run < src_.size() && (is_ident_char(src_[pos_ + run]) || src_[pos_ + run] == '.')) {
    ++run;
  }
  if (bad || run != n) {
    const std::string_view text = src_.substr(pos_, run);
    return error_token(run, static_cast<int>(run), "invalid number '" + clip(text) + "'");
  }
  const std::string_view text = src_.substr(pos_, n);
  double v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return error_token(n, static_cast<int>(n), "number '" + clip(text) + "' is too large");
  }
  const bool percent = pos_ + n < src_.size() && src_[pos_ + n] == '%';
  if (percent) {
    // N% is the decimal N * 10^-2 rounded once, like the literal written out ("0.7%" is the
    // double nearest 0.007, the value of "0.007"); parsing N and then dividing by 100 rounds
    // twice and gives 0.006999999999999999, which breaks exact comparisons with "0.007".
    const std::string scaled = std::string(text) + "e-2";
    double fraction = 0;
    const auto r = std::from_chars(scaled.data(), scaled.data() + scaled.size(), fraction);
    v = r.ec == std::errc() ? fraction : v / 100.0;  // out of range only for absurdly tiny numbers
  }
  Token t = make(Tok::kNumber, pos_, n + (percent ? 1 : 0));
  t.number = v;
  t.percent = percent;
  advance(n + (percent ? 1 : 0));
  return t;
}

Token Lexer::punctuation() {
  const char c = src_[pos_];
  const char next = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
  auto one = [&](Tok k) {
    Token t = make(k, pos_, 1);
    advance(1);
    return t;
  };
  auto two = [&](Tok k) {
    Token t = make(k, pos_, 2);
    advance(2);
    return t;
  };
  switch (c) {
    case '(':
      return one(Tok::kLParen);
    case ')':
      return one(Tok::kRParen);
    case '[':
      return one(Tok::kLBracket);
    case ']':
      return one(Tok::kRBracket);
    case ',':
      return one(Tok::kComma);
    case '+':
      return one(Tok::kPlus);
    case '-':
      return one(Tok::kMinus);
    case '*':
      return one(Tok::kStar);
    case '/':
      return one(Tok::kSlash);
    case '<':
      return next == '=' ? two(Tok::kLe) : one(Tok::kLt);
    case '>':
      return next == '=' ? two(Tok::kGe) : one(Tok::kGt);
    case '=':
      return next == '=' ? two(Tok::kEq) : one(Tok::kAssign);
    case '!':
      if (next == '=') return two(Tok::kNe);
      return error_token(1, 1, "unexpected character '!' — write 'not' to negate, '!=' to compare");
    case '&':
      return error_token(
          next == '&' ? 2 : 1, next == '&' ? 2 : 1,
          std::string("unexpected '") + (next == '&' ? "&&" : "&") + "' — write 'and'");
    case '|':
      return error_token(
          next == '|' ? 2 : 1, next == '|' ? 2 : 1,
          std::string("unexpected '") + (next == '|' ? "||" : "|") + "' — write 'or'");
    case '%':
      return error_token(
          1, 1, "unexpected '%' — a percentage is written right after its number, e.g. '7%'");
    case ';':
      return error_token(1, 1, "unexpected ';' — write one statement per line");
    case '"':
    case '\'':
      return error_token(1, 1,
                         std::string("unexpected ") + (c == '"' ? "'\"'" : "\"'\"") +
                             " — the language has no strings");
    default:
      break;
  }
  char32_t cp = 0;
  const int n = utf8_sequence(src_, pos_, cp);
  if (n == 0) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "invalid UTF-8 byte 0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(c)));
    return error_token(1, 1, buf);
  }
  if (n == 1 && (cp < 0x20 || cp == 0x7F)) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "unexpected control character U+%04X",
                  static_cast<unsigned>(cp));
    return error_token(1, 1, buf);
  }
  std::string msg =
      "unexpected character '" + std::string(src_.substr(pos_, static_cast<std::size_t>(n))) + "'";
  if (n > 1) msg += " — only comments may contain non-ASCII text";
  return error_token(static_cast<std::size_t>(n), 1, std::move(msg));
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "the end of the script";
    case Tok::kNewline:
      return "the end of the line";
    case Tok::kError:
      return "'" + clip(t.text) + "'";
    default:
      return "'" + clip(t.text) + "'";
  }
}

}  // namespace quantd::lang::internal
