// The order desk and journal against the real paper broker: journal before send, unknown
// outcomes resolved only by the broker's order book, frozen symbols, cumulative fills applied
// once, reconciliation of holdings.
#include "quantd/live/order_desk.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>

#include "live_test_support.h"
#include "quantd/live/paper_broker.h"

using namespace quantd;
using namespace quantd::live;

namespace {

const CivilDate kDay{2026, 7, 9};

struct DeskFixture {
  testing::TempDb tdb;
  ManualClock clock{from_seoul(kDay, 9, 5, 2)};
  ReplaySource source{*tdb.db};
  MarketDataService market{source};
  SessionStore store{*tdb.db};
  domain::AccountId account;
  std::unique_ptr<PaperBroker> broker;
  std::unique_ptr<OrderDesk> desk;
  std::vector<std::string> events;

  DeskFixture() {
    std::vector<domain::Bar> bars;
    for (int m = 0; m < 30; ++m) {
      const double p = 10'000 + 10 * m;
      bars.push_back(testing::minute_bar(kDay, 9, m, p, p + 50, p - 50, p + 10));
    }
    tdb.store(domain::Symbol("AAA"), domain::Interval::k1m, bars);
    tdb.store(domain::Symbol("BBB"), domain::Interval::k1m, bars);
    auto a = PaperBroker::ensure_account(*tdb.db, 100'000'000, clock.now());
    REQUIRE(a.ok());
    account = *a;
    boot();
  }

  void boot() {
    desk.reset();
    broker = std::make_unique<PaperBroker>(*tdb.db, account, market, clock, PaperSettings{});
    desk = std::make_unique<OrderDesk>(
        *tdb.db, store, account, *broker, clock, DeskOptions{}, nullptr,
        [this](std::string_view e, const nlohmann::json&) { events.emplace_back(e); });
  }

  domain::SessionId session(const std::vector<std::string>& symbols, std::int64_t capital) {
    SessionRecord r;
    r.strategy_name = "test";
    r.script = "builtin:buy_and_hold";
    for (const auto& s : symbols) r.symbols.emplace_back(s);
    r.account_id = account;
    r.capital = capital;
    r.state = SessionState::kActive;
    auto id = store.create(r, clock.now());
    REQUIRE(id.ok());
    return *id;
  }

  PlannedOrder buy(domain::SessionId s, const std::string& symbol, std::int64_t qty,
                   TimestampMs bar_ts) {
    PlannedOrder p;
    p.account = account;
    p.session = s;
    p.request.symbol = domain::Symbol(symbol);
    p.request.side = domain::Side::kBuy;
    p.request.quantity = qty;
    p.request.type = OrderType::kMarket;
    p.request.bar_ts = bar_ts;
    p.request.bar_interval = domain::Interval::k1m;
    p.decided_ts = bar_ts - kMsPerMinute;
    p.ref_price = 10'040;
    return p;
  }

  RiskContext risk() const {
    RiskContext r;
    r.session_equity = 1e12;
    return r;
  }

  int paper_orders() {
    SQLite::Statement q(tdb.db->connection(), "SELECT count(*) FROM paper_orders");
    q.executeStep();
    return q.getColumn(0).getInt();
  }

  std::int64_t session_cash(domain::SessionId s) { return store.get(s)->cash; }
};

}  // namespace

