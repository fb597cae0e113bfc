#include "quantd/storage/bar_source_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <limits>

#include "quantd/storage/bar_repository.h"

namespace quantd::storage {

Status BarSourceRepository::record(const BarSource& source) {
  try {
    SQLite::Statement q(db_.connection(),
                        "INSERT OR REPLACE INTO bar_sources(symbol, interval, source, note, "
                        "updated_at) VALUES(?, ?, ?, ?, ?)");
    q.bind(1, source.symbol.str());
    q.bind(2, std::string(domain::to_string(source.interval)));
    q.bind(3, source.source);
    q.bind(4, source.note);
    q.bind(5, source.updated_at);
    q.exec();
    return {};
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot record bar source: ") + e.what());
  }
}

Result<std::vector<BarSource>> BarSourceRepository::list() {
  try {
    SQLite::Statement q(db_.connection(),
                        "SELECT symbol, interval, source, note, updated_at FROM bar_sources "
                        "ORDER BY symbol, interval");
    std::vector<BarSource> out;
    while (q.executeStep()) {
      auto interval = domain::parse_interval(q.getColumn(1).getString());
      if (!interval) continue;
      out.push_back({domain::Symbol(q.getColumn(0).getString()), *interval,
                     q.getColumn(2).getString(), q.getColumn(3).getString(),
                     q.getColumn(4).getInt64()});
    }
    return out;
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot list bar sources: ") + e.what());
  }
}

Result<bool> BarSourceRepository::any_bars(const domain::Symbol& symbol, domain::Interval interval,
                                           std::optional<TimestampMs> from,
                                           std::optional<TimestampMs> to) {
  return BarRepository(db_).has_bars(symbol, interval, from, to);
}

Status BarSourceRepository::remove(const domain::Symbol& symbol, domain::Interval interval) {
  try {
    SQLite::Statement q(db_.connection(),
                        "DELETE FROM bar_sources WHERE symbol = ? AND interval = ?");
    q.bind(1, symbol.str());
    q.bind(2, std::string(domain::to_string(interval)));
    q.exec();
    return {};
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot delete bar source: ") + e.what());
  }
}

}  // namespace quantd::storage
