#include "quantd/live/paper_broker.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <thread>

#include "paper_book_internal.h"
#include "quantd/execution/protective_exits.h"
#include "quantd/storage/database.h"

namespace quantd::live {

namespace {

using domain::Side;
using execution::CostModel;
using paper::Cash;
using paper::Execution;
using paper::Row;

constexpr std::array<std::string_view, 2> kFillNames = {"next_open", "last_price"};

TimestampMs ceil_minute(TimestampMs ts) { return -floor_div(-ts, kMsPerMinute) * kMsPerMinute; }

SendResult rejected(std::string_view code, std::string message) {
  SendResult r;
  r.outcome = SendOutcome::kRejected;
  r.code = std::string(code);
  r.message = std::move(message);
  return r;
}

SendResult not_sent(std::string message) {
  SendResult r;
  r.outcome = SendOutcome::kNotSent;
  r.message = std::move(message);
  return r;
}

std::string won(double price) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", price);
  return buf;
}

// The price `row` executes at in `bar` by the backtest's rules, if it does.
std::optional<double> price_in_bar(const Row& row, const domain::Bar& bar, const CostModel& costs) {
  const CivilDate date = to_seoul(bar.ts).date;
  if (row.type == OrderType::kMarket)
    return costs.slipped_price(bar.open, row.side, row.market, date);
  if (row.side == Side::kSell) {
    // A sell stop is a protective stop, a sell limit a take-profit: the backtest's own rule.
    execution::ExitLevels levels;
    if (row.type == OrderType::kStopMarket) {
      levels.stop = row.trigger_price;
    } else {
      levels.take = row.limit_price;
    }
    levels.watching = true;
    const execution::ExitHit hit = execution::check_bar(levels, bar, costs, row.market);
    if (!hit.hit) return std::nullopt;
    return hit.price;
  }
  // Buys mirror it: a stop gapped through at the open fills there, else at the level, both
  // slipped; a limit fills at the better open, else at the level, never slipped.
  if (row.type == OrderType::kStopMarket) {
    const double level = row.trigger_price;
    if (bar.open >= level) return costs.slipped_price(bar.open, row.side, row.market, date);
    if (bar.high >= level) return costs.slipped_price(level, row.side, row.market, date);
    return std::nullopt;
  }
  const double level = row.limit_price;
  if (bar.open <= level) return bar.open;
  if (bar.low <= level) return level;
  return std::nullopt;
}

int phase_of(const Row& row) {
  switch (row.type) {
    case OrderType::kMarket:
      return row.side == Side::kSell ? 0 : 1;
    case OrderType::kStopMarket:
      return 2;
    case OrderType::kLimit:
      return 3;
  }
  return 3;
}

// The resting order's execution in the first bar (ts >= row.bar_ts, completed at `now`) that
// triggers it, if any.
Result<std::optional<Execution>> execution_in_bars(const Row& row, MarketDataService& market,
                                                   const CostModel& costs, TimestampMs now) {
  auto bars = market.completed(row.symbol, row.bar_interval, row.bar_ts - 1, now);
  if (!bars.ok()) return bars.status();
  for (const domain::Bar& bar : *bars) {
    if (auto price = price_in_bar(row, bar, costs)) {
      return std::optional<Execution>(
          Execution{bar.ts, *price, to_seoul(bar.ts).date, phase_of(row)});
    }
  }
  return std::optional<Execution>();
}

// Executing at once against the latest completed 1-minute close. nullopt: the order is not
// marketable and rests. Error kNotFound: there is no price at all.
Result<std::optional<Execution>> immediate_execution(const Row& row, MarketDataService& market,
                                                     const CostModel& costs, TimestampMs now) {
  auto last = market.last_bar(row.symbol, now);
  if (!last.ok()) return last.status();
  if (!*last) {
    return Status::not_found("there is no completed 1-minute bar of " + row.symbol.str() +
                             " to price the order at");
  }
  const double close = (*last)->close;
  const CivilDate date = to_seoul(now).date;
  const bool sell = row.side == Side::kSell;
  const double slipped = costs.slipped_price(close, row.side, row.market, date);
  std::optional<double> price;
  switch (row.type) {
    case OrderType::kMarket:
      price = slipped;
      break;
    case OrderType::kLimit:
      if (sell ? row.limit_price <= close : row.limit_price >= close) {
        price = sell ? std::max(row.limit_price, slipped) : std::min(row.limit_price, slipped);
      }
      break;
    case OrderType::kStopMarket:
      if (sell ? close <= row.trigger_price : close >= row.trigger_price) price = slipped;
      break;
  }
  if (!price) return std::optional<Execution>();
  return std::optional<Execution>(Execution{now, *price, date, phase_of(row)});
}

Status no_book(domain::AccountId account) {
  return Status::failed_precondition("paper account " + std::to_string(account.value()) +
                                     " has no paper book (PaperBroker::ensure_account creates it)");
}

}  // namespace

