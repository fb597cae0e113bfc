#include "quantd/live/live_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "quantd/domain/aggregate.h"
#include "quantd/domain/krx.h"

namespace quantd::live {
namespace {

using nlohmann::json;

constexpr TimestampMs kNever = std::numeric_limits<TimestampMs>::max();

// Completed bars of one interval in a typical KRX day: how far back to look for `need` of them.
std::int64_t bars_per_day(domain::Interval i) {
  switch (i) {
    case domain::Interval::k1m:
      return 381;
    case domain::Interval::k5m:
      return 78;
    case domain::Interval::k15m:
      return 26;
    case domain::Interval::k30m:
      return 13;
    case domain::Interval::k60m:
      return 7;
    case domain::Interval::k1d:
      return 1;
  }
  return 1;
}

TimestampMs seoul_day_start(TimestampMs ts) { return seoul_day(ts) * kMsPerDay - kSeoulOffsetMs; }

}  // namespace

TimestampMs LiveSession::first_open_bar(TimestampMs now, domain::Interval interval) {
  domain::BarAggregator agg(interval);
  TimestampMs start = agg.bucket_start(now);
  if (interval == domain::Interval::k1m)
    start = now - (now % kMsPerMinute + kMsPerMinute) % kMsPerMinute;
  if (domain::bar_complete_at(start, interval) > now) return start;
  if (interval == domain::Interval::k1d) return start + kMsPerDay;
  return start + domain::interval_ms(interval);
}

struct LiveSession::Impl {
  // The session's trades go to the account's desk.
  class LiveVenue final : public execution::Venue {
   public:
    explicit LiveVenue(Impl& s) : s_(s) {}
    execution::VenueResult execute(const execution::Ticket& t) override { return s_.execute(t); }
    void reject(const execution::Ticket& t) override { s_.reject(t); }

   private:
    Impl& s_;
  };

  // Collects what the runner evaluated at the current timestamp.
  class Recorder final : public execution::RunObserver {
   public:
    void on_evaluation(const execution::Evaluation& e) override { seen.push_back(Seen(e)); }
    struct Seen {
      explicit Seen(const execution::Evaluation& e)
          : symbol(e.symbol),
            bar(*e.bar),
            ctx{e.position, e.entry_price, e.bars_held, e.cash, e.equity},
            intent(e.intent ? std::optional<domain::Intent>(*e.intent) : std::nullopt),
            tradable(e.tradable) {}
      std::uint32_t symbol;
      domain::Bar bar;
      execution::RecordedContext ctx;
      std::optional<domain::Intent> intent;
      bool tradable;
    };
    std::vector<Seen> seen;
  };

  enum class Mode : std::uint8_t { kWarmup, kReplay, kLive };

  Impl(SessionDeps d, SessionRecord r) : deps(std::move(d)), rec(std::move(r)), venue(*this) {}

  Status init(std::unique_ptr<strategy::StrategyFactory> f) {
    factory = std::move(f);
    costs = std::make_unique<execution::CostModel>(rec.settings.costs);
    ledger = std::make_unique<domain::Ledger>(rec.cash, rec.symbols.size());
    std::vector<execution::RunSymbol> symbols;
    for (const auto& s : rec.symbols) symbols.push_back({s, rec.market});
    execution::StrategyRunner::Options o;
    o.interval = rec.interval;
    o.trade_from = rec.trade_from.value_or(kNever);
    runner = std::make_unique<execution::StrategyRunner>(*factory, std::move(symbols), *ledger,
                                                         venue, *costs, o);
    runner->set_observer(&recorder);
    history.resize(rec.symbols.size());
    target_ids.resize(rec.symbols.size());
    need = std::max(factory->warmup_bars(), deps.options.min_warmup_bars);
    return {};
  }

  TimestampMs now() const { return deps.clock.now(); }

  void publish_state(SessionState was) {
    if (!deps.events) return;
    deps.events("live.session", json{{"id", rec.id.value()},
                                     {"state", to_string(rec.state)},
                                     {"was", to_string(was)},
                                     {"reason", rec.state_reason}});
  }

