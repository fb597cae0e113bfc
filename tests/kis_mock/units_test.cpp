// kis-mock's pure parts in-process: the rate bucket, paging keys, token rules, the price band,
// and matching against bars.
#include <doctest/doctest.h>

#include "account.h"
#include "market.h"
#include "order_book.h"
#include "paging.h"
#include "rate_limiter.h"
#include "token_service.h"

namespace quantd::kis_mock {
namespace {

using namespace std::chrono_literals;

TimestampMs kst(int y, int mo, int d, int h, int mi, int s = 0) {
  return from_seoul(CivilDate{y, mo, d}, h, mi, s);
}

TEST_CASE("the rate bucket holds `rate` calls and refills at `rate` per second, per appkey") {
  RateLimiter limiter(2);
  const auto t0 = RateLimiter::Clock::now();
  CHECK(limiter.admit("a", t0));
  CHECK(limiter.admit("a", t0));
  CHECK_FALSE(limiter.admit("a", t0));
  CHECK(limiter.admit("b", t0));  // another appkey has its own bucket
  CHECK_FALSE(limiter.admit("a", t0 + 400ms));
  CHECK(limiter.admit("a", t0 + 500ms));
  RateLimiter paper(1);
  CHECK(paper.admit("k", t0));
  CHECK_FALSE(paper.admit("k", t0 + 999ms));
  CHECK(paper.admit("k", t0 + 1000ms));
}

TEST_CASE("paging: F/D on a first call, M/E on continuations; keys are 100 wide") {
  std::vector<std::string> keys;
  for (int i = 40; i >= 1; --i) keys.push_back("20260709^" + std::to_string(1000 + i));
  const std::string fk = context_key({"50123456", "01", "20260709", "20260709", " ", "00", "00"});
  CHECK(fk.size() == 100);
  CHECK(fk.starts_with("50123456^01^20260709^20260709^ ^00^00^ "));
  PageRequest first;
  const Page p1 = select_page(keys, true, first, fk, 15);
  CHECK(p1.tr_cont == "F");
  CHECK(p1.begin == 0);
  CHECK(p1.end == 15);
  CHECK(p1.nk100.size() == 100);
  CHECK(p1.nk100.starts_with("20260709^1026^ "));
  const Page p2 = select_page(keys, true, {true, fk, p1.nk100}, fk, 15);
  CHECK(p2.tr_cont == "M");
  CHECK(p2.begin == 15);
  const Page p3 = select_page(keys, true, {true, fk, p2.nk100}, fk, 15);
  CHECK(p3.tr_cont == "E");
  CHECK(p3.end - p3.begin == 10);
  CHECK(p3.nk100 == std::string(100, ' '));
  // Keys must come back byte for byte.
  CHECK(select_page(keys, true, {true, fk, "20260709^1026^"}, fk, 15).error_field ==
        "CTX_AREA_NK100");
  CHECK(select_page(keys, true, {true, "x", p1.nk100}, fk, 15).error_field == "CTX_AREA_FK100");
  CHECK(select_page({}, true, first, fk, 15).tr_cont == "D");
}

TEST_CASE("tokens: same token within 6 h, throttle, expiry, invalidation, revoke") {
  TokenService tokens("key", "secret", 60);
  const TimestampMs t0 = kst(2026, 7, 9, 8, 55);
  CHECK(tokens.issue("key", "bad", t0).error_code == "EGW00105");
  CHECK(tokens.issue("nope", "secret", t0).error_code == "EGW00103");
  const TokenAnswer first = tokens.issue("key", "secret", t0);
  REQUIRE(first.error_code.empty());
  CHECK(first.minted);
  CHECK(first.expires_at == t0 + 24 * kMsPerHour);
  CHECK(tokens.issue("key", "secret", t0 + 59'000).error_code == "EGW00133");
  const TokenAnswer again = tokens.issue("key", "secret", t0 + 60'000);
  CHECK_FALSE(again.minted);
  CHECK(again.access_token == first.access_token);
  CHECK(tokens.check(first.access_token, t0) == TokenCheck::kValid);
  // After 6 h a new token, and the old one is invalid from then on.
  const TokenAnswer later = tokens.issue("key", "secret", t0 + 6 * kMsPerHour + 1);
  CHECK(later.minted);
  CHECK(tokens.check(first.access_token, t0 + 6 * kMsPerHour + 2) == TokenCheck::kInvalid);
  // invalidate_token: dead, yet re-served within 6 h of its issuance (LT-18) until revoked.
  const TimestampMs t1 = t0 + 6 * kMsPerHour + 1;
  tokens.invalidate();
  CHECK(tokens.check(later.access_token, t1) == TokenCheck::kInvalid);
  CHECK(tokens.issue("key", "secret", t1 + 61'000).access_token == later.access_token);
  CHECK(tokens.revoke("key", "secret", later.access_token).empty());
  const TokenAnswer fresh = tokens.issue("key", "secret", t1 + 122'000);
  CHECK(fresh.minted);
  CHECK(tokens.check(fresh.access_token, t1 + 122'000) == TokenCheck::kValid);
  // expire_token: EGW00123, and the next tokenP mints.
  tokens.expire_now(t1 + 130'000);
  CHECK(tokens.check(fresh.access_token, t1 + 130'000) == TokenCheck::kExpired);
  CHECK(tokens.issue("key", "secret", t1 + 200'000).minted);
  CHECK(tokens.revoke("key", "secret", "never-issued") == "EGW00121");
}

std::vector<domain::Bar> day_bars() {
  std::vector<domain::Bar> bars;
  bars.push_back({kst(2026, 7, 8, 15, 30), 73400, 73400, 73400, 73400, 100});
  for (int i = 0; i < 10; ++i) {
    bars.push_back({kst(2026, 7, 9, 9, i), 73000, 73200, i == 3 ? 72800.0 : 72900.0, 73100, 10});
  }
  return bars;
}

TEST_CASE("the price band is 30 % of the previous close truncated to its tick (PROTOCOL §7.3)") {
  Market market({{"005930", day_bars()}}, {}, {});
  const PriceLimits band = market.limits("005930", seoul_day(kst(2026, 7, 9, 9, 0)));
  CHECK(band.base == 73400);
  CHECK(band.width == 22000);
  CHECK(band.upper == 95400);
  CHECK(band.lower == 51400);
  CHECK(market.tick("005930", 73000, seoul_day(kst(2026, 7, 9, 9, 0))) == 100);
}

TEST_CASE("matching: market at the next open, limits on trade-through, volume-capped") {
  Market market({{"005930", day_bars()}}, {}, {});
  Account account(10'000'000, {}, 1.40527, market);
  OrderBook book(market, account, Env::kVirtual, 100);
  // A market buy at 09:00:30 waits for the 09:01 open.
  Decision market_buy =
      book.place({domain::Side::kBuy, "005930", "01", 4, 0}, kst(2026, 7, 9, 9, 0, 30));
  REQUIRE(market_buy.accepted());
  CHECK(market_buy.order->odno == "0000010001");
  CHECK(book.advance(kst(2026, 7, 9, 9, 0, 59)).empty());
  auto fills = book.advance(kst(2026, 7, 9, 9, 1));
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].price == 73000);
  CHECK(fills[0].quantity == 4);
  // A limit at 72,900 placed mid-09:01 skips that bar; 09:02 only touches it (low 72,900), 09:03
  // trades through it (low 72,800): it fills at the limit once that bar is complete, capped by
  // the bar's 10 shares.
  Decision limit =
      book.place({domain::Side::kBuy, "005930", "00", 15, 72900}, kst(2026, 7, 9, 9, 1, 10));
  REQUIRE(limit.accepted());
  CHECK(book.advance(kst(2026, 7, 9, 9, 3, 59)).empty());
  fills = book.advance(kst(2026, 7, 9, 9, 4));
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].price == 72900);
  CHECK(fills[0].quantity == 10);  // capped by the bar's volume
  CHECK(limit.order->state == OrderState::kOpen);
  CHECK(account.held("005930") == 14);
  CHECK(fills[0].commission == 72900LL * 10 * 140527 / 1'000'000'000);
  // Cash: D+2 has both buys; D+0 none yet (T+2).
  const CashView cash = account.cash(seoul_day(kst(2026, 7, 9, 10, 0)));
  CHECK(cash.d0 == 10'000'000);
  CHECK(cash.d2 == 10'000'000 - 4 * 73000 - 41 - 10 * 72900 - 102);
  // The day's end expires the remainder and frees its reservation.
  book.advance(kst(2026, 7, 9, 15, 31));
  CHECK(limit.order->state == OrderState::kExpired);
  CHECK(book.reserved_cash() == 0);
}

}  // namespace
}  // namespace quantd::kis_mock
