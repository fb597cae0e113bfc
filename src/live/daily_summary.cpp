#include "quantd/live/daily_summary.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <optional>

#include "quantd/live/session_store.h"

namespace quantd::live {
namespace {}  // namespace

Result<DailySummary> read_daily_summary(storage::Database& store, CivilDate day) {
  const TimestampMs start = from_seoul(day);
  const TimestampMs end = start + kMsPerDay;
  DailySummary out;
  out.day = day;
  try {
    SQLite::Database& db = store.connection();
    SessionStore sessions(store);
    auto all = sessions.list(false);
    if (!all.ok()) return all.status();
    for (auto it = all->rbegin(); it != all->rend(); ++it) {  // oldest first
      const SessionRecord& r = *it;
      const bool running = !is_terminal(r.state);
      const bool stopped_today =
          r.state == SessionState::kStopped && r.stopped_at && *r.stopped_at >= start;
      if (r.created_at >= end || !(running || stopped_today)) continue;
      auto replay = sessions.is_replay(r.id);  // the demo's, on its own clock: not a trading day
      if (!replay.ok()) return replay.status();
      if (*replay) continue;
      SessionDay s;
      s.session_id = r.id.value();
      s.name = r.strategy_name;
      s.state = std::string(to_string(r.state));
      const double capital = static_cast<double>(r.capital);
      auto open = sessions.equity_before(r.id, start, capital);
      if (!open.ok()) return open.status();
      auto close = sessions.equity_before(r.id, end, *open);
      if (!close.ok()) return close.status();
      s.equity_open = *open;
      s.equity_close = *close;
      out.sessions.push_back(std::move(s));
    }
    for (SessionDay& s : out.sessions) {
      SQLite::Statement fills(db,
                              "SELECT count(*), coalesce(sum(commission + tax), 0) FROM fills "
                              "WHERE session_id = ? AND fill_ts >= ? AND fill_ts < ?");
      fills.bind(1, s.session_id);
      fills.bind(2, start);
      fills.bind(3, end);
      if (fills.executeStep()) {
        s.fills = fills.getColumn(0).getInt();
        s.costs = fills.getColumn(1).getInt64();
      }
      SQLite::Statement orders(db,
                               "SELECT count(*), coalesce(sum(state = 'denied'), 0) FROM orders "
                               "WHERE session_id = ? AND created_at >= ? AND created_at < ?");
      orders.bind(1, s.session_id);
      orders.bind(2, start);
      orders.bind(3, end);
      if (orders.executeStep()) {
        s.orders = orders.getColumn(0).getInt();
        s.denied = orders.getColumn(1).getInt();
      }
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read the day's summary: ") + e.what());
  }
  return out;
}

nlohmann::json to_json(const DailySummary& summary) {
  nlohmann::json sessions = nlohmann::json::array();
  double total = 0;
  for (const SessionDay& s : summary.sessions) {
    total += s.pnl();
    sessions.push_back({{"id", s.session_id},
                        {"name", s.name},
                        {"state", s.state},
                        {"equity_open", s.equity_open},
                        {"equity_close", s.equity_close},
                        {"pnl", s.pnl()},
                        {"fills", s.fills},
                        {"orders", s.orders},
                        {"denied", s.denied},
                        {"costs", s.costs}});
  }
  return {
      {"day", format_seoul_date(from_seoul(summary.day))}, {"sessions", sessions}, {"pnl", total}};
}

}  // namespace quantd::live
