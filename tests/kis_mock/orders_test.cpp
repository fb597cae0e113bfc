// Over HTTP: order acceptance rules (tick, band, quantity, cash, hours), fills from the bars as
// the mock clock moves, revise/cancel, HTS orders, and ccld_lag_s.
#include <doctest/doctest.h>

#include "mock_process.h"

namespace quantd::kis_mock::test {
namespace {

std::string msg_cd(const Reply& r) { return body(r)["msg_cd"].get<std::string>(); }

TEST_CASE("limit prices off the tick grid or outside the daily band are refused") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:10");
  CHECK(msg_cd(kis.order("buy", 1, 72050)) == "MOCK0003");  // tick 100 at 72,050
  CHECK(msg_cd(kis.order("buy", 1, 93700)) == "MOCK0004");  // upper limit 93,600
  CHECK(msg_cd(kis.order("buy", 1, 50300)) == "MOCK0004");  // lower limit 50,400
  CHECK(msg_cd(kis.order("buy", 1, 93600)) == "APBK0013");
  CHECK(msg_cd(kis.order("buy", 1, 50400)) == "APBK0013");
  CHECK(msg_cd(kis.order("buy", 0, 72000)) == "MOCK0002");
  CHECK(msg_cd(kis.order("sell", 1, 72000)) == "MOCK0005");  // nothing held
  CHECK(msg_cd(kis.order("buy", 1, 72000, "00", "999999")) == "APBK0656");
  CHECK(msg_cd(kis.order("buy", 1, 0, "05")) == "MOCK0007");
  // Cash: a market buy reserves at the upper limit (PROTOCOL §4.4): 106 × 93,600 > 9.9 M.
  CHECK(msg_cd(kis.order("buy", 106, 0, "01")) == "APBK0952");
  CHECK(msg_cd(kis.order("buy", 106, 72000)) == "APBK0013");
  const Reply rejected = kis.order("buy", 1000, 72000);
  CHECK(rejected.status == 200);
  CHECK(body(rejected)["rt_cd"] == "1");
  CHECK(body(rejected)["msg1"] == "주문가능금액을 초과 했습니다");
  const json orders = kis.control("GET", "/_mock/orders");
  CHECK(orders["orders"].size() == 3);
  REQUIRE(orders["rejected"].size() == 9);
  CHECK(orders["rejected"][0]["msg_cd"] == "MOCK0003");
  CHECK(orders["rejected"][0]["stage"] == "order");
  CHECK(orders["rejected"][0]["request"]["ORD_UNPR"] == "72050");
}

TEST_CASE("outside 09:00–15:30 paper orders are refused with 40580000") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  const Reply early = kis.order("buy", 1, 72000);  // 08:55
  CHECK(msg_cd(early) == "40580000");
  CHECK(body(early)["msg1"] == "모의투자 장종료 입니다.");
  kis.clock("2026-07-09T15:29:59");
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "APBK0013");
  kis.clock("2026-07-09T15:30:00");
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "40580000");
  kis.clock("2026-07-11T10:00:00");  // a Saturday, two days on: the token has expired
  REQUIRE(kis.issue_token().status == 200);
  CHECK(msg_cd(kis.order("buy", 1, 72000)) == "40580000");
  const json rejected = kis.control("GET", "/_mock/orders")["rejected"];
  CHECK(rejected.size() == 3);
  CHECK(rejected[2]["msg_cd"] == "40580000");
  // The clock never goes backwards.
  const Reply back =
      http::test::fetch(kis.port, "POST", "/_mock/clock", R"({"ts": "2026-07-09T10:00:00+09:00"})");
  CHECK(back.status == 409);
}

