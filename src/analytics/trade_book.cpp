#include "quantd/analytics/trade_book.h"

namespace quantd::analytics {

TradeBook::TradeBook(std::size_t symbols, std::size_t expected_trades) : open_(symbols) {
  // Sized and touched now rather than page-faulted in on a simulation loop.
  trades_.resize(expected_trades);
  trades_.clear();
}

void TradeBook::on_buy(std::uint32_t s, bool opening, const domain::Fill& fill) {
  Open& o = open_[s];
  if (opening) {
    o = Open{};
    o.trade.symbol_index = s;
    o.trade.entry_ts = fill.ts;
  }
  o.trade.quantity += fill.quantity;
  o.trade.commission += fill.commission;
  o.buy_value += fill.price * static_cast<double>(fill.quantity);
  o.buy_notional += fill.notional;
}

void TradeBook::on_sell(std::uint32_t s, bool closing, const domain::Fill& fill,
                        domain::OrderReason reason) {
  Open& o = open_[s];
  o.trade.commission += fill.commission;
  o.trade.tax += fill.tax;
  o.sell_value += fill.price * static_cast<double>(fill.quantity);
  o.sold += fill.quantity;
  o.sell_notional += fill.notional;
  if (!closing) return;
  Trade t = o.trade;
  t.exit_ts = fill.ts;
  t.entry_price = o.buy_value / static_cast<double>(t.quantity);
  t.exit_price = o.sell_value / static_cast<double>(o.sold);
  t.pnl = o.sell_notional - o.buy_notional - t.commission - t.tax;
  t.exit_reason = reason;
  trades_.push_back(t);
}

}  // namespace quantd::analytics