TEST_CASE("desk: an order is journaled, sent once, filled at the bar's open, booked once") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  const TimestampMs bar = from_seoul(kDay, 9, 4);
  const PlaceResult r = f.desk->place(f.buy(s, "AAA", 10, bar), f.risk(), {});
  REQUIRE(r.outcome == PlaceOutcome::kFilled);
  REQUIRE(r.fills.size() == 1);
  CHECK(r.fills[0].price == 10'040);  // the 09:04 bar's open
  CHECK(r.fills[0].fill_ts == bar);
  CHECK(f.paper_orders() == 1);
  const std::int64_t commission = r.fills[0].commission;
  CHECK(f.session_cash(s) == 1'000'000 - 100'400 - commission);
  // Replaying the broker's snapshot (a reconciliation) books nothing twice (I5).
  auto report = f.desk->reconcile(ReconKind::kPeriodic);
  REQUIRE(report.ok());
  CHECK(report->result == "ok");
  CHECK(f.session_cash(s) == 1'000'000 - 100'400 - commission);
  OrderJournal j(*f.tdb.db);
  auto fills = j.session_fills(s, 10);
  REQUIRE(fills.ok());
  CHECK(fills->size() == 1);
}

TEST_CASE("desk: a lost answer is bound to the broker's order, never sent again") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  PaperFaults faults;
  faults.accept_then_drop = 1;
  f.broker->set_faults(faults);
  const PlaceResult r = f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {});
  CHECK(r.outcome == PlaceOutcome::kFilled);
  CHECK(f.paper_orders() == 1);
  OrderJournal j(*f.tdb.db);
  auto o = j.get(*r.order);
  REQUIRE(o.ok());
  CHECK(o->state == OrderState::kFilled);
  REQUIRE(o->ref);
  // The journal shows it went through unknown.
  SQLite::Statement q(f.tdb.db->connection(),
                      "SELECT count(*) FROM journal WHERE order_id = ? AND to_state = 'unknown'");
  q.bind(1, r.order->value());
  q.executeStep();
  CHECK(q.getColumn(0).getInt() == 1);
}

TEST_CASE("desk: an order dropped before processing is proven not placed, only by full reads") {
  for (int kind = 0; kind < 2; ++kind) {
    DeskFixture f;
    const auto s = f.session({"AAA"}, 1'000'000);
    PaperFaults faults;
    (kind == 0 ? faults.drop_next : faults.http_500_next) = 1;
    f.broker->set_faults(faults);
    const PlaceResult r = f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {});
    CHECK(r.outcome == PlaceOutcome::kNotPlaced);
    CHECK(f.paper_orders() == 0);
    OrderJournal j(*f.tdb.db);
    auto o = j.get(*r.order);
    REQUIRE(o.ok());
    CHECK(o->state == OrderState::kNotPlaced);
    CHECK(o->empty_checks == 2);
  }
}