std::string_view to_string(PaperFill fill) { return kFillNames[static_cast<std::size_t>(fill)]; }

std::optional<PaperFill> parse_paper_fill(std::string_view text) {
  for (std::size_t i = 0; i < kFillNames.size(); ++i) {
    if (kFillNames[i] == text) return static_cast<PaperFill>(i);
  }
  return std::nullopt;
}

Result<domain::AccountId> PaperBroker::ensure_account(storage::Database& database,
                                                      std::int64_t initial_cash, TimestampMs now,
                                                      std::string_view label) {
  if (initial_cash < 0) {
    return Status::invalid_argument("paper initial cash must be >= 0, got " +
                                    std::to_string(initial_cash));
  }
  try {
    SQLite::Database& db = database.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement add(db,
                          "INSERT INTO broker_accounts(broker, environment, label, created_at) "
                          "VALUES('paper', 'sim', ?, ?) "
                          "ON CONFLICT(broker, environment, label) DO NOTHING");
    add.bind(1, std::string(label));
    add.bind(2, now);
    add.exec();
    SQLite::Statement find(db,
                           "SELECT id FROM broker_accounts WHERE broker = 'paper' AND "
                           "environment = 'sim' AND label = ?");
    find.bind(1, std::string(label));
    if (!find.executeStep()) return Status::internal("the paper account row vanished");
    const domain::AccountId id(find.getColumn(0).getInt64());
    SQLite::Statement book(db,
                           "INSERT INTO paper_accounts(account_id, cash, next_order, updated_at) "
                           "VALUES(?, ?, 1, ?) ON CONFLICT(account_id) DO NOTHING");
    book.bind(1, id.value());
    book.bind(2, initial_cash);
    book.bind(3, now);
    book.exec();
    tx.commit();
    return id;
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot create the paper account: ") + e.what());
  }
}

PaperBroker::PaperBroker(storage::Database& db, domain::AccountId account,
                         MarketDataService& market, const Clock& clock, PaperSettings settings)
    : db_(db),
      account_(account),
      market_(market),
      clock_(clock),
      settings_(std::move(settings)),
      costs_(settings_.costs) {}

BrokerCaps PaperBroker::caps() const {
  BrokerCaps c;
  c.name = "paper";
  c.order_book_lag_s = 0;
  c.simulated_bars = settings_.fill == PaperFill::kNextOpen;
  return c;
}

void PaperBroker::set_faults(PaperFaults faults) {
  std::lock_guard lock(mu_);
  faults_ = std::move(faults);
}

PaperFaults PaperBroker::faults() const {
  std::lock_guard lock(mu_);
  return faults_;
}

