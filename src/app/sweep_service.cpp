#include "quantd/app/sweep_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>

#include "backtest_settings_internal.h"
#include "sweep_execution_internal.h"

namespace quantd::app {

using nlohmann::json;

namespace {

constexpr auto kStoreProgressEvery = std::chrono::milliseconds(500);
// Events per sweep are capped so that ten thousand quick runs cannot overrun a browser's event
// stream (the server drops a client that falls 1 MB behind): a run is announced with its
// metrics at most every kRunEventEvery, otherwise only progress, at most every kProgressEvery.
// A reader re-reads GET /api/sweeps/{id} for the runs it did not see.
constexpr auto kRunEventEvery = std::chrono::milliseconds(20);
constexpr auto kProgressEvery = std::chrono::milliseconds(100);

json parsed(const std::string& text) {
  if (text.empty()) return nullptr;
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json(nullptr) : j;
}

storage::SweepRunRow to_row(const TaskOutcome& o) {
  storage::SweepRunRow r;
  r.task = o.task.index;
  r.phase = std::string(to_string(o.task.phase));
  if (o.task.window >= 0) r.window = o.task.window;
  r.combo = o.task.combo;
  json params = json::object();
  for (const auto& [k, v] : o.params) params[k] = v;
  r.params_json = params.dump();
  r.ok = o.ok;
  r.error = o.error;
  if (o.ok) {
    r.metrics_json = o.metrics.dump();
    r.blocks_json = blocks_json(o.blocks).dump();
  }
  r.bars = o.bars;
  r.seconds = o.seconds;
  return r;
}

TaskOutcome from_row(const SweepPlan& plan, const storage::SweepRunRow& r) {
  TaskOutcome o;
  o.task = plan.task(r.task);
  o.task.combo = r.combo;
  if (r.combo >= 0 && static_cast<std::size_t>(r.combo) < plan.combos.size()) {
    o.params = plan.combos[static_cast<std::size_t>(r.combo)];
  }
  o.ok = r.ok;
  o.error = r.error;
  o.metrics = parsed(r.metrics_json);
  o.blocks = blocks_from_json(parsed(r.blocks_json));
  o.bars = r.bars;
  o.seconds = r.seconds;
  return o;
}

}  // namespace

struct SweepService::Active {
  std::mutex mu;
  std::condition_variable cv;
  std::shared_ptr<SweepExecution> execution;  // set once the bars are loaded
  bool ready = false;
  bool closed = false;  // no helper may join any more
  int helpers = 0;
  std::atomic<bool> halt{false};  // cancel, delete or stop: runs end at their next check
  std::atomic<std::int64_t> runs_done{0};
  std::int64_t runs_total = 0;
  std::function<void(const TaskOutcome&)> on_done;  // stores a run; set with `execution`
  std::mutex store_mu;
  std::chrono::steady_clock::time_point last_store{};
  std::chrono::steady_clock::time_point last_run_event{};
  std::chrono::steady_clock::time_point last_progress_event{};
};

SweepService::SweepService(bus::Channel<bus::RunBacktest>& channel, BacktestService& backtests,
                           const Clock& clock, int workers)
    : channel_(channel), backtests_(backtests), clock_(clock), workers_(std::max(workers, 1)) {}

SweepService::~SweepService() = default;

void SweepService::publish(domain::SweepId id, std::string_view status, double progress,
                           std::int64_t runs_done, const std::string& error, const json* run) {
  json data{
      {"id", id.value()}, {"status", status}, {"progress", progress}, {"runs_done", runs_done}};
  if (!error.empty()) data["error"] = error;
  if (run) data["run"] = *run;
  backtests_.publish("sweep", data);
}

json SweepService::to_json(const storage::SweepRecord& r) {
  return {{"id", r.id.value()},
          {"kind", r.kind},
          {"strategy_id", r.strategy_id ? json(r.strategy_id->value()) : json(nullptr)},
          {"strategy_name", r.strategy_name},
          {"strategy_version", r.strategy_version},
          {"status", storage::to_string(r.status)},
          {"progress", r.progress},
          {"runs_total", r.runs_total},
          {"runs_done", r.runs_done},
          {"error", r.error.empty() ? json(nullptr) : json(r.error)},
          {"created_at", format_utc_iso(r.created_at)},
          {"started_at", r.started_at ? json(format_utc_iso(*r.started_at)) : json(nullptr)},
          {"finished_at", r.finished_at ? json(format_utc_iso(*r.finished_at)) : json(nullptr)},
          {"settings", parsed(r.settings_json)},
          {"spec", parsed(r.spec_json)},
          {"summary", parsed(r.summary_json)}};
}

json SweepService::run_json(const storage::SweepRunRow& r) {
  return {{"run", r.task + 1},
          {"task", r.task},
          {"phase", r.phase},
          {"window", r.window ? json(*r.window) : json(nullptr)},
          {"combo", r.combo},
          {"params", parsed(r.params_json)},
          {"status", r.ok ? "done" : "failed"},
          {"error", r.error.empty() ? json(nullptr) : json(r.error)},
          {"metrics", parsed(r.metrics_json)},
          {"bars", r.bars},
          {"seconds", r.seconds},
          {"backtest_id", r.backtest_id ? json(r.backtest_id->value()) : json(nullptr)}};
}

Result<std::vector<domain::SweepId>> SweepService::unfinished(storage::Database& db) {
  return storage::SweepRepository(db).unfinished();
}

Result<domain::SweepId> SweepService::submit(storage::Database& db,
                                             const storage::SweepRecord& sweep) {
  storage::SweepRepository repo(db);
  auto id = repo.create(sweep, clock_.now());
  if (!id.ok()) return id.status();
  publish(*id, "queued", 0, 0);
  Status pushed = channel_.push(bus::RunBacktest{0, id->value(), false}, bus::PushMode::kFailFast);
  if (!pushed.ok()) {
    if (Status st = repo.remove(*id); !st.ok()) {
      spdlog::error("sweep {}: cannot remove the unqueued row: {}", id->value(), st.message());
    }
    publish(*id, "deleted", 0, 0);
    if (pushed.code() == StatusCode::kResourceExhausted) {
      return Status::resource_exhausted("the backtest queue is full (" +
                                        std::to_string(channel_.capacity()) +
                                        " waiting); try again shortly");
    }
    return Status::unavailable("the daemon is shutting down; try again after it restarts");
  }
  return id;
}

Result<storage::SweepRecord> SweepService::cancel(storage::Database& db, domain::SweepId id) {
  storage::SweepRepository repo(db);
  auto changed = repo.cancel(id, clock_.now());
  if (!changed.ok()) return changed.status();
  auto record = repo.get(id);
  if (!record.ok()) return record.status();
  if (!*changed) {
    return Status::failed_precondition("sweep " + std::to_string(id.value()) + " is already " +
                                       std::string(storage::to_string(record->status)));
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(id.value()); it != active_.end()) it->second->halt = true;
  }
  publish(id, "canceled", record->progress, record->runs_done);
  return record;
}

