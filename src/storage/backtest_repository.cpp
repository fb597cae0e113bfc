#include "quantd/storage/backtest_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <memory>

#include "quantd/storage/equity_json.h"

namespace quantd::storage {
namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"queued", "running", "done", "failed",
                                                          "canceled"};

constexpr const char* kColumns =
    "id, strategy_id, strategy_version, strategy_name, script, params, settings, status, "
    "progress, error, metrics, created_at, started_at, finished_at, pinned, notice";

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
  r.notice = q.getColumn(15).getString();
  return r;
}

Status internal(const char* what, const std::exception& e) {
  return Status::internal(std::string(what) + ": " + e.what());
}

std::string no_results(domain::BacktestId id) {
  return "backtest " + std::to_string(id.value()) + " has no results";
}

// How much of a stored JSON curve is read at once while converting it.
constexpr int kLegacyPiece = 1 << 20;

// An open incremental-I/O handle on one row's `equity` value, closed on destruction.
class EquityValue {
 public:
  // Throws SQLite::Exception when the row is gone.
  EquityValue(SQLite::Database& db, domain::BacktestId id) : db_(db) {
    const int rc = sqlite3_blob_open(db.getHandle(), "main", "backtest_results", "equity",
                                     id.value(), /*flags=*/0, &blob_);
    if (rc != SQLITE_OK) {
      sqlite3_blob_close(blob_);  // a no-op on null; frees a handle left by a failed open
      throw SQLite::Exception(db.getHandle(), rc);
    }
  }
  ~EquityValue() { sqlite3_blob_close(blob_); }
  EquityValue(const EquityValue&) = delete;
  EquityValue& operator=(const EquityValue&) = delete;

  int size() const { return sqlite3_blob_bytes(blob_); }
  // Reads [offset, offset + n) into `out`. Throws SQLite::Exception.
  void read(char* out, int n, int offset) {
    const int rc = sqlite3_blob_read(blob_, out, n, offset);
    if (rc != SQLITE_OK) throw SQLite::Exception(db_.getHandle(), rc);
  }

 private:
  SQLite::Database& db_;
  sqlite3_blob* blob_ = nullptr;
};

// The compact document of a curve stored as JSON text (before migration 0010), read in pieces.
// `peak` is the run's initial cash, where its drawdown starts (see equity_codec.h).
Result<std::string> encode_stored_json(EquityValue& value, double peak) {
  EquityJsonReader reader;
  std::string piece;
  const int size = value.size();
  reader.reserve_for(static_cast<std::size_t>(size));
  for (int at = 0; at < size; at += kLegacyPiece) {
    piece.resize(static_cast<std::size_t>(std::min(kLegacyPiece, size - at)));
    value.read(piece.data(), static_cast<int>(piece.size()), at);
    if (Status st = reader.feed(piece); !st.ok()) return st;
  }
  if (Status st = reader.finish(); !st.ok()) return st;
  return encode_equity({reader.ts, reader.equity, reader.benchmark, reader.drawdown, peak});
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
    r.bindNoCopy(2, output.equity.data(), static_cast<int>(output.equity.size()));
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

Status BacktestRepository::set_notice(domain::BacktestId id, std::string_view notice) {
  try {
    SQLite::Statement q(db_.connection(), "UPDATE backtests SET notice = ? WHERE id = ?");
    q.bind(1, std::string(notice));
    q.bind(2, id.value());
    if (q.exec() == 0) {
      return Status::not_found("no backtest with id " + std::to_string(id.value()));
    }
    return {};
  } catch (const std::exception& e) {
    return internal("cannot store backtest notice", e);
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
  static constexpr std::array<const char*, 2> kQueries = {
      "SELECT trades FROM backtest_results WHERE backtest_id = ?",
      "SELECT orders FROM backtest_results WHERE backtest_id = ?",
  };
  try {
    SQLite::Statement q(db_.connection(), kQueries[static_cast<std::size_t>(part)]);
    q.bind(1, id.value());
    if (!q.executeStep()) return Status::not_found(no_results(id));
    return q.getColumn(0).getString();
  } catch (const std::exception& e) {
    return internal("cannot read backtest results", e);
  }
}

Result<std::optional<std::string>> BacktestRepository::equity_preview(domain::BacktestId id) {
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT equity_preview FROM backtest_results WHERE backtest_id = ?");
    q.bind(1, id.value());
    if (!q.executeStep()) return Status::not_found(no_results(id));
    if (q.getColumn(0).isNull()) return std::optional<std::string>();
    return std::optional<std::string>(q.getColumn(0).getString());
  } catch (const std::exception& e) {
    return internal("cannot read backtest results", e);
  }
}

Result<EquityReader> BacktestRepository::equity(domain::BacktestId id) {
  try {
    SQLite::Database& db = db_.connection();
    {
      SQLite::Statement q(db, "SELECT 1 FROM backtest_results WHERE backtest_id = ?");
      q.bind(1, id.value());
      if (!q.executeStep()) return Status::not_found(no_results(id));
    }
    Result<std::string> document = std::string();
    {
      // One handle, so the format is decided on the bytes it then reads (a concurrent first
      // read may convert the row meanwhile).
      EquityValue value(db, id);
      const int size = value.size();
      std::string head(static_cast<std::size_t>(std::min(size, 4)), '\0');
      value.read(head.data(), static_cast<int>(head.size()), 0);
      if (is_equity_document(head)) {
        document->resize(static_cast<std::size_t>(size));
        value.read(document->data(), size, 0);
        return EquityReader::open(std::move(document).value());
      }
      SQLite::Statement q(db,
                          "SELECT CASE WHEN json_valid(settings) THEN "
                          "json_extract(settings, '$.cash') END FROM backtests WHERE id = ?");
      q.bind(1, id.value());
      const double cash =
          q.executeStep() && !q.getColumn(0).isNull() ? q.getColumn(0).getDouble() : 0.0;
      document = encode_stored_json(value, cash);
      if (!document.ok()) return document.status();
    }
    // Written back once the handle is closed: the value it reads changes.
    try {
      SQLite::Statement u(db,
                          "UPDATE backtest_results SET equity = ? WHERE backtest_id = ? "
                          "AND typeof(equity) = 'text'");
      u.bindNoCopy(1, document->data(), static_cast<int>(document->size()));
      u.bind(2, id.value());
      if (u.exec() > 0) {
        spdlog::info("backtest {}: equity curve converted to the compact form ({} bytes)",
                     id.value(), document->size());
      }
    } catch (const std::exception& e) {
      spdlog::warn("backtest {}: cannot store the compact equity curve yet ({}); served anyway",
                   id.value(), e.what());
    }
    return EquityReader::open(std::move(document).value());
  } catch (const std::exception& e) {
    return internal("cannot read the equity curve", e);
  }
}

}  // namespace quantd::storage
