// Sweeps and walk-forward analyses: submit (202), list, get (with every run's metrics), cancel,
// delete, and opening a run as an ordinary backtest. The request format is in docs/api.md.
#include <algorithm>
#include <limits>

#include "api_internal.h"
#include "quantd/app/sweep_service.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/sweep_repository.h"
#include "sweep_spec_internal.h"

namespace quantd::app::api {
namespace {

const std::set<std::string> kSweepFields = {"grid", "random", "walk_forward", "metric", "max_runs"};

http::Response unavailable() {
  return http::problem(503, "Service Unavailable", "sweeps are not available in this process");
}

// The first and last stored bar of the run's symbols within its range (minute bars stand in for
// an interval built from them), or nullopt when nothing is stored.
Result<std::optional<std::pair<TimestampMs, TimestampMs>>> data_span(const ApiContext& ctx,
                                                                     const PreparedRun& run) {
  storage::BarRepository bars(ctx.db);
  auto coverage = bars.coverage();
  if (!coverage.ok()) return coverage.status();
  std::optional<std::pair<TimestampMs, TimestampMs>> span;
  for (const domain::Symbol& symbol : run.symbols) {
    const storage::BarCoverage* found = nullptr;
    for (const auto& c : *coverage) {
      if (c.symbol == symbol && c.interval == run.interval) found = &c;
    }
    if (!found) {
      for (const auto& c : *coverage) {
        if (c.symbol == symbol && c.interval == domain::Interval::k1m) found = &c;
      }
    }
    if (!found) continue;
    TimestampMs first = found->first_ts, last = found->last_ts;
    if (run.from) first = std::max(first, *run.from);
    if (run.to) last = std::min(last, *run.to);
    if (first > last) continue;
    if (!span) {
      span = std::make_pair(first, last);
    } else {
      span->first = std::min(span->first, first);
      span->second = std::max(span->second, last);
    }
  }
  return span;
}

struct LoadedSweep {
  std::optional<storage::SweepRecord> record;
  std::optional<http::Response> problem;
};
LoadedSweep load(const ApiContext& ctx, const http::Request& request) {
  LoadedSweep out;
  auto id = parse_id(request.param("id"));
  if (!id) {
    out.problem = no_such("sweep", request.param("id"));
    return out;
  }
  auto r = storage::SweepRepository(ctx.db).get(domain::SweepId(*id));
  if (!r.ok()) {
    out.problem = from_status(r.status());
    return out;
  }
  out.record = std::move(r).value();
  return out;
}

http::Response create(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.sweeps) return unavailable();
  if (auto full = storage_refusal(ctx)) return *full;
  JsonBody body = read_json_object(request);
  if (body.problem) return *body.problem;
  Errors errors;
  std::optional<http::Response> problem;
  auto run = prepare_run(ctx, body.value, kSweepFields, errors, problem);
  if (problem) return *problem;
  if (!run) {
    // Report the sweep's own problems with the others, so one answer names them all.
    std::vector<SpecError> spec_errors;
    (void)build_sweep_spec(body.value, {}, {}, std::nullopt, spec_errors);
    for (const auto& [field, message] : spec_errors) {
      if (field.rfind("grid.", 0) != 0) errors.add(field, message);
    }
    return validation_failed(errors);
  }
  std::optional<std::pair<TimestampMs, TimestampMs>> span;
  if (body.value.contains("walk_forward") && !body.value["walk_forward"].is_null()) {
    auto s = data_span(ctx, *run);
    if (!s.ok()) return from_status(s.status());
    span = *s;
  }
  std::vector<SpecError> spec_errors;
  auto spec = build_sweep_spec(body.value, run->declared, run->params, span, spec_errors);
  for (const auto& [field, message] : spec_errors) errors.add(field, message);
  if (!spec) return validation_failed(errors);
  auto plan = plan_from_spec(*spec);
  if (!plan.ok()) return from_status(plan.status());

  storage::SweepRecord sweep;
  sweep.kind = sweep_kind(*spec);
  sweep.strategy_id = run->strategy.id;
  sweep.strategy_version = run->strategy.version;
  sweep.strategy_name = run->strategy.name;
  sweep.script = run->strategy.script;
  sweep.settings_json = run->settings.dump();
  sweep.spec_json = spec->dump();
  sweep.runs_total = static_cast<std::int64_t>(plan->tasks());
  auto id = ctx.sweeps->submit(ctx.db, sweep);
  if (!id.ok()) return from_status(id.status());
  http::Response r = http::json(
      202, {{"id", id->value()}, {"status", "queued"}, {"runs_total", sweep.runs_total}});
  r.set_header("Location", "/api/sweeps/" + std::to_string(id->value()));
  return r;
}

http::Response list(const ApiContext& ctx, const http::Request&) {
  auto sweeps = storage::SweepRepository(ctx.db).list();
  if (!sweeps.ok()) return from_status(sweeps.status());
  json out = json::array();
  for (const auto& s : *sweeps) {
    json j = SweepService::to_json(s);
    // The list shows each sweep's winner: the summary's best run, not the whole summary.
    const json& summary = j["summary"];
    j["best"] = summary.is_object() && summary.contains("best")
                    ? json{{"metric", summary["metric"]}, {"best", summary["best"]}}
                    : json(nullptr);
    j.erase("spec");
    j.erase("summary");
    out.push_back(std::move(j));
  }
  return http::json(200, {{"sweeps", out}});
}

http::Response get(const ApiContext& ctx, const http::Request& request) {
  LoadedSweep l = load(ctx, request);
  if (l.problem) return *l.problem;
  auto runs = storage::SweepRepository(ctx.db).runs(l.record->id);
  if (!runs.ok()) return from_status(runs.status());
  json j = SweepService::to_json(*l.record);
  json list = json::array();
  for (const auto& r : *runs) list.push_back(SweepService::run_json(r));
  j["runs"] = std::move(list);
  return http::json(200, j);
}

http::Response cancel(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.sweeps) return unavailable();
  LoadedSweep l = load(ctx, request);
  if (l.problem) return *l.problem;
  auto r = ctx.sweeps->cancel(ctx.db, l.record->id);
  if (!r.ok()) return from_status(r.status());
  return http::json(200, SweepService::to_json(*r));
}

