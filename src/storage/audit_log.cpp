#include "quantd/storage/audit_log.h"

#include <SQLiteCpp/SQLiteCpp.h>

namespace quantd::storage {

Status AuditLog::append(const AuditEntry& e) {
  try {
    CachedStatement q = db_.statement(
        "INSERT INTO audit_log(ts, actor, client, method, path, status, summary) "
        "VALUES(?, ?, ?, ?, ?, ?, ?)");
    q->bind(1, e.ts);
    q->bind(2, e.actor);
    q->bind(3, e.client);
    q->bind(4, e.method);
    q->bind(5, e.path);
    q->bind(6, e.status);
    q->bind(7, e.summary);
    q->exec();
    // Pruning every thousandth append keeps the table within about kAuditKeep + 1000 rows at the
    // cost of one indexed DELETE now and then, not one per request.
    if (appended_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
      CachedStatement prune =
          db_.statement("DELETE FROM audit_log WHERE id <= (SELECT max(id) FROM audit_log) - ?");
      prune->bind(1, kAuditKeep);
      prune->exec();
    }
    return {};
  } catch (const std::exception& ex) {
    return Status::internal(std::string("cannot append to the audit log: ") + ex.what());
  }
}

Result<std::vector<AuditEntry>> AuditLog::page(int limit, std::optional<std::int64_t> before) {
  try {
    SQLite::Statement q(
        db_.connection(),
        "SELECT id, ts, actor, client, method, path, status, summary FROM audit_log "
        "WHERE id < ? ORDER BY id DESC LIMIT ?");
    q.bind(1, before.value_or(INT64_MAX));
    q.bind(2, limit);
    std::vector<AuditEntry> out;
    while (q.executeStep()) {
      AuditEntry e;
      e.id = q.getColumn(0).getInt64();
      e.ts = q.getColumn(1).getInt64();
      e.actor = q.getColumn(2).getString();
      e.client = q.getColumn(3).getString();
      e.method = q.getColumn(4).getString();
      e.path = q.getColumn(5).getString();
      e.status = q.getColumn(6).getInt();
      e.summary = q.getColumn(7).getString();
      out.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& ex) {
    return Status::internal(std::string("cannot read the audit log: ") + ex.what());
  }
}

}  // namespace quantd::storage
