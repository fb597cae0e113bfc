#include "quantd/live/paper_broker.h"

#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "live_test_support.h"

using namespace quantd;
using namespace quantd::live;
using domain::Bar;
using domain::Interval;
using domain::Market;
using domain::Side;
using domain::Symbol;
using execution::CostModel;
using execution::CostSettings;
using testing::minute_bar;
using testing::TempDb;

namespace {

constexpr CivilDate kDay{2024, 3, 4};  // a Monday; tick 100 between 50,000 and 200,000
const Symbol kA("005930");
const Symbol kB("000660");
constexpr std::int64_t kCash = 10'000'000;

TimestampMs at(int hh, int mm, int ss = 0) { return from_seoul(kDay, hh, mm, ss); }

// A's minutes 09:00..09:09.
std::vector<Bar> a_bars() {
  return {
      minute_bar(kDay, 9, 0, 70'000, 70'500, 69'800, 70'200),
      minute_bar(kDay, 9, 1, 70'300, 70'800, 70'100, 70'600),
      minute_bar(kDay, 9, 2, 70'500, 71'000, 69'500, 69'900),
      minute_bar(kDay, 9, 3, 69'800, 70'000, 69'000, 69'200),
      minute_bar(kDay, 9, 4, 69'300, 69'600, 69'100, 69'500),
      minute_bar(kDay, 9, 5, 69'500, 69'700, 69'400, 69'600),
      minute_bar(kDay, 9, 6, 69'600, 69'900, 69'500, 69'800),
      minute_bar(kDay, 9, 7, 69'800, 70'100, 69'700, 70'000),
      minute_bar(kDay, 9, 8, 70'000, 70'400, 69'900, 70'300),
      minute_bar(kDay, 9, 9, 70'300, 70'500, 70'200, 70'400),
  };
}

// B's minutes: 100,000 flat, for orders that fill without surprises.
std::vector<Bar> b_bars() {
  std::vector<Bar> v;
  for (int m = 0; m < 10; ++m)
    v.push_back(minute_bar(kDay, 9, m, 100'000, 100'000, 100'000, 100'000));
  return v;
}

struct Paper {
  TempDb t;
  ManualClock clock{at(9, 0, 30)};
  std::unique_ptr<ReplaySource> source;
  std::unique_ptr<MarketDataService> md;
  PaperSettings settings;
  domain::AccountId account;
  std::unique_ptr<PaperBroker> broker;

  explicit Paper(PaperSettings s = {}) : settings(std::move(s)) {
    t.store(kA, Interval::k1m, a_bars());
    t.store(kB, Interval::k1m, b_bars());
    settings.initial_cash = kCash;
    start();
  }
  // (Re)starts the broker side: market data, the paper account, the broker.
  void start() {
    broker.reset();
    md.reset();
    source = std::make_unique<ReplaySource>(*t.db);
    md = std::make_unique<MarketDataService>(*source);
    auto id = PaperBroker::ensure_account(*t.db, settings.initial_cash, clock.now());
    REQUIRE(id.ok());
    account = *id;
    broker = std::make_unique<PaperBroker>(*t.db, account, *md, clock, settings);
  }
  // A process restart: everything in memory is gone, the database file stays.
  void restart() {
    broker.reset();
    md.reset();
    source.reset();
    t.reopen();
    start();
  }

