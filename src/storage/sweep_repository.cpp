#include "quantd/storage/sweep_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <functional>

namespace quantd::storage {
namespace {

constexpr const char* kColumns =
    "id, kind, strategy_id, strategy_version, strategy_name, script, settings, spec, runs_total, "
    "status, progress, error, bars_fingerprint, summary, created_at, started_at, finished_at, "
    "(SELECT COUNT(*) FROM sweep_runs r WHERE r.sweep_id = sweeps.id)";

constexpr const char* kRunColumns =
    "task, phase, window, combo, params, status, error, metrics, blocks, bars, seconds, "
    "backtest_id";

SweepRecord read_row(SQLite::Statement& q) {
  SweepRecord r;
  r.id = domain::SweepId(q.getColumn(0).getInt64());
  r.kind = q.getColumn(1).getString();
  if (!q.getColumn(2).isNull()) r.strategy_id = domain::StrategyId(q.getColumn(2).getInt64());
  r.strategy_version = q.getColumn(3).getInt64();
  r.strategy_name = q.getColumn(4).getString();
  r.script = q.getColumn(5).getString();
  r.settings_json = q.getColumn(6).getString();
  r.spec_json = q.getColumn(7).getString();
  r.runs_total = q.getColumn(8).getInt64();
  r.status = parse_backtest_status(q.getColumn(9).getString()).value_or(BacktestStatus::kFailed);
  r.progress = q.getColumn(10).getDouble();
  r.error = q.getColumn(11).getString();
  r.bars_fingerprint = q.getColumn(12).getString();
  r.summary_json = q.getColumn(13).getString();
  r.created_at = q.getColumn(14).getInt64();
  if (!q.getColumn(15).isNull()) r.started_at = q.getColumn(15).getInt64();
  if (!q.getColumn(16).isNull()) r.finished_at = q.getColumn(16).getInt64();
  r.runs_done = q.getColumn(17).getInt64();
  return r;
}

SweepRunRow read_run(SQLite::Statement& q) {
  SweepRunRow r;
  r.task = q.getColumn(0).getInt64();
  r.phase = q.getColumn(1).getString();
  if (!q.getColumn(2).isNull()) r.window = q.getColumn(2).getInt();
  r.combo = q.getColumn(3).getInt64();
  r.params_json = q.getColumn(4).getString();
  r.ok = q.getColumn(5).getString() == "done";
  r.error = q.getColumn(6).getString();
  r.metrics_json = q.getColumn(7).getString();
  r.blocks_json = q.getColumn(8).getString();
  r.bars = q.getColumn(9).getInt64();
  r.seconds = q.getColumn(10).getDouble();
  if (!q.getColumn(11).isNull()) r.backtest_id = domain::BacktestId(q.getColumn(11).getInt64());
  return r;
}

Status internal(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

Status no_sweep(domain::SweepId id) {
  return Status::not_found("no sweep with id " + std::to_string(id.value()));
}

// Runs a one-row conditional UPDATE; true when it changed the row.
Result<bool> update(Database& db, const char* what, const std::string& sql,
                    const std::function<void(SQLite::Statement&)>& bind) {
  try {
    SQLite::Statement q(db.connection(), sql);
    bind(q);
    return q.exec() > 0;
  } catch (const std::exception& e) {
    return internal(what, e);
  }
}

}  // namespace

Result<domain::SweepId> SweepRepository::create(const SweepRecord& s, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Statement q(db,
                        "INSERT INTO sweeps(kind, strategy_id, strategy_version, strategy_name, "
                        "script, settings, spec, runs_total, created_at) "
                        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, s.kind);
    if (s.strategy_id) {
      q.bind(2, s.strategy_id->value());
    } else {
      q.bind(2);
    }
    q.bind(3, s.strategy_version);
    q.bind(4, s.strategy_name);
    q.bind(5, s.script);
    q.bind(6, s.settings_json);
    q.bind(7, s.spec_json);
    q.bind(8, s.runs_total);
    q.bind(9, now);
    q.exec();
    return domain::SweepId(db.getLastInsertRowid());
  } catch (const std::exception& e) {
    return internal("cannot store sweep", e);
  }
}

Result<SweepRecord> SweepRepository::get(domain::SweepId id) {
  try {
    SQLite::Statement q(db_.connection(),
                        std::string("SELECT ") + kColumns + " FROM sweeps WHERE id = ?");
    q.bind(1, id.value());
    if (!q.executeStep()) return no_sweep(id);
    return read_row(q);
  } catch (const std::exception& e) {
    return internal("cannot read sweep", e);
  }
}

Result<std::vector<SweepRecord>> SweepRepository::list(int limit) {
  try {
    SQLite::Statement q(db_.connection(), std::string("SELECT ") + kColumns +
                                              " FROM sweeps ORDER BY id DESC LIMIT ?");
    q.bind(1, limit);
    std::vector<SweepRecord> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list sweeps", e);
  }
}

Result<std::vector<domain::SweepId>> SweepRepository::unfinished() {
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT id FROM sweeps WHERE status IN ('queued', 'running') ORDER BY id");
    std::vector<domain::SweepId> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getInt64());
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list unfinished sweeps", e);
  }
}

Result<bool> SweepRepository::claim(domain::SweepId id, TimestampMs now) {
  return update(db_, "cannot start sweep",
                "UPDATE sweeps SET status = 'running', started_at = COALESCE(started_at, ?) "
                "WHERE id = ? AND status IN ('queued', 'running')",
                [&](SQLite::Statement& q) {
                  q.bind(1, now);
                  q.bind(2, id.value());
                });
}

