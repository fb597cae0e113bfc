// The paper broker's next_open fills against the backtest's own, case by case, on constructed
// bars: for each case a scripted strategy runs through backtest::run_backtest, the same bars are
// stored, and the orders the live side would send (the signal orders at the next bar, the
// protective exits as resting stop/limit orders from the entry bar) go to a PaperBroker. Every
// fill must equal the backtest's: bar, price, notional, commission and tax.
#include <doctest/doctest.h>

#include <map>
#include <memory>

#include "live_test_support.h"
#include "quantd/backtest/engine.h"
#include "quantd/execution/protective_exits.h"
#include "quantd/live/paper_broker.h"

using namespace quantd;
using namespace quantd::live;
using domain::Bar;
using domain::Intent;
using domain::Interval;
using domain::Market;
using domain::ProtectiveExits;
using domain::Side;
using domain::Symbol;
using execution::CostSettings;
using testing::minute_bar;
using testing::TempDb;

namespace {

constexpr CivilDate kDay{2024, 3, 4};

// Emits the planned intent at the close of the i-th bar.
class Scripted final : public strategy::Strategy {
 public:
  explicit Scripted(std::map<std::size_t, Intent> plan) : plan_(std::move(plan)) {}
  int warmup_bars() const override { return 0; }
  void on_bar(const strategy::DataContext&, const Bar&, strategy::IntentSink& out) override {
    if (auto it = plan_.find(index_++); it != plan_.end()) out.emit(it->second);
  }

 private:
  std::map<std::size_t, Intent> plan_;
  std::size_t index_ = 0;
};

class ScriptedFactory final : public strategy::StrategyFactory {
 public:
  explicit ScriptedFactory(std::map<std::size_t, Intent> plan) : plan_(std::move(plan)) {}
  std::unique_ptr<strategy::Strategy> create(const Symbol&) const override {
    return std::make_unique<Scripted>(plan_);
  }
  int warmup_bars() const override { return 0; }
  std::string describe() const override { return "scripted"; }

 private:
  std::map<std::size_t, Intent> plan_;
};

std::vector<Bar> minutes(const std::vector<std::array<double, 4>>& ohlc) {
  std::vector<Bar> v;
  for (std::size_t i = 0; i < ohlc.size(); ++i) {
    const auto& [o, h, l, c] = ohlc[i];
    v.push_back(minute_bar(kDay, 9, static_cast<int>(i), o, h, l, c));
  }
  return v;
}

struct Case {
  std::string name;
  std::vector<Bar> bars;
  std::map<std::size_t, Intent> plan;
};

void check_parity(const Case& c, const CostSettings& costs) {
  CAPTURE(c.name);
  const Symbol sym("005930");
  backtest::BacktestConfig config;
  config.initial_cash = 10'000'000;
  config.costs = costs;
  config.interval = Interval::k1m;
  const std::vector<backtest::SymbolBars> inputs = {{sym, Market::kKospi, c.bars}};
  auto bt = backtest::run_backtest(config, inputs, ScriptedFactory(c.plan));
  REQUIRE(bt.ok());
  REQUIRE(bt->orders.size() == 2);  // one entry, one exit: each case exercises one exit rule

  TempDb t;
  t.store(sym, Interval::k1m, c.bars);
  ManualClock clock(c.bars.back().ts + kMsPerMinute);  // every bar complete
  ReplaySource source(*t.db);
  MarketDataService md(source);
  PaperSettings settings;
  settings.costs = costs;
  settings.initial_cash = config.initial_cash;
  auto account = PaperBroker::ensure_account(*t.db, settings.initial_cash, clock.now());
  REQUIRE(account.ok());
  PaperBroker broker(*t.db, *account, md, clock, settings);

  // The entry: a market buy of the backtest's quantity at the bar after the decision.
  const domain::Order& entry = bt->orders[0];
  REQUIRE(entry.side == Side::kBuy);
  REQUIRE(entry.reason == domain::OrderReason::kSignal);
  OrderRequest buy;
  buy.symbol = sym;
  buy.side = Side::kBuy;
  buy.quantity = entry.quantity;
  buy.type = OrderType::kMarket;
  buy.bar_ts = entry.decided_ts + kMsPerMinute;
  buy.bar_interval = Interval::k1m;
  const SendResult sent_buy = broker.submit(buy);
  REQUIRE(sent_buy.outcome == SendOutcome::kAccepted);

  // The exit: the signal sell at the next bar, or the protective exit as a resting order from
  // the entry bar on, at the level the backtest arms (docs/backtest.md, tick-rounded).
  const domain::Order& exit = bt->orders[1];
  REQUIRE(exit.side == Side::kSell);
  const execution::ExitLevels levels = execution::arm_exits(
      c.plan.begin()->second.exits, entry.fill.price, Market::kKospi, to_seoul(entry.fill.ts).date);
  OrderRequest sell;
  sell.symbol = sym;
  sell.side = Side::kSell;
  sell.quantity = exit.quantity;
  sell.bar_interval = Interval::k1m;
  switch (exit.reason) {
    case domain::OrderReason::kSignal:
      sell.type = OrderType::kMarket;
      sell.bar_ts = exit.decided_ts + kMsPerMinute;
      break;
    case domain::OrderReason::kStopLoss:
      sell.type = OrderType::kStopMarket;
      sell.trigger_price = levels.stop;
      sell.bar_ts = entry.fill.ts;
      break;
    case domain::OrderReason::kTakeProfit:
      sell.type = OrderType::kLimit;
      sell.limit_price = levels.take;
      sell.bar_ts = entry.fill.ts;
      break;
    default:
      FAIL("unexpected exit reason");
  }
  const SendResult sent_sell = broker.submit(sell);
  CAPTURE(sent_sell.message);
  REQUIRE(sent_sell.outcome == SendOutcome::kAccepted);

  auto book = broker.orders(OrderQuery{kDay});
  REQUIRE(book.ok());
  REQUIRE(book->size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const domain::Order& want = bt->orders[i];
    const BrokerOrder& got = (*book)[i];
    CAPTURE(i);
    CHECK(got.filled_qty == want.fill.quantity);
    CHECK(got.avg_price == want.fill.price);
    CHECK(got.filled_amount == want.fill.notional);
    CHECK(got.last_fill_ts == want.fill.ts);
  }
  // Commission and tax: the cash the broker is left with equals the backtest's.
  auto view = broker.account();
  REQUIRE(view.ok());
  CHECK(view->holdings.empty());
  CHECK(view->cash == bt->final_portfolio.cash);
  std::int64_t fees = 0;
  for (const domain::Order& o : bt->orders) fees += o.fill.commission + o.fill.tax;
  CHECK(fees > 0);
  CHECK(bt->orders[1].fill.tax > 0);
}

}  // namespace