  Status set_state(SessionState state, const std::string& reason, std::string_view source) {
    if (Status st = deps.store.set_state(rec.id, state, reason, source, now()); !st.ok()) return st;
    const SessionState was = rec.state;
    rec.state = state;
    rec.state_reason = reason;
    publish_state(was);
    return {};
  }

  // Reloads the ledger's cash and positions from storage (the journal books fills there).
  Status reload_ledger() { return load_ledger().status(); }
  // The same, and the stored positions (one per symbol) with their exit levels and targets.
  Result<std::vector<PositionRecord>> load_ledger() {
    auto l = deps.store.ledger(rec.id, rec.symbols);
    if (!l.ok()) return l.status();
    domain::Portfolio p;
    p.cash = l->first;
    for (const PositionRecord& pr : l->second) p.positions.push_back(pr.position);
    ledger->restore(p);
    rec.cash = p.cash;
    return std::move(l->second);
  }

  bool market_open(TimestampMs t) const {
    const CivilDate d = to_seoul(t).date;
    if (!deps.calendar.is_trading_day(d)) return false;
    return t >= deps.calendar.session_open(d) && t < deps.calendar.session_close(d);
  }

  // The daily loss limit (LIVE.md D11, LT-25): equity below daily_loss_pct of the day's opening
  // equity, at a bar's close or before an order, turns the session `reducing` for the rest of
  // that trading day (sales go out, buys are denied); a bar or an order of a later day starts it
  // over. The day is in the reason, so a restart keeps the rule.
  void check_daily_loss(double equity, CivilDate today) {
    const std::string_view prefix = "daily loss limit on ";
    if (rec.state == SessionState::kReducing && rec.state_reason.starts_with(prefix)) {
      const auto day =
          parse_civil_date(std::string_view(rec.state_reason)
                               .substr(prefix.size(), std::string_view("YYYY-MM-DD").size()));
      if (day && *day < today) {
        (void)set_state(SessionState::kActive,
                        "a new trading day: the daily loss limit starts over", "risk");
      }
    }
    const double pct = rec.settings.risk.daily_loss_pct;
    if (pct <= 0 || rec.state != SessionState::kActive) return;
    if (!day_open || day_open->first != today) {  // read once a day: the past does not change
      auto read =
          deps.store.equity_before(rec.id, from_seoul(today), static_cast<double>(rec.capital));
      if (!read.ok()) {
        spdlog::error("session {}: {}", rec.id.value(), read.status().message());
        return;
      }
      day_open.emplace(today, *read);
    }
    const double* open = &day_open->second;
    if (*open <= 0 || equity >= *open * (1 - pct / 100.0)) return;
    char down[32], limit[32];
    std::snprintf(down, sizeof down, "%.2f%%", (1 - equity / *open) * 100);
    std::snprintf(limit, sizeof limit, "%g%%", pct);
    const std::string reason =
        std::string(prefix) + format_seoul_date(from_seoul(today)) + ": equity " +
        format_krw(equity) + " KRW is " + down + " below the day's opening " + format_krw(*open) +
        " KRW (daily_loss_pct " + limit + "); only sales until the next trading day";
    if (Status st = set_state(SessionState::kReducing, reason, "risk"); !st.ok()) {
      spdlog::error("session {}: {}", rec.id.value(), st.message());
    }
  }