http::Response remove(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.sweeps) return unavailable();
  LoadedSweep l = load(ctx, request);
  if (l.problem) return *l.problem;
  if (Status st = ctx.sweeps->remove(ctx.db, l.record->id); !st.ok()) return from_status(st);
  return http::empty(204);
}

// A run rebuilt in full as an ordinary backtest (its curves, trades and orders), once: opening
// it again answers the same backtest while that exists.
http::Response open_run(const ApiContext& ctx, const http::Request& request) {
  LoadedSweep l = load(ctx, request);
  if (l.problem) return *l.problem;
  const auto task = parse_id(request.param("task"));
  storage::SweepRepository repo(ctx.db);
  auto row = task ? repo.run(l.record->id, *task - 1)
                  : Result<storage::SweepRunRow>(Status::not_found("no such run"));
  if (!row.ok()) {
    return http::problem(404, "Not Found",
                         "sweep " + std::to_string(l.record->id.value()) +
                             " has no finished run '" + std::string(request.param("task")) +
                             "' (runs are numbered from 1)");
  }
  if (!row->ok) {
    return http::problem(409, "Conflict",
                         "run " + std::to_string(row->task + 1) + " failed: " + row->error);
  }
  if (row->backtest_id) {
    auto existing = storage::BacktestRepository(ctx.db).get(*row->backtest_id);
    if (existing.ok()) {
      return http::json(
          200, {{"id", existing->id.value()}, {"status", storage::to_string(existing->status)}});
    }
  }
  if (auto full = storage_refusal(ctx)) return *full;
  json settings = json::parse(l.record->settings_json, nullptr, false);
  const json spec = json::parse(l.record->spec_json, nullptr, false);
  const json fingerprints = json::parse(l.record->bars_fingerprint, nullptr, false);
  if (settings.is_discarded() || spec.is_discarded()) {
    return from_status(
        Status::internal("sweep " + std::to_string(l.record->id.value()) + " has a damaged spec"));
  }
  std::string fingerprint;
  if (row->window) {
    const json& w = spec.at("windows").at(static_cast<std::size_t>(*row->window));
    const auto seoul = [](TimestampMs ts) { return format_seoul(ts); };
    settings["from"] = seoul(w.at(0).get<TimestampMs>());
    // Windows end at a Seoul midnight (exclusive); `to` is inclusive, to the second.
    if (row->phase == "in_sample") {
      settings["to"] = seoul(w.at(1).get<TimestampMs>() - kMsPerSecond);
    } else {
      settings["to"] = seoul(w.at(3).get<TimestampMs>() - kMsPerSecond);
      settings["trade_from"] = seoul(w.at(2).get<TimestampMs>());
    }
    if (fingerprints.is_object()) {
      fingerprint = fingerprints["windows"][static_cast<std::size_t>(*row->window)]
                                [row->phase == "in_sample" ? 0 : 1]
                                    .get<std::string>();
    }
  } else if (fingerprints.is_object()) {
    fingerprint = fingerprints.value("full", std::string());
  }
  settings["sweep"] = {
      {"id", l.record->id.value()}, {"run", row->task + 1}, {"bars_fingerprint", fingerprint}};
  storage::BacktestRecord job;
  job.strategy_id = l.record->strategy_id;
  job.strategy_version = l.record->strategy_version;
  job.strategy_name = l.record->strategy_name;
  job.script = l.record->script;
  job.params_json = row->params_json;
  job.settings_json = settings.dump();
  auto id = ctx.backtests.submit(ctx.db, job);
  if (!id.ok()) return from_status(id.status());
  if (Status st = repo.set_run_backtest(l.record->id, row->task, *id); !st.ok()) {
    return from_status(st);
  }
  http::Response r = http::json(202, {{"id", id->value()}, {"status", "queued"}});
  r.set_header("Location", "/api/backtests/" + std::to_string(id->value()));
  return r;
}

}  // namespace

void register_sweep_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "GET", "/api/sweeps", ctx, guard, list);
  add_route(router, "POST", "/api/sweeps", ctx, guard, create);
  add_route(router, "GET", "/api/sweeps/{id}", ctx, guard, get);
  add_route(router, "DELETE", "/api/sweeps/{id}", ctx, guard, remove);
  add_route(router, "POST", "/api/sweeps/{id}/cancel", ctx, guard, cancel);
  add_route(router, "POST", "/api/sweeps/{id}/runs/{task}/backtest", ctx, guard, open_run);
}

}  // namespace quantd::app::api
