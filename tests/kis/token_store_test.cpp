// The KIS token store on a real SQLite file: reuse across restarts, the 61 s gap between tokenP
// attempts, the app key never stored, the file private.
#include "quantd/kis/token_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <doctest/doctest.h>
#include <sys/stat.h>

#include "../live/live_test_support.h"

using namespace quantd;
using namespace quantd::kis;

namespace {
const std::string kKey = "PSmockAppKey000000000000000000000000";
const TimestampMs kNow = from_seoul({2026, 7, 9}, 8, 55);
}  // namespace

TEST_CASE("token store: a token survives a restart; tokenP is asked at most once per 61 s") {
  live::testing::TempDb tdb;
  auto store = TokenStore::open(*tdb.db, Environment::kPaper, kKey);
  REQUIRE(store.ok());
  CHECK((*store).load()->has_value() == false);
  REQUIRE(store->record_attempt(kNow).ok());
  REQUIRE(store->save({"tok-1", kNow + 24 * 3600 * kMsPerSecond}, kNow).ok());

  tdb.reopen();  // a restart
  auto again = TokenStore::open(*tdb.db, Environment::kPaper, kKey);
  REQUIRE(again.ok());
  auto t = again->load();
  REQUIRE(t.ok());
  REQUIRE(t->has_value());
  CHECK((*t)->token == "tok-1");
  CHECK((*t)->usable(kNow + 3600 * kMsPerSecond));
  // Renewed 10 minutes before it expires, not at the last second.
  CHECK_FALSE((*t)->usable(kNow + (24 * 3600 - 599) * kMsPerSecond));
  CHECK_FALSE((*t)->may_request(kNow + 60 * kMsPerSecond));
  CHECK((*t)->may_request(kNow + 61 * kMsPerSecond));
  // An attempt that failed still counts (the row keeps the old token).
  REQUIRE(again->record_attempt(kNow + 100 * kMsPerSecond).ok());
  CHECK_FALSE((*again->load())->may_request(kNow + 150 * kMsPerSecond));
  CHECK((*again->load())->token == "tok-1");
  REQUIRE(again->mark_revoked().ok());
  CHECK_FALSE((*again->load())->usable(kNow));
  // Another environment or key is another row.
  auto real = TokenStore::open(*tdb.db, Environment::kReal, kKey);
  CHECK_FALSE(real->load()->has_value());
  auto other = TokenStore::open(*tdb.db, Environment::kPaper, kKey + "x");
  CHECK_FALSE(other->load()->has_value());
}

TEST_CASE("token store: the app key is never stored, and the database file is private") {
  live::testing::TempDb tdb;
  auto store = TokenStore::open(*tdb.db, Environment::kPaper, kKey);
  REQUIRE(store.ok());
  REQUIRE(store->save({"tok-1", kNow + kMsPerDay}, kNow).ok());
  CHECK(store->key_hash() == sha256_hex(kKey));
  CHECK(store->key_hash().size() == 64);
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  SQLite::Database db(tdb.db->path(), SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT * FROM broker_tokens");
  while (q.executeStep()) {
    for (int i = 0; i < q.getColumnCount(); ++i) {
      if (!q.getColumn(i).isNull())
        CHECK(q.getColumn(i).getString().find(kKey) == std::string::npos);
    }
  }
  struct stat st {};
  REQUIRE(::stat(tdb.db->path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}
