// Bar, Interval and Symbol: the market data vocabulary shared by storage, backtest and live.
//
// A Bar's timestamp is its open time (UTC epoch ms). A bar is completed once its interval has
// passed. Prices are doubles so one type serves KRX data (whole won) and reference data with
// decimals alike; money (cash, fees) is integral KRW elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "quantd/core/time.h"

namespace quantd::domain {

struct Bar {
  TimestampMs ts = 0;  // open time, UTC epoch ms
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  std::int64_t volume = 0;
  friend bool operator==(const Bar&, const Bar&) = default;
};

enum class Interval : std::uint8_t { k1m, k5m, k15m, k30m, k60m, k1d };

// "1m", "5m", "15m", "30m", "60m", "1d".
std::string_view to_string(Interval interval);
// Parses the names above; nullopt for anything else.
std::optional<Interval> parse_interval(std::string_view text);
// Length in milliseconds (1d = 24 h).
std::int64_t interval_ms(Interval interval);

// A KRX ticker such as "005930", or any name a user imports data under.
// Valid: 1..32 chars of [A-Za-z0-9._-].
class Symbol {
 public:
  Symbol() = default;
  explicit Symbol(std::string code) : code_(std::move(code)) {}
  const std::string& str() const { return code_; }
  friend bool operator==(const Symbol&, const Symbol&) = default;
  friend auto operator<=>(const Symbol&, const Symbol&) = default;

 private:
  std::string code_;
};

// True when text is a valid symbol (see Symbol).
bool is_valid_symbol(std::string_view text);

}  // namespace quantd::domain
