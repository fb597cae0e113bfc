#include "quantd/strategy/registry.h"

#include <doctest/doctest.h>

#include <vector>

using namespace quantd;
using namespace quantd::strategy;

namespace {

// A DataContext over a vector of bars, for driving a strategy without an engine.
class FakeContext final : public DataContext {
 public:
  std::vector<domain::Bar> bars_;
  domain::Symbol symbol_{"TEST"};
  TimestampMs now() const override { return bars_.empty() ? 0 : bars_.back().ts; }
  const domain::Symbol& symbol() const override { return symbol_; }
  std::span<const domain::Bar> bars() const override { return bars_; }
  std::int64_t held = 0;
  std::int64_t position() const override { return held; }
  double entry_price() const override { return 0; }
  std::int64_t bars_held() const override { return 0; }
  std::int64_t cash() const override { return 0; }
  double equity() const override { return 0; }
};

// Feeds closes one bar at a time; returns for each bar +1 (target all in), -1 (flat) or 0.
// `held_from`: the context reports a position from that bar on.
std::vector<int> signals(Strategy& s, const std::vector<double>& closes,
                         std::size_t held_from = SIZE_MAX) {
  FakeContext ctx;
  std::vector<int> out;
  for (std::size_t i = 0; i < closes.size(); ++i) {
    ctx.held = i >= held_from ? 10 : 0;
    ctx.bars_.push_back(
        {static_cast<TimestampMs>(i) * kMsPerDay, closes[i], closes[i], closes[i], closes[i], 1});
    IntentSink sink;
    s.on_bar(ctx, ctx.bars_.back(), sink);
    out.push_back(!sink.has_intent() ? 0 : sink.intent().is_flat() ? -1 : 1);
  }
  return out;
}

}  // namespace

TEST_CASE("registry lists the native strategies") {
  const auto& all = native_strategies();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "buy_and_hold");
  CHECK(all[1].name == "sma_cross");
}

TEST_CASE("unknown strategies and parameters are named with the valid ones") {
  auto r = make_native_strategy("sma_crosss", {});
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message() == "unknown strategy 'sma_crosss'; known: buy_and_hold, sma_cross");
  auto p = make_native_strategy("sma_cross", {{"fats", 3}});
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message() ==
        "unknown parameter 'fats' for sma_cross; valid: fast, slow, stop_loss, take_profit, "
        "trailing_stop");
  auto f = make_native_strategy("sma_cross", {{"fast", 2.5}});
  REQUIRE_FALSE(f.ok());
  CHECK(f.status().message().find("'fast' must be a whole number") != std::string::npos);
  auto z = make_native_strategy("sma_cross", {{"fast", 0}});
  REQUIRE_FALSE(z.ok());
  CHECK(z.status().message().find("out of range") != std::string::npos);
  auto order = make_native_strategy("sma_cross", {{"fast", 30}, {"slow", 10}});
  REQUIRE_FALSE(order.ok());
  CHECK(order.status().message().find("fast (30) must be less than slow (10)") !=
        std::string::npos);
}

TEST_CASE("defaults and describe") {
  auto r = make_native_strategy("sma_cross", {});
  REQUIRE(r.ok());
  CHECK((*r)->describe() == "builtin:sma_cross(fast=10,slow=30)");
  CHECK((*r)->warmup_bars() == 30);
  auto b = make_native_strategy("buy_and_hold", {});
  REQUIRE(b.ok());
  CHECK((*b)->describe() == "builtin:buy_and_hold");
}

TEST_CASE("sma_cross uses the language's crossover: equal averages neither start nor end a cross") {
  auto f = make_native_strategy("sma_cross", {{"fast", 1}, {"slow", 2}});
  REQUIRE(f.ok());
  auto s = (*f)->create(domain::Symbol("X"));
  // fast = close, slow = mean of the last two closes; fast - slow = (c_t - c_{t-1}) / 2.
  // Bars: 10, 9 (down), 9 (equal), 10 (up: crossover, the equal bar does not break it),
  // 10 (equal), 10 (equal), 9 (down: crossunder), 9, 8.
  const std::vector<int> got = signals(*s, {10, 9, 9, 10, 10, 10, 9, 9, 8});
  CHECK(got == std::vector<int>{0, 0, 0, 1, 0, 0, -1, 0, 0});
}

TEST_CASE("sma_cross emits nothing during warm-up; buy_and_hold asks until it holds") {
  auto f = make_native_strategy("sma_cross", {{"fast", 2}, {"slow", 3}});
  REQUIRE(f.ok());
  auto s = (*f)->create(domain::Symbol("X"));
  // The averages are defined from the third bar; the first defined bar cannot be a cross.
  CHECK(signals(*s, {3, 2, 1, 5, 6}) == std::vector<int>{0, 0, 0, 1, 0});
  auto b = make_native_strategy("buy_and_hold", {{"stop_loss", 0.1}});
  REQUIRE(b.ok());
  auto bh = (*b)->create(domain::Symbol("X"));
  // Filled at the second bar's open: from then on it holds, and after an exit it never buys again.
  CHECK(signals(*bh, {1, 2, 3, 4}, 1) == std::vector<int>{1, 0, 0, 0});
  auto again = (*b)->create(domain::Symbol("X"));
  // While flat (a live session's warm-up discards these), it keeps asking.
  CHECK(signals(*again, {1, 2, 3}) == std::vector<int>{1, 1, 1});
}

TEST_CASE("sma_cross passes its protective exits with the entry") {
  auto f = make_native_strategy(
      "sma_cross", {{"fast", 1}, {"slow", 2}, {"stop_loss", 0.05}, {"trailing_stop", 0.1}});
  REQUIRE(f.ok());
  auto s = (*f)->create(domain::Symbol("X"));
  FakeContext ctx;
  IntentSink sink;
  for (double c : {10.0, 9.0, 11.0}) {
    ctx.bars_.push_back({0, c, c, c, c, 1});
    sink.clear();
    s->on_bar(ctx, ctx.bars_.back(), sink);
  }
  REQUIRE(sink.has_intent());
  CHECK(sink.intent().kind == domain::TargetKind::kPercentOfEquity);
  CHECK(sink.intent().value == 1.0);
  CHECK(sink.intent().exits.stop_loss == 0.05);
  CHECK(sink.intent().exits.trailing_stop == 0.1);
  CHECK(sink.intent().exits.take_profit == 0);
}