  execution::VenueResult execute(const execution::Ticket& t) {
    PlannedOrder p;
    p.account = deps.desk.account();
    p.session = rec.id;
    if (!t.exit && target_ids[t.symbol].value() != 0) p.target = target_ids[t.symbol];
    p.reason = t.reason;
    if (rec.state == SessionState::kStopping && !t.exit) p.reason = domain::OrderReason::kFlatten;
    p.decided_ts = t.decided_ts;
    p.ref_price = t.price;
    OrderRequest& r = p.request;
    r.symbol = rec.symbols[t.symbol];
    r.market = rec.market;
    r.side = t.side;
    r.quantity = t.quantity;
    if (rec.settings.policy == ActPolicy::kAtNextBarOpen) {
      r.bar_ts = t.bar_ts;
      r.bar_interval = rec.interval;
      if (t.exit && t.exit_kind == execution::ExitKind::kStop) {
        r.type = OrderType::kStopMarket;
        r.trigger_price = t.exit_level;
      } else if (t.exit) {
        r.type = OrderType::kLimit;
        r.limit_price = t.exit_level;
      } else {
        r.type = OrderType::kMarket;
      }
    } else {
      r.type =
          rec.settings.order_type == OrderType::kLimit ? OrderType::kLimit : OrderType::kMarket;
      if (r.type == OrderType::kLimit) {
        const double k = rec.settings.collar_bps / 10'000.0;
        const bool buy = t.side == domain::Side::kBuy;
        r.limit_price =
            domain::round_to_tick(t.price * (buy ? 1 + k : 1 - k), rec.market, to_seoul(now()).date,
                                  buy ? domain::TickRounding::kUp : domain::TickRounding::kDown);
      }
    }
    RiskContext risk;
    risk.session_equity = ledger->equity_at(t.symbol, t.price);
    check_daily_loss(risk.session_equity, to_seoul(now()).date);
    risk.session_state = rec.state;
    risk.limits = rec.settings.risk;
    risk.position = ledger->position(t.symbol).quantity;
    risk.market_open = r.bar_ts != 0 || market_open(now());
    const PlaceResult placed = deps.desk.place(p, risk, rec.settings.costs);
    if (placed.order) ++stats.orders;
    if (!placed.fills.empty()) {
      if (Status st = reload_ledger(); !st.ok()) {
        spdlog::error("session {}: cannot reload its ledger: {}", rec.id.value(), st.message());
      }
    }
    switch (placed.outcome) {
      case PlaceOutcome::kFilled:
      case PlaceOutcome::kRefused:
        return execution::VenueResult::kDone;
      case PlaceOutcome::kNotPlaced:
        return execution::VenueResult::kRetry;
      case PlaceOutcome::kOpen:
      case PlaceOutcome::kUnresolved:
        return execution::VenueResult::kInFlight;
      case PlaceOutcome::kDeferred:
        return execution::VenueResult::kDeferred;
    }
    return execution::VenueResult::kDeferred;
  }

  void reject(const execution::Ticket& t) {
    PlannedOrder p;
    p.account = deps.desk.account();
    p.session = rec.id;
    if (target_ids[t.symbol].value() != 0) p.target = target_ids[t.symbol];
    p.reason = t.reason;
    p.decided_ts = t.decided_ts;
    p.ref_price = t.price;
    p.request.symbol = rec.symbols[t.symbol];
    p.request.market = rec.market;
    p.request.side = t.side;
    p.request.quantity = t.quantity;
    p.request.type = OrderType::kMarket;
    p.request.bar_ts = t.bar_ts;
    p.request.bar_interval = rec.interval;
    if (Status st = deps.desk.deny_no_cash(p); !st.ok()) {
      spdlog::error("session {}: cannot journal a denied order: {}", rec.id.value(), st.message());
    } else {
      ++stats.orders;
    }
  }

  // The bars of every symbol with from <= ts <= to that are complete at `at`.
  Result<std::vector<std::vector<domain::Bar>>> load(TimestampMs from, TimestampMs to,
                                                     TimestampMs at) {
    std::vector<std::vector<domain::Bar>> out(rec.symbols.size());
    for (std::size_t s = 0; s < rec.symbols.size(); ++s) {
      auto bars = deps.market.source().bars(rec.symbols[s], rec.interval, from, to, at);
      if (!bars.ok()) return bars.status();
      for (const domain::Bar& b : *bars) {
        if (domain::bar_complete_at(b.ts, rec.interval) <= at) out[s].push_back(b);
      }
    }
    return out;
  }

