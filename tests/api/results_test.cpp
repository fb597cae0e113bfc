// Stored results through the real daemon (issue 12 finding 6, issue 13): the equity and drawdown
// endpoints serve the same bytes as before the curve was stored compactly, for every thinning,
// and four clients downloading a million-point curve at once cost the daemon a few MB each.
#include <SQLiteCpp/SQLiteCpp.h>
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <csignal>
#include <limits>
#include <thread>

#include "api_client.h"
#include "quantd/core/memory.h"
#include "quantd/storage/equity_codec.h"

namespace {

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::TempDir;

// ---- The old code's rules, kept here as the reference --------------------------------------

// backtest_service.cpp append_number(): to_chars's shortest form, null when not finite.
std::string old_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

struct Curve {
  std::vector<std::int64_t> ts;
  std::vector<double> equity, benchmark, drawdown;
};

// backtest_service.cpp preview_indexes() and backtest_api.cpp thin_indexes().
std::vector<std::size_t> old_thin(std::size_t n, std::optional<std::size_t> max_points) {
  std::vector<std::size_t> out;
  if (!max_points || n <= *max_points) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  const double step = static_cast<double>(n - 1) / static_cast<double>(*max_points - 1);
  for (std::size_t i = 0; i < *max_points; ++i) {
    out.push_back(static_cast<std::size_t>(static_cast<double>(i) * step + 0.5));
  }
  return out;
}

// backtest_service.cpp equity_json(): what the old code stored, and served for a bare GET.
std::string old_equity_json(const Curve& c, const std::vector<std::size_t>& indexes) {
  std::string out = "[";
  for (std::size_t k = 0; k < indexes.size(); ++k) {
    const std::size_t i = indexes[k];
    if (k > 0) out += ',';
    out += "{\"ts\":" + std::to_string(c.ts[i]) + ",\"equity\":" + old_number(c.equity[i]) +
           ",\"benchmark\":" + old_number(c.benchmark[i]) +
           ",\"drawdown\":" + old_number(c.drawdown[i]) + "}";
  }
  out += ']';
  return out;
}

// backtest_api.cpp series(): the stored text (the preview for max_points <= 2000 when there is
// one), split at its braces, thinned, and for the drawdown each point parsed and re-dumped.
std::string old_series(const std::string& full, const std::string& preview,
                       std::optional<std::size_t> max_points, bool drawdown_only) {
  const std::string& text = max_points && *max_points <= 2000 && !preview.empty() ? preview : full;
  if (!drawdown_only && !max_points) return text;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::size_t at = 0;
  while ((at = text.find('{', at)) != std::string::npos) {
    const std::size_t end = text.find('}', at);
    spans.emplace_back(at, end + 1);
    at = end + 1;
  }
  std::string out = "[";
  for (std::size_t i : old_thin(spans.size(), max_points)) {
    if (out.size() > 1) out += ',';
    const auto [begin, end] = spans[i];
    if (!drawdown_only) {
      out.append(text, begin, end - begin);
      continue;
    }
    const json point = json::parse(text.begin() + static_cast<std::ptrdiff_t>(begin),
                                   text.begin() + static_cast<std::ptrdiff_t>(end));
    out += json{{"ts", point["ts"]}, {"drawdown", point["drawdown"]}}.dump();
  }
  out += ']';
  return out;
}

// ---- Helpers ------------------------------------------------------------------------------

// A curve that is hard to print: awkward doubles among ordinary ones, gaps in time.
Curve awkward_curve(std::size_t n) {
  const double awkward[] = {-0.0,
                            0.0,
                            1.0,
                            1e-5,
                            0.000123,
                            1e20,
                            123456789012345680000.0,
                            1.8446744073709552e19,
                            -9.2233720368547758e18,
                            std::numeric_limits<double>::denorm_min(),
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity()};
  Curve c;
  std::int64_t t = 1'577'923'200'000;
  double peak = 1e8;
  for (std::size_t i = 0; i < n; ++i) {
    t += i % 390 == 389 ? 64'860'000 : 60'000;  // a session's end, then the next morning
    double e = 1e8 + std::round(2e6 * std::sin(static_cast<double>(i) / 400.0));
    double b = 1e8 * (1 + 0.02 * std::sin(static_cast<double>(i) / 90.0));
    peak = std::max(peak, e);
    double d = 1.0 - e / peak;
    if (i % 97 == 5) e = awkward[(i / 97) % std::size(awkward)];
    if (i % 89 == 3) b = awkward[(i / 89 + 4) % std::size(awkward)];
    if (i % 83 == 7) d = awkward[(i / 83 + 9) % std::size(awkward)];
    c.ts.push_back(t);
    c.equity.push_back(e);
    c.benchmark.push_back(b);
    c.drawdown.push_back(d);
  }
  return c;
}

// Inserts a done backtest; its result row holds `equity` (a BLOB when `compact`, else TEXT) and
// `preview` (NULL when empty). Returns its id.
std::int64_t insert_result(const std::string& db_path, const std::string& equity, bool compact,
                           const std::string& preview) {
  SQLite::Database db(db_path, SQLite::OPEN_READWRITE);
  db.setBusyTimeout(5000);
  db.exec(
      "INSERT INTO backtests(strategy_version, script, settings, status, progress, metrics, "
      "created_at, finished_at) VALUES(1, 'builtin:sma_cross', "
      "'{\"symbols\":[\"A\"],\"interval\":\"1m\",\"cash\":100000000}', 'done', 1, '{}', 1, 2)");
  const std::int64_t id = db.getLastInsertRowid();
  SQLite::Statement q(db,
                      "INSERT INTO backtest_results(backtest_id, equity, trades, orders, "
                      "equity_preview) VALUES(?, ?, '[]', '[]', ?)");
  q.bind(1, id);
  if (compact) {
    q.bind(2, equity.data(), static_cast<int>(equity.size()));
  } else {
    q.bind(2, equity);
  }
  if (preview.empty()) {
    q.bind(3);
  } else {
    q.bind(3, preview);
  }
  q.exec();
  return id;
}

std::string stored_type(const std::string& db_path, std::int64_t id) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT typeof(equity) FROM backtest_results WHERE backtest_id = ?");
  q.bind(1, id);
  REQUIRE(q.executeStep());
  return q.getColumn(0).getString();
}