Status SweepService::remove(storage::Database& db, domain::SweepId id) {
  if (Status st = storage::SweepRepository(db).remove(id); !st.ok()) return st;
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(id.value()); it != active_.end()) it->second->halt = true;
  }
  publish(id, "deleted", 0, 0);
  return {};
}

void SweepService::run(storage::Database& db, const bus::RunBacktest& message,
                       const std::atomic<bool>& stopping) {
  const domain::SweepId id(message.sweep_id);
  std::shared_ptr<Active> active;
  bool coordinator = false;
  {
    std::lock_guard lock(mu_);
    if (auto it = active_.find(id.value()); it != active_.end()) {
      active = it->second;
    } else if (!message.helper) {
      active = std::make_shared<Active>();
      active_[id.value()] = active;
      coordinator = true;
    }
  }
  if (!active) return;  // a helper arriving after its sweep ended
  try {
    if (coordinator) {
      coordinate(db, id, active, stopping);
    } else {
      help(db, active, stopping);
    }
  } catch (const std::exception& e) {
    spdlog::error("sweep {}: unexpected error: {}", id.value(), e.what());
    if (coordinator) {
      (void)storage::SweepRepository(db).fail(id, std::string("unexpected error: ") + e.what(),
                                              clock_.now());
      publish(id, "failed", 0, active->runs_done, std::string("unexpected error: ") + e.what());
    }
  }
  if (coordinator) {
    {
      std::unique_lock lock(active->mu);
      active->closed = true;
      active->cv.notify_all();
      active->cv.wait(lock, [&] { return active->helpers == 0; });
    }
    std::lock_guard lock(mu_);
    active_.erase(id.value());
  }
}

void SweepService::help(storage::Database&, const std::shared_ptr<Active>& active,
                        const std::atomic<bool>& stopping) {
  std::shared_ptr<SweepExecution> execution;
  std::function<void(const TaskOutcome&)> on_done;
  {
    std::unique_lock lock(active->mu);
    active->cv.wait(lock, [&] { return active->ready || active->closed; });
    if (active->closed || !active->execution) return;
    execution = active->execution;
    on_done = active->on_done;
    ++active->helpers;
  }
  struct Leave {
    Active& a;
    ~Leave() {
      std::lock_guard lock(a.mu);
      --a.helpers;
      a.cv.notify_all();
    }
  } leave{*active};
  if (stopping.load()) return;
  execution->work(active->halt, on_done);
}