  void append(std::uint32_t s, const domain::Bar& b) {
    std::vector<domain::Bar>& h = history[s];
    const std::size_t keep = static_cast<std::size_t>(std::max(need, 2)) + 16;
    if (h.size() >= keep + 512) h.erase(h.begin(), h.end() - static_cast<std::ptrdiff_t>(keep));
    h.push_back(b);
  }

  // Feeds `bars` (per symbol, ascending) in timestamp order. kLive trades and records each
  // timestamp; kReplay answers from `recorded` and checks intents against `targets`.
  Status feed(
      const std::vector<std::vector<domain::Bar>>& bars, Mode mode,
      const std::map<std::pair<std::string, TimestampMs>, execution::RecordedContext>* recorded =
          nullptr,
      const std::map<std::pair<std::string, TimestampMs>, domain::Intent>* targets = nullptr) {
    const std::uint32_t n = static_cast<std::uint32_t>(rec.symbols.size());
    std::vector<std::size_t> cursor(n, 0);
    std::vector<std::uint32_t> active;
    for (;;) {
      TimestampMs t = kNever;
      for (std::uint32_t s = 0; s < n; ++s) {
        if (cursor[s] < bars[s].size()) t = std::min(t, bars[s][cursor[s]].ts);
      }
      if (t == kNever) break;
      active.clear();
      for (std::uint32_t s = 0; s < n; ++s) {
        if (cursor[s] < bars[s].size() && bars[s][cursor[s]].ts == t) {
          active.push_back(s);
          append(s, bars[s][cursor[s]]);
          ++cursor[s];
        }
      }
      if (mode == Mode::kLive && rec.settings.policy == ActPolicy::kAtNextBarOpen &&
          runner->any_pending()) {
        for (std::uint32_t s : active) {
          runner->act_at_open(s, history[s].back(), execution::Phase::kSells);
        }
        for (std::uint32_t s : active) {
          runner->act_at_open(s, history[s].back(), execution::Phase::kBuys);
        }
      }
      recorder.seen.clear();
      for (std::uint32_t s : active) {
        execution::RecordedContext ctx;
        if (mode == Mode::kReplay && t >= rec.trade_from.value_or(kNever)) {
          auto it = recorded->find({rec.symbols[s].str(), t});
          if (it == recorded->end()) {
            return mismatch(t, s, "no recorded evaluation for the bar");
          }
          ctx = it->second;
          runner->set_recorded(&ctx);
        }
        runner->on_bar(s, history[s]);
        runner->set_recorded(nullptr);
      }
      ++stats.bars;
      if (mode == Mode::kReplay) {
        if (Status st = check_replay(t, *targets); !st.ok()) return st;
      } else if (mode == Mode::kLive) {
        if (Status st = commit(t); !st.ok()) return st;
      }
    }
    return {};
  }

  Status mismatch(TimestampMs t, std::uint32_t s, const std::string& what) {
    replay_mismatch =
        "non-deterministic replay at " + rec.symbols[s].str() + " " + format_seoul(t) + ": " + what;
    return Status::failed_precondition(replay_mismatch);
  }

  Status check_replay(
      TimestampMs t, const std::map<std::pair<std::string, TimestampMs>, domain::Intent>& targets) {
    if (t < rec.trade_from.value_or(kNever) || rec.state == SessionState::kStopping) return {};
    for (const Recorder::Seen& e : recorder.seen) {
      auto it = targets.find({rec.symbols[e.symbol].str(), t});
      const bool recorded = it != targets.end();
      if (recorded != e.intent.has_value()) {
        return mismatch(t, e.symbol,
                        recorded ? "a recorded decision was not made again"
                                 : "a decision was made that was not recorded");
      }
      if (recorded && !(it->second == *e.intent)) {
        return mismatch(t, e.symbol, "the decision differs from the recorded one");
      }
    }
    return {};
  }

