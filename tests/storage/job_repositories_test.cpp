// StrategyRepository and BacktestRepository on a temporary database: versions, and the job
// state machine (claim, progress, finish, fail, cancel, requeue) where the first writer wins.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "quantd/core/embedded.h"
#include "quantd/storage/backtest_repository.h"
#include "quantd/storage/strategy_repository.h"

namespace {

namespace fs = std::filesystem;
using namespace quantd;
using storage::BacktestStatus;

struct TempDb {
  fs::path dir;
  std::unique_ptr<storage::Database> db;
  TempDb() {
    dir = fs::temp_directory_path() / ("quantd-jobs-test-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(dir);
    auto opened = storage::Database::open({(dir / "q.db").string()});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    REQUIRE(db->migrate(embedded::migrations()).ok());
  }
  ~TempDb() {
    db.reset();
    fs::remove_all(dir);
  }
};

storage::StrategyRecord draft() {
  storage::StrategyRecord r;
  r.name = "Golden cross";
  r.description = "20/60";
  r.script = "builtin:sma_cross";
  r.params = {{"fast", 20}, {"slow", 60}};
  r.symbols = {domain::Symbol("005930"), domain::Symbol("000660")};
  r.interval = domain::Interval::k1d;
  return r;
}

}  // namespace

TEST_CASE("strategies: create is version 1, every update bumps it, delete keeps backtests") {
  TempDb t;
  storage::StrategyRepository repo(*t.db);
  auto created = repo.create(draft(), 1000);
  REQUIRE(created.ok());
  CHECK(created->version == 1);
  CHECK(created->created_at == 1000);
  auto read = repo.get(created->id);
  REQUIRE(read.ok());
  CHECK(read->symbols.size() == 2);
  CHECK(read->symbols[1].str() == "000660");
  CHECK(read->params.at("slow") == 60);
  storage::StrategyRecord changed = *read;
  changed.params["fast"] = 10;
  auto v2 = repo.update(changed, 2000);
  REQUIRE(v2.ok());
  CHECK(v2->version == 2);
  CHECK(v2->updated_at == 2000);
  CHECK(v2->created_at == 1000);
  CHECK(repo.update(changed, 3000)->version == 3);

  storage::BacktestRepository jobs(*t.db);
  storage::BacktestRecord job;
  job.strategy_id = created->id;
  job.strategy_version = 3;
  job.strategy_name = "Golden cross";
  job.script = "builtin:sma_cross";
  auto id = jobs.create(job, 4000);
  REQUIRE(id.ok());
  CHECK(repo.remove(created->id).ok());
  CHECK(repo.get(created->id).status().code() == StatusCode::kNotFound);
  CHECK(repo.remove(created->id).code() == StatusCode::kNotFound);
  auto kept = jobs.get(*id);
  REQUIRE(kept.ok());
  CHECK(!kept->strategy_id.has_value());
  CHECK(kept->strategy_name == "Golden cross");
  CHECK(repo.list()->empty());
}

TEST_CASE("backtests: the state machine, where the first writer wins") {
  TempDb t;
  storage::BacktestRepository jobs(*t.db);
  storage::BacktestRecord job;
  job.strategy_version = 1;
  job.script = "builtin:buy_and_hold";
  auto a = jobs.create(job, 1);
  auto b = jobs.create(job, 2);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(jobs.unfinished()->size() == 2);
  CHECK(jobs.list(std::nullopt)->front().id == *b);  // newest first

  // claim → progress → finish stores results; a second finish changes nothing.
  CHECK(*jobs.claim(*a, 10));
  CHECK(jobs.set_progress(*a, 0.5).ok());
  CHECK(jobs.get(*a)->progress == 0.5);
  CHECK(jobs.get(*a)->status == BacktestStatus::kRunning);
  CHECK(jobs.equity(*a).status().code() == StatusCode::kNotFound);
  const std::vector<TimestampMs> ts = {1};
  const std::vector<double> one = {1.0};
  storage::BacktestOutput out{"{\"trades\":0}", storage::encode_equity({ts, one, one, one, 1.0}),
                              "[2]", "[3]"};
  CHECK(*jobs.finish(*a, out, 20));
  CHECK(!*jobs.finish(*a, out, 30));
  auto done = jobs.get(*a);
  CHECK(done->status == BacktestStatus::kDone);
  CHECK(done->progress == 1);
  CHECK(done->metrics_json == "{\"trades\":0}");
  CHECK(*done->finished_at == 20);
  CHECK(*jobs.result(*a, storage::ResultPart::kOrders) == "[3]");
  CHECK(jobs.equity(*a)->size() == 1);
  CHECK(!jobs.equity_preview(*a)->has_value());
  CHECK(!*jobs.claim(*a, 40));  // finished jobs are never run again
  CHECK(!*jobs.cancel(*a, 40));
  CHECK(!*jobs.fail(*a, "late", 40));

  // cancel while running: the worker's finish is refused and stores nothing.
  CHECK(*jobs.claim(*b, 50));
  CHECK(*jobs.cancel(*b, 60));
  CHECK(!*jobs.finish(*b, out, 70));
  CHECK(jobs.get(*b)->status == BacktestStatus::kCanceled);
  CHECK(jobs.equity(*b).status().code() == StatusCode::kNotFound);
  CHECK(jobs.equity_preview(*b).status().code() == StatusCode::kNotFound);

  // requeue after an interrupted run; fail records the reason.
  auto c = jobs.create(job, 80);
  CHECK(*jobs.claim(*c, 90));
  CHECK(jobs.requeue(*c).ok());
  CHECK(jobs.get(*c)->status == BacktestStatus::kQueued);
  CHECK(!jobs.get(*c)->started_at.has_value());
  CHECK(*jobs.fail(*c, "no bars stored for X", 100));
  CHECK(jobs.get(*c)->error == "no bars stored for X");
  CHECK(jobs.unfinished()->empty());

  // delete removes the results too.
  CHECK(jobs.remove(*a).ok());
  CHECK(jobs.equity(*a).status().code() == StatusCode::kNotFound);
  CHECK(jobs.result(*a, storage::ResultPart::kTrades).status().code() == StatusCode::kNotFound);
  CHECK(jobs.remove(*a).code() == StatusCode::kNotFound);
  CHECK(storage::parse_backtest_status("running") == BacktestStatus::kRunning);
  CHECK(!storage::parse_backtest_status("paused").has_value());
}
