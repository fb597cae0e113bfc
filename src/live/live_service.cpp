#include "quantd/live/live_service.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "quantd/live/account_view.h"
#include "quantd/live/paper_broker.h"
#include "quantd/live/risk.h"
#include "quantd/storage/strategy_repository.h"

namespace quantd::live {
namespace {

using nlohmann::json;

AccountRecord read_account(SQLite::Statement& q) {
  AccountRecord a;
  a.id = domain::AccountId(q.getColumn(0).getInt64());
  a.broker = q.getColumn(1).getString();
  a.environment = q.getColumn(2).getString();
  a.label = q.getColumn(3).getString();
  a.trading_state = parse_trading_state(q.getColumn(4).getString()).value_or(TradingState::kHalted);
  a.state_reason = q.getColumn(5).isNull() ? "" : q.getColumn(5).getString();
  return a;
}

// The demo's replay account: its sessions run on the demo's own clock (live/replay_demo.h).
bool is_replay(const AccountRecord& a) {
  return a.broker == "paper" && a.environment == "sim" && a.label == kReplayLabel;
}

}  // namespace

LiveService::LiveService(LiveServiceDeps deps) : deps_(std::move(deps)), store_(deps_.db) {}

LiveService::~LiveService() = default;

Result<LiveService::Account*> LiveService::account(domain::AccountId id) {
  {
    std::lock_guard lock(mu_);
    if (auto it = accounts_.find(id.value()); it != accounts_.end()) return it->second.get();
  }
  AccountRecord rec;
  try {
    SQLite::Statement q(deps_.db.connection(),
                        "SELECT id, broker, environment, label, trading_state, state_reason FROM "
                        "broker_accounts WHERE id = ?");
    q.bind(1, id.value());
    if (!q.executeStep()) {
      return Status::not_found("no broker account with id " + std::to_string(id.value()));
    }
    rec = read_account(q);
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read the broker account: ") + e.what());
  }
  if (is_replay(rec)) {
    return Status::not_found("account " + std::to_string(id.value()) +
                             " is the demo's replay account; the demo drives it on its own clock");
  }
  auto broker = deps_.make_broker(rec);
  if (!broker.ok()) return broker.status();
  auto a = std::make_unique<Account>();
  a->record = rec;
  a->broker = std::move(broker).value();
  a->desk = std::make_unique<OrderDesk>(deps_.db, store_, rec.id, *a->broker, deps_.clock,
                                        deps_.config.desk, deps_.crash, deps_.events);
  std::lock_guard lock(mu_);
  auto [it, inserted] = accounts_.emplace(id.value(), std::move(a));
  return it->second.get();
}

Result<LiveService::Account*> LiveService::paper_account() {
  auto id = PaperBroker::ensure_account(deps_.db, deps_.config.paper_cash, deps_.clock.now());
  if (!id.ok()) return id.status();
  return account(*id);
}

Result<LiveService::Account*> LiveService::account_for(const std::string& broker) {
  if (broker == "paper") return paper_account();
  if (broker != "kis" || !deps_.config.kis) {
    return Status::invalid_argument("unknown broker '" + broker + "'");
  }
  const KisAccountConfig& k = *deps_.config.kis;
  try {
    SQLite::Statement add(deps_.db.connection(),
                          "INSERT INTO broker_accounts(broker, environment, label, created_at) "
                          "VALUES('kis', ?, ?, ?) ON CONFLICT(broker, environment, label) DO "
                          "NOTHING");
    add.bind(1, k.environment);
    add.bind(2, k.label);
    add.bind(3, deps_.clock.now());
    add.exec();
    SQLite::Statement find(deps_.db.connection(),
                           "SELECT id FROM broker_accounts WHERE broker = 'kis' AND environment = "
                           "? AND label = ?");
    find.bind(1, k.environment);
    find.bind(2, k.label);
    if (!find.executeStep()) return Status::internal("the KIS account row vanished");
    return account(domain::AccountId(find.getColumn(0).getInt64()));
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot create the KIS account: ") + e.what());
  }
}

Status LiveService::start() {
  auto paper = paper_account();
  if (!paper.ok()) return paper.status();
  std::vector<std::int64_t> ids;
  try {
    SQLite::Statement q(deps_.db.connection(),
                        "SELECT id, broker, environment, label, trading_state, state_reason FROM "
                        "broker_accounts ORDER BY id");
    while (q.executeStep()) {
      if (!is_replay(read_account(q))) ids.push_back(q.getColumn(0).getInt64());
    }
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot list broker accounts: ") + e.what());
  }
  for (std::int64_t id : ids) {
    auto a = account(domain::AccountId(id));
    if (!a.ok()) {
      spdlog::error("account {}: {}", id, a.status().message());
      continue;
    }
    // Before any session of the account trades (LIVE.md §11 step 2).
    auto report = (*a)->desk->reconcile(ReconKind::kStartup);
    if (!report.ok()) return report.status();
    if (report->result == "incomplete") {
      (void)(*a)->desk->set_trading_state(
          TradingState::kHalted, "the startup reconciliation could not read the broker", "restart");
    }
  }
  auto running = store_.list(true);
  if (!running.ok()) return running.status();
  for (const SessionRecord& s : *running) {
    LiveTask t;
    t.key = s.id.value();
    t.kind = s.state == SessionState::kWarming && !s.warmup_from ? LiveTask::Kind::kStart
                                                                 : LiveTask::Kind::kRestore;
    if (!deps_.enqueue(t)) {
      spdlog::error("session {}: the live queue refused its restore", s.id.value());
    }
  }
  if (!running->empty()) spdlog::info("restoring {} live session(s)", running->size());
  return {};
}

Result<SessionRecord> LiveService::activate(domain::StrategyId strategy_id,
                                            const Activation& request,
                                            std::vector<FieldError>& errors) {
  storage::StrategyRepository strategies(deps_.db);
  auto strategy = strategies.get(strategy_id);
  if (!strategy.ok()) return strategy.status();
  if (request.broker != "paper" && !(request.broker == "kis" && deps_.config.kis)) {
    errors.push_back({"broker", request.broker == "kis"
                                    ? "KIS is not configured: set the kis keys (kis.app_key, "
                                      "kis.app_secret, kis.account; docs/live.md), or use "
                                      "\"paper\""
                                    : "unknown broker '" + request.broker + "'; use \"paper\"" +
                                          (deps_.config.kis ? " or \"kis\"" : "")});
  }
  if (!request.capital) {
    errors.push_back({"capital", "is required: the KRW this session may use, e.g. 10000000"});
  } else if (*request.capital <= 0) {
    errors.push_back({"capital", "must be a positive whole number of KRW"});
  }
  auto risk = risk_limits_from_json(request.risk, deps_.config.defaults.risk);
  if (!risk.ok()) {
    const std::string& m = risk.status().message();
    const auto colon = m.find(':');
    errors.push_back({colon == std::string::npos ? "risk" : m.substr(0, colon),
                      colon == std::string::npos ? m : m.substr(colon + 2)});
  }
  if (strategy->symbols.empty()) {
    errors.push_back({"symbols", "the strategy has no symbols; edit it to add at least one"});
  }
  auto compiled = deps_.compile(strategy->script, strategy->params);
  if (!compiled.ok()) {
    errors.push_back({"script", "the strategy does not compile: " + compiled.status().message()});
  }
  auto running = store_.running_for_strategy(strategy_id);
  if (!running.ok()) return running.status();
  if (*running) {
    return Status::already_exists("strategy " + std::to_string(strategy_id.value()) +
                                  " is already live (session " +
                                  std::to_string((*running)->value()) + "); deactivate it first");
  }
  auto paper = account_for(errors.empty() ? request.broker : std::string("paper"));
  if (!paper.ok()) return paper.status();
  if (errors.empty() && request.capital) {
    // The capitals of the account's sessions must fit in what the account holds.
    auto view = (*paper)->desk->broker_account();
    if (!view.ok() && request.broker != "paper") {
      errors.push_back({"broker", "the " + request.broker +
                                      " account cannot be read now: " + view.status().message()});
    }
    if (view.ok()) {
      std::int64_t allocated = 0;
      auto sessions = store_.list(true);
      if (sessions.ok()) {
        for (const SessionRecord& s : *sessions) {
          if (s.account_id == (*paper)->record.id) allocated += s.capital;
        }
      }
      double value = static_cast<double>(view->cash);
      for (const Holding& h : view->holdings)
        value += static_cast<double>(h.quantity) * h.avg_price;
      const double free = value - static_cast<double>(allocated);
      if (static_cast<double>(*request.capital) > free) {
        errors.push_back({"capital", format_krw(static_cast<double>(*request.capital)) +
                                         " KRW is more than the " + request.broker +
                                         " account has unallocated (" +
                                         format_krw(std::max(0.0, free)) + " KRW)"});
      }
    }
  }
  if (!errors.empty())
    return Status::invalid_argument(errors.front().field + ": " + errors.front().message);

  SessionRecord draft;
  draft.strategy_id = strategy_id;
  draft.strategy_version = strategy->version;
  draft.strategy_name = strategy->name;
  draft.script = strategy->script;
  draft.params = strategy->params;
  draft.symbols = strategy->symbols;
  draft.interval = strategy->interval;
  draft.market = request.market.value_or(domain::Market::kKospi);
  draft.account_id = (*paper)->record.id;
  draft.capital = *request.capital;
  draft.settings = request.broker == "kis" ? deps_.config.kis->settings : deps_.config.defaults;
  draft.settings.risk = *risk;
  draft.state = SessionState::kWarming;
  auto id = store_.create(draft, deps_.clock.now());
  if (!id.ok()) return id.status();
  auto created = store_.get(*id);  // as created (warming), before a worker can move it on
  if (!created.ok()) return created.status();
  LiveTask t;
  t.key = id->value();
  t.kind = LiveTask::Kind::kStart;
  if (!deps_.enqueue(t)) {
    (void)store_.set_state(*id, SessionState::kFailed, "the live queue is full; activate again",
                           "session", deps_.clock.now());
    return Status::unavailable("the live queue is full; try again shortly");
  }
  if (deps_.events) {
    deps_.events("live.session",
                 json{{"id", id->value()}, {"state", "warming"}, {"was", nullptr}, {"reason", ""}});
  }
  return created;
}

Result<SessionRecord> LiveService::deactivate(domain::StrategyId strategy_id, bool flatten) {
  storage::StrategyRepository strategies(deps_.db);
  auto strategy = strategies.get(strategy_id);
  if (!strategy.ok()) return strategy.status();
  auto running = store_.running_for_strategy(strategy_id);
  if (!running.ok()) return running.status();
  if (!*running) {
    return Status::not_found("strategy " + std::to_string(strategy_id.value()) + " is not live");
  }
  LiveTask t;
  t.key = (*running)->value();
  t.kind = LiveTask::Kind::kDeactivate;
  t.flatten = flatten;
  if (!deps_.enqueue(t)) return Status::unavailable("the live queue is full; try again shortly");
  return store_.get(**running);
}

Status LiveService::kill(KillScope scope, std::int64_t id, const std::string& reason) {
  const std::string why = reason.empty() ? "kill switch" : "kill switch: " + reason;
  if (scope == KillScope::kSession) {
    auto s = store_.get(domain::SessionId(id));
    if (!s.ok()) return s.status();
    if (store_.is_replay(s->id).value_or(false)) {
      return Status::failed_precondition("session " + std::to_string(id) +
                                         " is a replay: stop it with POST /api/live/demo/stop");
    }
    if (is_terminal(s->state)) {
      return Status::failed_precondition("session " + std::to_string(id) + " is " +
                                         std::string(to_string(s->state)));
    }
    Status st = store_.set_state(s->id, SessionState::kHalted, why, "operator", deps_.clock.now());
    if (st.ok() && deps_.events) {
      deps_.events(
          "live.session",
          json{{"id", id}, {"state", "halted"}, {"was", to_string(s->state)}, {"reason", why}});
    }
    return st;
  }
  std::vector<std::int64_t> ids;
  if (scope == KillScope::kAccount) {
    ids.push_back(id);
  } else {
    for (const AccountRecord& a : accounts()) ids.push_back(a.id.value());
  }
  for (std::int64_t a : ids) {
    auto acc = account(domain::AccountId(a));
    if (!acc.ok()) return acc.status();
    if (Status st = (*acc)->desk->set_trading_state(TradingState::kHalted, why, "operator");
        !st.ok()) {
      return st;
    }
  }
  return {};
}

Result<json> LiveService::resume(KillScope scope, std::int64_t id) {
  std::vector<std::int64_t> account_ids;
  std::optional<SessionRecord> session;
  if (scope == KillScope::kSession) {
    auto s = store_.get(domain::SessionId(id));
    if (!s.ok()) return s.status();
    if (store_.is_replay(s->id).value_or(false)) {
      return Status::failed_precondition("session " + std::to_string(id) +
                                         " is a replay; it is never paused");
    }
    if (s->state != SessionState::kHalted) {
      return Status::failed_precondition("session " + std::to_string(id) + " is " +
                                         std::string(to_string(s->state)) + ", not halted");
    }
    session = *s;
    account_ids.push_back(s->account_id.value());
  } else if (scope == KillScope::kAccount) {
    account_ids.push_back(id);
  } else {
    for (const AccountRecord& a : accounts()) account_ids.push_back(a.id.value());
  }
  json out = json::array();
  for (std::int64_t a : account_ids) {
    auto acc = account(domain::AccountId(a));
    if (!acc.ok()) return acc.status();
    auto report = (*acc)->desk->reconcile(ReconKind::kResume);
    if (!report.ok()) return report.status();
    out.push_back({{"account_id", a}, {"result", report->result}, {"detail", report->detail}});
    if (report->result != "ok") {
      return Status::failed_precondition("the reconciliation of account " + std::to_string(a) +
                                         " is " + report->result + ": " + report->detail.dump() +
                                         "; it stays halted");
    }
    if (scope != KillScope::kSession) {
      if (Status st = (*acc)->desk->set_trading_state(TradingState::kActive, "resumed", "operator");
          !st.ok()) {
        return st;
      }
    }
  }
  if (session) {
    if (Status st = store_.set_state(session->id, SessionState::kActive, "resumed", "operator",
                                     deps_.clock.now());
        !st.ok()) {
      return st;
    }
    if (deps_.events) {
      deps_.events("live.session", json{{"id", id},
                                        {"state", "active"},
                                        {"was", to_string(session->state)},
                                        {"reason", "resumed"}});
    }
  }
  return json{{"reconciliations", out}};
}

std::vector<std::int64_t> LiveService::running_ids() {
  auto ids = store_.running_ids();
  if (!ids.ok()) {
    spdlog::error("live: {}", ids.status().message());
    return {};
  }
  return *ids;
}

void LiveService::on_order_notice(const std::string& broker) {
  for (const AccountRecord& a : accounts()) {
    if (a.broker != broker) continue;
    LiveTask t;
    t.key = -a.id.value();
    t.kind = LiveTask::Kind::kRefresh;
    if (!deps_.enqueue(t))
      spdlog::warn("live: the refresh of account {} was not queued", a.id.value());
  }
}

std::vector<std::string> LiveService::live_symbols(const std::string& broker) {
  std::set<std::int64_t> accounts_of_broker;
  for (const AccountRecord& a : accounts()) {
    if (a.broker == broker) accounts_of_broker.insert(a.id.value());
  }
  std::vector<std::string> out;
  for (std::int64_t id : running_ids()) {
    auto rec = store_.get(domain::SessionId(id));
    if (!rec.ok() || !accounts_of_broker.count(rec->account_id.value())) continue;
    for (const domain::Symbol& s : rec->symbols) {
      if (std::find(out.begin(), out.end(), s.str()) == out.end()) out.push_back(s.str());
    }
  }
  return out;
}

std::vector<AccountRecord> LiveService::accounts() {
  std::vector<AccountRecord> out;
  try {
    SQLite::Statement q(deps_.db.connection(),
                        "SELECT id, broker, environment, label, trading_state, state_reason FROM "
                        "broker_accounts ORDER BY id");
    while (q.executeStep()) {
      AccountRecord a = read_account(q);
      if (!is_replay(a)) out.push_back(std::move(a));
    }
  } catch (const std::exception& e) {
    spdlog::error("live: cannot list accounts: {}", e.what());
  }
  return out;
}

Result<json> LiveService::account_view(domain::AccountId id) {
  auto acc = account(id);
  if (!acc.ok()) return acc.status();
  auto view = live::account_view(deps_.db, id, (*acc)->desk->broker_account());
  if (!view.ok()) return view.status();
  const AccountRecord& r = (*acc)->record;
  (*view)["id"] = r.id.value();
  (*view)["broker"] = r.broker;
  (*view)["environment"] = r.environment;
  (*view)["label"] = r.label;
  const TradingState state = (*acc)->desk->trading_state();
  (*view)["trading_state"] = to_string(state);
  return view;
}

Result<PlaceResult> LiveService::answer_order(domain::OrderId id, const OperatorAnswer& answer) {
  OrderJournal journal(deps_.db);
  auto order = journal.get(id);
  if (!order.ok()) return order.status();
  auto acc = account(order->account);
  if (!acc.ok()) return acc.status();
  auto result = (*acc)->desk->answer(id, answer);
  if (result.ok()) {
    spdlog::warn("order {}: the operator answered: {}", id.value(),
                 answer.bind_to ? "broker order " + *answer.bind_to : std::string("not placed"));
  }
  return result;
}

bool LiveService::any_live() {
  if (!running_ids().empty()) return true;
  for (const AccountRecord& a : accounts()) {
    if (a.trading_state != TradingState::kActive) return true;
  }
  return false;
}

std::size_t LiveService::on_tick(TimestampMs minute) {
  const std::vector<std::int64_t> ids = running_ids();
  const TimestampMs now = deps_.clock.now();
  try {
    SQLite::Statement q(deps_.db.connection(),
                        "INSERT INTO live_cycles(minute, started_at, sessions) VALUES(?, ?, ?) "
                        "ON CONFLICT(minute) DO UPDATE SET started_at = excluded.started_at, "
                        "sessions = excluded.sessions, finished_at = NULL");
    q.bind(1, minute);
    q.bind(2, now);
    q.bind(3, static_cast<std::int64_t>(ids.size()));
    q.exec();
  } catch (const std::exception& e) {
    spdlog::error("live: cannot record the cycle of {}: {}", format_seoul(minute), e.what());
  }
  {
    std::lock_guard lock(mu_);
    Cycle& c = cycles_[minute];
    c.pending = std::set<std::int64_t>(ids.begin(), ids.end());
    c.started = std::chrono::steady_clock::now();
  }
  std::size_t queued = 0;
  for (std::int64_t id : ids) {
    LiveTask t;
    t.key = id;
    t.kind = LiveTask::Kind::kEvaluate;
    t.minute = minute;
    if (deps_.enqueue(t)) {
      ++queued;
    } else {
      spdlog::warn("live: the queue refused the evaluation of session {} for {}", id,
                   format_seoul(minute));
      finish_cycles(id, minute, {});  // not to be waited for
    }
  }
  const bool reconcile_due =
      !last_reconcile_minute_ ||
      minute - *last_reconcile_minute_ >= deps_.config.reconcile_every_min * kMsPerMinute;
  std::set<std::int64_t> to_reconcile;
  if (reconcile_due) {
    last_reconcile_minute_ = minute;
    for (const AccountRecord& a : accounts()) to_reconcile.insert(a.id.value());
  }
  {
    // A broker that stopped taking orders (a dead KIS token) halts its account, and one that
    // takes them again resumes it after a clean reconciliation: both on the next tick.
    std::lock_guard lock(mu_);
    for (const auto& [id, a] : accounts_) {
      if (a->desk->broker_changed()) to_reconcile.insert(id);
    }
  }
  for (std::int64_t id : to_reconcile) {
    LiveTask t;
    t.key = -id;
    t.kind = LiveTask::Kind::kReconcile;
    t.minute = minute;
    (void)deps_.enqueue(t);
  }
  finish_cycles(0, minute, {});  // a cycle without sessions is finished at once
  return queued;
}

void LiveService::finish_cycles(std::int64_t session, TimestampMs minute, const CycleStats& stats) {
  std::vector<std::pair<TimestampMs, Cycle>> done;
  {
    std::lock_guard lock(mu_);
    for (auto it = cycles_.begin(); it != cycles_.end();) {
      if (it->first > minute) break;
      Cycle& c = it->second;
      if (c.pending.erase(session) > 0) {
        c.orders += stats.orders;
        c.bars += stats.bars;
      }
      if (c.pending.empty()) {
        done.emplace_back(it->first, c);
        it = cycles_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& [m, c] : done) {
    const double wall_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c.started)
            .count();
    try {
      SQLite::Statement q(deps_.db.connection(),
                          "UPDATE live_cycles SET finished_at = ?, done_sessions = sessions, "
                          "orders_sent = ?, bars_fed = ?, wall_ms = ?, late = ? WHERE minute = ?");
      q.bind(1, deps_.clock.now());
      q.bind(2, c.orders);
      q.bind(3, c.bars);
      q.bind(4, wall_ms);
      q.bind(5, wall_ms > 55'000 ? 1 : 0);
      q.bind(6, m);
      q.exec();
    } catch (const std::exception& e) {
      spdlog::error("live: cannot finish the cycle of {}: {}", format_seoul(m), e.what());
    }
    if (deps_.events) {
      deps_.events("live.cycle", json{{"minute", m}, {"orders", c.orders}, {"wall_ms", wall_ms}});
    }
  }
  // The minute's writes are done: fold the log into the file now, not during the next cycle.
  if (!done.empty()) deps_.db.checkpoint();
}

json LiveService::latest_cycle() {
  try {
    SQLite::Statement q(deps_.db.connection(),
                        "SELECT minute, started_at, finished_at, sessions, orders_sent, bars_fed, "
                        "wall_ms, late FROM live_cycles WHERE finished_at IS NOT NULL ORDER BY "
                        "minute DESC LIMIT 1");
    if (!q.executeStep()) return nullptr;
    return json{{"minute", format_utc_iso(q.getColumn(0).getInt64())},
                {"minute_ms", q.getColumn(0).getInt64()},
                {"minute_seoul", format_seoul(q.getColumn(0).getInt64())},
                {"started_at", format_utc_iso(q.getColumn(1).getInt64())},
                {"finished_at", format_utc_iso(q.getColumn(2).getInt64())},
                {"sessions", q.getColumn(3).getInt64()},
                {"orders_sent", q.getColumn(4).getInt64()},
                {"bars_fed", q.getColumn(5).getInt64()},
                {"wall_ms", q.getColumn(6).getDouble()},
                {"late", q.getColumn(7).getInt() != 0}};
  } catch (const std::exception& e) {
    spdlog::error("live: cannot read cycles: {}", e.what());
    return nullptr;
  }
}

LiveSession* LiveService::session(std::int64_t id) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void LiveService::drop_session(std::int64_t id) {
  std::unique_ptr<LiveSession> gone;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    gone = std::move(it->second);
    sessions_.erase(it);
  }
}

void LiveService::handle(const LiveTask& task) {
  try {
    if (task.kind == LiveTask::Kind::kReconcile) {
      auto a = account(domain::AccountId(-task.key));
      if (!a.ok()) return;
      auto report = (*a)->desk->reconcile(ReconKind::kPeriodic);
      if (!report.ok()) spdlog::error("account {}: {}", -task.key, report.status().message());
      return;
    }
    if (task.kind == LiveTask::Kind::kRefresh) {
      auto a = account(domain::AccountId(-task.key));
      if (!a.ok()) return;
      const auto resolved = (*a)->desk->refresh({});
      if (!resolved.empty()) {
        spdlog::info("account {}: a broker notice settled the orders of {} symbol(s)", -task.key,
                     resolved.size());
      }
      return;
    }
    run_session_task(task);
  } catch (const std::exception& e) {
    spdlog::error("live: task for {} failed: {}", task.key, e.what());
  }
}

void LiveService::run_session_task(const LiveTask& task) {
  const domain::SessionId id(task.key);
  LiveSession* s = session(task.key);
  if (s == nullptr) {
    auto rec = store_.get(id);
    if (!rec.ok()) {
      spdlog::error("live: {}", rec.status().message());
      if (task.kind == LiveTask::Kind::kEvaluate) finish_cycles(task.key, task.minute, {});
      return;
    }
    if (is_terminal(rec->state)) {
      if (task.kind == LiveTask::Kind::kEvaluate) finish_cycles(task.key, task.minute, {});
      return;
    }
    auto acc = account(rec->account_id);
    if (!acc.ok()) {
      spdlog::error("session {}: {}", task.key, acc.status().message());
      return;
    }
    SessionDeps deps{deps_.db,       store_,      deps_.market,         *(*acc)->desk,
                     deps_.calendar, deps_.clock, deps_.config.session, deps_.crash,
                     deps_.events};
    auto opened = LiveSession::open(id, deps, deps_.compile);
    if (!opened.ok()) {
      (void)store_.set_state(id, SessionState::kFailed,
                             "cannot start: " + opened.status().message(), "session",
                             deps_.clock.now());
      if (deps_.events) {
        deps_.events("live.session", json{{"id", task.key},
                                          {"state", "failed"},
                                          {"was", to_string(rec->state)},
                                          {"reason", opened.status().message()}});
      }
      if (task.kind == LiveTask::Kind::kEvaluate) finish_cycles(task.key, task.minute, {});
      return;
    }
    Status started = rec->state == SessionState::kWarming && !rec->warmup_from
                         ? (*opened)->warm_up()
                         : (*opened)->restore();
    if (!started.ok()) {
      spdlog::error("session {}: cannot start: {}", task.key, started.message());
      if (task.kind == LiveTask::Kind::kEvaluate) finish_cycles(task.key, task.minute, {});
      return;
    }
    {
      std::lock_guard lock(mu_);
      s = (sessions_[task.key] = std::move(opened).value()).get();
    }
  }
  switch (task.kind) {
    case LiveTask::Kind::kStart:
    case LiveTask::Kind::kRestore:
      break;  // done above (once per process)
    case LiveTask::Kind::kEvaluate: {
      auto stats = s->on_minute(task.minute);
      if (!stats.ok()) {
        spdlog::error("session {}: cycle {}: {}", task.key, format_seoul(task.minute),
                      stats.status().message());
      }
      // The cycle's own broker calls may have found the broker unable to take orders (a dead
      // KIS token) or able again: the account follows within this cycle, not a tick later.
      if (auto acc = account(s->record().account_id); acc.ok() && (*acc)->desk->broker_changed()) {
        auto report = (*acc)->desk->reconcile(ReconKind::kCycle);
        if (!report.ok()) spdlog::error("session {}: {}", task.key, report.status().message());
      }
      finish_cycles(task.key, task.minute, stats.ok() ? *stats : CycleStats{});
      break;
    }
    case LiveTask::Kind::kDeactivate: {
      if (Status st = s->deactivate(task.flatten); !st.ok()) {
        spdlog::error("session {}: cannot deactivate: {}", task.key, st.message());
      }
      break;
    }
    case LiveTask::Kind::kReconcile:
    case LiveTask::Kind::kRefresh:
      break;
  }
  if (is_terminal(s->state())) drop_session(task.key);
}

}  // namespace quantd::live
