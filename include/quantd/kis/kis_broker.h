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
#include "quantd/storage/database.h"

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
  // "token_invalid" while KIS re-serves a dead token (KisRest::token_invalid).
  std::string blocked_reason() const override;

 private:
  std::shared_ptr<KisRest> rest_;
  const Clock& clock_;
};

// The bars of a live session with `live.feed = "kis"` (LIVE.md §7.1, §7.4). Days before today
// come from storage (storage::load_bars, the backtest's rule; for a daily strategy with nothing
// stored, KIS's daily chart), because KIS paper has no past-minute API; today's come from KIS:
// 1-minute bars from inquire-time-itemchartprice (today only, walked back 30 rows a call from
// `to` until `from` is covered), longer intervals aggregated from them, daily bars from
// inquire-daily-itemchartprice. Today's completed minutes are stored as they arrive (upsert, so
// idempotent), so tomorrow's warm-up, the nightly backtest-vs-live diff and a backtest of the day
// see exactly the bars the session traded on. A bar still in progress is returned as KIS gives
// it; MarketDataService drops it.
class KisChartSource final : public live::MinuteBarSource {
 public:
  // `db` (migrated) is not owned and must outlive the source.
  KisChartSource(std::shared_ptr<KisRest> rest, storage::Database& db)
      : rest_(std::move(rest)), db_(db) {}
  Result<std::vector<domain::Bar>> bars(const domain::Symbol& symbol, domain::Interval interval,
                                        TimestampMs from, TimestampMs to, TimestampMs now) override;
  std::string_view name() const override { return "kis"; }

 private:
  std::shared_ptr<KisRest> rest_;
  storage::Database& db_;
};

}  // namespace quantd::kis
