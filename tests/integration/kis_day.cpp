#include "kis_day.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "live_day.h"
#include "quantd/core/time.h"

namespace quantd::testing {

using nlohmann::json;
using namespace std::chrono_literals;

const char* const kSharesScript = R"(# A fast golden cross in whole shares, for the KIS tests
param fast = 3
param slow = 12
let f = sma(close, fast)
let s = sma(close, slow)
buy  when crossover(f, s)
sell when crossunder(f, s)
size 10 shares
)";

namespace {

const std::map<std::string, std::string> kJson = {{"Content-Type", "application/json"}};

// 000660: every price p of 005930 becomes 142,000 − p (high and low swap).
std::string mirrored(const std::string& csv) {
  std::istringstream in(csv);
  std::ostringstream out;
  std::string line;
  std::getline(in, line);
  out << line << '\n';
  while (std::getline(in, line)) {
    char ts[32];
    double o, h, l, c;
    long v;
    if (std::sscanf(line.c_str(), "%31[^,],%lf,%lf,%lf,%lf,%ld", ts, &o, &h, &l, &c, &v) != 6) {
      continue;
    }
    char row[128];
    std::snprintf(row, sizeof row, "%s,%.0f,%.0f,%.0f,%.0f,%ld\n", ts, 142000 - o, 142000 - l,
                  142000 - h, 142000 - c, v);
    out << row;
  }
  return out.str();
}

}  // namespace

std::string kis_prices_csv(const std::string& symbol) {
  return symbol == "000660" ? mirrored(bars_csv()) : bars_csv();
}

std::string kis_history_csv(const std::string& symbol) {
  std::istringstream in(kis_prices_csv(symbol));
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("2026-07-09", 0) != 0) out << line << '\n';
  }
  return out.str();
}

KisDay::KisDay(const KisDayOptions& options) {
  std::vector<std::string> flags{
      "--env",  "virtual",  "--bar-visible", "end", "--clock", "2026-07-09T08:55:00",
      "--cash", "10000000", "--rate-limit",  "20"};
  for (const std::string symbol : {"005930", "000660"}) {
    box.write(symbol + ".csv", kis_prices_csv(symbol));
    box.write(symbol + "-history.csv", kis_history_csv(symbol));
    REQUIRE(box.quantd("import-bars",
                       "--db q.db --symbol " + symbol + " --interval 1m " + symbol + "-history.csv")
                .exit_code == 0);
    flags.push_back("--prices");
    flags.push_back(symbol + "=" + box.file(symbol + ".csv"));
  }
  box.write("cross.qs", kSharesScript);
  flags.insert(flags.end(), options.mock_flags.begin(), options.mock_flags.end());
  mock = std::make_unique<kis_mock::test::MockProcess>(flags, false);
  std::string ws;
  if (options.websocket) {
    ws = "websocket = true\nhts_id = \"mockhtsid\"\nws_url = \"" +
         control("GET", "/_mock/state")["ws"]["url"].get<std::string>() +
         "\"\nws_idle_s = " + std::to_string(options.ws_idle_s) + "\n";
  }
  box.write("quantd.toml", "[kis]\nenvironment = \"paper\"\nrest_url = \"http://127.0.0.1:" +
                               std::to_string(mock->port()) + "\"\nrate_limit_per_s = 18\n" + ws +
                               "[live]\nbroker = \"kis\"\nfeed = \"kis\"\nunknown_settle_s = 5\n" +
                               options.config_extra);
  setenv("QUANTD_KIS_APP_KEY", kis_mock::test::kAppKey.c_str(), 1);
  setenv("QUANTD_KIS_APP_SECRET", kis_mock::test::app_secret().c_str(), 1);
  setenv("QUANTD_KIS_ACCOUNT", "50123456-01", 1);
}

KisDay::~KisDay() {
  unsetenv("QUANTD_KIS_APP_KEY");
  unsetenv("QUANTD_KIS_APP_SECRET");
  unsetenv("QUANTD_KIS_ACCOUNT");
}

json KisDay::control(const std::string& method, const std::string& path, const json& body) {
  auto r = http_request(mock->port(), method, path, body.is_null() ? "" : body.dump(), kJson);
  INFO(method << ' ' << path << " → " << r.status << ' ' << r.body);
  REQUIRE(r.status / 100 == 2);
  return json::parse(r.body);
}

std::vector<json> KisDay::mock_orders() {
  std::vector<json> out;
  const json all = control("GET", "/_mock/orders");
  for (const json& o : all["orders"]) {
    if (o["kind"] == "order") out.push_back(o);
  }
  return out;
}

