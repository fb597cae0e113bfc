// The KIS WebSocket accelerator (LIVE.md D5, §3.2 KisWs) end to end: quantd with kis.websocket
// on kis-mock's WebSocket. A fill notice settles an order before quantd's next cycle; a dropped
// session comes back and re-registers; PINGPONG is answered; and through it all the day's orders
// are the backtest's. With notices silenced (the paper caveat) nothing changes but the speed.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "kis_day.h"
#include "live_day.h"
#include "quantd/core/time.h"
#include "test_support.h"

using namespace quantd;
using namespace quantd::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr int k0900 = 9 * 60;

std::string kst(int minutes_since_midnight, int second) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-07-09T%02d:%02d:%02d+09:00", minutes_since_midnight / 60,
                minutes_since_midnight % 60, second);
  return buf;
}

std::int64_t kis_account(int port) {
  const json live = get(port, "/api/live");
  for (const json& a : live["accounts"]) {
    if (a["broker"] == "kis") return a["id"].get<std::int64_t>();
  }
  FAIL("no KIS account");
  return 0;
}

json push_of(int port, std::int64_t account) {
  return get(port, "/api/live/accounts/" + std::to_string(account))["push"];
}

// Waits (wall time) until `ok(push)` holds; returns the last push seen.
template <typename Pred>
json wait_push(int port, std::int64_t account, Pred ok, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  json push;
  while (std::chrono::steady_clock::now() < deadline) {
    push = push_of(port, account);
    if (ok(push)) return push;
    std::this_thread::sleep_for(50ms);
  }
  INFO("push: " << push.dump());
  FAIL("the WebSocket did not reach the expected state in time");
  return push;
}

std::string order_state(int port, std::int64_t order) {
  return get(port, "/api/live/orders/" + std::to_string(order))["state"].get<std::string>();
}

}  // namespace

