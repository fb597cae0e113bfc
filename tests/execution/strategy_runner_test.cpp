// The shared execution core on its own: the sizing rule, exit levels, and the runner's sequence
// over a venue that answers like a live one (in flight, proven not placed).
#include "quantd/execution/strategy_runner.h"

#include <doctest/doctest.h>

#include <vector>

#include "quantd/execution/protective_exits.h"
#include "quantd/execution/target_planner.h"

using namespace quantd;
using namespace quantd::execution;

namespace {

domain::Bar bar(TimestampMs ts, double o, double h, double l, double c) {
  return {ts, o, h, l, c, 100};
}

const TimestampMs kDay = from_seoul({2024, 3, 4}, 9, 0);

// A venue that fills at the ticket's price, or answers as told.
class ScriptedVenue final : public Venue {
 public:
  ScriptedVenue(domain::Ledger& ledger, const CostModel& costs) : ledger_(ledger), costs_(costs) {}
  std::vector<VenueResult> answers;  // consumed front first; empty: kDone
  std::vector<Ticket> executed;
  std::vector<Ticket> rejected;

  VenueResult execute(const Ticket& t) override {
    executed.push_back(t);
    VenueResult r = VenueResult::kDone;
    if (!answers.empty()) {
      r = answers.front();
      answers.erase(answers.begin());
    }
    if (r == VenueResult::kDone) book(t);
    return r;
  }
  void reject(const Ticket& t) override { rejected.push_back(t); }
  void book(const Ticket& t) {
    const std::int64_t n = CostModel::notional(t.quantity, t.price);
    const std::int64_t c = costs_.commission(n);
    if (t.side == domain::Side::kBuy) {
      ledger_.buy(t.symbol, t.quantity, t.price, n, c, t.bar_ts, t.exits);
    } else {
      ledger_.sell(t.symbol, t.quantity, n, c, 0);
    }
  }

 private:
  domain::Ledger& ledger_;
  const CostModel& costs_;
};

// Emits the intents it is given, one per bar (a default Intent means none).
class Scripted final : public strategy::Strategy {
 public:
  explicit Scripted(std::vector<std::optional<domain::Intent>> plan) : plan_(std::move(plan)) {}
  int warmup_bars() const override { return 0; }
  void on_bar(const strategy::DataContext& ctx, const domain::Bar&,
              strategy::IntentSink& out) override {
    seen_positions.push_back(ctx.position());
    if (i_ < plan_.size() && plan_[i_]) out.emit(*plan_[i_]);
    ++i_;
  }
  std::vector<std::int64_t> seen_positions;

 private:
  std::vector<std::optional<domain::Intent>> plan_;
  std::size_t i_ = 0;
};

class ScriptedFactory final : public strategy::StrategyFactory {
 public:
  explicit ScriptedFactory(std::vector<std::optional<domain::Intent>> plan)
      : plan_(std::move(plan)) {}
  std::unique_ptr<strategy::Strategy> create(const domain::Symbol&) const override {
    auto s = std::make_unique<Scripted>(plan_);
    last = s.get();
    return s;
  }
  int warmup_bars() const override { return 0; }
  std::string describe() const override { return "scripted"; }
  mutable Scripted* last = nullptr;

 private:
  std::vector<std::optional<domain::Intent>> plan_;
};

CostSettings no_costs() {
  CostSettings c;
  c.commission_bps = 0;
  c.tax_bps = 0.0;
  return c;
}

// Feeds `bars` through the runner the way the backtest engine does (one symbol).
void feed(StrategyRunner& r, const std::vector<domain::Bar>& bars) {
  for (std::size_t i = 0; i < bars.size(); ++i) {
    if (r.any_pending()) {
      r.act_at_open(0, bars[i], Phase::kSells);
      r.act_at_open(0, bars[i], Phase::kBuys);
    }
    r.on_bar(0, std::span<const domain::Bar>(bars).first(i + 1));
  }
}

}  // namespace

