#include "quantd/storage/backtest_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <array>

namespace quantd::storage {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"queued", "running", "done", "failed",
                                                          "canceled"};

constexpr const char* kColumns =
    "id, strategy_id, strategy_version, strategy_name, script, params, settings, status, "
    "progress, error, metrics, created_at, started_at, finished_at, pinned";

BacktestRecord read_row(SQLite::Statement& q) {
  BacktestRecord r;
  r.id = domain::BacktestId(q.getColumn(0).getInt64());
  if (!q.getColumn(1).isNull()) r.strategy_id = domain::StrategyId(q.getColumn(1).getInt64());
  r.strategy_version = q.getColumn(2).getInt64();
  r.strategy_name = q.getColumn(3).getString();
  r.script = q.getColumn(4).getString();
  r.params_json = q.getColumn(5).getString();
  r.settings_json = q.getColumn(6).getString();
  r.status = parse_backtest_status(q.getColumn(7).getString()).value_or(BacktestStatus::kFailed);
  r.progress = q.getColumn(8).getDouble();
  if (!q.getColumn(9).isNull()) r.error = q.getColumn(9).getString();
  if (!q.getColumn(10).isNull()) r.metrics_json = q.getColumn(10).getString();
  r.created_at = q.getColumn(11).getInt64();
  if (!q.getColumn(12).isNull()) r.started_at = q.getColumn(12).getInt64();
  if (!q.getColumn(13).isNull()) r.finished_at = q.getColumn(13).getInt64();
  r.pinned = q.getColumn(14).getInt() != 0;
  return r;
}

Status internal(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

}  // namespace

std::string_view to_string(BacktestStatus status) {
  return kStatusNames[static_cast<std::size_t>(status)];
}

std::optional<BacktestStatus> parse_backtest_status(std::string_view text) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == text) return static_cast<BacktestStatus>(i);
  }
  return std::nullopt;
}

Result<domain::BacktestId> BacktestRepository::create(const BacktestRecord& job, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Statement q(db,
                        "INSERT INTO backtests(strategy_id, strategy_version, strategy_name, "
                        "script, params, settings, status, progress, created_at) "
                        "VALUES(?, ?, ?, ?, ?, ?, 'queued', 0, ?)");
    if (job.strategy_id) {
      q.bind(1, job.strategy_id->value());
    } else {
      q.bind(1);
    }
    q.bind(2, job.strategy_version);
    q.bind(3, job.strategy_name);
    q.bind(4, job.script);
    q.bind(5, job.params_json);
    q.bind(6, job.settings_json);
    q.bind(7, now);
    q.exec();
    return domain::BacktestId(db.getLastInsertRowid());
  } catch (const std::exception& e) {
    return internal("cannot store backtest", e);
  }
}

Result<BacktestRecord> BacktestRepository::get(domain::BacktestId id) {
  try {
    SQLite::Statement q(db_.connection(),
                        std::string("SELECT ") + kColumns + " FROM backtests WHERE id = ?");
    q.bind(1, id.value());
    if (!q.executeStep()) {
      return Status::not_found("no backtest with id " + std::to_string(id.value()));
    }
    return read_row(q);
  } catch (const std::exception& e) {
    return internal("cannot read backtest", e);
  }
}

Result<std::vector<BacktestRecord>> BacktestRepository::list(
    std::optional<domain::StrategyId> strategy, int limit) {
  try {
    std::string sql = std::string("SELECT ") + kColumns + " FROM backtests";
    if (strategy) sql += " WHERE strategy_id = ?";
    sql += " ORDER BY id DESC LIMIT ?";
    SQLite::Statement q(db_.connection(), sql);
    int i = 1;
    if (strategy) q.bind(i++, strategy->value());
    q.bind(i, std::max(limit, 1));
    std::vector<BacktestRecord> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list backtests", e);
  }
}

Result<std::vector<domain::BacktestId>> BacktestRepository::unfinished() {
  try {
    SQLite::Statement q(
        db_.connection(),
        "SELECT id FROM backtests WHERE status IN ('queued', 'running') ORDER BY id");
    std::vector<domain::BacktestId> out;
    while (q.executeStep()) out.emplace_back(q.getColumn(0).getInt64());
    return out;
  } catch (const std::exception& e) {
    return internal("cannot list unfinished backtests", e);
  }
}

Result<bool> BacktestRepository::claim(domain::BacktestId id, TimestampMs now) {
  try {
    SQLite::Statement q(db_.connection(),
                        "UPDATE backtests SET status = 'running', started_at = ?, progress = 0, "
                        "error = NULL WHERE id = ? AND status IN ('queued', 'running')");
    q.bind(1, now);
    q.bind(2, id.value());
    return q.exec() > 0;
  } catch (const std::exception& e) {
    return internal("cannot start backtest", e);
  }
}

Status BacktestRepository::set_progress(domain::BacktestId id, double progress) {
  try {
    SQLite::Statement q(db_.connection(),
                        "UPDATE backtests SET progress = ? WHERE id = ? AND status = 'running'");
    q.bind(1, std::clamp(progress, 0.0, 1.0));
    q.bind(2, id.value());
    q.exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot record progress", e);
  }
}