TEST_CASE(
    "kis ws: fill notices settle orders between cycles; a drop reconnects; orders unchanged") {
  KisDay day({{"--ws-ping-s", "2"}, "", true});
  day.start_daemon(8 * 60 + 59);
  day.control("POST", "/_mock/clock", {{"ts", kst(8 * 60 + 59, 2)}});
  const std::int64_t id = day.go_live("ws", {"005930"});
  const std::int64_t account = kis_account(day.port());
  json push = wait_push(day.port(), account, [](const json& p) { return p["state"] == "up"; });
  CHECK(push["enabled"] == true);

  int fast_fills = 0;
  for (int t = k0900 + 1; t <= 11 * 60; ++t) {
    day.step_ok(t);
    if (t == k0900 + 1) {
      // Each scheduler minute brings the trade list to the running sessions' symbols.
      push = wait_push(day.port(), account, [](const json& p) { return p["subscribed"] == 2; });
      CHECK(push["watched"] == 1);  // the notices and 005930's trades
    }
    if (t == 10 * 60) {
      // A silent drop (no close frame): quantd reconnects after its 5 s backoff and registers
      // everything again, with a new approval key.
      day.control("POST", "/_mock/ws/drop");
      push = wait_push(day.port(), account, [](const json& p) {
        return p["connects"].get<int>() >= 2 && p["state"] == "up";
      });
      CHECK(push["subscribed"] == 2);
      continue;
    }
    if (fast_fills >= 2 || t >= 11 * 60) continue;
    // An order accepted in this minute's cycle fills at the next bar's open. Move only the mock
    // there: quantd's clock stands still, so no cycle runs, and only the notice can tell it.
    std::optional<std::int64_t> open;
    for (const json& o : sent_orders(day.port(), id)) {
      if (o["state"] == "accepted") open = o["id"].get<std::int64_t>();
    }
    if (!open) continue;
    day.control("POST", "/_mock/clock", {{"ts", kst(t + 1, 2)}});
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (order_state(day.port(), *open) != "filled" &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    CHECK(order_state(day.port(), *open) == "filled");
    ++fast_fills;
  }
  CHECK(fast_fills == 2);

  // The WebSocket changed when quantd learnt of fills, never what it sent.
  const json s = get(day.port(), "/api/live/sessions/" + std::to_string(id));
  const std::vector<json> sent = sent_orders(day.port(), id);
  const std::vector<BacktestOrder> expected =
      backtest_orders(day, "005930", format_seoul_date(ts_of(s["warmup_from"])),
                      format_seoul(ts_of(s["trade_from"])), "2026-07-09T11:00:00");
  REQUIRE(expected.size() >= 3);
  REQUIRE(sent.size() == expected.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CHECK(format_seoul(ts_of(sent[i]["decided_ts"])) == expected[i].decided);
    CHECK(sent[i]["side"] == expected[i].side);
    CHECK(sent[i]["quantity"] == expected[i].qty);
  }
  CHECK(day.mock_orders().size() == sent.size());  // none twice

  const json mock = day.control("GET", "/_mock/state");
  const json& ws = mock["ws"];
  CHECK(ws["sessions"].get<int>() >= 2);
  CHECK(ws["in_use"] == 0);
  CHECK(ws["pongs"].get<int>() >= 1);  // every PINGPONG echoed: no session dropped for silence
  CHECK(ws["drops"].get<int>() == 1);
  CHECK(ws["notices"].get<std::size_t>() >= sent.size());
  CHECK(ws["trades"].get<int>() > 60);
  push = push_of(day.port(), account);
  CHECK(push["notices"].get<int>() >= 2);
  CHECK(push["bad_frames"] == 0);
  REQUIRE(push["last_trades"].size() == 1);
  CHECK(push["last_trades"][0]["symbol"] == "005930");
  CHECK(push["last_trades"][0]["time"] == "105959");
  // Neither the approval key nor the HTS id reaches the log.
  const std::string log = day.daemon->log();
  CHECK(log.find("mockhtsid") == std::string::npos);
  REQUIRE(ws["approval_keys"].size() >= 2);  // one per session
  for (const json& key : ws["approval_keys"]) {
    CHECK(log.find(key.get<std::string>()) == std::string::npos);
  }
  CHECK(day.daemon->stop(SIGTERM) == 0);
}

TEST_CASE("kis ws: without notices (the paper caveat) and with a wrong HTS id, REST alone trades") {
  SUBCASE("notices silenced: fills arrive at the next cycle, orders unchanged") {
    KisDay day({{}, "", true});
    day.control("POST", "/_mock/config", {{"ws_notices", false}});
    day.start_daemon(8 * 60 + 59);
    day.control("POST", "/_mock/clock", {{"ts", kst(8 * 60 + 59, 2)}});
    const std::int64_t id = day.go_live("quiet", {"005930"});
    const std::int64_t account = kis_account(day.port());
    wait_push(day.port(), account, [](const json& p) { return p["state"] == "up"; });
    for (int t = k0900 + 1; t <= 10 * 60; ++t) day.step_ok(t);
    const std::vector<json> sent = sent_orders(day.port(), id);
    REQUIRE(sent.size() >= 2);
    for (std::size_t i = 0; i + 1 < sent.size(); ++i) CHECK(sent[i]["state"] == "filled");
    CHECK(day.control("GET", "/_mock/state")["ws"]["notices"] == 0);
    CHECK(day.daemon->stop(SIGTERM) == 0);
  }
  SUBCASE("the mock drops a registration under another HTS id; quantd backs off, trades on REST") {
    KisDay day({{"--hts-id", "someoneelse"}, "", true});
    day.start_daemon(8 * 60 + 59);
    day.control("POST", "/_mock/clock", {{"ts", kst(8 * 60 + 59, 2)}});
    const std::int64_t id = day.go_live("rest", {"005930"});
    const std::int64_t account = kis_account(day.port());
    const json push =
        wait_push(day.port(), account, [](const json& p) { return p["state"] == "down"; });
    CHECK(push["reason"].get<std::string>().find("dropped") != std::string::npos);
    for (int t = k0900 + 1; t <= 9 * 60 + 40; ++t) day.step_ok(t);
    const std::vector<json> sent = sent_orders(day.port(), id);
    REQUIRE(sent.size() >= 2);
    for (std::size_t i = 0; i + 1 < sent.size(); ++i) CHECK(sent[i]["state"] == "filled");
    // Backoff: a few attempts, never a loop (5 s doubling to 60 s).
    CHECK(day.control("GET", "/_mock/state")["ws"]["sessions"].get<int>() <= 6);
    CHECK(day.daemon->stop(SIGTERM) == 0);
  }
}
