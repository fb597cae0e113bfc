#include "quantd/app/backtest_service.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <optional>
#include <vector>

#include "backtest_settings_internal.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/backtest/engine.h"
#include "quantd/backtest/report.h"
#include "quantd/domain/krx.h"
#include "quantd/storage/bar_loader.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/equity_json.h"

namespace quantd::app {
namespace {

using nlohmann::json;
using storage::BacktestStatus;

// A run's share of the progress bar, by where its wall time goes on a 1M-bar minute run
// (sma_cross, measured after results were stored compactly): loading the bars is most of it
// (~78%), simulating ~11%, the benchmark and the compact curve ~8%, the preview, trades and orders
// well under 1%, and the write ~2%. Before, building and writing 100 MB of equity JSON took about
// three quarters of the run (issue 12 finding 11: "0.95 for 78% of the run").
constexpr double kLoadedProgress = 0.75;
constexpr double kSimulatedProgress = 0.88;
constexpr double kEquityBuiltProgress = 0.96;
constexpr double kResultBuiltProgress = 0.98;  // then the write; "done" is 1
constexpr auto kPublishEvery = std::chrono::milliseconds(100);
constexpr auto kStoreProgressEvery = std::chrono::milliseconds(500);

// The curve thinned to kEquityPreviewPoints, as the JSON the API serves: charts ask for a
// screen's width of points, and this answers them without decoding a million.
std::string equity_preview_json(const backtest::BacktestResult& r,
                                const std::vector<double>& benchmark) {
  const storage::Thinning thinning(r.equity_ts.size(), storage::kEquityPreviewPoints);
  storage::EquityJsonWriter writer;
  std::string out = "[";
  for (std::size_t k = 0; k < thinning.size(); ++k) {
    const std::size_t i = thinning.index(k);
    if (k > 0) out += ',';
    writer.point(out, {r.equity_ts[i], r.equity[i], benchmark[i], r.drawdown[i]});
  }
  out += ']';
  return out;
}

json trades_json(const backtest::BacktestResult& r, const std::vector<domain::Symbol>& symbols) {
  json out = json::array();
  for (const analytics::Trade& t : r.trades) {
    const double cost = t.entry_price * static_cast<double>(t.quantity);
    out.push_back({{"symbol", symbols.at(t.symbol_index).str()},
                   {"entry_ts", t.entry_ts},
                   {"exit_ts", t.exit_ts},
                   {"quantity", t.quantity},
                   {"entry_price", t.entry_price},
                   {"exit_price", t.exit_price},
                   {"pnl", t.pnl},
                   {"return", cost > 0 ? json(static_cast<double>(t.pnl) / cost) : json(nullptr)},
                   {"commission", t.commission},
                   {"tax", t.tax},
                   {"exit_reason", domain::to_string(t.exit_reason)}});
  }
  return out;
}

json orders_json(const backtest::BacktestResult& r, const std::vector<domain::Symbol>& symbols) {
  json out = json::array();
  for (const domain::Order& o : r.orders) {
    json fill = nullptr;
    if (o.status == domain::OrderStatus::kFilled) {
      fill = {{"ts", o.fill.ts},
              {"quantity", o.fill.quantity},
              {"price", o.fill.price},
              {"notional", o.fill.notional},
              {"commission", o.fill.commission},
              {"tax", o.fill.tax}};
    }
    out.push_back({{"id", o.id.value()},
                   {"symbol", symbols.at(o.symbol_index).str()},
                   {"side", domain::to_string(o.side)},
                   {"reason", domain::to_string(o.reason)},
                   {"status", domain::to_string(o.status)},
                   {"decided_ts", o.decided_ts},
                   {"quantity", o.quantity},
                   {"fill", fill}});
  }
  return out;
}

}  // namespace

BacktestService::BacktestService(bus::Channel<bus::RunBacktest>& channel, const Clock& clock,
                                 int keep_results)
    : channel_(channel), clock_(clock), keep_results_(keep_results) {}

void BacktestService::prune(storage::BacktestRepository& repo) {
  if (keep_results_ <= 0) return;
  auto gone = repo.prune(keep_results_);
  if (!gone.ok()) {
    spdlog::error("backtest retention: {}", gone.status().message());
    return;
  }
  if (gone->empty()) return;
  spdlog::info(
      "backtest retention: deleted {} finished run(s) beyond the newest {} "
      "(backtest.keep_results; pinned runs are kept)",
      gone->size(), keep_results_);
  for (domain::BacktestId id : *gone) {
    publish("backtest", json{{"id", id.value()}, {"status", "deleted"}});
  }
}

void BacktestService::publish(const std::string& event, const json& data) {
  events_.publish(event, data.dump(-1, ' ', false, json::error_handler_t::replace));
}

void BacktestService::publish_state(domain::BacktestId id, std::string_view status, double progress,
                                    const std::string& error) {
  json data{{"id", id.value()}, {"status", status}, {"progress", progress}};
  if (!error.empty()) data["error"] = error;
  publish("backtest", data);
}

json BacktestService::to_json(const storage::BacktestRecord& r, bool full) {
  json j{{"id", r.id.value()},
         {"strategy_id", r.strategy_id ? json(r.strategy_id->value()) : json(nullptr)},
         {"strategy_name", r.strategy_name},
         {"strategy_version", r.strategy_version},
         {"status", storage::to_string(r.status)},
         {"progress", r.progress},
         {"error", r.error.empty() ? json(nullptr) : json(r.error)},
         {"created_at", format_utc_iso(r.created_at)},
         {"started_at", r.started_at ? json(format_utc_iso(*r.started_at)) : json(nullptr)},
         {"finished_at", r.finished_at ? json(format_utc_iso(*r.finished_at)) : json(nullptr)},
         {"pinned", r.pinned},
         {"notice", r.notice.empty() ? json(nullptr) : json(r.notice)}};
  j["settings"] = json::parse(r.settings_json, nullptr, false);
  if (j["settings"].is_discarded()) j["settings"] = json::object();
  j["params"] = json::parse(r.params_json, nullptr, false);
  if (j["params"].is_discarded()) j["params"] = json::object();
  if (r.metrics_json.empty()) {
    j["metrics"] = nullptr;
  } else {
    j["metrics"] = json::parse(r.metrics_json, nullptr, false);
    if (j["metrics"].is_discarded()) j["metrics"] = nullptr;
  }
  if (full) j["script"] = r.script;
  return j;
}

Result<domain::BacktestId> BacktestService::submit(storage::Database& db,
                                                   const storage::BacktestRecord& job) {
  storage::BacktestRepository repo(db);
  auto id = repo.create(job, clock_.now());
  if (!id.ok()) return id.status();
  // Announced before the push: once pushed, a worker may publish "running" and "done" at once,
  // and a "queued" after them would leave every watcher showing a finished run as queued.
  publish_state(*id, "queued", 0);
  Status pushed = channel_.push(bus::RunBacktest{id->value()}, bus::PushMode::kFailFast);
  if (!pushed.ok()) {
    // Nothing half-written: the job never existed for anyone but this request.
    if (Status st = repo.remove(*id); !st.ok()) {
      spdlog::error("backtest {}: cannot remove the unqueued row: {}", id->value(), st.message());
    }
    publish("backtest", json{{"id", id->value()}, {"status", "deleted"}});
    if (pushed.code() == StatusCode::kResourceExhausted) {
      return Status::resource_exhausted("the backtest queue is full (" +
                                        std::to_string(channel_.capacity()) +
                                        " waiting); try again shortly");
    }
    return Status::unavailable("the daemon is shutting down; try again after it restarts");
  }
  return id;
}

Result<storage::BacktestRecord> BacktestService::cancel(storage::Database& db,
                                                        domain::BacktestId id) {
  storage::BacktestRepository repo(db);
  auto changed = repo.cancel(id, clock_.now());
  if (!changed.ok()) return changed.status();
  auto record = repo.get(id);
  if (!record.ok()) return record.status();
  if (!*changed) {
    return Status::failed_precondition("backtest " + std::to_string(id.value()) + " is already " +
                                       std::string(storage::to_string(record->status)));
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = running_.find(id.value()); it != running_.end()) it->second->cancel = true;
  }
  publish_state(id, "canceled", record->progress);
  return record;
}

