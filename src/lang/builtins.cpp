// The language's built-in names (keywords, bar fields, position state, functions) and the
// "did you mean" search over them.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "script_internal.h"

namespace quantd::lang::internal {

namespace {

constexpr std::string_view kKeywords[] = {
    "param",  "let",       "buy",         "sell",          "when", "size", "equity", "krw",
    "shares", "stop_loss", "take_profit", "trailing_stop", "and",  "or",   "not"};

constexpr ArgKind S = ArgKind::kSeries;
constexpr ArgKind L = ArgKind::kLength;
constexpr ArgKind R = ArgKind::kReal;
constexpr Type N = Type::kNumber;
constexpr Type C = Type::kCondition;

const std::vector<FnInfo> kFunctions = {
    {Fn::kSma, "sma", "sma(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kEma, "ema", "ema(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kWma, "wma", "wma(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kRma, "rma", "rma(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kRsi, "rsi", "rsi(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kMacd,
     "macd",
     "macd(x, fast, slow, signal)",
     4,
     {S, L, L, L},
     {"x", "fast", "slow", "signal"},
     N},
    {Fn::kMacdSignal,
     "macd_signal",
     "macd_signal(x, fast, slow, signal)",
     4,
     {S, L, L, L},
     {"x", "fast", "slow", "signal"},
     N},
    {Fn::kMacdHist,
     "macd_hist",
     "macd_hist(x, fast, slow, signal)",
     4,
     {S, L, L, L},
     {"x", "fast", "slow", "signal"},
     N},
    {Fn::kBbUpper, "bb_upper", "bb_upper(x, n, k)", 3, {S, L, R}, {"x", "n", "k"}, N},
    {Fn::kBbMiddle, "bb_middle", "bb_middle(x, n, k)", 3, {S, L, R}, {"x", "n", "k"}, N},
    {Fn::kBbLower, "bb_lower", "bb_lower(x, n, k)", 3, {S, L, R}, {"x", "n", "k"}, N},
    {Fn::kStdev, "stdev", "stdev(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kTr, "tr", "tr()", 0, {}, {}, N},
    {Fn::kAtr, "atr", "atr(n)", 1, {L}, {"n"}, N},
    {Fn::kStochK, "stoch_k", "stoch_k(n, smooth)", 2, {L, L}, {"n", "smooth"}, N},
    {Fn::kStochD, "stoch_d", "stoch_d(n, smooth, d)", 3, {L, L, L}, {"n", "smooth", "d"}, N},
    {Fn::kObv, "obv", "obv()", 0, {}, {}, N},
    {Fn::kHighest, "highest", "highest(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kLowest, "lowest", "lowest(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kRoc, "roc", "roc(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kChange, "change", "change(x, n)", 2, {S, L}, {"x", "n"}, N},
    {Fn::kCrossover, "crossover", "crossover(a, b)", 2, {S, S}, {"a", "b"}, C},
    {Fn::kCrossunder, "crossunder", "crossunder(a, b)", 2, {S, S}, {"a", "b"}, C},
    {Fn::kAbs, "abs", "abs(x)", 1, {S}, {"x"}, N},
    {Fn::kLog, "log", "log(x)", 1, {S}, {"x"}, N},
    {Fn::kMin, "min", "min(a, b)", 2, {S, S}, {"a", "b"}, N},
    {Fn::kMax, "max", "max(a, b)", 2, {S, S}, {"a", "b"}, N},
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive,
// or `limit + 1` once it is certain to exceed `limit`.
int distance(std::string_view a, std::string_view b, int limit) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > limit) return limit + 1;
  if (n > 64 || m > 64) return limit + 1;
  std::array<std::array<int, 65>, 65> d{};
  for (int i = 0; i <= n; ++i) d[i][0] = i;
  for (int j = 0; j <= m; ++j) d[0][j] = j;
  for (int i = 1; i <= n; ++i) {
    int row_min = limit + 1;
    for (int j = 1; j <= m; ++j) {
      const int cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      int v = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1])) {
        v = std::min(v, d[i - 2][j - 2] + 1);
      }
      d[i][j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit) return limit + 1;
  }
  return d[n][m];
}

// Common names from other platforms, mapped to ours.
struct Alias {
  std::string_view from;
  std::string_view to;
};
constexpr Alias kAliases[] = {
    {"ma", "sma"},
    {"std", "stdev"},
    {"stddev", "stdev"},
    {"crossabove", "crossover"},
    {"crossbelow", "crossunder"},
    {"cross_above", "crossover"},
    {"cross_below", "crossunder"},
    {"max_of", "highest"},
    {"min_of", "lowest"},
    {"bbands", "bb_middle"},
    {"vol", "volume"},
    {"price", "close"},
    {"c", "close"},
    {"o", "open"},
    {"h", "high"},
    {"l", "low"},
    {"v", "volume"},
};

}  // namespace

const FnInfo* find_function(std::string_view name) {
  for (const FnInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const std::vector<FnInfo>& functions() { return kFunctions; }

bool is_keyword(std::string_view word) {
  return std::find(std::begin(kKeywords), std::end(kKeywords), word) != std::end(kKeywords);
}

bool find_field(std::string_view name, Field& out) {
  for (std::size_t i = 0; i < std::size(kFieldNames); ++i) {
    if (kFieldNames[i] == name) {
      out = static_cast<Field>(i);
      return true;
    }
  }
  return false;
}

bool find_position_var(std::string_view name, PositionVar& out) {
  for (std::size_t i = 0; i < std::size(kPositionNames); ++i) {
    if (kPositionNames[i] == name) {
      out = static_cast<PositionVar>(i);
      return true;
    }
  }
  return false;
}

std::string_view closest(std::string_view name, const std::vector<std::string_view>& candidates) {
  for (const Alias& a : kAliases) {
    if (a.from == name &&
        std::find(candidates.begin(), candidates.end(), a.to) != candidates.end()) {
      return a.to;
    }
  }
  const int len = static_cast<int>(name.size());
  // One edit for short names, about one per three characters for longer ones; never so many that
  // nothing of the name is left.
  const int limit = std::min(std::max(1, (len + 2) / 3), std::max(0, len - 1));
  std::string_view best;
  int best_d = limit + 1;
  for (std::string_view c : candidates) {
    if (c == name) continue;
    const int dist = distance(name, c, limit);
    if (dist < best_d || (dist == best_d && !best.empty() && c < best)) {
      best = c;
      best_d = dist;
    }
  }
  return best_d <= limit ? best : std::string_view();
}

std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates) {
  const std::string_view c = closest(name, candidates);
  if (c.empty()) return "";
  return " — did you mean '" + std::string(c) + "'?";
}

std::string format_number(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {  // whole numbers in full: "2000000", not "2e+06"
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string_view op_text(Op op) {
  switch (op) {
    case Op::kNone:
      return "";
    case Op::kNeg:
      return "-";
    case Op::kNot:
      return "not";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kAnd:
      return "and";
    case Op::kOr:
      return "or";
  }
  return "";
}

}  // namespace quantd::lang::internal