Result<bool> BacktestRepository::finish(domain::BacktestId id, const BacktestOutput& output,
                                        TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(db,
                        "UPDATE backtests SET status = 'done', progress = 1, metrics = ?, "
                        "finished_at = ?, error = NULL WHERE id = ? AND status = 'running'");
    q.bind(1, output.metrics_json);
    q.bind(2, now);
    q.bind(3, id.value());
    if (q.exec() == 0) return false;  // the transaction rolls back: nothing stored
    SQLite::Statement r(db,
                        "INSERT OR REPLACE INTO backtest_results(backtest_id, equity, trades, "
                        "orders, equity_preview) VALUES(?, ?, ?, ?, ?)");
    r.bind(1, id.value());
    r.bind(2, output.equity_json);
    r.bind(3, output.trades_json);
    r.bind(4, output.orders_json);
    if (output.equity_preview_json.empty()) {
      r.bind(5);
    } else {
      r.bind(5, output.equity_preview_json);
    }
    r.exec();
    tx.commit();
    return true;
  } catch (const std::exception& e) {
    return internal("cannot store backtest results", e);
  }
}

Result<bool> BacktestRepository::fail(domain::BacktestId id, std::string_view error,
                                      TimestampMs now) {
  try {
    SQLite::Statement q(db_.connection(),
                        "UPDATE backtests SET status = 'failed', error = ?, finished_at = ? "
                        "WHERE id = ? AND status IN ('queued', 'running')");
    q.bind(1, std::string(error));
    q.bind(2, now);
    q.bind(3, id.value());
    return q.exec() > 0;
  } catch (const std::exception& e) {
    return internal("cannot record backtest failure", e);
  }
}

Result<bool> BacktestRepository::cancel(domain::BacktestId id, TimestampMs now) {
  try {
    SQLite::Statement q(db_.connection(),
                        "UPDATE backtests SET status = 'canceled', finished_at = ? "
                        "WHERE id = ? AND status IN ('queued', 'running')");
    q.bind(1, now);
    q.bind(2, id.value());
    return q.exec() > 0;
  } catch (const std::exception& e) {
    return internal("cannot cancel backtest", e);
  }
}

Status BacktestRepository::requeue(domain::BacktestId id) {
  try {
    SQLite::Statement q(db_.connection(),
                        "UPDATE backtests SET status = 'queued', progress = 0, started_at = NULL "
                        "WHERE id = ? AND status = 'running'");
    q.bind(1, id.value());
    q.exec();
    return {};
  } catch (const std::exception& e) {
    return internal("cannot re-queue backtest", e);
  }
}

Status BacktestRepository::remove(domain::BacktestId id) {
  try {
    SQLite::Statement q(db_.connection(), "DELETE FROM backtests WHERE id = ?");
    q.bind(1, id.value());
    if (q.exec() == 0) {
      return Status::not_found("no backtest with id " + std::to_string(id.value()));
    }
    return {};
  } catch (const std::exception& e) {
    return internal("cannot delete backtest", e);
  }
}

Status BacktestRepository::set_pinned(domain::BacktestId id, bool pinned) {
  try {
    SQLite::Statement q(db_.connection(), "UPDATE backtests SET pinned = ? WHERE id = ?");
    q.bind(1, pinned ? 1 : 0);
    q.bind(2, id.value());
    if (q.exec() == 0) {
      return Status::not_found("no backtest with id " + std::to_string(id.value()));
    }
    return {};
  } catch (const std::exception& e) {
    return internal("cannot pin backtest", e);
  }
}

Result<std::vector<domain::BacktestId>> BacktestRepository::prune(int keep) {
  std::vector<domain::BacktestId> gone;
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Finished, unpinned runs, newest first: everything past the first `keep` goes.
    SQLite::Statement q(db,
                        "SELECT id FROM backtests WHERE pinned = 0 AND finished_at IS NOT NULL "
                        "AND status IN ('done', 'failed', 'canceled') "
                        "ORDER BY finished_at DESC, id DESC LIMIT -1 OFFSET ?");
    q.bind(1, keep);
    while (q.executeStep()) gone.emplace_back(q.getColumn(0).getInt64());
    SQLite::Statement del(db, "DELETE FROM backtests WHERE id = ?");
    for (domain::BacktestId id : gone) {
      del.bind(1, id.value());
      del.exec();
      del.reset();
    }
    tx.commit();
    return gone;
  } catch (const std::exception& e) {
    return internal("cannot delete old backtests", e);
  }
}

Result<std::string> BacktestRepository::result(domain::BacktestId id, ResultPart part) {
  static constexpr std::array<const char*, 4> kQueries = {
      "SELECT equity FROM backtest_results WHERE backtest_id = ?",
      "SELECT trades FROM backtest_results WHERE backtest_id = ?",
      "SELECT orders FROM backtest_results WHERE backtest_id = ?",
      "SELECT coalesce(equity_preview, equity) FROM backtest_results WHERE backtest_id = ?",
  };
  try {
    SQLite::Statement q(db_.connection(), kQueries[static_cast<std::size_t>(part)]);
    q.bind(1, id.value());
    if (!q.executeStep()) {
      return Status::not_found("backtest " + std::to_string(id.value()) + " has no results");
    }
    return q.getColumn(0).getString();
  } catch (const std::exception& e) {
    return internal("cannot read backtest results", e);
  }
}

}  // namespace quantd::storage