Status BacktestService::remove(storage::Database& db, domain::BacktestId id) {
  storage::BacktestRepository repo(db);
  if (Status st = repo.remove(id); !st.ok()) return st;
  {
    std::lock_guard lock(mu_);
    if (auto it = running_.find(id.value()); it != running_.end()) it->second->cancel = true;
  }
  publish("backtest", json{{"id", id.value()}, {"status", "deleted"}});
  return {};
}

void BacktestService::run(storage::Database& db, const bus::RunBacktest& job,
                          const std::atomic<bool>& stopping) {
  const domain::BacktestId id(job.backtest_id);
  storage::BacktestRepository repo(db);
  auto running = std::make_shared<Running>();
  {
    std::lock_guard lock(mu_);
    running_[id.value()] = running;
  }
  struct Unregister {
    BacktestService* self;
    std::int64_t id;
    ~Unregister() {
      std::lock_guard lock(self->mu_);
      self->running_.erase(id);
    }
  } unregister{this, id.value()};

  auto claimed = repo.claim(id, clock_.now());
  if (!claimed.ok()) {
    spdlog::error("backtest {}: cannot start: {}", id.value(), claimed.status().message());
    return;  // the row stays queued/running and is retried on the next start
  }
  if (!*claimed) {
    spdlog::info("backtest {}: canceled or deleted before it started; skipped", id.value());
    return;
  }
  publish_state(id, "running", 0);

  bool interrupted = false;
  Result<storage::BacktestOutput> output = Status::internal("not run");
  const auto t0 = std::chrono::steady_clock::now();
  try {
    auto record = repo.get(id);
    if (!record.ok()) {
      output = record.status();
    } else {
      output = execute(db, *record, *running, stopping, interrupted);
    }
  } catch (const std::exception& e) {
    output = Status::internal(std::string("unexpected error: ") + e.what());
  } catch (...) {
    output = Status::internal("unexpected error of unknown type");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (output.ok()) {
    auto stored = repo.finish(id, *output, clock_.now());
    if (!stored.ok()) {
      spdlog::error("backtest {}: {}", id.value(), stored.status().message());
      (void)repo.fail(id, stored.status().message(), clock_.now());
      publish_state(id, "failed", 1, stored.status().message());
    } else if (*stored) {
      spdlog::info("backtest {}: done in {:.3f} s", id.value(), seconds);
      publish_state(id, "done", 1);
      prune(repo);
    } else {
      spdlog::info("backtest {}: finished after it was canceled or deleted; result dropped",
                   id.value());
    }
    return;
  }
  if (running->cancel.load()) {
    spdlog::info("backtest {}: canceled", id.value());
    return;  // cancel() already recorded and published it
  }
  if (interrupted || stopping.load()) {
    if (Status st = repo.requeue(id); !st.ok())
      spdlog::error("backtest {}: {}", id.value(), st.message());
    spdlog::info("backtest {}: interrupted by shutdown; it runs again on the next start",
                 id.value());
    return;
  }
  const std::string& reason = output.status().message();
  spdlog::warn("backtest {}: failed: {}", id.value(), reason);
  auto failed = repo.fail(id, reason, clock_.now());
  if (!failed.ok()) spdlog::error("backtest {}: {}", id.value(), failed.status().message());
  publish_state(id, "failed", 0, reason);
  prune(repo);
}

Result<storage::BacktestOutput> BacktestService::execute(storage::Database& db,
                                                         const storage::BacktestRecord& record,
                                                         Running& running,
                                                         const std::atomic<bool>& stopping,
                                                         bool& interrupted) {
  const domain::BacktestId id = record.id;
  const Settings settings = read_settings(record.settings_json);
  const strategy::Params params = read_params(record.params_json);
  CompiledStrategy compiled = compile_strategy(record.script, params);
  if (!compiled.ok())
    return Status::invalid_argument("strategy: " + describe_problems(compiled.problems));

  auto loaded = load_settings_bars(db, settings);
  if (!loaded.ok()) return loaded.status();
  std::vector<std::vector<domain::Bar>> bars = std::move(loaded).value();
  if (stopping.load()) {
    interrupted = true;
    return Status::unavailable("stopping");
  }
  if (running.cancel.load()) return Status::failed_precondition("canceled");
  // A run rebuilt from a sweep says so when its bars are not the ones the sweep saw.
  const nlohmann::json stored = nlohmann::json::parse(record.settings_json);
  if (stored.contains("sweep") && stored["sweep"].is_object()) {
    const nlohmann::json& sweep = stored["sweep"];
    std::vector<std::span<const domain::Bar>> spans(bars.begin(), bars.end());
    const std::string seen = sweep.value("bars_fingerprint", std::string());
    if (!seen.empty() && seen != bars_fingerprint(spans)) {
      (void)storage::BacktestRepository(db).set_notice(
          id, "The bars changed since sweep " + std::to_string(sweep.value("id", 0)) +
                  " ran: this rebuilt run may differ from its row in the sweep.");
    }
  }

  storage::BacktestRepository repo(db);
  auto last_publish = std::chrono::steady_clock::now();
  auto last_store = last_publish;
  auto report = [&](double fraction, bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (force || now - last_publish >= kPublishEvery) {
      publish_state(id, "running", fraction);
      last_publish = now;
    }
    if (force || now - last_store >= kStoreProgressEvery) {
      (void)repo.set_progress(id, fraction);
      last_store = now;
    }
  };
  report(kLoadedProgress, true);

  std::vector<backtest::SymbolBars> inputs;
  for (std::size_t i = 0; i < settings.symbols.size(); ++i) {
    inputs.push_back({settings.symbols[i], settings.market, bars[i]});
  }
  backtest::RunControl control;
  control.cancel = &running.cancel;
  control.on_progress = [&](double p) {
    if (stopping.load()) {
      interrupted = true;
      running.cancel = true;  // stops the engine at its next check; cancel flag read below
    }
    report(kLoadedProgress + (kSimulatedProgress - kLoadedProgress) * p, false);
  };
  auto result = backtest::run_backtest(settings.config, inputs, *compiled.factory, control);
  if (interrupted) {
    running.cancel = false;  // not the user's cancel: the job is re-queued
    return Status::unavailable("stopping");
  }
  if (!result.ok()) return result.status();
  report(kSimulatedProgress, true);

  storage::BacktestOutput out;
  out.metrics_json = metrics_json(result->metrics).dump();
  const std::vector<double> benchmark =
      benchmark_curve(*result, bars, settings.config.initial_cash);
  result->drawdown.resize(result->equity.size(), 0.0);  // a point without one has drawdown 0
  // Straight from the engine's columns: no JSON of the whole curve is ever built.
  out.equity =
      storage::encode_equity({result->equity_ts, result->equity, benchmark, result->drawdown,
                              static_cast<double>(settings.config.initial_cash)});
  report(kEquityBuiltProgress, true);
  out.equity_preview_json = equity_preview_json(*result, benchmark);
  out.trades_json = trades_json(*result, settings.symbols).dump();
  out.orders_json = orders_json(*result, settings.symbols).dump();
  report(kResultBuiltProgress, true);
  return out;
}

}  // namespace quantd::app
