#include "quantd/live/replay_demo.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "quantd/core/clock.h"
#include "quantd/domain/aggregate.h"
#include "quantd/live/market_data.h"
#include "quantd/live/order_desk.h"
#include "quantd/storage/bar_loader.h"

namespace quantd::live {

using nlohmann::json;

namespace {

// The clock stands this long past a bar's completion when its cycle runs, as the scheduler's
// tick does for a live session.
constexpr TimestampMs kTickLagMs = 2 * kMsPerSecond;

}  // namespace

struct ReplayDemo::Run {
  Run(storage::Database& db, TimestampMs start) : clock(start), source(db), market(source) {}

  SessionRecord record;
  std::vector<domain::Bar> bars;  // the replayed bars of the first symbol
  std::size_t next = 0;           // the next bar to complete
  int pace_ms = 0;
  ManualClock clock;
  ReplaySource source;
  MarketDataService market;
  std::unique_ptr<PaperBroker> broker;
  std::unique_ptr<OrderDesk> desk;
  std::unique_ptr<LiveSession> session;
  // Guarded by ReplayDemo::mu_.
  bool running = true;
  bool stop = false;  // the operator's Stop: flatten on the next bar, then stop
  bool quit = false;  // the daemon stops: stop now, keep the shares
};

ReplayDemo::ReplayDemo(ReplayDemoDeps deps) : deps_(std::move(deps)), store_(deps_.db) {}

ReplayDemo::~ReplayDemo() {
  {
    std::lock_guard lock(mu_);
    if (run_) run_->quit = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status ReplayDemo::recover() {
  auto sessions = store_.list(false);
  if (!sessions.ok()) return sessions.status();
  for (const SessionRecord& s : *sessions) {
    if (is_terminal(s.state)) continue;
    auto replay = store_.is_replay(s.id);
    if (!replay.ok()) return replay.status();
    if (!*replay) continue;
    if (Status st =
            store_.set_state(s.id, SessionState::kStopped, "the replay ended when quantd stopped",
                             "restart", s.updated_at);
        !st.ok()) {
      return st;
    }
  }
  return {};
}

Result<SessionRecord> ReplayDemo::start(const ReplayRequest& request) {
  std::unique_lock lock(mu_);
  if (run_ && run_->running) {
    return Status::already_exists("a replay is running (session " +
                                  std::to_string(run_->record.id.value()) + "); stop it first");
  }
  if (thread_.joinable()) thread_.join();  // the last replay's thread has finished
  if (request.symbols.empty()) return Status::invalid_argument("symbols: at least one is needed");
  if (request.bars < 2 || request.bars > 5000) {
    return Status::invalid_argument("bars: must be between 2 and 5000");
  }
  auto factory = deps_.compile(request.script, request.params);
  if (!factory.ok()) {
    return Status::invalid_argument("script: the strategy does not compile: " +
                                    factory.status().message());
  }
  const int warmup = std::max((*factory)->warmup_bars(), deps_.session.min_warmup_bars);
  storage::BarRepository repo(deps_.db);
  auto stored = storage::load_bars(repo, request.symbols.front(), request.interval, std::nullopt,
                                   std::nullopt);
  if (!stored.ok()) return stored.status();
  const std::size_t need =
      static_cast<std::size_t>(request.bars) + static_cast<std::size_t>(warmup);
  if (stored->size() < need + 1) {
    return Status::invalid_argument(
        "bars: " + request.symbols.front().str() + " has " + std::to_string(stored->size()) + " " +
        std::string(domain::to_string(request.interval)) + " bars stored; replaying " +
        std::to_string(request.bars) + " after a warm-up of " + std::to_string(warmup) + " needs " +
        std::to_string(need + 1) + " (load the sample data or import more)");
  }
  const std::size_t first = stored->size() - static_cast<std::size_t>(request.bars);
  // Just past the completion of the bar before the replay: that one is history, the first
  // replayed bar is the first the session trades.
  const TimestampMs start =
      domain::bar_complete_at((*stored)[first - 1].ts, request.interval) + kTickLagMs;
  auto account =
      PaperBroker::ensure_account(deps_.db, deps_.paper.initial_cash, start, kReplayLabel);
  if (!account.ok()) return account.status();

  auto run = std::make_unique<Run>(deps_.db, start);
  run->bars.assign(stored->begin() + static_cast<std::ptrdiff_t>(first), stored->end());
  run->pace_ms = std::clamp(request.pace_ms, 0, 10'000);
  PaperSettings paper = deps_.paper;
  paper.fill = PaperFill::kNextOpen;  // the backtest's rule, so the replay is its backtest
  run->broker = std::make_unique<PaperBroker>(deps_.db, *account, run->market, run->clock, paper);
  // The replay's events are the live ones, tagged: notifications leave replays out.
  const LiveEvents events = [events = deps_.events](std::string_view event, const json& data) {
    if (!events) return;
    json tagged = data;
    tagged["replay"] = true;
    events(event, tagged);
  };
  run->desk = std::make_unique<OrderDesk>(deps_.db, store_, *account, *run->broker, run->clock,
                                          DeskOptions{}, nullptr, events);
  auto report = run->desk->reconcile(ReconKind::kStartup);
  if (!report.ok()) return report.status();

  SessionRecord draft;
  draft.strategy_id = std::nullopt;  // a replay never makes its strategy "live"
  draft.strategy_version = request.strategy_version;
  draft.strategy_name = "Replay: " + request.name;
  draft.script = request.script;
  draft.params = request.params;
  draft.symbols = request.symbols;
  draft.interval = request.interval;
  draft.account_id = *account;
  draft.capital = request.capital;
  draft.settings = deps_.defaults;
  draft.settings.policy = ActPolicy::kAtNextBarOpen;
  draft.state = SessionState::kWarming;
  auto id = store_.create(draft, start);
  if (!id.ok()) return id.status();
  SessionDeps session_deps{deps_.db,   store_,        run->market, *run->desk, deps_.calendar,
                           run->clock, deps_.session, nullptr,     events};
  auto session = LiveSession::open(*id, session_deps, deps_.compile);
  if (!session.ok()) {
    (void)store_.set_state(*id, SessionState::kFailed, session.status().message(), "session",
                           start);
    return session.status();
  }
  run->session = std::move(session).value();
  if (Status st = run->session->warm_up(); !st.ok()) return st;
  if (run->session->state() != SessionState::kActive) {
    return Status::invalid_argument("the replay's warm-up failed: " +
                                    run->session->record().state_reason);
  }
  run->record = run->session->record();
  auto created = store_.get(*id);
  if (!created.ok()) return created.status();
  run_ = std::move(run);
  Run& r = *run_;
  publish(r);
  thread_ = std::thread([this, &r] { this->run(r); });
  spdlog::info("replay demo: session {} over {} {} bars of {}, {} ms a bar", id->value(),
               r.bars.size(), domain::to_string(request.interval), request.symbols.front().str(),
               r.pace_ms);
  return created;
}

void ReplayDemo::run(Run& r) {
  bool flattening = false;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (r.quit) break;
      if (r.stop && !flattening) {
        lock.unlock();
        (void)r.session->deactivate(true);
        flattening = true;
        lock.lock();
      }
    }
    if (is_terminal(r.session->state())) break;
    if (r.next >= r.bars.size()) break;  // no bar left to sell on: what is held is kept
    if (r.next + 1 == r.bars.size() && !flattening) {
      // The last bar: sell at its open, so the replay ends flat with its P&L realised.
      (void)r.session->deactivate(true);
      flattening = true;  // already flat: it stops now, and the bar's cycle below is a no-op
    }
    const TimestampMs at =
        domain::bar_complete_at(r.bars[r.next].ts, r.record.interval) + kTickLagMs;
    r.clock.advance_to(at);
    auto cycle = r.session->on_minute(at - at % kMsPerMinute);
    if (!cycle.ok()) {
      spdlog::error("replay demo: session {}: {}", r.record.id.value(), cycle.status().message());
    }
    {
      std::unique_lock lock(mu_);
      ++r.next;
      publish(r);
      wake_.wait_for(lock, std::chrono::milliseconds(r.pace_ms),
                     [&] { return r.quit || (r.stop && !flattening); });
    }
  }
  if (!is_terminal(r.session->state())) (void)r.session->deactivate(false);
  std::lock_guard lock(mu_);
  r.running = false;
  publish(r);
  spdlog::info("replay demo: session {} ended after {} bars", r.record.id.value(), r.next);
}

Status ReplayDemo::stop(domain::SessionId session) {
  {
    std::lock_guard lock(mu_);
    if (!run_ || !run_->running || run_->record.id != session) {
      return Status::not_found("session " + std::to_string(session.value()) +
                               " is not the running replay");
    }
    run_->stop = true;
  }
  wake_.notify_all();
  return {};
}

json ReplayDemo::status() const {
  std::lock_guard lock(mu_);
  if (!run_) {
    return {{"running", false}, {"session_id", nullptr}, {"bar", nullptr},
            {"bars", nullptr},  {"clock", nullptr},      {"pace_ms", nullptr}};
  }
  return {{"running", run_->running},
          {"session_id", run_->record.id.value()},
          {"bar", run_->next},
          {"bars", run_->bars.size()},
          {"clock", format_utc_iso(run_->clock.now())},
          {"pace_ms", run_->pace_ms}};
}

void ReplayDemo::publish(const Run& r) {
  if (!deps_.events) return;
  deps_.events("live.replay", json{{"session_id", r.record.id.value()},
                                   {"running", r.running},
                                   {"bar", r.next},
                                   {"bars", r.bars.size()},
                                   {"clock", format_utc_iso(r.clock.now())},
                                   {"replay", true}});
}

}  // namespace quantd::live