TEST_CASE("desk: a failed read of the order book is never taken as empty (I4)") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  PaperFaults faults;
  faults.drop_next = 1;
  faults.orders_error_next = 1;
  f.broker->set_faults(faults);
  const PlaceResult r = f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {});
  CHECK(r.outcome == PlaceOutcome::kUnresolved);
  OrderJournal j(*f.tdb.db);
  CHECK(j.get(*r.order)->state == OrderState::kUnknown);
  // The symbol is frozen for every session: another session's order waits, nothing is sent.
  const auto other = f.session({"AAA"}, 1'000'000);
  const PlaceResult blocked =
      f.desk->place(f.buy(other, "AAA", 5, from_seoul(kDay, 9, 5)), f.risk(), {});
  CHECK(blocked.outcome == PlaceOutcome::kDeferred);
  CHECK_FALSE(blocked.order);
  // Another symbol is not frozen.
  const auto third = f.session({"BBB"}, 1'000'000);
  CHECK(f.desk->place(f.buy(third, "BBB", 5, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kFilled);
  // Once the book can be read again the unknown order is resolved (not placed) and AAA thaws.
  f.broker->set_faults({});
  f.desk->refresh({});
  f.desk->refresh({});
  CHECK(j.get(*r.order)->state == OrderState::kNotPlaced);
  CHECK(f.desk->place(f.buy(other, "AAA", 5, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kFilled);
}

namespace {

// Someone places the same order at the broker while quantd's answer is lost: quantd's order
// then waits for the operator. Returns it.
domain::OrderId order_needing_attention(DeskFixture& f, domain::SessionId s) {
  OrderRequest outside;
  outside.symbol = domain::Symbol("AAA");
  outside.side = domain::Side::kBuy;
  outside.quantity = 10;
  outside.type = OrderType::kMarket;
  outside.bar_ts = from_seoul(kDay, 9, 4);
  REQUIRE(f.broker->submit(outside).outcome == SendOutcome::kAccepted);
  PaperFaults faults;
  faults.accept_then_drop = 1;
  f.broker->set_faults(faults);
  const PlaceResult r = f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {});
  REQUIRE(r.outcome == PlaceOutcome::kUnresolved);
  return *r.order;
}

// The candidates the journal recorded when the order began to need attention.
std::vector<std::string> candidate_numbers(DeskFixture& f, domain::OrderId id) {
  OrderJournal j(*f.tdb.db);
  auto history = j.order_history(id);
  REQUIRE(history.ok());
  std::vector<std::string> out;
  for (const JournalEntry& e : *history) {
    if (e.to_state != "needs_attention") continue;
    for (const auto& c : e.detail.at("candidates")) out.push_back(c.at("order_no"));
  }
  return out;
}

bool aaa_frozen(DeskFixture& f) {
  OrderJournal j(*f.tdb.db);
  auto frozen = j.symbol_frozen(f.account, domain::Symbol("AAA"));
  REQUIRE(frozen.ok());
  return *frozen;
}

}  // namespace

TEST_CASE("desk: two unclaimed matching broker orders need the operator") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  const domain::OrderId id = order_needing_attention(f, s);
  OrderJournal j(*f.tdb.db);
  CHECK(j.get(id)->state == OrderState::kNeedsAttention);
  CHECK(aaa_frozen(f));
}

TEST_CASE("desk: the operator binds an order that needs attention to the broker's order") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  const domain::OrderId id = order_needing_attention(f, s);
  const auto numbers = candidate_numbers(f, id);
  REQUIRE(numbers.size() == 2);
  const std::int64_t cash_before = f.session_cash(s);

  // A number that is not a candidate, or an unreadable book, changes nothing.
  auto wrong = f.desk->answer(id, {std::string("9999999999"), ""});
  CHECK(wrong.status().code() == StatusCode::kFailedPrecondition);
  CHECK(wrong.status().message().find("9999999999") != std::string::npos);
  PaperFaults unreadable;
  unreadable.orders_error_next = 1;
  f.broker->set_faults(unreadable);
  CHECK(f.desk->answer(id, {numbers.back(), ""}).status().code() == StatusCode::kUnavailable);
  OrderJournal j(*f.tdb.db);
  CHECK(j.get(id)->state == OrderState::kNeedsAttention);
  CHECK(aaa_frozen(f));
  CHECK(f.session_cash(s) == cash_before);

  // The operator's answer: the later one is quantd's. Its fill is booked once, the symbol thaws.
  auto r = f.desk->answer(id, {numbers.back(), "checked in the MTS"});
  REQUIRE(r.ok());
  CHECK(r->outcome == PlaceOutcome::kFilled);
  REQUIRE(r->fills.size() == 1);
  CHECK(r->fills[0].quantity == 10);
  auto o = j.get(id);
  CHECK(o->state == OrderState::kFilled);
  REQUIRE(o->ref);
  CHECK(o->ref->order_no == numbers.back());
  CHECK(f.session_cash(s) == cash_before - 100'400 - r->fills[0].commission);
  CHECK_FALSE(aaa_frozen(f));
  auto last = j.last_transition(id);
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->source == "broker");  // the fill, after the operator's bind
  auto history = j.order_history(id);
  bool by_operator = false;
  for (const JournalEntry& e : *history) {
    if (e.source == "operator" && e.to_state == "accepted") {
      by_operator = e.detail.at("evidence").get<std::string>().find("checked in the MTS") !=
                    std::string::npos;
    }
  }
  CHECK(by_operator);
  CHECK(f.paper_orders() == 2);  // nothing was sent again
  // A second answer is refused: the order has its outcome.
  CHECK(f.desk->answer(id, {std::nullopt, ""}).status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("desk: the operator marks an order that needs attention not placed") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  const domain::OrderId id = order_needing_attention(f, s);
  auto r = f.desk->answer(id, {std::nullopt, ""});
  REQUIRE(r.ok());
  CHECK(r->outcome == PlaceOutcome::kNotPlaced);
  OrderJournal j(*f.tdb.db);
  CHECK(j.get(id)->state == OrderState::kNotPlaced);
  CHECK_FALSE(aaa_frozen(f));
  // The symbol trades again.
  CHECK(f.desk->place(f.buy(s, "AAA", 5, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kFilled);
  // An order that does not need attention takes no answer.
  CHECK(f.desk->answer(domain::OrderId(id.value() + 1), {std::nullopt, ""}).status().code() ==
        StatusCode::kFailedPrecondition);
  CHECK(f.desk->answer(domain::OrderId(999), {std::nullopt, ""}).status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("desk: nothing is sent when the journal cannot be written (I1)") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  // Every write of an order fails (a full disk, a read-only file), reads still work.
  f.tdb.db->durable_connection().exec(
      "CREATE TRIGGER no_orders BEFORE INSERT ON orders BEGIN SELECT RAISE(ABORT, 'disk I/O "
      "error (test)'); END");
  const PlaceResult r = f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {});
  CHECK(r.outcome == PlaceOutcome::kDeferred);
  CHECK(f.paper_orders() == 0);
  CHECK(f.desk->trading_state() == TradingState::kHalted);
}

TEST_CASE("desk: a restart between send and answer is resolved at startup, not resent") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  f.desk = std::make_unique<OrderDesk>(
      *f.tdb.db, f.store, f.account, *f.broker, f.clock, DeskOptions{},
      [](CrashPoint point) {
        if (point.name() == "after_send") throw std::string("crash");
      },
      nullptr);
  CHECK_THROWS_AS(f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {}),
                  std::string);
  CHECK(f.paper_orders() == 1);  // it left before the "crash"
  f.boot();                      // the next start
  auto report = f.desk->reconcile(ReconKind::kStartup);
  REQUIRE(report.ok());
  CHECK(report->result == "ok");
  CHECK(f.paper_orders() == 1);
  OrderJournal j(*f.tdb.db);
  auto orders = j.session_orders(s, 10);
  REQUIRE(orders.ok());
  REQUIRE(orders->size() == 1);
  CHECK(orders->front().state == OrderState::kFilled);
  CHECK(f.session_cash(s) < 1'000'000);
}

TEST_CASE("desk: holdings that differ from the ledgers halt the sessions trading the symbol") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  const auto quiet = f.session({"BBB"}, 1'000'000);
  REQUIRE(f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
          PlaceOutcome::kFilled);
  auto ok = f.desk->reconcile(ReconKind::kPeriodic);
  REQUIRE(ok.ok());
  CHECK(ok->result == "ok");
  // Someone buys AAA in the broker's app: quantd reports and halts, never trades to repair.
  f.clock.set(from_seoul(kDay, 9, 7, 2));
  OrderRequest manual;
  manual.symbol = domain::Symbol("AAA");
  manual.side = domain::Side::kBuy;
  manual.quantity = 3;
  manual.type = OrderType::kMarket;
  manual.bar_ts = from_seoul(kDay, 9, 6);
  REQUIRE(f.broker->submit(manual).outcome == SendOutcome::kAccepted);
  const int before = f.paper_orders();
  auto report = f.desk->reconcile(ReconKind::kPeriodic);
  REQUIRE(report.ok());
  CHECK(report->result == "mismatch");
  CHECK(f.store.get(s)->state == SessionState::kHalted);
  CHECK(f.store.get(quiet)->state == SessionState::kActive);
  CHECK(f.paper_orders() == before);
  // The same on a symbol nobody trades only moves the baseline.
  OrderRequest other = manual;
  other.symbol = domain::Symbol("CCC");
  f.tdb.store(domain::Symbol("CCC"), domain::Interval::k1m,
              {testing::minute_bar(kDay, 9, 6, 5000, 5000, 5000, 5000)});
  REQUIRE(f.broker->submit(other).outcome == SendOutcome::kAccepted);
  auto again = f.desk->reconcile(ReconKind::kPeriodic);
  REQUIRE(again.ok());
  SQLite::Statement q(f.tdb.db->connection(),
                      "SELECT quantity FROM account_baseline WHERE symbol = 'CCC'");
  REQUIRE(q.executeStep());
  CHECK(q.getColumn(0).getInt() == 3);
}