TEST_CASE("plan_target: shares, KRW and percent sizing; sells wait for the sells phase") {
  const CostModel costs(no_costs());
  domain::Ledger ledger(1'000'000, 1);
  SymbolTarget t;
  t.pending = true;
  t.target = domain::Intent::shares(10);
  Plan p =
      plan_target(t, ledger, 0, 1000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kSells);
  CHECK(p.kind == PlanKind::kWait);
  p = plan_target(t, ledger, 0, 1000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kBuys);
  CHECK(p.kind == PlanKind::kBuy);
  CHECK(p.quantity == 10);
  t.target = domain::Intent::krw(25'500);
  p = plan_target(t, ledger, 0, 1000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kBuys);
  CHECK(p.quantity == 25);
  t.target = domain::Intent::percent_of_equity(0.5);
  p = plan_target(t, ledger, 0, 1000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kBuys);
  CHECK(p.quantity == 500);
  // Nothing affordable: rejected with the wanted quantity.
  domain::Ledger poor(999, 1);
  t.target = domain::Intent::shares(3);
  p = plan_target(t, poor, 0, 1000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kBuys);
  CHECK(p.kind == PlanKind::kNoCash);
  CHECK(p.quantity == 3);
  // Holding more than the target: sold in the sells phase.
  ledger.buy(0, 20, 1000, 20'000, 0, kDay, {});
  t.target = domain::Intent::shares(5);
  p = plan_target(t, ledger, 0, 1000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kSells);
  CHECK(p.kind == PlanKind::kSell);
  CHECK(p.quantity == 15);
  // The target in force is not rebalanced.
  t.target = domain::Intent::percent_of_equity(1.0);
  t.has_in_force = true;
  t.in_force = t.target;
  p = plan_target(t, ledger, 0, 2000, domain::Market::kKospi, {2024, 3, 4}, costs, Phase::kBuys);
  CHECK(p.kind == PlanKind::kSettled);
}

TEST_CASE("protective exits: levels on the tick grid; gap, inside-bar and stop-first rules") {
  const CostModel costs(no_costs());
  domain::ProtectiveExits e{0.05, 0.10, 0};
  const ExitLevels l = arm_exits(e, 10'000, domain::Market::kKospi, {2024, 3, 4});
  CHECK(l.stop == 9'500);
  CHECK(l.take == 11'000);
  CHECK(l.watching);
  ExitHit h = check_bar(l, bar(kDay, 9'400, 9'600, 9'300, 9'500), costs, domain::Market::kKospi);
  CHECK(h.hit);
  CHECK(h.price == 9'400);  // gap through the stop: the open
  h = check_bar(l, bar(kDay, 10'000, 11'500, 9'000, 10'000), costs, domain::Market::kKospi);
  CHECK(h.reason == domain::OrderReason::kStopLoss);  // both inside: the stop first
  CHECK(h.price == 9'500);
  h = check_bar(l, bar(kDay, 10'000, 11'100, 9'900, 10'000), costs, domain::Market::kKospi);
  CHECK(h.reason == domain::OrderReason::kTakeProfit);
  CHECK(h.price == 11'000);
  h = check_bar(l, bar(kDay, 10'000, 10'500, 9'900, 10'000), costs, domain::Market::kKospi);
  CHECK_FALSE(h.hit);
}

TEST_CASE("runner: targets before trade_from are discarded; the strategy still sees every bar") {
  const CostModel costs(no_costs());
  domain::Ledger ledger(100'000, 1);
  ScriptedVenue venue(ledger, costs);
  ScriptedFactory f({domain::Intent::shares(10), std::nullopt, domain::Intent::shares(10),
                     std::nullopt, std::nullopt});
  StrategyRunner::Options o;
  o.trade_from = kDay + 2 * kMsPerMinute;
  o.interval = domain::Interval::k1m;
  StrategyRunner r(f, {{domain::Symbol("A"), domain::Market::kKospi}}, ledger, venue, costs, o);
  std::vector<domain::Bar> bars;
  for (int i = 0; i < 5; ++i) bars.push_back(bar(kDay + i * kMsPerMinute, 1000, 1000, 1000, 1000));
  feed(r, bars);
  REQUIRE(venue.executed.size() == 1);  // only the decision at bar 2
  CHECK(venue.executed[0].decided_ts == bars[2].ts);
  CHECK(venue.executed[0].bar_ts == bars[3].ts);
  CHECK(f.last->seen_positions == std::vector<std::int64_t>{0, 0, 0, 10, 10});
}

TEST_CASE("runner: a trade in flight freezes the symbol; resolved() settles or plans again") {
  const CostModel costs(no_costs());
  domain::Ledger ledger(100'000, 1);
  ScriptedVenue venue(ledger, costs);
  ScriptedFactory f({domain::Intent::shares(10), std::nullopt, std::nullopt, std::nullopt});
  StrategyRunner::Options o;
  o.interval = domain::Interval::k1m;
  StrategyRunner r(f, {{domain::Symbol("A"), domain::Market::kKospi}}, ledger, venue, costs, o);
  std::vector<domain::Bar> bars;
  for (int i = 0; i < 4; ++i) bars.push_back(bar(kDay + i * kMsPerMinute, 1000, 1000, 1000, 1000));
  venue.answers = {VenueResult::kInFlight};
  r.on_bar(0, std::span<const domain::Bar>(bars).first(1));
  r.act_at_open(0, bars[1], Phase::kSells);
  r.act_at_open(0, bars[1], Phase::kBuys);
  CHECK(r.in_flight(0));
  CHECK_FALSE(r.any_pending());
  // Proven never placed: the same target is planned again at the next opportunity.
  r.resolved(0, true);
  CHECK(r.pending(0));
  venue.answers = {VenueResult::kRetry};  // placed on the second attempt, at once
  r.act_at_open(0, bars[2], Phase::kBuys);
  CHECK(venue.executed.size() == 3);
  CHECK(ledger.position(0).quantity == 10);
  CHECK(r.target(0).has_in_force);
  CHECK_FALSE(r.pending(0));
}

TEST_CASE("runner: recorded context replaces the ledger's answers during a restart replay") {
  const CostModel costs(no_costs());
  domain::Ledger ledger(100'000, 1);
  ScriptedVenue venue(ledger, costs);
  ScriptedFactory f({std::nullopt, std::nullopt});
  StrategyRunner::Options o;
  o.interval = domain::Interval::k1m;
  StrategyRunner r(f, {{domain::Symbol("A"), domain::Market::kKospi}}, ledger, venue, costs, o);
  std::vector<domain::Bar> bars{bar(kDay, 1000, 1000, 1000, 1000),
                                bar(kDay + kMsPerMinute, 1000, 1000, 1000, 1000)};
  RecordedContext rec{7, 990, 3, 50'000, 56'930};
  r.set_recorded(&rec);
  r.on_bar(0, std::span<const domain::Bar>(bars).first(1));
  r.set_recorded(nullptr);
  r.on_bar(0, std::span<const domain::Bar>(bars).first(2));
  CHECK(f.last->seen_positions == std::vector<std::int64_t>{7, 0});
}
