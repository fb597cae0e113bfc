// Backtest helpers for the strategy-language tests: runs over the real engine and comparisons.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <span>
#include <string>

#include "quantd/backtest/engine.h"
#include "quantd/strategy/registry.h"

namespace quantd::lang::testing {

// Hides on_series from the strategy, forcing bar-by-bar evaluation (what live trading does).
class BarByBarFactory final : public strategy::StrategyFactory {
 public:
  explicit BarByBarFactory(const strategy::StrategyFactory& inner) : inner_(inner) {}
  std::unique_ptr<strategy::Strategy> create(const domain::Symbol& s) const override {
    struct Wrapper final : strategy::Strategy {
      std::unique_ptr<strategy::Strategy> inner;
      int warmup_bars() const override { return inner->warmup_bars(); }
      void on_bar(const strategy::DataContext& ctx, const domain::Bar& bar,
                  strategy::IntentSink& out) override {
        inner->on_bar(ctx, bar, out);
      }
    };
    auto w = std::make_unique<Wrapper>();
    w->inner = inner_.create(s);
    return w;
  }
  int warmup_bars() const override { return inner_.warmup_bars(); }
  std::string describe() const override { return inner_.describe(); }

 private:
  const strategy::StrategyFactory& inner_;
};

inline backtest::BacktestResult run(const strategy::StrategyFactory& f,
                                    std::span<const domain::Bar> bars,
                                    backtest::BacktestConfig config = {}) {
  const backtest::SymbolBars sb{domain::Symbol("005930"), domain::Market::kKospi, bars};
  auto r = backtest::run_backtest(config, std::span(&sb, 1), f);
  if (!r.ok()) MESSAGE(r.status().message());
  REQUIRE(r.ok());
  return std::move(r).value();
}

inline void check_same_run(const backtest::BacktestResult& a, const backtest::BacktestResult& b) {
  REQUIRE(a.trades.size() == b.trades.size());
  for (std::size_t i = 0; i < a.trades.size(); ++i) {
    CAPTURE(i);
    CHECK(a.trades[i].entry_ts == b.trades[i].entry_ts);
    CHECK(a.trades[i].exit_ts == b.trades[i].exit_ts);
    CHECK(a.trades[i].quantity == b.trades[i].quantity);
    CHECK(a.trades[i].entry_price == b.trades[i].entry_price);
    CHECK(a.trades[i].exit_price == b.trades[i].exit_price);
    CHECK(a.trades[i].pnl == b.trades[i].pnl);
    CHECK(a.trades[i].exit_reason == b.trades[i].exit_reason);
  }
  REQUIRE(a.orders.size() == b.orders.size());
  for (std::size_t i = 0; i < a.orders.size(); ++i) {
    CHECK(a.orders[i].side == b.orders[i].side);
    CHECK(a.orders[i].reason == b.orders[i].reason);
    CHECK(a.orders[i].status == b.orders[i].status);
    CHECK(a.orders[i].decided_ts == b.orders[i].decided_ts);
    CHECK(a.orders[i].quantity == b.orders[i].quantity);
  }
  CHECK(a.equity == b.equity);
  CHECK(a.final_portfolio.cash == b.final_portfolio.cash);
}

}  // namespace quantd::lang::testing