  // One transaction for the timestamp just fed (see the header).
  Status commit(TimestampMs t) {
    BarCommit c;
    c.ts = t;
    for (const Recorder::Seen& e : recorder.seen) {
      if (!e.tradable) continue;
      EvaluationRecord ev;
      ev.symbol = rec.symbols[e.symbol];
      ev.bar_ts = e.bar.ts;
      ev.close = e.bar.close;
      ev.ctx = e.ctx;
      c.evaluations.push_back(ev);
      if (e.intent && rec.state != SessionState::kStopping) {
        TargetRecord tr;
        tr.symbol = ev.symbol;
        tr.decided_ts = e.bar.ts;
        tr.intent = *e.intent;
        c.targets.push_back(tr);
      }
    }
    for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
      if (ledger->position(s).quantity > 0) {
        c.levels.emplace_back(rec.symbols[s], runner->exit_levels(s));
      }
    }
    if (t >= rec.trade_from.value_or(kNever)) {
      double value = 0;
      for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
        value += static_cast<double>(ledger->position(s).quantity) * ledger->mark_of(s);
      }
      c.equity = EquityPoint{t, ledger->cash(), value, ledger->equity()};
    }
    auto ids = deps.store.commit_bar(rec.id, c, now());
    if (!ids.ok()) return ids.status();
    for (std::size_t k = 0; k < c.targets.size(); ++k) {
      for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
        if (rec.symbols[s] == c.targets[k].symbol) target_ids[s] = (*ids)[k];
      }
    }
    rec.last_bar = t;
    if (c.equity) check_daily_loss(c.equity->equity, to_seoul(t).date);
    if (deps.crash && !c.targets.empty()) deps.crash("after_target_commit");
    return {};
  }

  // Runner state that lives in storage: the ledger, exit levels, the target in force, pending
  // and in-flight targets, bars held.
  Status restore_state() {
    auto stored = load_ledger();
    if (!stored.ok()) return stored.status();
    for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
      if (!history[s].empty()) ledger->mark(s, history[s].back().close);
      const PositionRecord& pr = (*stored)[s];
      execution::SymbolTarget target;
      if (pr.position.quantity > 0) {
        execution::ExitLevels levels = pr.levels;
        if (!levels.watching && pr.position.exits.any()) {
          levels = execution::arm_exits(pr.position.exits, pr.position.entry_price, rec.market,
                                        to_seoul(pr.position.entry_ts).date);
        }
        runner->restore_exit_levels(s, levels);
        if (pr.in_force) {
          target.has_in_force = true;
          target.in_force = *pr.in_force;
        }
      }
      runner->restore_target(s, target);
    }
    // bars held: the last recorded evaluation of each symbol.
    if (rec.last_bar && rec.trade_from) {
      auto evs = deps.store.evaluations(
          rec.id, std::max(*rec.trade_from, *rec.last_bar - 40 * kMsPerDay), *rec.last_bar);
      if (!evs.ok()) return evs.status();
      for (const EvaluationRecord& e : *evs) {
        for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
          if (rec.symbols[s] != e.symbol) continue;
          // The recorded value was read after this bar's increment.
          runner->restore_bars_held(s, ledger->position(s).quantity > 0 ? e.ctx.bars_held : 0);
        }
      }
    }
    auto open = deps.store.open_targets(rec.id);
    if (!open.ok()) return open.status();
    OrderJournal journal(deps.db);
    auto orders = journal.session_orders(rec.id, 200);
    if (!orders.ok()) return orders.status();
    for (const TargetRecord& t : *open) {
      for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
        if (rec.symbols[s] != t.symbol) continue;
        target_ids[s] = t.id;
        execution::SymbolTarget st = runner->target(s);
        bool open_order = false;
        for (const JournalOrder& o : *orders) {
          if (o.target && *o.target == t.id && is_open(o.state)) open_order = true;
        }
        if (t.status == TargetStatus::kActing && open_order) {
          st.target = t.intent;
          st.decided_ts = t.decided_ts;
          runner->restore_target(s, st);
          runner->restore_in_flight(s, t.intent, ledger->position(s).quantity);
        } else {
          st.pending = true;
          st.target = t.intent;
          st.decided_ts = t.decided_ts;
          runner->restore_target(s, st);
        }
      }
    }
    return {};
  }

  // Symbols whose trade was in flight and has an outcome now.
  Status settle_in_flight() {
    bool any = false;
    for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) any = any || runner->in_flight(s);
    if (!any) return {};
    std::vector<domain::Symbol> waiting;
    for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
      if (runner->in_flight(s)) waiting.push_back(rec.symbols[s]);
    }
    (void)deps.desk.refresh(waiting);  // fills at the broker, unknown orders resolved
    OrderJournal journal(deps.db);
    auto orders = journal.session_orders(rec.id, 50);
    if (!orders.ok()) return orders.status();
    if (Status st = reload_ledger(); !st.ok()) return st;
    for (std::uint32_t s = 0; s < rec.symbols.size(); ++s) {
      if (!runner->in_flight(s)) continue;
      for (const JournalOrder& o : *orders) {
        if (o.request.symbol != rec.symbols[s]) continue;
        if (!is_open(o.state)) runner->resolved(s, o.state == OrderState::kNotPlaced);
        break;  // the newest order of the symbol decides
      }
    }
    return {};
  }

  SessionDeps deps;
  SessionRecord rec;
  LiveVenue venue;
  Recorder recorder;
  std::unique_ptr<strategy::StrategyFactory> factory;
  std::unique_ptr<execution::CostModel> costs;
  std::unique_ptr<domain::Ledger> ledger;
  std::unique_ptr<execution::StrategyRunner> runner;
  std::optional<std::pair<CivilDate, double>> day_open;  // the daily loss limit's reference
  std::vector<std::vector<domain::Bar>> history;
  std::vector<domain::TargetId> target_ids;
  int need = 0;
  CycleStats stats;
  std::string replay_mismatch;
};

