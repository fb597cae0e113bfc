// KisBroker: live::Broker over the KIS Open API (live.broker = "kis"; LIVE.md §3.2, PROTOCOL §4),
// for KIS's paper (모의투자) and real environments. The desk's rules hold unchanged: submit()
// and cancel() make exactly one attempt (KisRest::post_order), orders() and account() return
// every page or an error. Order times come back as KST "HHMMSS" on the broker's date, which is
// the clock's Seoul date.
//
// Threading: as live::Broker (the desk serialises calls); KisRest itself is thread-safe.
#pragma once

#include <memory>

#include "quantd/core/clock.h"
#include "quantd/kis/kis_rest.h"
#include "quantd/live/broker.h"
#include "quantd/live/market_data.h"

namespace quantd::kis {

class KisBroker final : public live::Broker {
 public:
  // `rest` is shared with the market data source of the same app key (one rate limit for both).
  KisBroker(std::shared_ptr<KisRest> rest, const Clock& clock);

  // name "kis"; order_book_lag_s: KIS's "may appear with some delay" (LIVE.md §4.3 settle
  // window: 60 s paper, 30 s real).
  live::BrokerCaps caps() const override;
  live::SendResult submit(const live::OrderRequest& request) override;
  live::SendResult cancel(const live::BrokerOrderRef& ref, const domain::Symbol& symbol,
                          std::int64_t quantity) override;
  Result<std::vector<live::BrokerOrder>> orders(const live::OrderQuery& query) override;
  Result<live::AccountView> account() override;

 private:
  std::shared_ptr<KisRest> rest_;
  const Clock& clock_;
};

// The minute bars of a live session from KIS (inquire-time-itemchartprice, today only; LIVE.md
// §7.1): each call walks back 30 bars at a time from `to` until `from` is covered. Intervals
// other than 1m are refused (MarketDataService aggregates). A bar still in progress is returned
// as KIS gives it; MarketDataService drops it.
class KisChartSource final : public live::MinuteBarSource {
 public:
  explicit KisChartSource(std::shared_ptr<KisRest> rest) : rest_(std::move(rest)) {}
  Result<std::vector<domain::Bar>> bars(const domain::Symbol& symbol, domain::Interval interval,
                                        TimestampMs from, TimestampMs to, TimestampMs now) override;
  std::string_view name() const override { return "kis"; }

 private:
  std::shared_ptr<KisRest> rest_;
};

}  // namespace quantd::kis