const std::vector<std::optional<std::size_t>> kMaxPoints = {
    std::nullopt, 2, 3, 100, 1999, 2000, 2001, 7777, 25'000, 29'999, 30'000, 30'001, 10'000'000};

// Every endpoint and thinning of result `id` against the old code's answer.
void check_served_as_before(int port, std::int64_t id, const std::string& full,
                            const std::string& preview) {
  for (bool drawdown : {false, true}) {
    for (const auto& max_points : kMaxPoints) {
      std::string target =
          "/api/backtests/" + std::to_string(id) + (drawdown ? "/drawdown" : "/equity");
      if (max_points) target += "?max_points=" + std::to_string(*max_points);
      CAPTURE(target);
      const auto r = quantd::testing::http_request(port, "GET", target);
      REQUIRE(r.status == 200);
      CHECK(r.header("content-type") == "application/json");
      const std::string want = old_series(full, preview, max_points, drawdown);
      REQUIRE(r.body.size() == want.size());
      CHECK(r.body == want);
    }
  }
}

TEST_CASE("results: equity and drawdown are served byte for byte as before, for every thinning") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  Daemon d(db);
  const Curve c = awkward_curve(30'000);
  const std::string full = old_equity_json(c, old_thin(c.ts.size(), std::nullopt));
  const std::string preview = old_equity_json(c, old_thin(c.ts.size(), 2000));

  // As the daemon now stores it: the compact curve, the JSON preview.
  const std::string compact =
      quantd::storage::encode_equity({c.ts, c.equity, c.benchmark, c.drawdown, 100'000'000.0});
  MESSAGE(c.ts.size() << " points: " << full.size() << " bytes of JSON, " << compact.size()
                      << " compact");
  const std::int64_t now = insert_result(db, compact, true, preview);
  check_served_as_before(d.port(), now, full, preview);
  const auto big = quantd::testing::http_request(
      d.port(), "GET", "/api/backtests/" + std::to_string(now) + "/equity");
  CHECK(big.header("transfer-encoding") == "chunked");  // made piece by piece

  // As the old daemon stored it (JSON text): served the same, and compacted by the first read.
  const std::int64_t old = insert_result(db, full, false, preview);
  CHECK(stored_type(db, old) == "text");
  check_served_as_before(d.port(), old, full, preview);
  CHECK(stored_type(db, old) == "blob");

  // A result stored without a preview (before migration 0004): thinned from the whole curve.
  const std::int64_t bare = insert_result(db, compact, true, "");
  check_served_as_before(d.port(), bare, full, "");

  // A damaged curve is a 500 problem before any byte of the body, never a cut 200.
  const std::int64_t broken = insert_result(db, compact.substr(0, compact.size() / 2), true, "");
  const auto r = call(d.port(), "GET", "/api/backtests/" + std::to_string(broken) + "/equity");
  CHECK(is_problem(r, 500));
  CHECK(d.log().find("equity curve: ") != std::string::npos);
}

