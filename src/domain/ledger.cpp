#include "quantd/domain/ledger.h"

#include <cstdio>
#include <cstdlib>

namespace quantd::domain {
namespace {

[[noreturn]] void invariant_broken(const char* what) {
  std::fprintf(stderr, "quantd ledger: broken invariant: %s\n", what);
  std::abort();
}

}  // namespace

Ledger::Ledger(std::int64_t cash, std::size_t symbols) : marks_(symbols, 0.0) {
  if (cash < 0) invariant_broken("negative starting cash");
  portfolio_.cash = cash;
  portfolio_.positions.resize(symbols);
}

double Ledger::equity_at(std::uint32_t s, double price) const {
  double e = static_cast<double>(portfolio_.cash);
  for (std::size_t i = 0; i < marks_.size(); ++i) {
    const std::int64_t q = portfolio_.positions[i].quantity;
    if (q != 0) e += static_cast<double>(q) * (i == s ? price : marks_[i]);
  }
  return e;
}

bool Ledger::buy(std::uint32_t s, std::int64_t quantity, double price, std::int64_t notional,
                 std::int64_t commission, TimestampMs fill_ts, const ProtectiveExits& exits) {
  if (quantity <= 0) invariant_broken("buy of a non-positive quantity");
  Position& pos = portfolio_.positions[s];
  portfolio_.cash -= notional + commission;
  if (portfolio_.cash < 0) invariant_broken("cash went negative on a buy");
  const bool opening = pos.quantity == 0;
  if (opening) {
    ++open_positions_;
    pos.entry_ts = fill_ts;
    pos.entry_price = 0;
    pos.exits = exits;
  }
  pos.entry_price = (pos.entry_price * static_cast<double>(pos.quantity) +
                     price * static_cast<double>(quantity)) /
                    static_cast<double>(pos.quantity + quantity);
  pos.quantity += quantity;
  return opening;
}

bool Ledger::sell(std::uint32_t s, std::int64_t quantity, std::int64_t notional,
                  std::int64_t commission, std::int64_t tax) {
  Position& pos = portfolio_.positions[s];
  if (quantity <= 0 || quantity > pos.quantity) invariant_broken("sell of more than is held");
  portfolio_.cash += notional - commission - tax;
  if (portfolio_.cash < 0) invariant_broken("cash went negative on a sell");
  pos.quantity -= quantity;
  if (pos.quantity > 0) return false;
  pos = Position{};
  --open_positions_;
  return true;
}

void Ledger::restore(const Portfolio& portfolio) {
  if (portfolio.positions.size() != portfolio_.positions.size()) {
    invariant_broken("restored ledger has another symbol count");
  }
  if (portfolio.cash < 0) invariant_broken("restored ledger has negative cash");
  int open = 0;
  for (const Position& p : portfolio.positions) {
    if (p.quantity < 0) invariant_broken("restored ledger has a negative position");
    if (p.quantity > 0) ++open;
  }
  portfolio_ = portfolio;
  open_positions_ = open;
}

}  // namespace quantd::domain