Status PaperBroker::match_open_orders() {
  try {
    SQLite::Database& db = db_.connection();
    const TimestampMs now = clock_.now();
    std::vector<Row> open = paper::read_rows(db, account_, "AND status = 'open'", {});
    struct Due {
      Execution exec;
      Row row;
    };
    std::vector<Due> due;
    for (Row& row : open) {
      auto exec = execution_in_bars(row, market_, costs_, now);
      if (!exec.ok()) return exec.status();
      if (*exec) due.push_back(Due{**exec, std::move(row)});
    }
    // The backtest's order within a bar: market sells free cash for market buys, then exits.
    std::sort(due.begin(), due.end(), [](const Due& a, const Due& b) {
      if (a.exec.fill_ts != b.exec.fill_ts) return a.exec.fill_ts < b.exec.fill_ts;
      if (a.exec.phase != b.exec.phase) return a.exec.phase < b.exec.phase;
      return a.row.order_no < b.row.order_no;
    });
    for (Due& d : due) {
      SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
      auto cash = paper::read_cash(db, account_);
      if (!cash) return no_book(account_);
      const bool filled = paper::apply_execution(db, account_, d.row, d.exec, costs_, *cash, now);
      tx.commit();
      if (filled) {
        spdlog::info("paper order {} filled", d.row.order_no);
      } else {
        spdlog::warn("paper order {} cancelled at its fill: not enough {}", d.row.order_no,
                     d.row.side == Side::kBuy ? "cash" : "shares");
      }
    }
    return Status::ok_status();
  } catch (const std::exception& e) {
    return Status::internal(std::string("paper book: cannot match open orders: ") + e.what());
  }
}

SendResult PaperBroker::submit(const OrderRequest& request) {
  std::unique_lock lock(mu_);
  int delay_ms = 0;
  if (faults_.delay_next > 0) {
    --faults_.delay_next;
    delay_ms = faults_.delay_ms;
  }
  SendResult result;
  if (faults_.drop_next > 0) {
    --faults_.drop_next;
    result.outcome = SendOutcome::kUnknown;
    result.message = "the connection closed before the broker answered (simulated fault)";
  } else if (faults_.http_500_next > 0) {
    --faults_.http_500_next;
    result.outcome = SendOutcome::kUnknown;
    result.code = "500";
    result.message = "the broker answered HTTP 500 (simulated fault)";
  } else if (faults_.reject_next > 0) {
    --faults_.reject_next;
    result = rejected(faults_.reject_code, "the broker refused the order (simulated fault)");
  } else {
    const bool drop_answer = faults_.accept_then_drop > 0;
    if (drop_answer) --faults_.accept_then_drop;
    result = process(request);
    if (drop_answer) {
      result = SendResult{};
      result.outcome = SendOutcome::kUnknown;
      result.message = "the broker's answer was lost (simulated fault)";
    }
  }
  lock.unlock();
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  return result;
}