TEST_CASE("desk: the kill switch defers orders and survives a restart") {
  DeskFixture f;
  const auto s = f.session({"AAA"}, 1'000'000);
  REQUIRE(f.desk->set_trading_state(TradingState::kHalted, "test", "operator").ok());
  CHECK(f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kDeferred);
  f.boot();
  CHECK(f.desk->trading_state() == TradingState::kHalted);
  CHECK(f.paper_orders() == 0);
  REQUIRE(f.desk->set_trading_state(TradingState::kActive, "resumed", "operator").ok());
  CHECK(f.desk->place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kFilled);
}

namespace {

// The paper broker with a switch for Broker::blocked_reason (KIS's dead token, LIVE.md LT-18).
class BlockableBroker final : public Broker {
 public:
  explicit BlockableBroker(Broker& inner) : inner_(inner) {}
  BrokerCaps caps() const override { return inner_.caps(); }
  SendResult submit(const OrderRequest& r) override {
    ++submits;
    return inner_.submit(r);
  }
  SendResult cancel(const BrokerOrderRef& ref, const domain::Symbol& s, std::int64_t q) override {
    return inner_.cancel(ref, s, q);
  }
  Result<std::vector<BrokerOrder>> orders(const OrderQuery& q) override { return inner_.orders(q); }
  Result<AccountView> account() override { return inner_.account(); }
  std::string blocked_reason() const override { return blocked; }

