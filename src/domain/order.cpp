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
  }
  return "?";
}

std::string_view to_string(OrderStatus status) {
  return status == OrderStatus::kFilled ? "filled" : "rejected";
}

}  // namespace quantd::domain