LiveSession::LiveSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LiveSession::~LiveSession() = default;

domain::SessionId LiveSession::id() const { return impl_->rec.id; }
SessionState LiveSession::state() const { return impl_->rec.state; }
const SessionRecord& LiveSession::record() const { return impl_->rec; }

Result<std::unique_ptr<LiveSession>> LiveSession::open(domain::SessionId id, SessionDeps deps,
                                                       const StrategyCompiler& compile) {
  auto rec = deps.store.get(id);
  if (!rec.ok()) return rec.status();
  auto factory = compile(rec->script, rec->params);
  if (!factory.ok()) return factory.status();
  auto impl = std::make_unique<Impl>(std::move(deps), std::move(rec).value());
  if (Status st = impl->init(std::move(factory).value()); !st.ok()) return st;
  return std::unique_ptr<LiveSession>(new LiveSession(std::move(impl)));
}

Status LiveSession::warm_up() {
  Impl& m = *impl_;
  const TimestampMs now = m.now();
  const TimestampMs trade_from = first_open_bar(now, m.rec.interval);
  // Enough calendar days back for `need` bars, then everything if that was not enough.
  const std::int64_t days =
      (m.need + bars_per_day(m.rec.interval) - 1) / bars_per_day(m.rec.interval);
  TimestampMs from = trade_from - (days * 7 / 5 + 10) * kMsPerDay;
  auto bars = m.load(from, trade_from - 1, now);
  if (!bars.ok()) return bars.status();
  bool short_history = false;
  for (const auto& b : *bars) short_history = short_history || static_cast<int>(b.size()) < m.need;
  if (short_history) {
    from = std::numeric_limits<TimestampMs>::min() / 2;
    bars = m.load(from, trade_from - 1, now);
    if (!bars.ok()) return bars.status();
  }
  // Start at the beginning of the day of the earliest needed bar, so a backtest with --from that
  // day and --trade-from the activation day sees exactly these bars.
  TimestampMs warmup_from = seoul_day_start(trade_from);
  for (std::size_t s = 0; s < bars->size(); ++s) {
    const auto& b = (*bars)[s];
    if (static_cast<int>(b.size()) < m.need) {
      const std::string reason =
          "needs " + std::to_string(m.need) + " " + std::string(domain::to_string(m.rec.interval)) +
          " bars of " + m.rec.symbols[s].str() + " before " + format_seoul(trade_from) +
          " to warm up; " + std::to_string(b.size()) +
          " are stored. Import more history (Data page or `quantd import-bars`) and activate "
          "again.";
      return m.set_state(SessionState::kFailed, reason, "session");
    }
    if (m.need > 0) {
      warmup_from =
          std::min(warmup_from, seoul_day_start(b[b.size() - static_cast<std::size_t>(m.need)].ts));
    }
  }
  for (auto& b : *bars) {
    b.erase(std::remove_if(b.begin(), b.end(),
                           [&](const domain::Bar& x) { return x.ts < warmup_from; }),
            b.end());
  }
  m.rec.trade_from = trade_from;
  m.rec.warmup_from = warmup_from;
  m.runner->set_trade_from(kNever);  // warm-up decisions are discarded
  if (Status st = m.feed(*bars, Impl::Mode::kWarmup); !st.ok()) return st;
  m.runner->set_trade_from(trade_from);
  std::optional<TimestampMs> last;
  for (const auto& b : *bars) {
    if (!b.empty()) last = std::max(last.value_or(b.back().ts), b.back().ts);
  }
  m.rec.last_bar = last;
  if (Status st = m.deps.store.finish_warmup(m.rec.id, warmup_from, trade_from, last,
                                             SessionState::kActive, now);
      !st.ok()) {
    return st;
  }
  const SessionState was = m.rec.state;
  m.rec.state = SessionState::kActive;
  m.rec.state_reason.clear();
  m.publish_state(was);
  spdlog::info("session {}: warmed up on {} bar timestamps from {}; trades from {}",
               m.rec.id.value(), m.stats.bars, format_seoul(warmup_from), format_seoul(trade_from));
  return {};
}

