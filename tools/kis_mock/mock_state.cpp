#include "mock_state.h"

namespace quantd::kis_mock {

std::string iso_kst(TimestampMs ts) { return format_seoul(ts) + "+09:00"; }

MockState::MockState(MockOptions opts, std::shared_ptr<const Market> m)
    : options(opts), market(std::move(m)), initial_(std::move(opts)) {
  reset();
}

void MockState::reset() {
  options = initial_;
  now = initial_.clock;
  book.reset();
  account =
      std::make_unique<Account>(options.cash, options.holdings, options.commission_bps, *market);
  book = std::make_unique<OrderBook>(*market, *account, options.env, options.fill_volume_pct);
  tokens =
      std::make_unique<TokenService>(options.appkey, options.appsecret, options.token_throttle_s);
  limiter = std::make_unique<RateLimiter>(options.rate_limit_per_s);
  faults.clear();
  counters = Counters{};
  rejected.clear();
  approval_keys.clear();
  ws = WsCounters{};
  ws_drop_requests = 0;
}

std::vector<Execution> MockState::set_clock(TimestampMs ts) {
  now = ts;
  return book->advance(now);
}

std::int64_t MockState::wall_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               started_)
      .count();
}

}  // namespace quantd::kis_mock