SendResult PaperBroker::process(const OrderRequest& request) {
  if (request.quantity <= 0) {
    return rejected(kPaperInvalidOrder, "The order quantity must be at least 1 share, got " +
                                            std::to_string(request.quantity) + ".");
  }
  const TimestampMs now = clock_.now();
  const CivilDate today = to_seoul(now).date;
  if (request.type == OrderType::kLimit) {
    const double on_grid = request.limit_price > 0
                               ? domain::round_to_tick(request.limit_price, request.market, today,
                                                       domain::TickRounding::kNearest)
                               : 0;
    if (!(request.limit_price > 0) || on_grid != request.limit_price) {
      return rejected(kPaperInvalidOrder, "The limit price " + won(request.limit_price) +
                                              " is not a positive price on the tick grid.");
    }
  }
  if (request.type == OrderType::kStopMarket && !(request.trigger_price > 0)) {
    return rejected(kPaperInvalidOrder, "A stop order needs a positive trigger price.");
  }
  if (Status st = match_open_orders(); !st.ok()) return not_sent(st.message());

  Row row;
  row.order_date = paper::format_date(today);
  row.order_ts = now;
  row.symbol = request.symbol;
  row.market = request.market;
  row.side = request.side;
  row.type = request.type;
  row.quantity = request.quantity;
  row.limit_price = request.type == OrderType::kLimit ? request.limit_price : 0;
  row.trigger_price = request.type == OrderType::kStopMarket ? request.trigger_price : 0;
  const bool at_once = settings_.fill == PaperFill::kLastPrice || request.bar_ts == 0;
  if (at_once) {
    // If it rests, it is matched against the minutes that open after it arrived.
    row.bar_ts = ceil_minute(now);
    row.bar_interval = domain::Interval::k1m;
  } else {
    row.bar_ts = request.bar_ts;
    row.bar_interval = request.bar_interval;
  }
  auto exec = at_once ? immediate_execution(row, market_, costs_, now)
                      : execution_in_bars(row, market_, costs_, now);
  if (!exec.ok()) {
    if (exec.status().code() == StatusCode::kNotFound) {
      return rejected(kPaperNoPrice,
                      "The order cannot be priced: " + exec.status().message() + ".");
    }
    return not_sent("paper broker: market data failed: " + exec.status().message());
  }

  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    auto cash = paper::read_cash(db, account_);
    if (!cash) return not_sent(no_book(account_).message());
    if (row.side == Side::kBuy) {
      // The most the buy can cost: its price when it executes now, else its limit.
      std::optional<double> worst;
      if (*exec) {
        worst = (*exec)->price;
      } else if (row.type == OrderType::kLimit) {
        worst = row.limit_price;
      }
      if (worst) {
        const std::int64_t n = CostModel::notional(row.quantity, *worst);
        const std::int64_t cost = n + costs_.commission(n);
        if (cost > cash->cash) {
          return rejected(kPaperNotEnoughCash, "Not enough cash: the buy needs " +
                                                   std::to_string(cost) +
                                                   " KRW with commission and the account has " +
                                                   std::to_string(cash->cash) + " KRW.");
        }
      }
    } else {
      const std::int64_t held = paper::read_holding(db, account_, row.symbol).quantity;
      const std::int64_t offered = paper::open_sell_quantity(db, account_, row.symbol);
      if (row.quantity > held - offered) {
        if (held == 0) {
          return rejected(kPaperNotEnoughShares,
                          "The account holds no shares of " + row.symbol.str() + " to sell.");
        }
        return rejected(kPaperNotEnoughShares,
                        "The account can sell " + std::to_string(held - offered) + " shares of " +
                            row.symbol.str() + " (" + std::to_string(held) + " held, " +
                            std::to_string(offered) + " in open sell orders), not " +
                            std::to_string(row.quantity) + ".");
      }
    }
    row.order_no = paper::format_order_no(cash->next_order);
    ++cash->next_order;
    paper::insert_row(db, account_, row);
    if (*exec) {
      (void)paper::apply_execution(db, account_, row, **exec, costs_, *cash, now);
    } else {
      paper::write_cash(db, account_, *cash, now);
    }
    tx.commit();
  } catch (const std::exception& e) {
    return not_sent(std::string("paper book: cannot store the order: ") + e.what());
  }
  spdlog::info("paper order {} accepted{}", row.order_no, row.open() ? "" : " and filled");
  SendResult r;
  r.outcome = SendOutcome::kAccepted;
  r.ref = BrokerOrderRef{row.order_no, std::string(kPaperBranch), today};
  r.broker_time = paper::hhmmss(now);
  r.code = std::string(kPaperAccepted);
  r.message = "The order was accepted.";
  return r;
}

