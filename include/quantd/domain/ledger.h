// Ledger: the cash and positions of one run (a backtest, or one live session's virtual account),
// with its invariants enforced.
//
// Design note. One Ledger per run: one KRW cash balance shared by the run's symbols and one
// Position per symbol, indexed like the run's symbol list, plus the latest close of each symbol
// (the mark) for equity. Fills are booked with the exact integers a broker settles (notional,
// commission, tax), so a backtest and a live session that book the same fills hold the same
// cash to the won. Invariants: cash >= 0 and every quantity >= 0 (KRX retail accounts cannot
// short); a fill that would break one is a bug in the caller, reported and aborted, never
// silently clamped.
//
// Hot path: position(), cash(), mark() and equity() are inline and allocation-free.
// Not thread-safe: one run is processed by one thread at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "quantd/core/time.h"
#include "quantd/domain/intent.h"
#include "quantd/domain/portfolio.h"

namespace quantd::domain {

class Ledger {
 public:
  // `cash` >= 0 KRW, `symbols` positions, all flat. Aborts on negative cash.
  Ledger(std::int64_t cash, std::size_t symbols);

  std::int64_t cash() const { return portfolio_.cash; }
  std::size_t size() const { return portfolio_.positions.size(); }
  const Position& position(std::uint32_t s) const { return portfolio_.positions[s]; }
  const Portfolio& portfolio() const { return portfolio_; }
  // Positions with quantity > 0.
  int open_positions() const { return open_positions_; }

  // The latest close of symbol s (0 before the first mark).
  double mark_of(std::uint32_t s) const { return marks_[s]; }
  // Records the latest close of symbol s, for equity.
  void mark(std::uint32_t s, double close) { marks_[s] = close; }
  // Cash plus every position at its latest mark.
  double equity() const {
    double e = static_cast<double>(portfolio_.cash);
    for (std::size_t i = 0; i < marks_.size(); ++i) {
      const std::int64_t q = portfolio_.positions[i].quantity;
      if (q != 0) e += static_cast<double>(q) * marks_[i];
    }
    return e;
  }
  // Equity with symbol s valued at `price` instead of its mark (sizing at a fill price).
  double equity_at(std::uint32_t s, double price) const;

  // Books a buy of `quantity` (> 0) at `price`: cash -= notional + commission; the average
  // entry price moves to the quantity-weighted mean. When the position was flat it opens with
  // entry_ts = fill_ts and `exits`; returns true then. Aborts if cash would go negative.
  bool buy(std::uint32_t s, std::int64_t quantity, double price, std::int64_t notional,
           std::int64_t commission, TimestampMs fill_ts, const ProtectiveExits& exits);

  // Books a sale of `quantity` (0 < quantity <= held): cash += notional - commission - tax.
  // Returns true when it closed the position (which is then reset to flat). Aborts when selling
  // more than is held.
  bool sell(std::uint32_t s, std::int64_t quantity, std::int64_t notional, std::int64_t commission,
            std::int64_t tax);

  // Replaces the whole state (a live session reloading its persisted ledger). Aborts when an
  // invariant does not hold or the position count differs.
  void restore(const Portfolio& portfolio);

 private:
  Portfolio portfolio_;
  std::vector<double> marks_;
  int open_positions_ = 0;
};

}  // namespace quantd::domain