  std::vector<BrokerOrder> today() {
    auto o = broker->orders(OrderQuery{kDay});
    REQUIRE(o.ok());
    return *o;
  }
  AccountView view() {
    auto a = broker->account();
    REQUIRE(a.ok());
    return *a;
  }
};

OrderRequest market(const Symbol& s, Side side, std::int64_t qty, TimestampMs bar_ts = 0) {
  OrderRequest r;
  r.symbol = s;
  r.side = side;
  r.quantity = qty;
  r.type = OrderType::kMarket;
  r.bar_ts = bar_ts;
  return r;
}

OrderRequest limit(const Symbol& s, Side side, std::int64_t qty, double price,
                   TimestampMs bar_ts = 0) {
  OrderRequest r = market(s, side, qty, bar_ts);
  r.type = OrderType::kLimit;
  r.limit_price = price;
  return r;
}

OrderRequest stop(const Symbol& s, Side side, std::int64_t qty, double trigger,
                  TimestampMs bar_ts = 0) {
  OrderRequest r = market(s, side, qty, bar_ts);
  r.type = OrderType::kStopMarket;
  r.trigger_price = trigger;
  return r;
}

SendResult accepted(PaperBroker& b, const OrderRequest& r) {
  SendResult res = b.submit(r);
  CAPTURE(res.code);
  CAPTURE(res.message);
  REQUIRE(res.outcome == SendOutcome::kAccepted);
  REQUIRE(res.ref.has_value());
  return res;
}

const BrokerOrder& find(const std::vector<BrokerOrder>& orders, const SendResult& sent) {
  for (const BrokerOrder& o : orders) {
    if (o.ref == *sent.ref) return o;
  }
  FAIL("order not in the book");
  return orders.front();
}

}  // namespace

TEST_CASE("caps and the paper account") {
  Paper p;
  CHECK(p.broker->caps().name == "paper");
  CHECK(p.broker->caps().order_book_lag_s == 0);
  CHECK(p.broker->caps().simulated_bars);
  PaperBroker last(*p.t.db, p.account, *p.md, p.clock, PaperSettings{PaperFill::kLastPrice});
  CHECK_FALSE(last.caps().simulated_bars);
  CHECK(to_string(PaperFill::kLastPrice) == "last_price");
  CHECK(parse_paper_fill("next_open") == PaperFill::kNextOpen);
  CHECK_FALSE(parse_paper_fill("next").has_value());

  // Found again, not created twice; an existing book keeps its cash.
  auto again = PaperBroker::ensure_account(*p.t.db, 5, p.clock.now());
  REQUIRE(again.ok());
  CHECK(*again == p.account);
  CHECK(p.view().cash == kCash);
  CHECK(p.view().holdings.empty());

  // An account without a paper book is an error on every call, not an empty book.
  PaperBroker orphan(*p.t.db, domain::AccountId(999), *p.md, p.clock, p.settings);
  CHECK_FALSE(orphan.account().ok());
  CHECK(orphan.submit(market(kB, Side::kBuy, 1, at(9, 1))).outcome == SendOutcome::kNotSent);
}