TEST_CASE("next_open paper fills equal the backtest's: market orders and every exit rule") {
  const ProtectiveExits stop5{0.05, 0, 0};
  const ProtectiveExits take5{0, 0.05, 0};
  const Intent buy10 = Intent::shares(10);
  // Bars: 0 decides, 1 is the entry bar (opens 70,000), 2 is where the exit happens.
  const std::vector<Case> cases = {
      {"market buy, market sell",
       minutes({{69'900, 70'000, 69'800, 69'900},
                {70'000, 70'400, 69'900, 70'300},
                {70'500, 70'900, 70'200, 70'800},
                {71'000, 71'200, 70'700, 71'100},
                {71'100, 71'300, 71'000, 71'200}}),
       {{0, buy10}, {2, Intent::flat()}}},
      {"stop: the bar gaps below the level, sold at the open",
       minutes({{69'900, 70'000, 69'800, 69'900},
                {70'000, 70'400, 69'900, 70'300},
                {65'000, 65'500, 64'500, 65'200},
                {65'200, 65'400, 65'000, 65'300}}),
       {{0, Intent::shares(10, stop5)}}},
      {"stop: the low reaches the level inside the bar, sold at the level",
       minutes({{69'900, 70'000, 69'800, 69'900},
                {70'000, 70'400, 69'900, 70'300},
                {69'000, 69'200, 66'000, 66'500},
                {66'500, 66'700, 66'300, 66'600}}),
       {{0, Intent::shares(10, stop5)}}},
      {"take profit: the bar gaps above the level, sold at the open",
       minutes({{69'900, 70'000, 69'800, 69'900},
                {70'000, 70'400, 69'900, 70'300},
                {75'000, 75'500, 74'800, 75'200},
                {75'200, 75'400, 75'000, 75'300}}),
       {{0, Intent::shares(10, take5)}}},
      {"take profit: the high reaches the level inside the bar, sold at the level",
       minutes({{69'900, 70'000, 69'800, 69'900},
                {70'000, 70'400, 69'900, 70'300},
                {71'000, 74'000, 70'900, 73'000},
                {73'000, 73'200, 72'800, 73'100}}),
       {{0, Intent::shares(10, take5)}}},
  };
  SUBCASE("no slippage") {
    for (const Case& c : cases) check_parity(c, CostSettings{});
  }
  SUBCASE("slippage in bps") {
    for (const Case& c : cases) check_parity(c, CostSettings{1.5, std::nullopt, 25, 0});
  }
  SUBCASE("slippage in bps and ticks, another commission, a fixed tax") {
    for (const Case& c : cases) check_parity(c, CostSettings{14.0527, 23.0, 7, 2});
  }
}
