#include "quantd/execution/strategy_runner.h"

#include <cstdio>
#include <cstdlib>

#include "quantd/domain/aggregate.h"

namespace quantd::execution {
namespace {

// A trade proven never placed is planned again at once, but not forever: a venue that keeps
// saying so leaves the target pending for the next opportunity.
constexpr int kMaxAttempts = 3;

[[noreturn]] void invariant_broken(const char* what) {
  std::fprintf(stderr, "quantd runner: broken invariant: %s\n", what);
  std::abort();
}

}  // namespace

StrategyRunner::StrategyRunner(const strategy::StrategyFactory& factory,
                               std::vector<RunSymbol> symbols, domain::Ledger& ledger, Venue& venue,
                               const CostModel& costs, Options options)
    : symbols_(std::move(symbols)),
      ledger_(ledger),
      venue_(venue),
      costs_(costs),
      options_(options),
      targets_(symbols_.size()),
      state_(symbols_.size()),
      ctx_(*this) {
  if (ledger_.size() != symbols_.size()) invariant_broken("ledger and symbols differ in size");
  strategies_.reserve(symbols_.size());
  for (const RunSymbol& s : symbols_) strategies_.push_back(factory.create(s.symbol));
}

StrategyRunner::~StrategyRunner() = default;

TimestampMs StrategyRunner::Context::now() const {
  return domain::bar_complete_at(history_.back().ts, runner_.options_.interval);
}

void StrategyRunner::announce(std::uint32_t s, std::span<const domain::Bar> bars) {
  strategies_[s]->on_series(bars);
}

std::int64_t StrategyRunner::bars_held(std::uint32_t s) const {
  return ledger_.position(s).quantity > 0 ? state_[s].bars_held : 0;
}

void StrategyRunner::restore_target(std::uint32_t s, const SymbolTarget& target) {
  if (targets_[s].pending) --pending_count_;
  targets_[s] = target;
  if (target.pending) ++pending_count_;
}

void StrategyRunner::clear_pending(std::uint32_t s) {
  if (!targets_[s].pending) return;
  targets_[s].pending = false;
  --pending_count_;
}

void StrategyRunner::act_at_open(std::uint32_t s, const domain::Bar& bar, Phase phase) {
  act(s, bar.open, bar.ts, bar.ts, phase);
}

void StrategyRunner::act_now(std::span<const double> reference, TimestampMs now) {
  if (pending_count_ == 0) return;
  for (Phase phase : {Phase::kSells, Phase::kBuys}) {
    for (std::uint32_t s = 0; s < size(); ++s) {
      if (reference[s] > 0) act(s, reference[s], 0, now, phase);
    }
  }
}

void StrategyRunner::act(std::uint32_t s, double reference, TimestampMs bar_ts, TimestampMs date_ts,
                         Phase phase) {
  SymbolTarget& t = targets_[s];
  SymbolState& st = state_[s];
  if (!t.pending || st.in_flight != InFlight::kNone) return;
  // Nothing held, nothing to sell: plan_target would say kWait (a target is never below zero),
  // and a backtest's every purchase would pay for a plan and a calendar date in vain.
  if (phase == Phase::kSells && ledger_.position(s).quantity == 0) return;
  const domain::Market market = symbols_[s].market;
  const CivilDate date = to_seoul(date_ts).date;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    const Plan p = plan_target(t, ledger_, s, reference, market, date, costs_, phase);
    const std::int64_t held = ledger_.position(s).quantity;
    if (p.kind == PlanKind::kWait) return;
    clear_pending(s);
    if (p.kind == PlanKind::kSettled) {
      settle(t, held);
      return;
    }
    Ticket ticket;
    ticket.symbol = s;
    ticket.side = p.kind == PlanKind::kSell ? domain::Side::kSell : domain::Side::kBuy;
    ticket.quantity = p.quantity;
    ticket.reason = domain::OrderReason::kSignal;
    ticket.decided_ts = t.decided_ts;
    ticket.bar_ts = bar_ts;
    ticket.price = p.price;
    ticket.exits = t.target.exits;
    if (p.kind == PlanKind::kNoCash) {
      venue_.reject(ticket);
      return;
    }
    st.acting = t.target;
    st.held_before = held;
    switch (venue_.execute(ticket)) {
      case VenueResult::kDone:
        settle_after(s, held, t.target);
        return;
      case VenueResult::kInFlight:
        st.in_flight = InFlight::kTarget;
        return;
      case VenueResult::kRetry:
        t.pending = true;
        ++pending_count_;
        break;
      case VenueResult::kDeferred:
        t.pending = true;
        ++pending_count_;
        return;
    }
  }
}

void StrategyRunner::restore_in_flight(std::uint32_t s, const domain::Intent& acting,
                                       std::int64_t held_before) {
  SymbolState& st = state_[s];
  st.in_flight = InFlight::kTarget;
  st.acting = acting;
  st.held_before = held_before;
}

