#include "order_book.h"

#include <algorithm>
#include <cstdio>

#include "envelope.h"

namespace quantd::kis_mock {

namespace {

constexpr int kOpenPhase = 0;
constexpr int kBodyPhase = 1;

// The end of the day's matching: the 15:30 closing bar is complete at 15:31.
TimestampMs session_end(std::int64_t day) { return from_seoul(civil_from_days(day), 15, 31, 0); }

std::int64_t order_day(const Order& order) { return seoul_day(order.accepted_at); }

}  // namespace

std::string side_name(domain::Side side) { return side == domain::Side::kBuy ? "buy" : "sell"; }

std::string state_name(OrderState state) {
  switch (state) {
    case OrderState::kOpen:
      return "open";
    case OrderState::kFilled:
      return "filled";
    case OrderState::kCancelled:
      return "cancelled";
    case OrderState::kReplaced:
      return "replaced";
    case OrderState::kExpired:
      return "expired";
    case OrderState::kDone:
      return "done";
  }
  return "open";
}

OrderBook::OrderBook(const Market& market, Account& account, Env env, int fill_volume_pct)
    : market_(market), account_(account), env_(env), fill_volume_pct_(fill_volume_pct) {}

std::string OrderBook::market_closed_code(TimestampMs now) const {
  const SeoulTime t = to_seoul(now);
  const int minute = t.hour * 60 + t.minute;
  const int open = env_ == Env::kVirtual ? 9 * 60 : 8 * 60 + 30;
  const bool in_session = !domain::is_krx_closed(t.date) && minute >= open && minute < 15 * 60 + 30;
  if (in_session) return "";
  return env_ == Env::kVirtual ? "40580000" : "APBK0919";
}

std::string OrderBook::next_odno(const std::string& ord_dt) {
  int& n = next_number_[ord_dt];
  if (n == 0) n = 10000;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%010d", ++n);
  return buf;
}

std::string OrderBook::check_price(const std::string& symbol, std::int64_t price,
                                   std::int64_t day) const {
  if (price <= 0 || price % market_.tick(symbol, price, day) != 0) return "MOCK0003";
  const PriceLimits band = market_.limits(symbol, day);
  if (band.base > 0 && (price < band.lower || price > band.upper)) return "MOCK0004";
  return "";
}

std::int64_t OrderBook::buy_cost(std::int64_t quantity, std::int64_t price) const {
  const std::int64_t notional = quantity * price;
  return notional + account_.commission(notional);
}

std::int64_t OrderBook::reservation(const Order& order) const {
  if (order.side != domain::Side::kBuy || order.state != OrderState::kOpen ||
      order.kind == OrderKind::kCancel) {
    return 0;
  }
  return buy_cost(order.remaining(), order.reserve_price);
}

std::int64_t OrderBook::reserved_cash() const {
  std::int64_t total = 0;
  for (const Order& o : orders_) total += reservation(o);
  return total;
}

std::int64_t OrderBook::orderable_cash(TimestampMs now) const {
  const std::int64_t day = seoul_day(now);
  return account_.cash(day).d2 - reserved_cash();
}

std::int64_t OrderBook::sellable(const std::string& symbol) const {
  std::int64_t held = account_.held(symbol);
  for (const Order& o : orders_) {
    if (o.symbol == symbol && o.side == domain::Side::kSell && o.state == OrderState::kOpen &&
        o.kind != OrderKind::kCancel) {
      held -= o.remaining();
    }
  }
  return held;
}

Order* OrderBook::find(const std::string& ord_dt, const std::string& odno) {
  for (Order& o : orders_) {
    if (o.ord_dt == ord_dt && o.odno == odno) return &o;
  }
  return nullptr;
}

Decision OrderBook::place(const OrderRequest& r, TimestampMs now) {
  const std::int64_t day = seoul_day(now);
  if (!market_.has(r.symbol)) return {"APBK0656"};
  if (r.ord_dvsn != "00" && r.ord_dvsn != "01") return {"MOCK0007"};
  if (r.quantity <= 0) return {"MOCK0002"};
  if (std::string code = market_closed_code(now); !code.empty()) return {code};
  const bool market_order = r.ord_dvsn == "01";
  if (!market_order) {
    if (std::string code = check_price(r.symbol, r.price, day); !code.empty()) return {code};
  }
  Order o;
  o.ord_dt = kst_date(now);
  o.side = r.side;
  o.symbol = r.symbol;
  o.ord_dvsn = r.ord_dvsn;
  o.quantity = r.quantity;
  o.price = market_order ? 0 : r.price;
  o.accepted_at = now;
  o.source = r.source;
  o.tr_id = r.tr_id;
  if (r.side == domain::Side::kBuy) {
    // A market buy reserves at the upper limit (PROTOCOL §4.4), so an all-cash market buy fails.
    o.reserve_price = market_order ? market_.limits(r.symbol, day).upper : r.price;
    if (buy_cost(o.quantity, o.reserve_price) > orderable_cash(now)) return {"APBK0952"};
  } else if (r.quantity > sellable(r.symbol)) {
    return {"MOCK0005"};
  }
  o.odno = next_odno(o.ord_dt);
  orders_.push_back(std::move(o));
  Order* placed = &orders_.back();
  advance(now);
  return {"", placed};
}

Decision OrderBook::revise_cancel(const ReviseCancelRequest& r, TimestampMs now) {
  const std::int64_t day = seoul_day(now);
  Order* original = find(kst_date(now), r.orgn_odno);
  if (original == nullptr || original->kind == OrderKind::kCancel || original->orgno != r.orgno ||
      original->state != OrderState::kOpen || original->remaining() <= 0) {
    return {"MOCK0006"};
  }
  if (std::string code = market_closed_code(now); !code.empty()) return {code};
  const std::int64_t quantity = r.all ? original->remaining() : r.quantity;
  if (quantity <= 0) return {"MOCK0002"};
  if (quantity > original->remaining()) return {"MOCK0006"};

  Order row;
  row.ord_dt = original->ord_dt;
  row.orgn_odno = original->odno;
  row.side = original->side;
  row.symbol = original->symbol;
  row.quantity = quantity;
  row.accepted_at = now;
  row.source = r.source;
  row.tr_id = r.tr_id;
  if (r.cancel) {
    row.kind = OrderKind::kCancel;
    row.ord_dvsn = original->ord_dvsn;
    row.price = original->price;
    row.cancelled_qty = quantity;
    row.state = OrderState::kDone;
    original->cancelled_qty += quantity;
    if (original->remaining() == 0) original->state = OrderState::kCancelled;
  } else {
    if (r.ord_dvsn != "00" && r.ord_dvsn != "01") return {"MOCK0007"};
    const bool market_order = r.ord_dvsn == "01";
    if (!market_order) {
      if (std::string code = check_price(original->symbol, r.price, day); !code.empty()) {
        return {code};
      }
    }
    row.kind = OrderKind::kRevise;
    row.ord_dvsn = r.ord_dvsn;
    row.price = market_order ? 0 : r.price;
    if (row.side == domain::Side::kBuy) {
      row.reserve_price = market_order ? market_.limits(row.symbol, day).upper : row.price;
      // The revised part's old reservation is released for the new one.
      const std::int64_t released = buy_cost(quantity, original->reserve_price);
      if (buy_cost(quantity, row.reserve_price) > orderable_cash(now) + released) {
        return {"APBK0952"};
      }
    }
    original->moved_qty += quantity;
    if (original->remaining() == 0) original->state = OrderState::kReplaced;
  }
  row.odno = next_odno(row.ord_dt);
  orders_.push_back(std::move(row));
  Order* placed = &orders_.back();
  advance(now);
  return {"", placed};
}

void OrderBook::match(Order& order, const MinuteRow& bar, int phase, std::vector<Execution>& out) {
  std::int64_t& used = used_volume_[{order.symbol, bar.ts}];
  const std::int64_t room = bar.volume * fill_volume_pct_ / 100 - used;
  if (room <= 0) return;
  const bool buy = order.side == domain::Side::kBuy;
  std::int64_t price = 0;
  if (phase == kOpenPhase) {
    if (order.is_market() || (buy ? bar.open <= order.price : bar.open >= order.price)) {
      price = bar.open;
    }
  } else if (!order.is_market() && (buy ? bar.low < order.price : bar.high > order.price)) {
    price = order.price;
  }
  if (price <= 0) return;
  Execution e;
  e.ord_dt = order.ord_dt;
  e.odno = order.odno;
  e.symbol = order.symbol;
  e.side = order.side;
  e.quantity = std::min(order.remaining(), room);
  e.price = price;
  e.at = phase == kOpenPhase ? bar.ts : bar.ts + kMsPerMinute;
  e.day = seoul_day(bar.ts);
  e.commission = account_.commission(e.notional());
  e.tax = buy ? 0 : account_.sell_tax(order.symbol, e.notional(), e.day);
  used += e.quantity;
  order.filled_qty += e.quantity;
  order.filled_amt += e.notional();
  order.fees += e.commission + e.tax;
  if (order.remaining() == 0) order.state = OrderState::kFilled;
  account_.apply(e);
  out.push_back(e);
}

std::vector<Execution> OrderBook::advance(TimestampMs now) {
  std::vector<Execution> out;
  std::map<std::string, std::vector<Order*>> open_by_symbol;
  for (Order& o : orders_) {
    if (o.state == OrderState::kOpen && o.kind != OrderKind::kCancel) {
      open_by_symbol[o.symbol].push_back(&o);
    }
  }
  for (auto& [symbol, open] : open_by_symbol) {
    TimestampMs from = INT64_MAX;
    for (const Order* o : open) from = std::min(from, o->accepted_at);
    for (const MinuteRow& bar : market_.bars_between(symbol, from, now + 1)) {
      for (int phase : {kOpenPhase, kBodyPhase}) {
        const TimestampMs due = phase == kOpenPhase ? bar.ts : bar.ts + kMsPerMinute;
        if (due > now) break;
        for (Order* o : open) {
          if (o->state != OrderState::kOpen || o->accepted_at > bar.ts) continue;
          if (bar.ts + kMsPerMinute > session_end(order_day(*o))) continue;
          const std::pair<TimestampMs, int> at{bar.ts, phase};
          if (at <= o->cursor) continue;
          o->cursor = at;
          match(*o, bar, phase, out);
        }
      }
    }
  }
  // The day's end: what is still open expires (KRX day orders) and frees its reservation.
  for (Order& o : orders_) {
    if (o.state == OrderState::kOpen && now >= session_end(order_day(o))) {
      o.state = OrderState::kExpired;
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Execution& a, const Execution& b) { return a.at < b.at; });
  return out;
}

}  // namespace quantd::kis_mock
