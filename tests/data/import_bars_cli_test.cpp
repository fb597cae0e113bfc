// `quantd import-bars` end to end: the real binary, a temporary database and CSV files.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "../integration/test_support.h"
#include "quantd/core/embedded.h"
#include "quantd/storage/bar_repository.h"
#include "quantd/storage/database.h"

namespace {

namespace fs = std::filesystem;
using quantd::domain::Interval;
using quantd::domain::Symbol;

using Run = quantd::testing::RunResult;
using quantd::testing::read_file;

struct Sandbox : quantd::testing::Sandbox {
  // Runs `quantd import-bars ARGS` with the sandbox as working directory.
  Run import(const std::string& args) const { return quantd("import-bars", args); }

  std::size_t stored(const Symbol& symbol, Interval interval) const {
    auto db = quantd::storage::Database::open({(dir / "q.db").string()});
    REQUIRE(db.ok());
    REQUIRE((*db)->migrate(quantd::embedded::migrations()).ok());
    quantd::storage::BarRepository repo(**db);
    auto bars = repo.load(symbol, interval);
    REQUIRE(bars.ok());
    return bars->size();
  }
};

constexpr const char* kGood =
    "ts,open,high,low,close,volume\n"
    "2024-01-02T09:00:00,71000,71200,70900,71100,1234\n"
    "2024-01-02T09:01:00,71100,71100,71000,71000,800\n"
    "2024-01-02T09:02:00,71000,71300,71000,71300,0\n";

}  // namespace

TEST_CASE("import-bars stores a file, and importing it again changes nothing") {
  Sandbox s;
  s.write("good.csv", kGood);
  const Run first = s.import("--db q.db --symbol 005930 --interval 1m good.csv");
  CHECK(first.exit_code == 0);
  CHECK(first.out ==
        "imported 3 bars for 005930 1m (2024-01-02T09:00:00 .. 2024-01-02T09:02:00), 3 new, "
        "0 updated, 0 unchanged\n");
  CHECK(first.err == "");
  CHECK(s.stored(Symbol("005930"), Interval::k1m) == 3);

  const Run again = s.import("--db=q.db --symbol=005930 --interval=1m good.csv");
  CHECK(again.exit_code == 0);
  CHECK(again.out ==
        "imported 3 bars for 005930 1m (2024-01-02T09:00:00 .. 2024-01-02T09:02:00), 0 new, "
        "0 updated, 3 unchanged\n");
  CHECK(s.stored(Symbol("005930"), Interval::k1m) == 3);
}

TEST_CASE("a bad row stops the import and stores nothing from that file") {
  Sandbox s;
  s.write("bad.csv",
          "Date,Open,High,Low,Close,Adj Close,Volume\n"
          "2024-01-02,71000,71200,70900,71100,70000,1234\n"
          "2024-01-03,71100,71000,71000,71050,70000,800\n");
  const Run r = s.import("--db q.db --symbol 005930 --interval 1d bad.csv");
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err == "bad.csv:3: High: 71000 is below Open 71100\n");
  CHECK(s.stored(Symbol("005930"), Interval::k1d) == 0);

  // With several files, those before the bad one are stored, the bad one is not.
  s.write("good.csv", kGood);
  s.write("dup.csv",
          "ts,open,high,low,close,volume\n"
          "2024-01-03T09:00:00,1,1,1,1,1\n"
          "2024-01-03T09:00:00,1,1,1,1,1\n");
  const Run two = s.import("--db q.db --symbol 005930 --interval 1m good.csv dup.csv");
  CHECK(two.exit_code == 1);
  CHECK(two.err == "dup.csv:3: duplicate timestamp 2024-01-03T09:00:00 (also on line 2)\n");
  CHECK(s.stored(Symbol("005930"), Interval::k1m) == 3);
}

TEST_CASE("usage errors exit 2 and name the flag") {
  Sandbox s;
  s.write("good.csv", kGood);
  struct Case {
    const char* args;
    const char* message;
  };
  const Case cases[] = {
      {"--symbol A --interval 1m good.csv", "import-bars: --db is required\n"},
      {"--db q.db --interval 1m good.csv", "import-bars: --symbol is required\n"},
      {"--db q.db --symbol A good.csv", "import-bars: --interval is required\n"},
      {"--db q.db --symbol A --interval 1m", "import-bars: missing FILE.csv\n"},
      {"--db q.db --symbol A --interval 2m good.csv",
       "import-bars: --interval: unknown interval \"2m\" (1m, 5m, 15m, 30m, 60m or 1d)\n"},
      {"--db q.db --symbol 'A B' --interval 1m good.csv",
       "import-bars: --symbol: invalid symbol \"A B\" (1..32 of A-Z a-z 0-9 . _ -)\n"},
      {"--db q.db --symbol A --interval 1m --force good.csv",
       "import-bars: unknown flag --force\n"},
      {"--db q.db --symbol A --interval", "import-bars: --interval needs a value\n"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args);
    const Run r = s.import(c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.err.starts_with(c.message));
    CHECK(r.err.find("usage: quantd import-bars") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(s.dir / "q.db"));
}

TEST_CASE("a missing file or a header-only file is a runtime error") {
  Sandbox s;
  const Run missing = s.import("--db q.db --symbol A --interval 1m nope.csv");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "nope.csv: cannot open: No such file or directory\n");
  s.write("empty.csv", "ts,open,high,low,close,volume\n");
  const Run empty = s.import("--db q.db --symbol A --interval 1m empty.csv");
  CHECK(empty.exit_code == 1);
  CHECK(empty.err == "empty.csv: no bars (only a header)\n");
}
