// Intent: what a strategy wants to hold in one symbol, decided at a bar's close.
//
// An intent is a *target position*, never a delta: "hold 100% of equity", "hold 30 shares",
// "hold 2,000,000 KRW worth", "hold nothing". The executor compares it with what is held and
// trades the difference at the next opportunity (the next bar's open in a backtest), so a
// rejected or missed order is simply retried on the next intent and a restart cannot double an
// order. Protective exits (stop loss, take profit, trailing stop) ride along with an entry and are
// then watched by the executor on every bar until the position is flat again.
//
// Value type; thread-safe as any value.
#pragma once

#include <cstdint>

namespace quantd::domain {

// How Intent::value is read.
enum class TargetKind : std::uint8_t {
  kShares,           // value = whole shares to hold (>= 0)
  kPercentOfEquity,  // value = fraction of total equity to hold, 1.0 = all in (>= 0)
  kKrw,              // value = KRW worth to hold, at the fill price (>= 0)
};

// Protective exits as fractions (0.07 = 7%); 0 means "off".
struct ProtectiveExits {
  double stop_loss = 0;    // sell when the price falls to entry × (1 − stop_loss)
  double take_profit = 0;  // sell when the price rises to entry × (1 + take_profit)
  double trailing_stop = 0;  // sell when the price falls to highest close since entry × (1 − trail)
  bool any() const { return stop_loss > 0 || take_profit > 0 || trailing_stop > 0; }
  friend bool operator==(const ProtectiveExits&, const ProtectiveExits&) = default;
};

struct Intent {
  TargetKind kind = TargetKind::kShares;
  double value = 0;
  ProtectiveExits exits;  // applied when this intent opens a position from flat

  // Hold nothing.
  static constexpr Intent flat() { return Intent{TargetKind::kShares, 0, {}}; }
  static constexpr Intent shares(std::int64_t n, ProtectiveExits e = {}) {
    return Intent{TargetKind::kShares, static_cast<double>(n), e};
  }
  static constexpr Intent percent_of_equity(double fraction, ProtectiveExits e = {}) {
    return Intent{TargetKind::kPercentOfEquity, fraction, e};
  }
  static constexpr Intent krw(std::int64_t amount, ProtectiveExits e = {}) {
    return Intent{TargetKind::kKrw, static_cast<double>(amount), e};
  }
  bool is_flat() const { return value == 0; }
  friend bool operator==(const Intent&, const Intent&) = default;
};

}  // namespace quantd::domain