Status SweepRepository::set_progress(domain::SweepId id, double progress) {
  auto r = update(db_, "cannot store sweep progress",
                  "UPDATE sweeps SET progress = ? WHERE id = ? AND status = 'running'",
                  [&](SQLite::Statement& q) {
                    q.bind(1, std::clamp(progress, 0.0, 1.0));
                    q.bind(2, id.value());
                  });
  return r.ok() ? Status::ok_status() : r.status();
}

Status SweepRepository::set_fingerprint(domain::SweepId id, const std::string& fingerprint) {
  auto r = update(db_, "cannot store sweep fingerprint",
                  "UPDATE sweeps SET bars_fingerprint = ? WHERE id = ?", [&](SQLite::Statement& q) {
                    q.bind(1, fingerprint);
                    q.bind(2, id.value());
                  });
  return r.ok() ? Status::ok_status() : r.status();
}

Result<bool> SweepRepository::add_run(domain::SweepId id, const SweepRunRow& run) {
  try {
    SQLite::Statement q(
        db_.connection(),
        "INSERT OR REPLACE INTO sweep_runs(sweep_id, task, phase, window, combo, params, status, "
        "error, metrics, blocks, bars, seconds) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? "
        "WHERE EXISTS (SELECT 1 FROM sweeps WHERE id = ?1 AND status = 'running')");
    q.bind(1, id.value());
    q.bind(2, run.task);
    q.bind(3, run.phase);
    if (run.window) {
      q.bind(4, *run.window);
    } else {
      q.bind(4);
    }
    q.bind(5, run.combo);
    q.bind(6, run.params_json);
    q.bind(7, run.ok ? "done" : "failed");
    q.bind(8, run.error);
    q.bind(9, run.metrics_json);
    q.bind(10, run.blocks_json);
    q.bind(11, run.bars);
    q.bind(12, run.seconds);
    return q.exec() > 0;
  } catch (const std::exception& e) {
    return internal("cannot store sweep run", e);
  }
}

Result<std::vector<SweepRunRow>> SweepRepository::runs(domain::SweepId id) {
  try {
    SQLite::Statement q(db_.connection(), std::string("SELECT ") + kRunColumns +
                                              " FROM sweep_runs WHERE sweep_id = ? ORDER BY task");
    q.bind(1, id.value());
    std::vector<SweepRunRow> out;
    while (q.executeStep()) out.push_back(read_run(q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot read sweep runs", e);
  }
}

Result<SweepRunRow> SweepRepository::run(domain::SweepId id, std::int64_t task) {
  try {
    SQLite::Statement q(db_.connection(), std::string("SELECT ") + kRunColumns +
                                              " FROM sweep_runs WHERE sweep_id = ? AND task = ?");
    q.bind(1, id.value());
    q.bind(2, task);
    if (!q.executeStep()) {
      return Status::not_found("sweep " + std::to_string(id.value()) + " has no run " +
                               std::to_string(task));
    }
    return read_run(q);
  } catch (const std::exception& e) {
    return internal("cannot read sweep run", e);
  }
}

Status SweepRepository::set_run_backtest(domain::SweepId id, std::int64_t task,
                                         domain::BacktestId backtest) {
  auto r = update(db_, "cannot link sweep run",
                  "UPDATE sweep_runs SET backtest_id = ? WHERE sweep_id = ? AND task = ?",
                  [&](SQLite::Statement& q) {
                    q.bind(1, backtest.value());
                    q.bind(2, id.value());
                    q.bind(3, task);
                  });
  if (!r.ok()) return r.status();
  if (!*r)
    return Status::not_found("sweep " + std::to_string(id.value()) + " has no run " +
                             std::to_string(task));
  return {};
}

Result<bool> SweepRepository::finish(domain::SweepId id, const std::string& summary_json,
                                     TimestampMs now) {
  return update(db_, "cannot finish sweep",
                "UPDATE sweeps SET status = 'done', progress = 1, summary = ?, finished_at = ? "
                "WHERE id = ? AND status = 'running'",
                [&](SQLite::Statement& q) {
                  q.bind(1, summary_json);
                  q.bind(2, now);
                  q.bind(3, id.value());
                });
}

Result<bool> SweepRepository::fail(domain::SweepId id, const std::string& error, TimestampMs now) {
  return update(db_, "cannot fail sweep",
                "UPDATE sweeps SET status = 'failed', error = ?, finished_at = ? "
                "WHERE id = ? AND status IN ('queued', 'running')",
                [&](SQLite::Statement& q) {
                  q.bind(1, error);
                  q.bind(2, now);
                  q.bind(3, id.value());
                });
}

Result<bool> SweepRepository::cancel(domain::SweepId id, TimestampMs now) {
  return update(db_, "cannot cancel sweep",
                "UPDATE sweeps SET status = 'canceled', finished_at = ? "
                "WHERE id = ? AND status IN ('queued', 'running')",
                [&](SQLite::Statement& q) {
                  q.bind(1, now);
                  q.bind(2, id.value());
                });
}

Status SweepRepository::requeue(domain::SweepId id) {
  auto r = update(db_, "cannot re-queue sweep",
                  "UPDATE sweeps SET status = 'queued' WHERE id = ? AND status = 'running'",
                  [&](SQLite::Statement& q) { q.bind(1, id.value()); });
  return r.ok() ? Status::ok_status() : r.status();
}

Status SweepRepository::remove(domain::SweepId id) {
  try {
    SQLite::Statement q(db_.connection(), "DELETE FROM sweeps WHERE id = ?");
    q.bind(1, id.value());
    if (q.exec() == 0) return no_sweep(id);
    return {};
  } catch (const std::exception& e) {
    return internal("cannot delete sweep", e);
  }
}

}  // namespace quantd::storage
