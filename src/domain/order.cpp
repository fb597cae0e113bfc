#include "quantd/domain/order.h"

namespace quantd::domain {

std::string_view to_string(Side side) { return side == Side::kBuy ? "buy" : "sell"; }

std::string_view to_string(OrderReason reason) {
  switch (reason) {
    case OrderReason::kSignal:
      return "signal";
    case OrderReason::kStopLoss:
      return "stop_loss";
    case OrderReason::kTakeProfit:
      return "take_profit";
    case OrderReason::kTrailingStop:
      return "trailing_stop";
    case OrderReason::kEndOfData:
      return "end_of_data";
    case OrderReason::kFlatten:
      return "flatten";
  }
  return "?";
}

std::optional<Side> parse_side(std::string_view text) {
  if (text == "buy") return Side::kBuy;
  if (text == "sell") return Side::kSell;
  return std::nullopt;
}

std::optional<OrderReason> parse_order_reason(std::string_view text) {
  for (OrderReason r :
       {OrderReason::kSignal, OrderReason::kStopLoss, OrderReason::kTakeProfit,
        OrderReason::kTrailingStop, OrderReason::kEndOfData, OrderReason::kFlatten}) {
    if (to_string(r) == text) return r;
  }
  return std::nullopt;
}

std::string_view to_string(OrderStatus status) {
  return status == OrderStatus::kFilled ? "filled" : "rejected";
}

}  // namespace quantd::domain
