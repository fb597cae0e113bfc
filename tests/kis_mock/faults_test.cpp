// Over HTTP: the rate limit and every fault switch of POST /_mock/faults (LIVE.md §12).
#include <doctest/doctest.h>

#include <thread>

#include "mock_process.h"

namespace quantd::kis_mock::test {
namespace {

using namespace std::chrono_literals;

json example(const std::string& name) {
  return json::parse(
      quantd::testing::read_file(std::string(QUANTD_SHARED_DIR) + "/kis/examples/" + name));
}

std::string msg_cd(const Reply& r) { return body(r)["msg_cd"].get<std::string>(); }

TEST_CASE("the per-appkey bucket answers HTTP 500 EGW00201 and counts rate_limit_hits") {
  MockProcess mock({"--rate-limit", "2"});
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);  // tokenP counts too
  std::this_thread::sleep_for(1100ms);
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
  const Reply limited = kis.get("FHKST01010100", price_query());
  CHECK(limited.status == 500);
  CHECK(body(limited) == example("10_error_rate_limit.json"));
  CHECK(limited.header("tr_id") == "FHKST01010100");
  std::this_thread::sleep_for(600ms);  // 1.2 tokens back
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
  const json state = kis.control("GET", "/_mock/state");
  CHECK(state["rate_limit_hits"] == 1);
  CHECK(state["calls_by_tr_id"]["FHKST01010100"] == 4);  // refused calls are counted too
}

TEST_CASE("rate_limit_next, http_500_next and error_next refuse calls without processing them") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:10");
  kis.control("POST", "/_mock/faults", {{"rate_limit_next", 2}});
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "EGW00201");
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "EGW00201");
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "APBK0013");
  kis.control("POST", "/_mock/faults", {{"http_500_next", {{"count", 1}, {"call", "order-cash"}}}});
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);  // not in scope
  const Reply failed = kis.order("buy", 1, 72000);
  CHECK(failed.status == 500);
  CHECK(msg_cd(failed) == "EGW00002");
  // EGW00215 (the balance ledger limit) hits inquire-balance unless told otherwise.
  kis.control("POST", "/_mock/faults", {{"error_next", {{"msg_cd", "EGW00215"}, {"count", 2}}}});
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
  for (int i = 0; i < 2; ++i) {
    const Reply r = kis.get("VTTC8434R", balance_query());
    CHECK(r.status == 500);
    CHECK(msg_cd(r) == "EGW00215");
  }
  CHECK(kis.get("VTTC8434R", balance_query()).status == 200);
  kis.control("POST", "/_mock/faults", {{"reject_next_order", "APBK0919"}});
  const Reply refused = kis.order("buy", 1, 72000);
  CHECK(refused.status == 200);
  CHECK(body(refused)["rt_cd"] == "1");
  CHECK(msg_cd(refused) == "APBK0919");
  const json state = kis.control("GET", "/_mock/state");
  CHECK(state["orders"] == 1);
  CHECK(state["rate_limit_hits"] == 2);
  CHECK(state["counters"]["injected_errors"] == 3);
  CHECK(state["faults"].empty());
  const json rejected = kis.control("GET", "/_mock/orders")["rejected"];
  REQUIRE(rejected.size() == 4);
  CHECK(rejected[0]["stage"] == "gateway");
  CHECK(rejected[3]["stage"] == "fault");
  // Unknown fault names are refused, so a typo never passes silently.
  CHECK(http::test::fetch(kis.port, "POST", "/_mock/faults", R"({"acept_then_drop": 1})").status ==
        400);
}

TEST_CASE("accept_then_drop books the order and closes the connection unanswered") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:10");
  kis.control("POST", "/_mock/faults", {{"accept_then_drop", {{"count", 1}, {"call", "buy"}}}});
  const Reply dropped = kis.order("buy", 7, 72000);
  CHECK_FALSE(dropped.ok);  // EOF: no status line came back
  const json orders = kis.control("GET", "/_mock/orders")["orders"];
  REQUIRE(orders.size() == 1);
  CHECK(orders[0]["delivery"] == "dropped");
  CHECK(orders[0]["qty"] == 7);
  const json rows = body(kis.ccld())["output1"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["odno"] == orders[0]["odno"]);
  CHECK(rows[0]["ord_qty"] == "7");
  // The fault is spent: the next order is answered.
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "APBK0013");
  CHECK(kis.control("GET", "/_mock/state")["counters"]["dropped"] == 1);
}

TEST_CASE("drop_next closes the connection before anything is booked") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:10");
  kis.control("POST", "/_mock/faults", {{"drop_next", 1}, {"call", "order-cash"}});
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
  CHECK_FALSE(kis.order("buy", 1, 72000).ok);
  CHECK(kis.control("GET", "/_mock/orders")["orders"].empty());
  CHECK(body(kis.ccld())["output1"].empty());
  // Any call when no scope is given, e.g. a chart fetch (LT-29).
  kis.control("POST", "/_mock/faults", {{"drop_next", 1}});
  CHECK_FALSE(kis.get("FHKST03010200", minute_query("090000")).ok);
  CHECK(kis.get("FHKST03010200", minute_query("090000")).status == 200);
}

TEST_CASE("accept_then_delay_s books at once and answers late; delay_next_s delays any call") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:10");
  kis.control("POST", "/_mock/faults", {{"accept_then_delay_s", 1}});
  Reply late;
  const auto t0 = std::chrono::steady_clock::now();
  std::thread caller([&] { late = kis.order("buy", 2, 72000); });
  std::this_thread::sleep_for(300ms);
  // Booked while the answer is still held back; other calls are served meanwhile.
  const json orders = kis.control("GET", "/_mock/orders")["orders"];
  caller.join();
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(orders.size() == 1);
  CHECK(orders[0]["delivery"] == "delayed");
  CHECK(orders[0]["delay_s"] == 1.0);
  REQUIRE(late.ok);
  CHECK(msg_cd(late) == "APBK0013");
  CHECK(body(late)["output"]["ODNO"] == orders[0]["odno"]);
  CHECK(waited >= 0.95);
  kis.control("POST", "/_mock/faults", {{"delay_next_s", 0.5}});
  const auto t1 = std::chrono::steady_clock::now();
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count() >= 0.45);
}

}  // namespace
}  // namespace quantd::kis_mock::test