void KisDay::start_daemon(int boundary, const std::string& crash_at) {
  std::vector<std::string> flags{"--config", box.file("quantd.toml"),
                                 "--debug-clock=2026-07-09T" + hhmm(boundary) + ":02+09:00"};
  if (!crash_at.empty()) {
    setenv("QUANTD_CRASH_AT", crash_at.c_str(), 1);
    flags.push_back("--debug-crash");
  }
  daemon = std::make_unique<Daemon>(box.file("q.db"), flags);
  unsetenv("QUANTD_CRASH_AT");
  ++starts;
}

KisDay::Step KisDay::step(int boundary) {
  const std::string ts = "2026-07-09T" + hhmm(boundary) + ":02+09:00";
  control("POST", "/_mock/clock", {{"ts", ts}});
  auto moved = http_request(daemon->port(), "POST", "/api/debug/clock", json{{"ts", ts}}.dump());
  if (moved.status == 0) return Step::kDiedAnswering;
  REQUIRE(moved.status == 200);
  const std::string minute = "2026-07-09T" + hhmm(boundary - 1) + ":00";
  for (int i = 0; i < 8000; ++i) {  // 40 s: a slow answer is 8 s, a resolution a few reads
    auto c = http_request(daemon->port(), "GET", "/api/live/cycles/latest");
    if (c.status == 0) return Step::kDiedInCycle;
    if (c.status == 200 && json::parse(c.body)["minute_seoul"] == minute) return Step::kDone;
    std::this_thread::sleep_for(5ms);
  }
  FAIL("the cycle of " << minute << " did not finish:\n" << daemon->log());
  return Step::kDone;
}

void KisDay::step_ok(int boundary) {
  CAPTURE(hhmm(boundary));
  REQUIRE(step(boundary) == Step::kDone);
}

std::int64_t KisDay::go_live(const std::string& name, const std::vector<std::string>& symbols,
                             std::int64_t capital, const std::string& script) {
  const json strategy{{"name", name}, {"script", script}, {"symbols", symbols}, {"interval", "1m"}};
  auto created = http_request(port(), "POST", "/api/strategies", strategy.dump());
  REQUIRE(created.status == 201);
  const std::int64_t strategy_id = json::parse(created.body)["id"];
  auto activated =
      http_request(port(), "POST", "/api/strategies/" + std::to_string(strategy_id) + "/activate",
                   json{{"broker", "kis"}, {"capital", capital}}.dump());
  REQUIRE_MESSAGE(activated.status == 202, activated.body);
  const std::int64_t id = json::parse(activated.body)["id"];
  wait_session(id, "active");
  return id;
}

void KisDay::wait_session(std::int64_t id, const std::string& state) {
  json s;
  for (int i = 0; i < 3000; ++i) {
    s = get(port(), "/api/live/sessions/" + std::to_string(id));
    if (s["state"] == state) return;
    std::this_thread::sleep_for(10ms);
  }
  FAIL("session " << id << " never became " << state << ": " << s.dump());
}

std::vector<BacktestOrder> backtest_orders(KisDay& day, const std::string& symbol,
                                           const std::string& warmup_from,
                                           const std::string& trade_from,
                                           const std::string& until) {
  const std::string db = "bt-" + symbol + ".db";
  REQUIRE(day.box
              .quantd("import-bars",
                      "--db " + db + " --symbol " + symbol + " --interval 1m " + symbol + ".csv")
              .exit_code == 0);
  RunResult bt = day.box.quantd("backtest", "--db " + db + " --strategy cross.qs --symbol " +
                                                symbol + " --interval 1m --cash 5000000 --from " +
                                                warmup_from + " --to 2026-07-09 --trade-from " +
                                                trade_from + " --orders-csv bt.csv");
  INFO(bt.err);
  REQUIRE(bt.exit_code == 0);
  std::vector<BacktestOrder> out;
  std::istringstream in(read_file(day.box.dir / "bt.csv"));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) f.push_back(cell);
    REQUIRE(f.size() >= 6);
    const TimestampMs decided = *parse_timestamp(f[0]);
    if (format_seoul(decided) >= until) continue;
    out.push_back({format_seoul(decided), f[2], std::stoll(f[5])});
  }
  return out;
}

std::vector<json> sent_orders(int port, std::int64_t session) {
  const json orders =
      get(port, "/api/live/sessions/" + std::to_string(session) + "/orders?limit=10000");
  std::vector<json> out;
  for (auto it = orders.rbegin(); it != orders.rend(); ++it) {
    if ((*it)["state"] != "not_placed" && (*it)["state"] != "denied") out.push_back(*it);
  }
  return out;
}

}  // namespace quantd::testing
