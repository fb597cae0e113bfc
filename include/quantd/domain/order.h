// Order and Fill: what an executor does with an intent.
//
// An Order is created only when an intent differs from what is held (or a protective exit
// triggers), so a run records orders only "when something happens". Quantities are whole shares,
// money is integral KRW; prices are doubles because reference data may carry decimals (KRX prices
// are whole won and limit/stop prices are rounded to the KRX tick size).
//
// Value types; thread-safe as any value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "quantd/core/time.h"
#include "quantd/domain/ids.h"

namespace quantd::domain {

enum class Side : std::uint8_t { kBuy, kSell };

// Why an order was placed.
enum class OrderReason : std::uint8_t {
  kSignal,        // a strategy intent
  kStopLoss,      // protective stop loss
  kTakeProfit,    // protective take profit
  kTrailingStop,  // protective trailing stop
  kEndOfData,     // --close-at-end: closed at the last bar's close
  kFlatten,       // live: the operator flattened the position (deactivate with "flatten")
};

enum class OrderStatus : std::uint8_t {
  kFilled,
  kRejected,  // e.g. not enough cash for even one share
};

// "buy" / "sell".
std::string_view to_string(Side side);
// "signal", "stop_loss", "take_profit", "trailing_stop", "end_of_data", "flatten".
std::string_view to_string(OrderReason reason);
// The inverse of to_string(Side) and to_string(OrderReason); nullopt for anything else.
std::optional<Side> parse_side(std::string_view text);
std::optional<OrderReason> parse_order_reason(std::string_view text);
// "filled", "rejected".
std::string_view to_string(OrderStatus status);

struct Fill {
  TimestampMs ts = 0;           // timestamp (open time) of the bar the fill happened in
  std::int64_t quantity = 0;    // > 0
  double price = 0;             // per share, after slippage
  std::int64_t notional = 0;    // round(quantity × price) KRW
  std::int64_t commission = 0;  // KRW, rounded down
  std::int64_t tax = 0;         // KRW, rounded down (sells only)
};

struct Order {
  OrderId id;
  std::uint32_t symbol_index = 0;  // index into the run's symbol list
  Side side = Side::kBuy;
  OrderReason reason = OrderReason::kSignal;
  OrderStatus status = OrderStatus::kFilled;
  TimestampMs decided_ts = 0;  // bar whose close produced the decision (or the trigger bar)
  std::int64_t quantity = 0;   // requested shares (> 0)
  Fill fill;                   // valid when status == kFilled
};

}  // namespace quantd::domain