SendResult PaperBroker::cancel(const BrokerOrderRef& ref, const domain::Symbol& symbol,
                               std::int64_t quantity) {
  std::lock_guard lock(mu_);
  if (quantity < 0) {
    return rejected(kPaperInvalidOrder, "The quantity to cancel must be 0 (all) or positive.");
  }
  if (Status st = match_open_orders(); !st.ok()) return not_sent(st.message());
  const TimestampMs now = clock_.now();
  const CivilDate today = to_seoul(now).date;
  std::string cancel_no;
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<Row> rows =
        ref.branch == kPaperBranch
            ? paper::read_rows(db, account_, "AND order_date = ? AND order_no = ?",
                               {paper::format_date(ref.date), ref.order_no})
            : std::vector<Row>{};
    if (rows.empty() || rows.front().symbol != symbol) {
      return rejected(kPaperNothingToCancel, "There is no order " + ref.order_no + " of " +
                                                 symbol.str() + " on " +
                                                 paper::format_date(ref.date) + " to cancel.");
    }
    Row& row = rows.front();
    const std::int64_t open = row.remaining();
    if (open == 0) {
      return rejected(
          kPaperNothingToCancel,
          "Order " + ref.order_no + " has nothing open to cancel (it is " + row.status + ").");
    }
    const std::int64_t n = quantity == 0 ? open : std::min(quantity, open);
    row.cancelled_qty += n;
    if (n == open) row.status = "cancelled";
    paper::write_row_state(db, account_, row);
    auto cash = paper::read_cash(db, account_);
    if (!cash) return not_sent(no_book(account_).message());
    cancel_no = paper::format_order_no(cash->next_order);
    ++cash->next_order;
    paper::write_cash(db, account_, *cash, now);
    tx.commit();
    spdlog::info("paper order {} cancelled by order {}", row.order_no, cancel_no);
  } catch (const std::exception& e) {
    return not_sent(std::string("paper book: cannot cancel: ") + e.what());
  }
  SendResult r;
  r.outcome = SendOutcome::kAccepted;
  r.ref = BrokerOrderRef{cancel_no, std::string(kPaperBranch), today};
  r.broker_time = paper::hhmmss(now);
  r.code = std::string(kPaperAccepted);
  r.message = "The cancel was accepted.";
  return r;
}

Result<std::vector<BrokerOrder>> PaperBroker::orders(const OrderQuery& query) {
  std::lock_guard lock(mu_);
  if (faults_.orders_error_next > 0) {
    --faults_.orders_error_next;
    return Status::unavailable("the broker's order book could not be read (simulated fault)");
  }
  if (Status st = match_open_orders(); !st.ok()) return st;
  try {
    std::string where = "AND order_date = ?";
    std::vector<std::string> args = {paper::format_date(query.date)};
    if (query.symbol) {
      where += " AND symbol = ?";
      args.push_back(query.symbol->str());
    }
    if (query.side) {
      where += " AND side = ?";
      args.push_back(std::string(domain::to_string(*query.side)));
    }
    if (query.open_only) where += " AND status = 'open'";
    std::vector<BrokerOrder> out;
    for (const Row& r : paper::read_rows(db_.connection(), account_, where.c_str(), args)) {
      out.push_back(paper::to_broker_order(r));
    }
    return out;
  } catch (const std::exception& e) {
    return Status::internal(std::string("paper book: cannot read orders: ") + e.what());
  }
}

Result<AccountView> PaperBroker::account() {
  std::lock_guard lock(mu_);
  if (faults_.account_error_next > 0) {
    --faults_.account_error_next;
    return Status::unavailable("the broker's balance could not be read (simulated fault)");
  }
  if (Status st = match_open_orders(); !st.ok()) return st;
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db);  // one consistent snapshot of cash, holdings and open sells
    auto cash = paper::read_cash(db, account_);
    if (!cash) return no_book(account_);
    AccountView view;
    view.cash = cash->cash;
    view.orderable = cash->cash;
    view.as_of = clock_.now();
    SQLite::Statement q(db,
                        "SELECT symbol, quantity, avg_price FROM paper_holdings WHERE "
                        "account_id = ? AND quantity > 0 ORDER BY symbol");
    q.bind(1, account_.value());
    while (q.executeStep()) {
      Holding h;
      h.symbol = domain::Symbol(q.getColumn(0).getString());
      h.quantity = q.getColumn(1).getInt64();
      h.avg_price = q.getColumn(2).getDouble();
      view.holdings.push_back(std::move(h));
    }
    for (Holding& h : view.holdings) {
      h.sellable = h.quantity - paper::open_sell_quantity(db, account_, h.symbol);
    }
    tx.commit();
    return view;
  } catch (const std::exception& e) {
    return Status::internal(std::string("paper book: cannot read the account: ") + e.what());
  }
}

}  // namespace quantd::live