  std::string blocked;
  int submits = 0;

 private:
  Broker& inner_;
};

}  // namespace

TEST_CASE("desk: a broker that cannot take orders halts the account until it can (LT-18)") {
  DeskFixture f;
  BlockableBroker broker(*f.broker);
  std::vector<nlohmann::json> accounts;
  OrderDesk desk(*f.tdb.db, f.store, f.account, broker, f.clock, DeskOptions{}, nullptr,
                 [&](std::string_view e, const nlohmann::json& d) {
                   if (e == "live.account") accounts.push_back(d);
                 });
  const auto s = f.session({"AAA"}, 1'000'000);
  CHECK_FALSE(desk.broker_changed());
  broker.blocked = "token_invalid";
  CHECK(desk.broker_changed());
  // Nothing is sent; the account halts with the broker's reason.
  CHECK(desk.place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kDeferred);
  CHECK(broker.submits == 0);
  CHECK(desk.trading_state() == TradingState::kHalted);
  CHECK_FALSE(desk.broker_changed());
  auto while_blocked = desk.reconcile(ReconKind::kPeriodic);
  REQUIRE(while_blocked.ok());
  CHECK(while_blocked->result == "incomplete");
  CHECK(desk.trading_state() == TradingState::kHalted);
  REQUIRE(accounts.size() == 1);
  CHECK(accounts[0]["reason"] == "token_invalid");
  CHECK(accounts[0]["actor"] == "broker");
  // The broker takes orders again: a clean reconciliation resumes the account, and the order
  // goes out.
  broker.blocked.clear();
  CHECK(desk.broker_changed());
  auto resumed = desk.reconcile(ReconKind::kPeriodic);
  REQUIRE(resumed.ok());
  CHECK(resumed->result == "ok");
  CHECK(desk.trading_state() == TradingState::kActive);
  REQUIRE(accounts.size() == 2);
  CHECK(accounts[1]["actor"] == "reconciliation");
  CHECK(desk.place(f.buy(s, "AAA", 10, from_seoul(kDay, 9, 4)), f.risk(), {}).outcome ==
        PlaceOutcome::kFilled);
  CHECK(broker.submits == 1);
}