Status LiveSession::restore() {
  Impl& m = *impl_;
  if (!m.rec.warmup_from || !m.rec.trade_from) return warm_up();  // crashed while warming (R6)
  const TimestampMs now = m.now();
  const TimestampMs last = m.rec.last_bar.value_or(*m.rec.trade_from - 1);
  auto bars = m.load(*m.rec.warmup_from, last, now);
  if (!bars.ok()) return bars.status();
  std::map<std::pair<std::string, TimestampMs>, execution::RecordedContext> recorded;
  std::map<std::pair<std::string, TimestampMs>, domain::Intent> targets;
  if (last >= *m.rec.trade_from) {
    auto evs = m.deps.store.evaluations(m.rec.id, *m.rec.trade_from, last);
    if (!evs.ok()) return evs.status();
    for (const EvaluationRecord& e : *evs) recorded[{e.symbol.str(), e.bar_ts}] = e.ctx;
    auto ts = m.deps.store.targets(m.rec.id, *m.rec.trade_from, last);
    if (!ts.ok()) return ts.status();
    for (const TargetRecord& t : *ts) targets[{t.symbol.str(), t.decided_ts}] = t.intent;
  }
  m.runner->set_trade_from(kNever);  // nothing trades during the replay
  Status replayed = m.feed(*bars, Impl::Mode::kReplay, &recorded, &targets);
  m.runner->set_trade_from(*m.rec.trade_from);
  if (Status st = m.restore_state(); !st.ok()) return st;
  if (!replayed.ok()) {
    spdlog::error("session {}: {}", m.rec.id.value(), replayed.message());
    if (m.rec.state != SessionState::kHalted) {
      return m.set_state(SessionState::kHalted, replayed.message(), "restart");
    }
    return {};
  }
  spdlog::info("session {}: restored ({} bar timestamps replayed, state {})", m.rec.id.value(),
               m.stats.bars, to_string(m.rec.state));
  return {};
}