void StrategyRunner::settle_after(std::uint32_t s, std::int64_t held_before,
                                  const domain::Intent& acted) {
  SymbolState& st = state_[s];
  const domain::Position& pos = ledger_.position(s);
  if (held_before == 0 && pos.quantity > 0) {
    // No exits, no levels (arm_exits would say so too): spares the entry's calendar date.
    st.levels = pos.exits.any() ? arm_exits(pos.exits, pos.entry_price, symbols_[s].market,
                                            to_seoul(pos.entry_ts).date)
                                : ExitLevels{};
    st.bars_held = 0;
  } else if (pos.quantity == 0) {
    st.levels = ExitLevels{};
  }
  SymbolTarget& t = targets_[s];
  if (pos.quantity == 0) {
    t.has_in_force = false;
  } else if (pos.quantity != held_before) {
    t.in_force = acted;
    t.has_in_force = true;
  }
  // Else the order was refused or denied and changed nothing: the target was not acted upon, so
  // the same intent at a later bar plans again. (Recorded as in force, a sale denied by a rate
  // limit would leave the position open for good: the planner settles a target already in force.)
}

void StrategyRunner::check_exits(std::uint32_t s, const domain::Bar& bar) {
  SymbolState& st = state_[s];
  const domain::Position& pos = ledger_.position(s);
  if (pos.quantity == 0 || st.in_flight != InFlight::kNone) return;
  const ExitHit hit = check_bar(st.levels, bar, costs_, symbols_[s].market);
  if (!hit.hit) return;
  Ticket ticket;
  ticket.symbol = s;
  ticket.side = domain::Side::kSell;
  ticket.quantity = pos.quantity;
  ticket.reason = hit.reason;
  ticket.decided_ts = bar.ts;
  ticket.bar_ts = bar.ts;
  ticket.price = hit.price;
  ticket.exit = true;
  ticket.exit_kind = hit.kind;
  ticket.exit_level = hit.level;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    switch (venue_.execute(ticket)) {
      case VenueResult::kDone:
        if (ledger_.position(s).quantity == 0) {
          st.levels = ExitLevels{};
          targets_[s].has_in_force = false;
        }
        return;
      case VenueResult::kInFlight:
        st.in_flight = InFlight::kExit;
        return;
      case VenueResult::kDeferred:
        return;  // checked again at the next bar
      case VenueResult::kRetry:
        break;
    }
  }
}

void StrategyRunner::close_at(std::uint32_t s, const domain::Bar& bar, domain::OrderReason reason) {
  const domain::Position& pos = ledger_.position(s);
  if (pos.quantity == 0) return;
  Ticket ticket;
  ticket.symbol = s;
  ticket.side = domain::Side::kSell;
  ticket.quantity = pos.quantity;
  ticket.reason = reason;
  ticket.decided_ts = bar.ts;
  ticket.bar_ts = bar.ts;
  ticket.price = costs_.slipped_price(bar.close, domain::Side::kSell, symbols_[s].market,
                                      to_seoul(bar.ts).date);
  if (venue_.execute(ticket) == VenueResult::kDone && ledger_.position(s).quantity == 0) {
    state_[s].levels = ExitLevels{};
    targets_[s].has_in_force = false;
  }
}

void StrategyRunner::resolved(std::uint32_t s, bool retry) {
  SymbolState& st = state_[s];
  const InFlight kind = st.in_flight;
  st.in_flight = InFlight::kNone;
  SymbolTarget& t = targets_[s];
  if (kind == InFlight::kTarget) {
    if (retry) {
      // A newer target decided meanwhile wins; otherwise the one that never got out stands.
      if (!t.pending) {
        t.target = st.acting;
        t.pending = true;
        ++pending_count_;
      }
      return;
    }
    settle_after(s, st.held_before, st.acting);
  } else if (kind == InFlight::kExit && ledger_.position(s).quantity == 0) {
    st.levels = ExitLevels{};
    t.has_in_force = false;
  }
}

void StrategyRunner::after_decision(std::uint32_t s, const domain::Bar& bar) {
  const bool tradable = bar.ts >= options_.trade_from;
  if (observer_ != nullptr) {
    Evaluation e;
    e.symbol = s;
    e.bar = &bar;
    e.position = ctx_.position();
    e.entry_price = ctx_.entry_price();
    e.bars_held = ctx_.bars_held();
    e.cash = ctx_.cash();
    e.equity = ctx_.equity();
    e.intent = sink_.has_intent() ? &sink_.intent() : nullptr;
    e.tradable = tradable;
    observer_->on_evaluation(e);
  }
  if (!sink_.has_intent()) return;
  if (tradable) {
    SymbolTarget& t = targets_[s];
    if (!t.pending) ++pending_count_;
    t.pending = true;
    t.target = sink_.intent();
    t.decided_ts = bar.ts;
  }
  sink_.clear();
}

}  // namespace quantd::execution