TEST_CASE("fills from bars: market at the next open, limits on trade-through, partial by volume") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:30");
  // A market buy mid-09:00 fills at 09:01's open (72,100) once the clock gets there.
  REQUIRE(msg_cd(kis.order("buy", 5, 0, "01")) == "APBK0013");
  CHECK(kis.control("GET", "/_mock/state")["holdings"].empty());
  json moved = kis.clock("2026-07-09T09:01:00");
  REQUIRE(moved["fills"].size() == 1);
  CHECK(moved["fills"][0]["price"] == 72100);
  CHECK(moved["fills"][0]["qty"] == 5);
  // A limit buy at 71,900: 09:02–09:04 only touch it; 09:05 trades through (low 71,800) but has
  // 4 shares; 09:08 fills the other 6.
  kis.clock("2026-07-09T09:01:30");
  const Reply limit = kis.order("buy", 10, 71900);
  const std::string odno = body(limit)["output"]["ODNO"];
  CHECK(kis.clock("2026-07-09T09:05:59")["fills"].empty());
  moved = kis.clock("2026-07-09T09:06:00");
  REQUIRE(moved["fills"].size() == 1);
  CHECK(moved["fills"][0]["qty"] == 4);
  CHECK(moved["fills"][0]["price"] == 71900);
  json row = body(kis.ccld())["output1"][0];
  CHECK(row["odno"] == odno);
  CHECK(row["tot_ccld_qty"] == "4");
  CHECK(row["rmn_qty"] == "6");
  moved = kis.clock("2026-07-09T09:09:00");
  REQUIRE(moved["fills"].size() == 1);
  CHECK(moved["fills"][0]["qty"] == 6);
  row = body(kis.ccld())["output1"][0];
  CHECK(row["tot_ccld_qty"] == "10");
  CHECK(row["avg_prvs"] == "71900");
  CHECK(row["rmn_qty"] == "0");

  // A market sale pays commission and the 2026 transaction tax (0.20 %).
  kis.clock("2026-07-09T09:09:10");
  REQUIRE(msg_cd(kis.order("sell", 3, 0, "01")) == "APBK0013");
  moved = kis.clock("2026-07-09T09:10:00");
  REQUIRE(moved["fills"].size() == 1);
  CHECK(moved["fills"][0]["price"] == 72000);
  CHECK(moved["fills"][0]["tax"] == 72000 * 3 * 2 / 1000);
  CHECK(moved["fills"][0]["commission"] == 72000 * 3 * 140527LL / 1'000'000'000);

  const json state = kis.control("GET", "/_mock/state");
  CHECK(state["holdings"]["005930"]["qty"] == 12);
  const std::int64_t cost = 5 * 72100 + 50 + 10 * 71900 + 40 + 60;  // fees per fill
  const std::int64_t proceeds = 3 * 72000 - 30 - 432;
  CHECK(state["cash"] == 10'000'000 - cost + proceeds);
  CHECK(state["fills"].size() == 4);
  const json balance = body(kis.get("VTTC8434R", balance_query()));
  CHECK(balance["output2"][0]["dnca_tot_amt"] == "10000000");  // T+2: nothing settled yet
  CHECK(balance["output2"][0]["prvs_rcdl_excc_amt"] ==
        std::to_string(10'000'000 - cost + proceeds));
  CHECK(balance["output2"][0]["thdt_tlex_amt"] == std::to_string(50 + 40 + 60 + 30 + 432));
  CHECK(balance["output1"][0]["thdt_buyqty"] == "15");
  CHECK(balance["output1"][0]["thdt_sll_qty"] == "3");
}

TEST_CASE("revise and cancel are their own rows; the remainder's reservation is released") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:30");
  const Reply placed = kis.order("buy", 10, 60000);
  const std::string odno = body(placed)["output"]["ODNO"];
  const std::int64_t before = kis.control("GET", "/_mock/state")["cash_detail"]["orderable"];
  const json revise = {
      {"CANO", "50123456"}, {"ACNT_PRDT_CD", "01"}, {"KRX_FWDG_ORD_ORGNO", "91252"},
      {"ORGN_ODNO", odno},  {"ORD_DVSN", "00"},     {"RVSE_CNCL_DVSN_CD", "01"},
      {"ORD_QTY", "0"},     {"ORD_UNPR", "61000"},  {"QTY_ALL_ORD_YN", "Y"}};
  const Reply revised = kis.post("VTTC0013U", kRvsecncl, revise);
  REQUIRE(msg_cd(revised) == "APBK0013");
  const std::string new_odno = body(revised)["output"]["ODNO"];
  CHECK(new_odno != odno);
  json cancel = revise;
  cancel["ORGN_ODNO"] = new_odno;
  cancel["RVSE_CNCL_DVSN_CD"] = "02";
  cancel["ORD_UNPR"] = "0";
  REQUIRE(msg_cd(kis.post("VTTC0013U", kRvsecncl, cancel)) == "APBK0013");
  CHECK(msg_cd(kis.post("VTTC0013U", kRvsecncl, cancel)) == "MOCK0006");  // nothing left
  const json rows = body(kis.ccld())["output1"];
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["orgn_odno"] == new_odno);
  CHECK(rows[0]["cncl_yn"] == "Y");
  CHECK(rows[0]["sll_buy_dvsn_cd_name"] == "매수취소");
  CHECK(rows[1]["odno"] == new_odno);
  CHECK(rows[1]["orgn_odno"] == odno);
  CHECK(rows[1]["ord_unpr"] == "61000");
  CHECK(rows[1]["cnc_cfrm_qty"] == "10");
  CHECK(rows[1]["rmn_qty"] == "0");
  const json state = kis.control("GET", "/_mock/state");
  CHECK(state["cash_detail"]["orderable"].get<std::int64_t>() == before + 600000 + 84);
  CHECK(state["open_orders"] == 0);
}

TEST_CASE("orders from HTS go to the same book; ccld_lag_s hides new orders for a while") {
  MockProcess mock({"--ccld-lag-s", "20"});
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:30");
  const json hts = kis.control("POST", "/_mock/order",
                               {{"side", "buy"}, {"pdno", "005930"}, {"qty", 3}, {"price", 60000}});
  CHECK(hts["rt_cd"] == "0");
  REQUIRE(msg_cd(kis.order("buy", 3, 60000)) == "APBK0013");
  CHECK(body(kis.ccld())["output1"].empty());
  kis.clock("2026-07-09T09:00:49");
  CHECK(body(kis.ccld())["output1"].empty());
  kis.clock("2026-07-09T09:00:50");
  const json rows = body(kis.ccld())["output1"];
  REQUIRE(rows.size() == 2);
  CHECK(rows[0]["ordr_empno"] == "OpnAPI");
  CHECK(rows[1]["ordr_empno"] == "HTS");
  const json orders = kis.control("GET", "/_mock/orders")["orders"];
  CHECK(orders[0]["source"] == "hts");
  CHECK(orders[1]["source"] == "api");
  CHECK(orders[1]["tr_id"] == "VTTC0012U");
}

}  // namespace
}  // namespace quantd::kis_mock::test
