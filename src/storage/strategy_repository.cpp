#include "quantd/storage/strategy_repository.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace quantd::storage {
namespace {

using nlohmann::json;

constexpr const char* kColumns =
    "id, name, description, script, params, symbols, interval, version, active, created_at, "
    "updated_at";

std::string encode_params(const std::map<std::string, double>& params) {
  json j = json::object();
  for (const auto& [k, v] : params) {
    if (v == std::floor(v) && std::abs(v) < 9e15) {
      j[k] = static_cast<std::int64_t>(v);  // 20, not 20.0
    } else {
      j[k] = v;
    }
  }
  return j.dump();
}

std::string encode_symbols(const std::vector<domain::Symbol>& symbols) {
  json j = json::array();
  for (const auto& s : symbols) j.push_back(s.str());
  return j.dump();
}

// Reads one row selected with kColumns. Throws on a corrupt JSON column (caught by the caller).
StrategyRecord read_row(SQLite::Statement& q) {
  StrategyRecord r;
  r.id = domain::StrategyId(q.getColumn(0).getInt64());
  r.name = q.getColumn(1).getString();
  r.description = q.getColumn(2).getString();
  r.script = q.getColumn(3).getString();
  const json params = json::parse(q.getColumn(4).getString());
  for (const auto& [k, v] : params.items()) {
    if (v.is_number()) r.params[k] = v.get<double>();
  }
  const json symbols = json::parse(q.getColumn(5).getString());
  for (const auto& s : symbols) {
    if (s.is_string()) r.symbols.emplace_back(s.get<std::string>());
  }
  r.interval = domain::parse_interval(q.getColumn(6).getString()).value_or(domain::Interval::k1d);
  r.version = q.getColumn(7).getInt64();
  r.active = q.getColumn(8).getInt() != 0;
  r.created_at = q.getColumn(9).getInt64();
  r.updated_at = q.getColumn(10).getInt64();
  return r;
}

Status not_found(domain::StrategyId id) {
  return Status::not_found("no strategy with id " + std::to_string(id.value()));
}

}  // namespace

Result<StrategyRecord> StrategyRepository::create(const StrategyRecord& draft, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Statement q(db,
                        "INSERT INTO strategies(name, description, script, params, symbols, "
                        "interval, version, active, created_at, updated_at) "
                        "VALUES(?, ?, ?, ?, ?, ?, 1, 0, ?, ?)");
    q.bind(1, draft.name);
    q.bind(2, draft.description);
    q.bind(3, draft.script);
    q.bind(4, encode_params(draft.params));
    q.bind(5, encode_symbols(draft.symbols));
    q.bind(6, std::string(domain::to_string(draft.interval)));
    q.bind(7, now);
    q.bind(8, now);
    q.exec();
    StrategyRecord stored = draft;
    stored.id = domain::StrategyId(db.getLastInsertRowid());
    stored.version = 1;
    stored.active = false;
    stored.created_at = now;
    stored.updated_at = now;
    return stored;
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot store strategy: ") + e.what());
  }
}

Result<StrategyRecord> StrategyRepository::get(domain::StrategyId id) {
  try {
    SQLite::Statement q(db_.connection(),
                        std::string("SELECT ") + kColumns + " FROM strategies WHERE id = ?");
    q.bind(1, id.value());
    if (!q.executeStep()) return not_found(id);
    return read_row(q);
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot read strategy: ") + e.what());
  }
}

Result<std::vector<StrategyRecord>> StrategyRepository::list() {
  try {
    SQLite::Statement q(db_.connection(),
                        std::string("SELECT ") + kColumns + " FROM strategies ORDER BY id");
    std::vector<StrategyRecord> out;
    while (q.executeStep()) out.push_back(read_row(q));
    return out;
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot list strategies: ") + e.what());
  }
}

Result<StrategyRecord> StrategyRepository::update(const StrategyRecord& changed, TimestampMs now) {
  try {
    SQLite::Database& db = db_.connection();
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(db,
                        "UPDATE strategies SET name = ?, description = ?, script = ?, params = ?, "
                        "symbols = ?, interval = ?, version = version + 1, updated_at = ? "
                        "WHERE id = ?");
    q.bind(1, changed.name);
    q.bind(2, changed.description);
    q.bind(3, changed.script);
    q.bind(4, encode_params(changed.params));
    q.bind(5, encode_symbols(changed.symbols));
    q.bind(6, std::string(domain::to_string(changed.interval)));
    q.bind(7, now);
    q.bind(8, changed.id.value());
    if (q.exec() == 0) return not_found(changed.id);
    SQLite::Statement read(db, std::string("SELECT ") + kColumns + " FROM strategies WHERE id = ?");
    read.bind(1, changed.id.value());
    if (!read.executeStep()) return not_found(changed.id);
    StrategyRecord stored = read_row(read);
    read.reset();
    tx.commit();
    return stored;
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot update strategy: ") + e.what());
  }
}

Status StrategyRepository::remove(domain::StrategyId id) {
  try {
    SQLite::Statement q(db_.connection(), "DELETE FROM strategies WHERE id = ?");
    q.bind(1, id.value());
    if (q.exec() == 0) return not_found(id);
    return {};
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot delete strategy: ") + e.what());
  }
}

}  // namespace quantd::storage