TEST_CASE(
    "next_open: a market buy waits for its bar, then fills at its open with slippage and "
    "commission; a sell also pays the tax") {
  PaperSettings s;
  s.costs = CostSettings{1.5, std::nullopt, 10, 1};
  Paper p(s);
  const CostModel costs(s.costs);

  const SendResult buy = accepted(*p.broker, market(kA, Side::kBuy, 10, at(9, 1)));
  CHECK(buy.ref->order_no == "0000000001");
  CHECK(buy.ref->branch == "00000");
  CHECK(buy.ref->date == kDay);
  CHECK(buy.broker_time == "090030");
  CHECK(buy.code == kPaperAccepted);
  {
    const BrokerOrder& o = find(p.today(), buy);
    CHECK(o.open());
    CHECK(o.remaining_qty == 10);
    CHECK(o.filled_qty == 0);
    CHECK(o.order_time == "090030");
  }
  p.clock.set(at(9, 1, 59));  // the 09:01 bar is still in progress
  CHECK(find(p.today(), buy).open());
  CHECK(p.view().cash == kCash);

  p.clock.set(at(9, 2));
  const BrokerOrder filled = find(p.today(), buy);
  // 70,300 × 1.001 + one tick of 100 = 70,470.3, rounded up onto the 100-won grid.
  const double price = costs.slipped_price(70'300, Side::kBuy, Market::kKospi, kDay);
  CHECK(price == 70'500);
  CHECK_FALSE(filled.open());
  CHECK(filled.filled_qty == 10);
  CHECK(filled.filled_amount == 705'000);
  CHECK(filled.avg_price == 70'500);
  CHECK(filled.last_fill_ts == at(9, 1));
  const std::int64_t buy_fee = costs.commission(705'000);
  CHECK(buy_fee == 105);
  AccountView v = p.view();
  CHECK(v.cash == kCash - 705'000 - 105);
  CHECK(v.orderable == v.cash);
  CHECK(v.as_of == at(9, 2));
  REQUIRE(v.holdings.size() == 1);
  CHECK(v.holdings[0].symbol == kA);
  CHECK(v.holdings[0].quantity == 10);
  CHECK(v.holdings[0].sellable == 10);
  CHECK(v.holdings[0].avg_price == 70'500);

  const SendResult sell = accepted(*p.broker, market(kA, Side::kSell, 10, at(9, 3)));
  CHECK(sell.ref->order_no == "0000000002");
  CHECK(p.view().holdings[0].sellable == 0);  // offered by the open sell
  p.clock.set(at(9, 4));
  const double sell_price = costs.slipped_price(69'800, Side::kSell, Market::kKospi, kDay);
  CHECK(sell_price == 69'600);
  const std::int64_t n = CostModel::notional(10, sell_price);
  const std::int64_t fee = costs.commission(n);
  const std::int64_t tax = costs.sell_tax(n, Market::kKospi, kDay);
  CHECK(tax == 1'252);  // 18 bps (settling in 2024) of 696,000, rounded down
  v = p.view();
  CHECK(v.holdings.empty());
  CHECK(v.cash == kCash - 705'000 - 105 + n - fee - tax);
  const BrokerOrder sold = find(p.today(), sell);
  CHECK(sold.filled_amount == n);
  CHECK(sold.last_fill_ts == at(9, 3));
}

TEST_CASE("refusals store nothing and say why") {
  Paper p;
  p.clock.set(at(9, 5));
  struct Case {
    OrderRequest request;
    std::string_view code;
    std::string_view words;
  };
  const std::vector<Case> cases = {
      {market(kA, Side::kBuy, 0, at(9, 1)), kPaperInvalidOrder, "at least 1 share"},
      {market(kA, Side::kBuy, 200, at(9, 1)), kPaperNotEnoughCash, "Not enough cash"},
      {limit(kA, Side::kBuy, 200, 70'000, at(9, 8)), kPaperNotEnoughCash, "Not enough cash"},
      {limit(kA, Side::kBuy, 1, 70'050, at(9, 8)), kPaperInvalidOrder, "tick grid"},
      {stop(kA, Side::kSell, 1, 0, at(9, 8)), kPaperInvalidOrder, "trigger"},
      {market(kA, Side::kSell, 1, at(9, 1)), kPaperNotEnoughShares, "holds no shares"},
  };
  for (const Case& c : cases) {
    const SendResult r = p.broker->submit(c.request);
    CAPTURE(r.message);
    CHECK(r.outcome == SendOutcome::kRejected);
    CHECK(r.code == c.code);
    CHECK_FALSE(r.resend_allowed);
    CHECK(r.message.find(c.words) != std::string::npos);
  }
  CHECK(p.today().empty());
  CHECK(p.view().cash == kCash);

  // More than held (and not already offered): refused; the sequence was never consumed.
  const SendResult buy = accepted(*p.broker, market(kA, Side::kBuy, 5, at(9, 1)));
  CHECK(buy.ref->order_no == "0000000001");
  const SendResult too_many = p.broker->submit(market(kA, Side::kSell, 6, at(9, 6)));
  CHECK(too_many.outcome == SendOutcome::kRejected);
  CHECK(too_many.code == kPaperNotEnoughShares);
  (void)accepted(*p.broker, limit(kA, Side::kSell, 5, 75'000, at(9, 6)));
  const SendResult offered = p.broker->submit(market(kA, Side::kSell, 1, at(9, 6)));
  CHECK(offered.outcome == SendOutcome::kRejected);
  CHECK(offered.message.find("5 in open sell orders") != std::string::npos);
  CHECK(p.today().size() == 2);
}

TEST_CASE("next_open: limits and stops rest and execute by the backtest's bar rules") {
  Paper p;
  p.clock.set(at(9, 3, 10));  // 09:00..09:02 complete
  // Limit buy 69,800 from 09:00: 09:00 opens 70,000 > limit, low 69,800 reaches it: at the limit.
  const SendResult inside = accepted(*p.broker, limit(kA, Side::kBuy, 10, 69'800, at(9, 0)));
  // Limit buy 70,600 from 09:02: 09:02 opens 70,500, better than the limit: at the open.
  const SendResult better = accepted(*p.broker, limit(kA, Side::kBuy, 10, 70'600, at(9, 2)));
  // Limit buy 68,000 from 09:00: no bar reaches it; it rests.
  const SendResult resting = accepted(*p.broker, limit(kA, Side::kBuy, 1, 68'000, at(9, 0)));
  std::vector<BrokerOrder> book = p.today();
  CHECK(find(book, inside).avg_price == 69'800);
  CHECK(find(book, inside).last_fill_ts == at(9, 0));
  CHECK(find(book, better).avg_price == 70'500);
  CHECK(find(book, better).last_fill_ts == at(9, 2));
  CHECK(find(book, resting).open());

  // A stop sell at 69,100 from 09:02 and a limit sell at 70,300 from 09:03 on the 20 shares:
  // the stop is hit inside 09:03 (low 69,000); the limit waits.
  const SendResult stop_sell = accepted(*p.broker, stop(kA, Side::kSell, 10, 69'100, at(9, 2)));
  const SendResult take_sell = accepted(*p.broker, limit(kA, Side::kSell, 10, 70'300, at(9, 3)));
  CHECK(find(p.today(), stop_sell).open());  // 09:03 is still in progress
  p.clock.set(at(9, 4));
  book = p.today();
  CHECK(find(book, stop_sell).avg_price == 69'100);
  CHECK(find(book, stop_sell).last_fill_ts == at(9, 3));
  CHECK(find(book, take_sell).open());
  // The limit sell is checked against each later bar: 09:08's high 70,400 reaches 70,300.
  p.clock.set(at(9, 8, 59));
  CHECK(find(p.today(), take_sell).open());
  p.clock.set(at(9, 9));
  book = p.today();
  CHECK(find(book, take_sell).avg_price == 70'300);
  CHECK(find(book, take_sell).last_fill_ts == at(9, 8));
  CHECK(find(book, resting).open());
  CHECK(p.view().holdings.empty());
  // A gap through a stop fills at the open: buy 1 at 09:09 ... stop 71,000 from 09:09 (opens
  // 70,300 <= 71,000).
  p.clock.set(at(9, 10));
  (void)accepted(*p.broker, market(kA, Side::kBuy, 1, at(9, 9)));
  const SendResult gap = accepted(*p.broker, stop(kA, Side::kSell, 1, 71'000, at(9, 9)));
  CHECK(find(p.today(), gap).avg_price == 70'300);
}

TEST_CASE(
    "next_open: a buy the cash no longer covers at its fill is cancelled, never overdrawn; "
    "sells in a bar go before buys") {
  Paper p;
  p.clock.set(at(9, 3));
  // Two market buys of 60 B (6,000,000 each) for the 09:05 bar: only one can be paid.
  const SendResult first = accepted(*p.broker, market(kB, Side::kBuy, 60, at(9, 5)));
  const SendResult second = accepted(*p.broker, market(kB, Side::kBuy, 60, at(9, 5)));
  p.clock.set(at(9, 6));
  std::vector<BrokerOrder> book = p.today();
  CHECK(find(book, first).filled_qty == 60);
  CHECK(find(book, second).filled_qty == 0);
  CHECK(find(book, second).cancelled_qty == 60);
  CHECK_FALSE(find(book, second).open());
  const std::int64_t cash = p.view().cash;
  CHECK(cash == kCash - 6'000'000 - 900);

  // A buy sent before a sell of the same bar still gets the sale's cash, as in the backtest.
  const SendResult buy_a = accepted(*p.broker, market(kA, Side::kBuy, 100, at(9, 8)));
  const SendResult sell_b = accepted(*p.broker, market(kB, Side::kSell, 60, at(9, 8)));
  p.clock.set(at(9, 9));
  book = p.today();
  CHECK(find(book, sell_b).filled_qty == 60);
  CHECK(find(book, buy_a).filled_qty == 100);
  CHECK(p.view().cash >= 0);
}

TEST_CASE("last_price: at once at the latest 1-minute close, a non-marketable limit rests") {
  PaperSettings s;
  s.fill = PaperFill::kLastPrice;
  Paper p(s);
  p.clock.set(at(9, 3, 30));  // last complete: 09:02, close 69,900
  const SendResult buy =
      accepted(*p.broker, market(kA, Side::kBuy, 10, at(9, 5)));  // bar_ts ignored
  BrokerOrder o = find(p.today(), buy);
  CHECK(o.avg_price == 69'900);
  CHECK(o.last_fill_ts == at(9, 3, 30));

  const SendResult marketable = accepted(*p.broker, limit(kA, Side::kBuy, 1, 70'000));
  CHECK(find(p.today(), marketable).avg_price == 69'900);  // min(limit, last)
  const SendResult sell = accepted(*p.broker, limit(kA, Side::kSell, 1, 69'800));
  CHECK(find(p.today(), sell).avg_price == 69'900);  // max(limit, last)

  // 69,300 < last: rests, and only bars opening after it arrived count (09:03's low of 69,000
  // was before the order); 09:04 opens at 69,300.
  const SendResult rest = accepted(*p.broker, limit(kA, Side::kBuy, 1, 69'300));
  CHECK(find(p.today(), rest).open());
  p.clock.set(at(9, 4, 59));
  CHECK(find(p.today(), rest).open());
  p.clock.set(at(9, 5));
  o = find(p.today(), rest);
  CHECK(o.avg_price == 69'300);
  CHECK(o.last_fill_ts == at(9, 4));

  // A stop sell below the last price rests until a bar trades through it.
  const SendResult stop_sell = accepted(*p.broker, stop(kA, Side::kSell, 1, 69'400));
  CHECK(find(p.today(), stop_sell).open());
  p.clock.set(at(9, 6));  // 09:05's low 69,400
  CHECK(find(p.today(), stop_sell).avg_price == 69'400);

  // No price at all: refused.
  const SendResult none = p.broker->submit(market(Symbol("NODATA"), Side::kBuy, 1));
  CHECK(none.outcome == SendOutcome::kRejected);
  CHECK(none.code == kPaperNoPrice);
}

TEST_CASE(
    "last_price with slippage: market and marketable limits slip, limits never past the "
    "limit") {
  PaperSettings s;
  s.fill = PaperFill::kLastPrice;
  s.costs.slippage_ticks = 2;
  Paper p(s);
  p.clock.set(at(9, 3, 30));  // last close 69,900
  const SendResult buy = accepted(*p.broker, market(kA, Side::kBuy, 1));
  CHECK(find(p.today(), buy).avg_price == 70'100);
  const SendResult capped = accepted(*p.broker, limit(kA, Side::kBuy, 1, 70'000));
  CHECK(find(p.today(), capped).avg_price == 70'000);
  const SendResult sell = accepted(*p.broker, market(kA, Side::kSell, 1));
  CHECK(find(p.today(), sell).avg_price == 69'700);
  // next_open mode uses the same rules for an order without bar_ts.
  Paper q;
  q.clock.set(at(9, 3, 30));
  const SendResult now_buy = accepted(*q.broker, market(kA, Side::kBuy, 1));
  CHECK(find(q.today(), now_buy).avg_price == 69'900);
  CHECK(find(q.today(), now_buy).last_fill_ts == at(9, 3, 30));
}

TEST_CASE("cancel: the open remainder, or a refusal when nothing is open") {
  Paper p;
  p.clock.set(at(9, 3));
  const SendResult rest = accepted(*p.broker, limit(kA, Side::kBuy, 10, 60'000, at(9, 3)));
  const SendResult part = p.broker->cancel(*rest.ref, kA, 4);
  REQUIRE(part.outcome == SendOutcome::kAccepted);
  REQUIRE(part.ref.has_value());
  CHECK(part.ref->order_no == "0000000002");  // a cancel gets its own number, as at KIS
  BrokerOrder o = find(p.today(), rest);
  CHECK(o.open());
  CHECK(o.remaining_qty == 6);
  CHECK(o.cancelled_qty == 4);

  const SendResult all = p.broker->cancel(*rest.ref, kA, 0);
  REQUIRE(all.outcome == SendOutcome::kAccepted);
  o = find(p.today(), rest);
  CHECK_FALSE(o.open());
  CHECK(o.remaining_qty == 0);
  CHECK(o.cancelled_qty == 10);
  CHECK(p.view().cash == kCash);

  const SendResult twice = p.broker->cancel(*rest.ref, kA, 0);
  CHECK(twice.outcome == SendOutcome::kRejected);
  CHECK(twice.code == kPaperNothingToCancel);
  const SendResult wrong_symbol = p.broker->cancel(*rest.ref, kB, 0);
  CHECK(wrong_symbol.outcome == SendOutcome::kRejected);
  const SendResult unknown = p.broker->cancel(BrokerOrderRef{"0000000099", "00000", kDay}, kA, 0);
  CHECK(unknown.outcome == SendOutcome::kRejected);

  // An order whose bar has completed has executed, even if nobody asked since: too late.
  const SendResult buy = accepted(*p.broker, market(kB, Side::kBuy, 1, at(9, 4)));
  p.clock.set(at(9, 5));
  const SendResult late = p.broker->cancel(*buy.ref, kB, 0);
  CHECK(late.outcome == SendOutcome::kRejected);
  CHECK(find(p.today(), buy).filled_qty == 1);
}

TEST_CASE("a restarted broker sees the same book, and resting orders go on") {
  Paper p;
  p.clock.set(at(9, 3));
  const SendResult buy = accepted(*p.broker, market(kB, Side::kBuy, 10, at(9, 2)));
  const SendResult rest = accepted(*p.broker, limit(kA, Side::kBuy, 5, 69'500, at(9, 3)));
  const std::vector<BrokerOrder> before = p.today();
  const AccountView view_before = p.view();

  p.settings.initial_cash = 1;  // ignored: the book exists
  p.restart();
  CHECK(p.today() == before);
  const AccountView view_after = p.view();
  CHECK(view_after.cash == view_before.cash);
  REQUIRE(view_after.holdings.size() == 1);
  CHECK(view_after.holdings[0].quantity == 10);

  p.clock.set(at(9, 4));  // 09:03 opens 69,800, low 69,000: the resting buy fills at 69,500
  CHECK(find(p.today(), rest).avg_price == 69'500);
  const SendResult next = accepted(*p.broker, market(kB, Side::kSell, 10, at(9, 5)));
  CHECK(next.ref->order_no == "0000000003");
  (void)buy;
}

TEST_CASE("faults: lost answers, refusals and failed reads") {
  Paper p;
  p.clock.set(at(9, 3));

  PaperFaults f;
  f.drop_next = 1;
  p.broker->set_faults(f);
  SendResult r = p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2)));
  CHECK(r.outcome == SendOutcome::kUnknown);
  CHECK(p.today().empty());
  CHECK(p.broker->faults().drop_next == 0);

  f = {};
  f.http_500_next = 1;
  p.broker->set_faults(f);
  r = p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2)));
  CHECK(r.outcome == SendOutcome::kUnknown);
  CHECK(r.code == "500");
  CHECK(p.today().empty());

  f = {};
  f.reject_next = 1;
  f.reject_code = "40580000";
  p.broker->set_faults(f);
  r = p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2)));
  CHECK(r.outcome == SendOutcome::kRejected);
  CHECK(r.code == "40580000");
  CHECK(p.today().empty());
  CHECK(p.view().cash == kCash);

  // Accepted and processed, but the answer is lost: the order is in the book (and filled).
  f = {};
  f.accept_then_drop = 1;
  p.broker->set_faults(f);
  r = p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2)));
  CHECK(r.outcome == SendOutcome::kUnknown);
  CHECK_FALSE(r.ref.has_value());
  std::vector<BrokerOrder> book = p.today();
  REQUIRE(book.size() == 1);
  CHECK(book[0].ref.order_no == "0000000001");  // nothing before consumed a number
  CHECK(book[0].filled_qty == 1);
  // The countdown is spent: the next one answers normally.
  CHECK(accepted(*p.broker, market(kB, Side::kBuy, 1, at(9, 2))).ref->order_no == "0000000002");

  // Several switches: one fault per submit, in the declared order.
  f = {};
  f.drop_next = 1;
  f.reject_next = 1;
  p.broker->set_faults(f);
  CHECK(p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2))).outcome == SendOutcome::kUnknown);
  CHECK(p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2))).outcome == SendOutcome::kRejected);
  CHECK(p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2))).outcome == SendOutcome::kAccepted);

  f = {};
  f.delay_next = 1;
  f.delay_ms = 150;
  p.broker->set_faults(f);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(p.broker->submit(market(kB, Side::kBuy, 1, at(9, 2))).outcome == SendOutcome::kAccepted);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(150));
  CHECK(p.broker->faults().delay_next == 0);

  // A failed read is an error, never an empty book or "no holdings".
  f = {};
  f.orders_error_next = 1;
  f.account_error_next = 1;
  p.broker->set_faults(f);
  CHECK_FALSE(p.broker->orders(OrderQuery{kDay}).ok());
  CHECK_FALSE(p.broker->account().ok());
  CHECK(p.today().size() == 4);
  CHECK(p.view().holdings.size() == 1);
}

TEST_CASE("orders(): filters by day, symbol, side and open") {
  Paper p;
  p.clock.set(at(9, 3));
  (void)accepted(*p.broker, market(kB, Side::kBuy, 3, at(9, 2)));
  (void)accepted(*p.broker, limit(kA, Side::kBuy, 1, 60'000, at(9, 3)));
  (void)accepted(*p.broker, limit(kB, Side::kSell, 1, 120'000, at(9, 3)));
  CHECK(p.today().size() == 3);
  OrderQuery q{kDay};
  q.symbol = kB;
  CHECK(p.broker->orders(q)->size() == 2);
  q.side = Side::kSell;
  CHECK(p.broker->orders(q)->size() == 1);
  OrderQuery open{kDay};
  open.open_only = true;
  CHECK(p.broker->orders(open)->size() == 2);
  CHECK(p.broker->orders(OrderQuery{CivilDate{2024, 3, 5}})->empty());
}

TEST_CASE("PaperBroker is safe from two threads") {
  PaperSettings s;
  s.fill = PaperFill::kLastPrice;
  Paper p(s);
  p.clock.set(at(9, 5));
  std::atomic<int> accepted_count{0};
  auto run = [&] {
    for (int i = 0; i < 20; ++i) {
      if (p.broker->submit(market(kB, Side::kBuy, 1)).outcome == SendOutcome::kAccepted) {
        ++accepted_count;
      }
    }
  };
  std::thread a(run);
  std::thread b(run);
  a.join();
  b.join();
  CHECK(accepted_count == 40);
  const std::vector<BrokerOrder> book = p.today();
  CHECK(book.size() == 40);
  std::set<std::string> numbers;
  for (const BrokerOrder& o : book) numbers.insert(o.ref.order_no);
  CHECK(numbers.size() == 40);
  const CostModel costs(s.costs);
  CHECK(p.view().cash == kCash - 40 * (100'000 + costs.commission(100'000)));
  CHECK(p.view().holdings.at(0).quantity == 40);
}