TEST_CASE("desk: a broker that takes orders again never lifts the operator's halt") {
  DeskFixture f;
  BlockableBroker broker(*f.broker);
  OrderDesk desk(*f.tdb.db, f.store, f.account, broker, f.clock, DeskOptions{}, nullptr, nullptr);
  REQUIRE(desk.set_trading_state(TradingState::kHalted, "kill switch", "operator").ok());
  broker.blocked = "token_invalid";
  CHECK_FALSE(desk.broker_changed());  // halted already: the operator's reason stays
  broker.blocked.clear();
  CHECK_FALSE(desk.broker_changed());
  REQUIRE(desk.reconcile(ReconKind::kPeriodic).ok());
  CHECK(desk.trading_state() == TradingState::kHalted);
}

TEST_CASE("desk: a halt for the broker outlives a restart and is lifted after it") {
  DeskFixture f;
  {
    BlockableBroker broker(*f.broker);
    broker.blocked = "token_invalid";
    OrderDesk desk(*f.tdb.db, f.store, f.account, broker, f.clock, DeskOptions{}, nullptr, nullptr);
    REQUIRE(desk.reconcile(ReconKind::kStartup).ok());
    CHECK(desk.trading_state() == TradingState::kHalted);
  }
  BlockableBroker broker(*f.broker);  // a new process: the broker is fine again
  OrderDesk desk(*f.tdb.db, f.store, f.account, broker, f.clock, DeskOptions{}, nullptr, nullptr);
  CHECK(desk.trading_state() == TradingState::kHalted);
  CHECK(desk.broker_changed());
  REQUIRE(desk.reconcile(ReconKind::kStartup).ok());
  CHECK(desk.trading_state() == TradingState::kActive);
}

TEST_CASE("risk: limits deny with a code and a sentence; halts defer") {
  PlannedOrder p;
  p.request.symbol = domain::Symbol("AAA");
  p.request.side = domain::Side::kBuy;
  p.request.quantity = 1000;
  p.ref_price = 10'000;
  RiskContext c;
  c.session_equity = 20'000'000;
  CHECK(check_order(p, c).verdict == RiskVerdict::kAllow);
  c.limits.max_order_notional = 5'000'000;
  RiskDecision d = check_order(p, c);
  CHECK(d.verdict == RiskVerdict::kDeny);
  CHECK(d.check == "NOTIONAL_EXCEEDS_MAX");
  CHECK(d.detail.find("10,000,000") != std::string::npos);
  c.limits = {};
  c.session_equity = 5'000'000;
  CHECK(check_order(p, c).check == "POSITION_EXCEEDS_MAX");
  c.session_equity = 20'000'000;
  c.session_state = SessionState::kHalted;
  CHECK(check_order(p, c).verdict == RiskVerdict::kDefer);
  c.session_state = SessionState::kReducing;
  CHECK(check_order(p, c).check == "REDUCING_ONLY");
  p.request.side = domain::Side::kSell;
  CHECK(check_order(p, c).verdict == RiskVerdict::kAllow);
  c.session_state = SessionState::kActive;
  c.market_open = false;
  CHECK(check_order(p, c).check == "MARKET_CLOSED");
  p.request.bar_ts = 1;  // simulated at a bar: its own time is the market's
  CHECK(check_order(p, c).verdict == RiskVerdict::kAllow);
  c.orders_symbol_today = 40;
  CHECK(check_order(p, c).check == "RATE_PER_SYMBOL_DAY");
}
