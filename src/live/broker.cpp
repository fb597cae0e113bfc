#include "quantd/live/broker.h"

namespace quantd::live {

std::string_view to_string(OrderType type) {
  switch (type) {
    case OrderType::kLimit:
      return "limit";
    case OrderType::kMarket:
      return "market";
    case OrderType::kStopMarket:
      return "stop_market";
  }
  return "?";
}

std::optional<OrderType> parse_order_type(std::string_view text) {
  for (OrderType t : {OrderType::kLimit, OrderType::kMarket, OrderType::kStopMarket}) {
    if (to_string(t) == text) return t;
  }
  return std::nullopt;
}

std::string_view to_string(SendOutcome outcome) {
  switch (outcome) {
    case SendOutcome::kAccepted:
      return "accepted";
    case SendOutcome::kRejected:
      return "rejected";
    case SendOutcome::kNotSent:
      return "not_sent";
    case SendOutcome::kUnknown:
      return "unknown";
  }
  return "?";
}

}  // namespace quantd::live
