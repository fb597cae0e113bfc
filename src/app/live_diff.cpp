#include "quantd/app/live_diff.h"

#include <map>
#include <set>

#include "quantd/app/strategy_loader.h"
#include "quantd/backtest/engine.h"
#include "quantd/live/order_journal.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/bar_repository.h"

namespace quantd::app {

using nlohmann::json;

namespace {

// One order as both sides describe it.
struct OrderView {
  TimestampMs decided = 0;
  std::string symbol;
  domain::Side side = domain::Side::kBuy;
  std::int64_t quantity = 0;
  std::string reason;
  bool filled = false;
  std::int64_t filled_qty = 0;
  double price = 0;
  TimestampMs fill_ts = 0;
  std::int64_t costs = 0;                // commission + tax
  std::string state;                     // live: the journal state; backtest: filled | rejected
  std::optional<live::OrderState> live;  // set on the live side
};

json side_json(const OrderView& s) {
  return {{"quantity", s.quantity},
          {"reason", s.reason},
          {"state", s.state},
          {"filled_qty", s.filled_qty},
          {"price", s.filled ? json(s.price) : json(nullptr)},
          {"fill_ts", s.filled ? json(s.fill_ts) : json(nullptr)},
          {"costs", s.costs}};
}

// Why a backtest order did not fill the same way live: the journal's state says.
std::string cause_of(live::OrderState state) {
  switch (state) {
    case live::OrderState::kRejected:
      return "rejected";
    case live::OrderState::kDenied:
      return "risk_denied";
    case live::OrderState::kUnknown:
    case live::OrderState::kNeedsAttention:
    case live::OrderState::kNotPlaced:
      return "unknown_delay";
    case live::OrderState::kPartiallyFilled:
    case live::OrderState::kCancelled:
    case live::OrderState::kExpired:
      return "partial_fill";
    default:
      return "pending";
  }
}

}  // namespace

Result<json> backtest_vs_live(storage::Database& db, const live::SessionRecord& s, CivilDate day) {
  if (!s.warmup_from || !s.trade_from || !s.last_bar) {
    return Status::failed_precondition("session " + std::to_string(s.id.value()) +
                                       " has not traded a bar yet");
  }
  const TimestampMs day_start = from_seoul(day);
  const TimestampMs day_end = day_start + kMsPerDay - 1;
  if (day_end < *s.trade_from) {
    return Status::failed_precondition("session " + std::to_string(s.id.value()) +
                                       " began trading after that day");
  }

  // The backtest the session must equal: its bars from the warm-up on, past the day's end up to
  // the session's last bar, so that the day's last decisions get their fills at the next open.
  const TimestampMs bars_to = std::max(day_end, *s.last_bar);
  storage::BarRepository repo(db);
  std::vector<std::vector<domain::Bar>> bars;
  std::vector<backtest::SymbolBars> inputs;
  std::vector<std::string> names;
  for (const domain::Symbol& sym : s.symbols) {
    auto b = storage::load_bars(repo, sym, s.interval, *s.warmup_from, bars_to);
    if (!b.ok()) return b.status();
    if (b->empty()) {
      return Status::not_found("no " + std::string(domain::to_string(s.interval)) +
                               " bars are stored for " + sym.str() + " up to that day");
    }
    bars.push_back(std::move(b).value());
    names.push_back(sym.str());
  }
  for (std::size_t i = 0; i < bars.size(); ++i) inputs.push_back({s.symbols[i], s.market, bars[i]});
  CompiledStrategy compiled = compile_strategy(s.script, s.params);
  if (!compiled.ok()) {
    return Status::failed_precondition("the session's script no longer compiles: " +
                                       describe_problems(compiled.problems));
  }
  backtest::BacktestConfig config;
  config.initial_cash = s.capital;
  config.costs = s.settings.costs;
  config.interval = s.interval;
  config.trade_from = *s.trade_from;
  auto run = backtest::run_backtest(config, inputs, *compiled.factory);
  if (!run.ok()) return run.status();

  std::vector<OrderView> expected;
  for (const domain::Order& o : run->orders) {
    if (o.decided_ts < day_start || o.decided_ts > day_end) continue;
    OrderView e;
    e.decided = o.decided_ts;
    e.symbol = names[o.symbol_index];
    e.side = o.side;
    e.quantity = o.quantity;
    e.reason = std::string(domain::to_string(o.reason));
    e.filled = o.status == domain::OrderStatus::kFilled;
    e.state = e.filled ? "filled" : "rejected";
    if (e.filled) {
      e.filled_qty = o.fill.quantity;
      e.price = o.fill.price;
      e.fill_ts = o.fill.ts;
      e.costs = o.fill.commission + o.fill.tax;
    }
    expected.push_back(std::move(e));
  }

  // What live did: the journal's orders decided that day, with their fills.
  live::OrderJournal journal(db);
  auto orders = journal.session_orders(s.id, 100'000);
  if (!orders.ok()) return orders.status();
  auto fills = journal.session_fills(s.id, 100'000);
  if (!fills.ok()) return fills.status();
  std::map<std::int64_t, std::vector<const live::FillApplied*>> fills_of;
  for (const live::FillApplied& f : *fills) fills_of[f.order.value()].push_back(&f);
  std::vector<OrderView> actual;
  for (auto it = orders->rbegin(); it != orders->rend(); ++it) {  // oldest first
    const live::JournalOrder& o = *it;
    if (o.decided_ts < day_start || o.decided_ts > day_end) continue;
    OrderView a;
    a.decided = o.decided_ts;
    a.symbol = o.request.symbol.str();
    a.side = o.request.side;
    a.quantity = o.request.quantity;
    a.reason = std::string(domain::to_string(o.reason));
    a.state = std::string(live::to_string(o.state));
    a.live = o.state;
    a.filled_qty = o.filled_qty;
    a.filled = o.filled_qty > 0;
    if (a.filled)
      a.price = static_cast<double>(o.filled_amount) / static_cast<double>(o.filled_qty);
    for (const live::FillApplied* f : fills_of[o.id.value()]) {
      a.fill_ts = std::max(a.fill_ts, f->fill_ts);
      a.costs += f->commission + f->tax;
    }
    actual.push_back(std::move(a));
  }

  // Bars the live session evaluated (a backtest order with none behind it had no bar live).
  live::SessionStore store(db);
  auto evaluations = store.evaluations(s.id, day_start, day_end);
  if (!evaluations.ok()) return evaluations.status();
  std::set<std::pair<TimestampMs, std::string>> evaluated;
  for (const live::EvaluationRecord& e : *evaluations) evaluated.insert({e.bar_ts, e.symbol.str()});

  json rows = json::array();
  int matched = 0;
  std::vector<bool> used(actual.size(), false);
  auto row = [&](std::string kind, std::string cause, const OrderView& key, const OrderView* bt,
                 const OrderView* lv) {
    rows.push_back({{"kind", kind},
                    {"cause", cause.empty() ? json(nullptr) : json(cause)},
                    {"decided_ts", key.decided},
                    {"symbol", key.symbol},
                    {"side", domain::to_string(key.side)},
                    {"backtest", bt ? side_json(*bt) : json(nullptr)},
                    {"live", lv ? side_json(*lv) : json(nullptr)}});
  };
  for (const OrderView& e : expected) {
    std::size_t k = 0;
    while (k < actual.size() &&
           (used[k] || actual[k].decided != e.decided || actual[k].symbol != e.symbol ||
            actual[k].side != e.side || actual[k].live == live::OrderState::kNotPlaced)) {
      ++k;
    }
    if (k == actual.size()) {
      // The journal has nothing: no bar live (a missing or late bar), or a halt kept it unsent.
      const bool seen = evaluated.count({e.decided, e.symbol}) > 0;
      row("missing_in_live", seen ? "halted" : "missing_bar", e, &e, nullptr);
      continue;
    }
    used[k] = true;
    const OrderView& a = actual[k];
    if (!e.filled && a.live == live::OrderState::kDenied) {
      ++matched;  // both refused it (the backtest's rejection is live's cash check)
      row("match", "", e, &e, &a);
    } else if (a.quantity != e.quantity) {
      row("quantity", "bar_revision", e, &e, &a);
    } else if (e.filled && a.filled_qty < e.filled_qty) {
      row("not_filled", cause_of(*a.live), e, &e, &a);
    } else if (e.filled && a.price != e.price) {
      row("fill_price", "fill_price", e, &e, &a);
    } else if (e.filled == a.filled) {
      ++matched;
      row("match", "", e, &e, &a);
    } else {
      row("not_filled", cause_of(*a.live), e, &e, &a);
    }
  }
  for (std::size_t k = 0; k < actual.size(); ++k) {
    if (used[k] || actual[k].live == live::OrderState::kNotPlaced) continue;
    row("extra_in_live", "bar_revision", actual[k], nullptr, &actual[k]);
  }

  // Both equity curves from the first traded bar to the day's end, for one chart.
  json bt_curve = json::array();
  for (std::size_t i = 0; i < run->equity_ts.size() && run->equity_ts[i] <= day_end; ++i) {
    bt_curve.push_back({{"ts", run->equity_ts[i]}, {"equity", run->equity[i]}});
  }
  auto live_points = store.equity(s.id, 0, day_end);
  if (!live_points.ok()) return live_points.status();
  json live_curve = json::array();
  for (const live::EquityPoint& p : *live_points) {
    live_curve.push_back({{"ts", p.ts}, {"equity", p.equity}});
  }
  const int diverged = static_cast<int>(rows.size()) - matched;
  return json{{"session_id", s.id.value()},
              {"day", format_seoul_date(day_start)},
              {"rows", rows},
              {"summary",
               {{"backtest_orders", expected.size()},
                {"live_orders", std::count_if(actual.begin(), actual.end(),
                                              [](const OrderView& a) {
                                                return a.live != live::OrderState::kNotPlaced;
                                              })},
                {"matched", matched},
                {"diverged", diverged}}},
              {"equity", {{"backtest", bt_curve}, {"live", live_curve}}}};
}

}  // namespace quantd::app