// Reads an HTTP/1.0 response to the end (the body ends with the connection), keeping only its
// size, a hash and its head.
struct Download {
  int status = 0;
  std::size_t body_bytes = 0;
  std::uint64_t hash = 1469598103934665603ULL;
  std::string head;
  std::size_t objects = 0;
};

Download download(int port, const std::string& target) {
  Download out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return out;
  }
  const std::string request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return out;
  }
  std::string header;
  bool in_body = false;
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    std::string_view piece(buf, static_cast<std::size_t>(n));
    if (!in_body) {
      header.append(piece);
      const auto end = header.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      in_body = true;
      piece = std::string_view(header).substr(end + 4);
      out.status = std::stoi(header.substr(9, 3));
    }
    for (char ch : piece) {
      out.hash = (out.hash ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
      if (ch == '{') ++out.objects;
    }
    if (out.head.size() < 64) out.head.append(piece.substr(0, 64 - out.head.size()));
    out.body_bytes += piece.size();
    header.clear();  // `piece` pointed into it for the first part of the body only
  }
  ::close(fd);
  return out;
}

TEST_CASE("results: four concurrent downloads of a million-point curve keep the daemon small") {
  TempDir dir;
  const std::string db = dir.file("quantd.db");
  {
    Daemon first(db);  // migrates the new database
    REQUIRE(first.stop(SIGTERM) == 0);
  }
  constexpr int kBars = 1'000'000;
  seed_bars(db, "BIG", "1m", kBars);
  Daemon d(db);
  const int port = d.port();
  auto strategy = call(port, "POST", "/api/strategies",
                       {{"name", "Minute cross"},
                        {"script", "builtin:sma_cross"},
                        // Not 10/30: on these bars it wins every trade and all-in compounding
                        // overflows the ledger's int64 cash within a month.
                        {"params", {{"fast", 50}, {"slow", 400}}},
                        {"symbols", {"BIG"}},
                        {"interval", "1m"}});
  REQUIRE(strategy.status == 201);

  REQUIRE(quantd::reset_peak_resident(d.pid()));
  const std::size_t idle = *quantd::resident_bytes(d.pid());
  auto submitted = call(port, "POST", "/api/backtests", {{"strategy_id", strategy.body["id"]}});
  REQUIRE(submitted.status == 202);
  const std::int64_t id = submitted.body["id"];
  json done = wait_for(port, id, {"done", "failed"}, std::chrono::seconds(120));
  REQUIRE(done["status"] == "done");
  const std::size_t run_peak = *quantd::peak_resident_bytes(d.pid());
  {
    SQLite::Database conn(db, SQLite::OPEN_READONLY);
    SQLite::Statement q(conn,
                        "SELECT length(equity), length(trades) + length(orders) FROM "
                        "backtest_results WHERE backtest_id = ?");
    q.bind(1, id);
    REQUIRE(q.executeStep());
    MESSAGE("1M-bar run: curve " << q.getColumn(0).getInt64() << " bytes on disk, trades and "
                                 << "orders " << q.getColumn(1).getInt64()
                                 << " bytes; the run's peak RSS +" << (run_peak - idle) / 1'000'000
                                 << " MB over idle");
    CHECK(q.getColumn(0).getInt64() <= 20'000'000);
  }

  const std::string target = "/api/backtests/" + std::to_string(id) + "/equity";
  const Download alone = download(port, target);
  REQUIRE(alone.status == 200);
  CHECK(alone.objects == static_cast<std::size_t>(kBars));
  CAPTURE(alone.head);
  // to_chars's shortest form, as the old equity_json wrote it.
  CHECK(alone.head.rfind("[{\"ts\":1577923200000,\"equity\":1e+08,\"benchmark\":1e+08,", 0) == 0);

  REQUIRE(quantd::reset_peak_resident(d.pid()));
  const std::size_t before = *quantd::resident_bytes(d.pid());
  std::vector<Download> got(4);
  std::vector<std::thread> clients;
  for (auto& g : got) clients.emplace_back([&g, port, &target] { g = download(port, target); });
  for (auto& t : clients) t.join();
  const std::size_t peak = *quantd::peak_resident_bytes(d.pid());
  const std::size_t growth = peak > before ? peak - before : 0;
  MESSAGE("4 concurrent GETs of " << alone.body_bytes << " bytes each: daemon RSS "
                                  << before / 1'000'000 << " MB before, peak +"
                                  << growth / 1'000'000 << " MB");
  for (const Download& g : got) {
    CHECK(g.status == 200);
    CHECK(g.body_bytes == alone.body_bytes);
    CHECK(g.hash == alone.hash);
  }
  // The old daemon held each 100 MB text at least twice per request (2 GB for four).
  CHECK(growth < 120'000'000);
}

}  // namespace