void SweepService::coordinate(storage::Database& db, domain::SweepId id,
                              const std::shared_ptr<Active>& active,
                              const std::atomic<bool>& stopping) {
  storage::SweepRepository repo(db);
  auto claimed = repo.claim(id, clock_.now());
  if (!claimed.ok()) {
    spdlog::error("sweep {}: cannot start: {}", id.value(), claimed.status().message());
    return;
  }
  if (!*claimed) {
    spdlog::info("sweep {}: canceled or deleted before it started; skipped", id.value());
    return;
  }
  auto fail = [&](const std::string& reason) {
    spdlog::warn("sweep {}: failed: {}", id.value(), reason);
    (void)repo.fail(id, reason, clock_.now());
    publish(id, "failed", 0, active->runs_done, reason);
  };
  auto record = repo.get(id);
  if (!record.ok()) return fail(record.status().message());
  auto plan = plan_from_spec(json::parse(record->spec_json));
  if (!plan.ok()) return fail(plan.status().message());
  const Settings settings = read_settings(record->settings_json);
  active->runs_total = static_cast<std::int64_t>(plan->tasks());
  publish(id, "running", record->progress, record->runs_done);

  const auto t0 = std::chrono::steady_clock::now();
  auto bars = load_settings_bars(db, settings);
  if (!bars.ok()) return fail(bars.status().message());
  auto execution = std::make_shared<SweepExecution>(std::move(plan).value(), record->script,
                                                    settings, std::move(bars).value());
  const std::string fingerprints = execution->fingerprints().dump();
  if (!record->bars_fingerprint.empty() && record->bars_fingerprint != fingerprints) {
    return fail(
        "the stored bars changed while this sweep was interrupted, so its first runs saw other "
        "data than the rest would; start the sweep again");
  }
  if (Status st = repo.set_fingerprint(id, fingerprints); !st.ok()) return fail(st.message());
  auto stored = repo.runs(id);
  if (!stored.ok()) return fail(stored.status().message());
  for (const storage::SweepRunRow& row : *stored) {
    if (static_cast<std::size_t>(row.task) < execution->plan().parallel_tasks()) {
      execution->record(from_row(execution->plan(), row));
      ++active->runs_done;
    }
  }
  execution->start();

  // Stores and announces one run, on the thread that ran it.
  auto on_done = [this, &db, id, a = active.get(), &stopping,
                  ex = execution.get()](const TaskOutcome& outcome) {
    if (stopping.load()) a->halt = true;
    storage::SweepRepository runs(db);
    storage::SweepRunRow row = to_row(outcome);
    auto added = runs.add_run(id, row);
    if (!added.ok()) {
      spdlog::error("sweep {}: {}", id.value(), added.status().message());
      a->halt = true;
      return;
    }
    if (!*added) {
      a->halt = true;  // canceled or deleted meanwhile
      return;
    }
    const std::int64_t done = ++a->runs_done;
    const double progress = ex->progress();
    bool with_run = false, progress_only = false;
    {
      std::lock_guard lock(a->store_mu);
      const auto now = std::chrono::steady_clock::now();
      if (now - a->last_store >= kStoreProgressEvery) {
        (void)runs.set_progress(id, progress);
        a->last_store = now;
      }
      if (now - a->last_run_event >= kRunEventEvery) {
        with_run = true;
        a->last_run_event = a->last_progress_event = now;
      } else if (now - a->last_progress_event >= kProgressEvery) {
        progress_only = true;
        a->last_progress_event = now;
      }
    }
    if (with_run) {
      const json run = run_json(row);
      publish(id, "running", progress, done, {}, &run);
    } else if (progress_only) {
      publish(id, "running", progress, done);
    }
  };
  {
    std::lock_guard lock(active->mu);
    active->execution = execution;
    active->on_done = on_done;
    active->ready = true;
  }
  active->cv.notify_all();
  // Every other worker may join; a full queue only means fewer helpers.
  for (int k = 1; k < workers_; ++k) {
    (void)channel_.push(bus::RunBacktest{0, id.value(), true}, bus::PushMode::kFailFast);
  }
  execution->work(active->halt, on_done);
  {
    std::unique_lock lock(active->mu);
    active->closed = true;
    active->cv.wait(lock, [&] { return active->helpers == 0; });
  }
  if (stopping.load()) {
    if (Status st = repo.requeue(id); !st.ok())
      spdlog::error("sweep {}: {}", id.value(), st.message());
    spdlog::info("sweep {}: interrupted by shutdown after {} run(s); it resumes on the next start",
                 id.value(), active->runs_done.load());
    return;
  }
  auto now_record = repo.get(id);
  if (!now_record.ok() || now_record->status != storage::BacktestStatus::kRunning) {
    spdlog::info("sweep {}: canceled or deleted; stopped", id.value());
    return;
  }
  auto summary = execution->finish(active->halt, on_done);
  if (stopping.load()) {
    (void)repo.requeue(id);
    return;
  }
  if (!summary.ok()) {
    if (active->halt.load()) return;
    return fail(summary.status().message());
  }
  auto finished = repo.finish(id, summary->dump(), clock_.now());
  if (!finished.ok()) return fail(finished.status().message());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  spdlog::info("sweep {}: {} run(s) done in {:.3f} s ({:.1f} M bars/s simulated)", id.value(),
               active->runs_done.load(), seconds,
               static_cast<double>(execution->bars_simulated()) / seconds / 1e6);
  publish(id, "done", 1, active->runs_done);
}

}  // namespace quantd::app