Result<CycleStats> LiveSession::on_minute(TimestampMs minute) {
  Impl& m = *impl_;
  m.stats = CycleStats{};
  const TimestampMs now = m.now();
  // The operator or a reconciliation may have changed the state since the last cycle.
  auto stored = m.deps.store.state(m.rec.id);
  if (!stored.ok()) return stored.status();
  m.rec.state = stored->first;
  m.rec.state_reason = stored->second;
  if (is_terminal(m.rec.state) || m.rec.state == SessionState::kWarming) return m.stats;
  if (Status st = m.settle_in_flight(); !st.ok()) return st;
  const TimestampMs after = m.rec.last_bar.value_or(*m.rec.trade_from - 1);
  std::vector<std::vector<domain::Bar>> bars(m.rec.symbols.size());
  for (std::size_t s = 0; s < m.rec.symbols.size(); ++s) {
    auto got = m.deps.market.completed(m.rec.symbols[s], m.rec.interval, after, now);
    if (!got.ok()) return got.status();
    bars[s] = std::move(got).value();
  }
  (void)minute;
  bool none = true;
  for (const auto& b : bars) none = none && b.empty();
  std::string note;
  if (none) {
    note = "no " + std::string(domain::to_string(m.rec.interval)) + " bar completed after " +
           format_seoul(after) + " in the " + std::string(m.deps.market.source().name()) + " feed" +
           (m.deps.market.source().name() == "replay"
                ? std::string(" (the replay feed releases stored 1-minute bars: import the day's "
                              "bars to watch the session trade)")
                : std::string());
  }
  if (note != m.rec.data_note) {  // written only when it changes
    if (m.deps.store.set_data_note(m.rec.id, note, now).ok()) m.rec.data_note = note;
  }
  if (Status st = m.feed(bars, Impl::Mode::kLive); !st.ok()) return st;
  if (m.rec.settings.policy == ActPolicy::kImmediately && m.runner->any_pending()) {
    std::vector<double> reference(m.rec.symbols.size(), 0.0);
    for (std::uint32_t s = 0; s < m.rec.symbols.size(); ++s) reference[s] = m.ledger->mark_of(s);
    m.runner->act_now(reference, now);
  }
  if (m.rec.state == SessionState::kStopping) {
    bool flat = m.ledger->open_positions() == 0;
    for (std::uint32_t s = 0; s < m.rec.symbols.size(); ++s) flat = flat && !m.runner->in_flight(s);
    if (flat) {
      if (Status st =
              m.set_state(SessionState::kStopped, "deactivated; positions flattened", "session");
          !st.ok()) {
        return st;
      }
    }
  }
  return m.stats;
}

Status LiveSession::deactivate(bool flatten) {
  Impl& m = *impl_;
  if (is_terminal(m.rec.state)) return {};
  if (flatten && m.ledger->open_positions() > 0 && m.rec.trade_from) {
    if (Status st = m.set_state(SessionState::kStopping, "deactivated: flattening", "operator");
        !st.ok()) {
      return st;
    }
    m.runner->set_trade_from(kNever);  // the strategy's own decisions no longer trade
    for (std::uint32_t s = 0; s < m.rec.symbols.size(); ++s) {
      if (m.ledger->position(s).quantity == 0) continue;
      execution::SymbolTarget t = m.runner->target(s);
      t.pending = true;
      t.target = domain::Intent::flat();
      t.decided_ts = m.rec.last_bar.value_or(0);
      m.runner->restore_target(s, t);
      m.target_ids[s] = domain::TargetId();
    }
    return {};
  }
  return m.set_state(SessionState::kStopped,
                     m.ledger->open_positions() > 0
                         ? "deactivated; its shares stay in the account (moved to the baseline)"
                         : "deactivated",
                     "operator");
}

}  // namespace quantd::live
