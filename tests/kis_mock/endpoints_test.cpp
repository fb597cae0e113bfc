// Over HTTP: every endpoint's envelope and field names against shared/kis/examples, the paging of
// inquire-daily-ccld and inquire-balance (PROTOCOL §3.4), and minute-bar visibility (LT-28).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>

#include "mock_process.h"

namespace quantd::kis_mock::test {
namespace {

using ojson = nlohmann::ordered_json;

ojson example(const std::string& name) {
  return ojson::parse(
      quantd::testing::read_file(std::string(QUANTD_SHARED_DIR) + "/kis/examples/" + name));
}

ojson obody(const Reply& r) { return ojson::parse(r.body, nullptr, false); }

std::vector<std::string> keys(const ojson& object) {
  std::vector<std::string> out;
  for (const auto& [k, v] : object.items()) out.push_back(k);
  return out;
}

// Same keys in the same order, at the top and in output/output1/output2 (first rows).
void check_shape(const ojson& got, const ojson& want) {
  CHECK(keys(got) == keys(want));
  for (const char* part : {"output", "output1", "output2"}) {
    if (!want.contains(part)) continue;
    INFO(part);
    REQUIRE(got.contains(part));
    const ojson& w = want[part];
    const ojson& g = got[part];
    REQUIRE(g.type() == w.type());
    if (w.is_object()) CHECK(keys(g) == keys(w));
    if (w.is_array() && !w.empty()) {
      REQUIRE_FALSE(g.empty());
      CHECK(keys(g[0]) == keys(w[0]));
    }
  }
  CHECK(got["rt_cd"] == want["rt_cd"]);
  CHECK(got["msg_cd"] == want["msg_cd"]);
  CHECK(got["msg1"] == want["msg1"]);
}

TEST_CASE("each endpoint's envelope and field names match the examples") {
  MockProcess mock({"--holding", "005930=10@70000"});
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:10:30");

  const Reply price = kis.get("FHKST01010100", price_query());
  check_shape(obody(price), example("02_inquire_price.json"));
  CHECK(obody(price)["output"]["stck_sdpr"] == "72000");
  CHECK(obody(price)["output"]["stck_mxpr"] == "93600");
  CHECK(obody(price)["output"]["stck_llam"] == "50400");
  CHECK(obody(price)["output"]["rstc_wdth_prc"] == "21600");
  CHECK(obody(price)["output"]["aspr_unit"] == "100");
  CHECK(obody(price)["output"]["stck_prpr"] == "72000");  // 09:10's opening print

  const Reply daily = kis.get("FHKST03010100", kDaily + query({{"FID_COND_MRKT_DIV_CODE", "J"},
                                                               {"FID_INPUT_ISCD", "005930"},
                                                               {"FID_INPUT_DATE_1", "20260101"},
                                                               {"FID_INPUT_DATE_2", "20260709"},
                                                               {"FID_PERIOD_DIV_CODE", "D"},
                                                               {"FID_ORG_ADJ_PRC", "0"}}));
  check_shape(obody(daily), example("03_daily_chart.json"));
  const ojson days = obody(daily)["output2"];
  REQUIRE(days.size() == 2);
  CHECK(days[0]["stck_bsop_date"] == "20260709");  // newest first, today so far
  CHECK(days[1]["stck_bsop_date"] == "20260708");
  CHECK(days[1]["stck_clpr"] == "72000");

  const Reply minute = kis.get("FHKST03010200", minute_query("091030"));
  check_shape(obody(minute), example("04_minute_chart.json"));
  CHECK(obody(minute)["output2"].size() == 10);

  const Reply ok = kis.order("buy", 10, 72000);
  check_shape(obody(ok), example("05_order_cash_ok.json"));
  CHECK(obody(ok)["output"]["ODNO"].get<std::string>().size() == 10);
  CHECK(obody(ok)["output"]["ORD_TMD"] == "091030");
  const Reply fail = kis.order("buy", 1000, 72000);
  CHECK(fail.status == 200);
  check_shape(obody(fail), example("06_order_cash_fail.json"));
  // An open sell so ccld has both kinds of rows.
  REQUIRE(obody(kis.order("sell", 5, 73000))["rt_cd"] == "0");
  kis.clock("2026-07-09T09:12:00");

  const Reply balance = kis.get("VTTC8434R", balance_query());
  check_shape(obody(balance), example("07_balance.json"));
  CHECK(balance.header("tr_cont") == "D");
  CHECK(obody(balance)["output1"][0]["hldg_qty"] == "20");
  CHECK(obody(balance)["output1"][0]["ord_psbl_qty"] == "15");

  const Reply ccld = kis.ccld();
  check_shape(obody(ccld), example("08_daily_ccld.json"));
  CHECK(ccld.header("tr_cont") == "D");
  CHECK(obody(ccld)["ctx_area_fk100"] == example("08_daily_ccld.json")["ctx_area_fk100"]);

  const Reply psbl = kis.get("VTTC8908R", kPsbl + query({{"CANO", "50123456"},
                                                         {"ACNT_PRDT_CD", "01"},
                                                         {"PDNO", "005930"},
                                                         {"ORD_UNPR", "72000"},
                                                         {"ORD_DVSN", "00"},
                                                         {"CMA_EVLU_AMT_ICLD_YN", "N"},
                                                         {"OVRS_ICLD_YN", "N"}}));
  check_shape(obody(psbl), example("09_psbl_order.json"));
}

TEST_CASE("inquire-daily-ccld pages 40 orders 15 at a time, echoing the keys byte for byte") {
  MockProcess mock({"--ccld-page-size", "15"});
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:00:30");
  std::vector<std::string> placed;
  for (int i = 0; i < 40; ++i) {
    const Reply r = kis.order("buy", 1, 60000);  // rests: far below the market
    REQUIRE(obody(r)["rt_cd"] == "0");
    placed.push_back(obody(r)["output"]["ODNO"]);
  }
  std::vector<std::string> seen, flags;
  Reply page = kis.ccld();
  for (int n = 0; n < 5; ++n) {
    REQUIRE(page.status == 200);
    const ojson b = obody(page);
    REQUIRE(b["rt_cd"] == "0");
    flags.push_back(page.header("tr_cont"));
    CHECK(b["ctx_area_fk100"].get<std::string>().size() == 100);
    CHECK(b["ctx_area_nk100"].get<std::string>().size() == 100);
    CHECK(b["msg_cd"] == (flags.back() == "E" ? "KIOK0510" : "KIOK0500"));
    for (const auto& row : b["output1"]) seen.push_back(row["odno"]);
    if (flags.back() != "F" && flags.back() != "M") break;
    page = kis.ccld("N", b["ctx_area_fk100"], b["ctx_area_nk100"]);
  }
  CHECK(flags == std::vector<std::string>{"F", "M", "E"});
  std::reverse(placed.begin(), placed.end());  // INQR_DVSN 00: newest first
  CHECK(seen == placed);

  // Keys that are not echoed exactly are refused.
  const ojson first = obody(kis.ccld());
  std::string trimmed = first["ctx_area_nk100"];
  trimmed.erase(trimmed.find_last_not_of(' ') + 1);
  const Reply bad = kis.ccld("N", first["ctx_area_fk100"], trimmed);
  CHECK(bad.status == 200);
  CHECK(obody(bad)["msg_cd"] == "OPSQ2001");
  CHECK(obody(bad)["msg1"] == "ERROR : INPUT INVALID_CHECK_CTX_AREA_NK100");
  // Filters: unfilled only (all 40), one page's worth of output2 totals over all rows.
  const ojson unfilled = obody(kis.ccld("", "", "", "02"));
  CHECK(unfilled["output1"].size() == 15);
  CHECK(unfilled["output2"]["tot_ord_qty"] == "40");
}

TEST_CASE("inquire-balance pages by --balance-page-size and keeps the totals") {
  quantd::testing::TempDir dir;
  const std::string b = dir.file("b.csv");
  {
    std::ofstream out(b);
    out << "ts,open,high,low,close,volume\n2026-07-09T09:00:00,10000,10000,10000,10000,100\n";
  }
  MockProcess mock({"--prices", "000660=" + b, "--holding", "005930=3@70000", "--holding",
                    "000660=2@10000", "--balance-page-size", "1"});
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  const Reply p1 = kis.get("VTTC8434R", balance_query());
  CHECK(p1.header("tr_cont") == "F");
  const ojson b1 = obody(p1);
  REQUIRE(b1["output1"].size() == 1);
  CHECK(b1["output1"][0]["pdno"] == "000660");
  CHECK(b1["output2"][0]["pchs_amt_smtl_amt"] == "230000");
  const Reply p2 =
      kis.get("VTTC8434R", balance_query(b1["ctx_area_fk100"], b1["ctx_area_nk100"]), "N");
  CHECK(p2.header("tr_cont") == "E");
  CHECK(obody(p2)["output1"][0]["pdno"] == "005930");
}

TEST_CASE("minute bars: --bar-visible end hides the current minute, start shows what has traded") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.clock("2026-07-09T09:04:30");
  ojson rows = obody(kis.get("FHKST03010200", minute_query("090400")))["output2"];
  REQUIRE(rows.size() == 4);
  CHECK(rows[0]["stck_cntg_hour"] == "090300");
  CHECK(rows[3]["stck_cntg_hour"] == "090000");
  // A future time means now; today only, at most 30 rows.
  CHECK(obody(kis.get("FHKST03010200", minute_query("153000")))["output2"].size() == 4);
  kis.control("POST", "/_mock/config", {{"bar_visible", "start"}});
  rows = obody(kis.get("FHKST03010200", minute_query("090400")))["output2"];
  REQUIRE(rows.size() == 5);
  CHECK(rows[0]["stck_cntg_hour"] == "090400");
  CHECK(rows[0]["stck_oprc"] == "72000");
  CHECK(rows[0]["stck_hgpr"] == "72000");  // only the opening print so far
  CHECK(rows[0]["stck_prpr"] == "72000");
  CHECK(rows[0]["cntg_vol"] == "500");  // half the minute
  kis.clock("2026-07-09T11:00:00");
  rows = obody(kis.get("FHKST03010200", minute_query("110000")))["output2"];
  CHECK(rows.size() == 30);
  CHECK(rows[29]["stck_cntg_hour"] == "103100");
  const ojson state = kis.control("GET", "/_mock/state");
  CHECK(state["calls_by_tr_id"]["FHKST03010200"] == 4);
}

}  // namespace
}  // namespace quantd::kis_mock::test
