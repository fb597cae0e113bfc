#include "quantd/lang/rule_strategy.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "program_internal.h"

namespace quantd::lang {

namespace {

bool uses_var(const Program& p, internal::PositionVar v) {
  for (const internal::Node& n : p.data().nodes) {
    if (n.op == internal::NodeOp::kPosition && n.p[0] == static_cast<int>(v)) return true;
  }
  return false;
}

}  // namespace

RuleStrategy::RuleStrategy(std::shared_ptr<const Program> program, int block_rows)
    : eval_(std::move(program), block_rows),
      entry_(eval_.program().entry_intent()),
      buy_column_(eval_.buy_column()),
      sell_column_(eval_.sell_column()),
      uses_position_(eval_.program().uses_position()),
      uses_bars_held_(uses_var(eval_.program(), internal::PositionVar::kBarsHeld)),
      fires_(static_cast<std::size_t>(eval_.block_rows()), 0) {
  if (buy_column_ < 0) {
    std::fprintf(stderr, "quantd: RuleStrategy needs a script program, not an expression\n");
    std::abort();
  }
}

int RuleStrategy::warmup_bars() const { return eval_.program().warmup_bars(); }

void RuleStrategy::on_series(std::span<const domain::Bar> bars) {
  series_ = bars;
  next_ = 0;
}

void RuleStrategy::next_block(const domain::Bar& bar) {
  row_ = 0;
  if (next_ < series_.size()) {
    // The contract of on_series: on_bar gets the announced bars in order. Anything else would
    // silently desynchronise the precomputed rows from the bars: a bug in the caller.
    if (series_[next_].ts != bar.ts) {
      std::fprintf(stderr,
                   "quantd: RuleStrategy::on_bar got a bar (ts %lld) other than the announced "
                   "one (ts %lld)\n",
                   static_cast<long long>(bar.ts), static_cast<long long>(series_[next_].ts));
      std::abort();
    }
    const std::size_t n =
        std::min(series_.size() - next_, static_cast<std::size_t>(eval_.block_rows()));
    eval_.run_block(series_.subspan(next_, n));
    next_ += n;
    rows_ = static_cast<int>(n);
  } else {
    eval_.run_block(std::span<const domain::Bar>(&bar, 1));
    rows_ = 1;
  }
  if (!uses_position_) mark_rules(rows_);
}

void RuleStrategy::mark_rules(int rows) {
  const double* buy = eval_.column_values(buy_column_);
  std::uint8_t* f = fires_.data();
  for (int j = 0; j < rows; ++j) f[j] = buy[j] == 1.0 ? 1 : 0;
  if (sell_column_ < 0) return;
  const double* sell = eval_.column_values(sell_column_);
  for (int j = 0; j < rows; ++j) f[j] |= sell[j] == 1.0 ? 2 : 0;
}

// The common bar (no rule true, no position state) is a load and a compare. Everything else is
// in out-of-line functions reached by tail calls, so this one needs no stack frame at all.
void RuleStrategy::on_bar(const strategy::DataContext& ctx, const domain::Bar& bar,
                          strategy::IntentSink& out) {
  if (row_ == rows_ || uses_position_) [[unlikely]] {
    on_bar_slow(ctx, bar, out);
    return;
  }
  // Nothing can fire unless a rule's condition is true (marked for the whole block at once):
  // most bars end here, without asking the context for the position (a virtual call).
  const std::uint8_t fires = fires_[static_cast<std::size_t>(row_++)];
  if (fires != 0) [[unlikely]]
    fire(ctx, fires, out);
}

std::size_t RuleStrategy::skip_quiet(std::size_t max) {
  if (uses_position_ || series_.empty()) return 0;
  std::size_t skipped = 0;
  while (skipped < max) {
    if (row_ == rows_) {
      if (next_ >= series_.size()) break;
      next_block(series_[next_]);
    }
    const int limit = row_ + static_cast<int>(std::min<std::size_t>(
                                 static_cast<std::size_t>(rows_ - row_), max - skipped));
    int r = row_;
    while (r < limit && fires_[static_cast<std::size_t>(r)] == 0) ++r;
    skipped += static_cast<std::size_t>(r - row_);
    row_ = r;
    if (row_ < rows_) break;  // at a marked row, or `max` reached
  }
  return skipped;
}

void RuleStrategy::fire(const strategy::DataContext& ctx, std::uint8_t fires,
                        strategy::IntentSink& out) {
  if (ctx.position() == 0) {
    if (fires & 1) out.emit(entry_);
  } else if (fires & 2) {
    out.emit(domain::Intent::flat());
  }
}

void RuleStrategy::on_bar_slow(const strategy::DataContext& ctx, const domain::Bar& bar,
                               strategy::IntentSink& out) {
  if (row_ == rows_) next_block(bar);
  const int row = row_++;
  if (!uses_position_) {
    const std::uint8_t fires = fires_[static_cast<std::size_t>(row)];
    if (fires != 0) fire(ctx, fires, out);
    return;
  }
  const std::int64_t position = ctx.position();
  PositionState s;
  s.position = static_cast<double>(position);
  if (position != 0) {
    s.entry_price = ctx.entry_price();
    s.bars_held = uses_bars_held_ ? static_cast<double>(ctx.bars_held()) : 0.0;
    // (close - entry) / entry rather than close / entry - 1: the difference is exact (whole won,
    // or within a factor of two of the entry), so a gain of exactly 5% is exactly 0.05, the value
    // of `5%`; close / entry - 1 rounds the ratio first and gives 0.050000000000000044.
    s.unrealized = (bar.close - s.entry_price) / s.entry_price;
  } else {
    s.entry_price = indicators::kNa;
    s.bars_held = 0;
    s.unrealized = indicators::kNa;
  }
  eval_.run_position_row(row, s);
  // Only a true condition fires: NA (NaN) and false compare unequal to 1.
  if (position == 0) {
    if (eval_.value(buy_column_, row) == 1.0) out.emit(entry_);
  } else if (sell_column_ >= 0 && eval_.value(sell_column_, row) == 1.0) {
    out.emit(domain::Intent::flat());
  }
}

RuleStrategyFactory::RuleStrategyFactory(std::shared_ptr<const Program> program, std::string name)
    : program_(std::move(program)), name_(std::move(name)) {}

std::unique_ptr<strategy::Strategy> RuleStrategyFactory::create(const domain::Symbol&) const {
  return std::make_unique<RuleStrategy>(program_);
}

int RuleStrategyFactory::warmup_bars() const { return program_->warmup_bars(); }

std::string RuleStrategyFactory::describe() const {
  std::string s = "script:" + name_;
  const ParamValues& params = program_->param_values();
  if (!params.empty()) {
    s += '(';
    bool first = true;
    for (const auto& [k, v] : params) {
      if (!first) s += ',';
      first = false;
      s += k + "=" + internal::format_number(v);
    }
    s += ')';
  }
  return s;
}

Result<std::unique_ptr<strategy::StrategyFactory>> make_rule_strategy(std::string_view source,
                                                                      const ParamValues& overrides,
                                                                      std::string_view name) {
  const Script script = Script::analyze(source);
  if (!script.ok()) {
    std::string m = format_diagnostics(name, source, script.diagnostics());
    while (!m.empty() && m.back() == '\n') m.pop_back();
    return Status::invalid_argument(m);
  }
  auto program = compile(script, overrides);
  if (!program.ok()) return program.status();
  return std::unique_ptr<strategy::StrategyFactory>(
      std::make_unique<RuleStrategyFactory>(std::move(program).value(), std::string(name)));
}

}  // namespace quantd::lang
