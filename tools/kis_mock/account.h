// Account: the mock's cash and holdings, moved only by executions (fills).
//
// Cash model (PROTOCOL §7.5, §7.6; README.md "Cash, fees and taxes"): each execution is one cash
// flow that settles T+2 KRX trading days later: a buy costs notional + commission, a sale brings
// notional − commission − tax. The commission is floor(notional × commission rate) per fill; the
// sell tax floor(notional × the rate of domain::sell_tax_bps for the settlement date). The cash
// views of inquire-balance are the flows settled by D+0 (`dnca_tot_amt`), D+1 (`nxdy_excc_amt`)
// and D+2 (`prvs_rcdl_excc_amt`, which includes every trade up to today). Holdings carry their
// purchase amount; the average price excludes fees and a sale leaves it unchanged.
//
// Not thread-safe: the mock calls it under its state lock.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "market.h"
#include "options.h"
#include "quantd/domain/order.h"

namespace quantd::kis_mock {

// One fill of one order.
struct Execution {
  std::string ord_dt;  // YYYYMMDD of the order
  std::string odno;
  std::string symbol;
  domain::Side side = domain::Side::kBuy;
  std::int64_t quantity = 0;
  std::int64_t price = 0;
  std::int64_t commission = 0;
  std::int64_t tax = 0;
  TimestampMs at = 0;    // the mock time it happened (a bar's open, or its end for a limit)
  std::int64_t day = 0;  // Seoul day of `at`
  std::int64_t notional() const { return quantity * price; }
};

struct Holding {
  std::int64_t quantity = 0;
  std::int64_t cost = 0;  // purchase amount of what is held (pchs_amt)
  double avg_price() const { return quantity == 0 ? 0.0 : static_cast<double>(cost) / quantity; }
};

struct CashView {
  std::int64_t d0 = 0;  // dnca_tot_amt
  std::int64_t d1 = 0;  // nxdy_excc_amt
  std::int64_t d2 = 0;  // prvs_rcdl_excc_amt
};

// What one day's executions add up to, per symbol or for the whole account.
struct DayTrades {
  std::int64_t buy_qty = 0, sell_qty = 0;
  std::int64_t buy_amt = 0, sell_amt = 0;
  std::int64_t fees = 0;  // commissions + taxes
};

class Account {
 public:
  Account(std::int64_t cash, const std::vector<InitialHolding>& holdings, double commission_bps,
          const Market& market);

  // floor(notional × commission rate).
  std::int64_t commission(std::int64_t notional) const;
  // floor(notional × tax rate) for a sale of `symbol` on Seoul day `day` (settling T+2).
  std::int64_t sell_tax(const std::string& symbol, std::int64_t notional, std::int64_t day) const;

  // Books a fill (its commission and tax already computed). Precondition: a sale does not
  // exceed the holding.
  void apply(const Execution& execution);

  const std::map<std::string, Holding>& holdings() const { return holdings_; }
  std::int64_t held(const std::string& symbol) const;
  // The quantity held before Seoul day `day`'s executions.
  std::int64_t held_before(const std::string& symbol, std::int64_t day) const;
  // Cash as of Seoul day `today` (see the cash model).
  CashView cash(std::int64_t today) const;
  // D+2 cash before Seoul day `day`'s executions.
  std::int64_t cash_before(std::int64_t day) const;
  // Net proceeds of sales not settled by Seoul day `today` (ruse_psbl_amt).
  std::int64_t unsettled_sale_proceeds(std::int64_t today) const;
  DayTrades trades(std::int64_t day) const;
  DayTrades trades(const std::string& symbol, std::int64_t day) const;
  const std::vector<Execution>& executions() const { return executions_; }

 private:
  const Market& market_;
  std::int64_t initial_cash_;
  std::int64_t commission_e9_;  // commission rate × 1e9 (1.40527 bp = 140527)
  std::map<std::string, Holding> holdings_;
  std::map<std::string, std::int64_t> initial_qty_;
  std::vector<Execution> executions_;
  struct Flow {
    std::int64_t amount = 0;
    std::int64_t trade_day = 0;
    std::int64_t settle_day = 0;
  };
  std::vector<Flow> flows_;
};

}  // namespace quantd::kis_mock
