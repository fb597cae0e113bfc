// The KIS messages against the protocol's own example files (../shared/kis/examples/), and the
// classification of an order's answer of LIVE.md §4.2.
#include "quantd/kis/kis_messages.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "example_file.h"

using namespace quantd;
using namespace quantd::kis;
using nlohmann::json;
using quantd::kis::test::example;

namespace {

const CivilDate kDay{2026, 7, 9};

}  // namespace

TEST_CASE("kis: endpoints and TR ids, the paper twin of an account id starts with V") {
  CHECK(endpoint(Call::kBuy, Environment::kReal).tr_id == "TTTC0012U");
  CHECK(endpoint(Call::kBuy, Environment::kPaper).tr_id == "VTTC0012U");
  CHECK(endpoint(Call::kSell, Environment::kPaper).tr_id == "VTTC0011U");
  CHECK(endpoint(Call::kReviseCancel, Environment::kPaper).tr_id == "VTTC0013U");
  CHECK(endpoint(Call::kDailyOrders, Environment::kReal).tr_id == "TTTC0081R");
  CHECK(endpoint(Call::kBalance, Environment::kPaper).tr_id == "VTTC8434R");
  CHECK(endpoint(Call::kBuyingPower, Environment::kPaper).tr_id == "VTTC8908R");
  // Quotations are the same in both environments.
  CHECK(endpoint(Call::kMinuteChart, Environment::kPaper).tr_id == "FHKST03010200");
  CHECK(endpoint(Call::kPrice, Environment::kReal).tr_id == "FHKST01010100");
  CHECK(endpoint(Call::kBuy, Environment::kReal).method == "POST");
  CHECK(endpoint(Call::kBuy, Environment::kReal).path ==
        "/uapi/domestic-stock/v1/trading/order-cash");
  CHECK(endpoint(Call::kDailyOrders, Environment::kReal).path ==
        "/uapi/domestic-stock/v1/trading/inquire-daily-ccld");
  CHECK(default_rest_url(Environment::kPaper) == "https://openapivts.koreainvestment.com:29443");
}

TEST_CASE("kis: account numbers are 8 and 2 digits, shown masked, never echoed in errors") {
  auto a = parse_account("50123456-01");
  REQUIRE(a.ok());
  CHECK(a->cano == "50123456");
  CHECK(a->product == "01");
  CHECK(mask_account(*a) == "5012****-01");
  CHECK(parse_account("5012345601").ok());
  auto bad = parse_account("5012345-601x");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("5012345") == std::string::npos);
}

TEST_CASE("kis: an order body has upper-case keys and string values") {
  const AccountNo acct{"50123456", "01"};
  live::OrderRequest r;
  r.symbol = domain::Symbol("005930");
  r.side = domain::Side::kBuy;
  r.quantity = 10;
  r.type = live::OrderType::kLimit;
  r.limit_price = 72000;
  auto body = order_body(acct, r);
  REQUIRE(body.ok());
  CHECK(*body == json{{"CANO", "50123456"},
                      {"ACNT_PRDT_CD", "01"},
                      {"PDNO", "005930"},
                      {"ORD_DVSN", "00"},
                      {"ORD_QTY", "10"},
                      {"ORD_UNPR", "72000"},
                      {"EXCG_ID_DVSN_CD", "KRX"}});
  r.type = live::OrderType::kMarket;
  r.limit_price = 0;
  CHECK((*order_body(acct, r))["ORD_DVSN"] == "01");
  CHECK((*order_body(acct, r))["ORD_UNPR"] == "0");
  r.type = live::OrderType::kLimit;
  r.limit_price = 71950.5;
  CHECK_FALSE(order_body(acct, r).ok());
  r.type = live::OrderType::kStopMarket;
  CHECK_FALSE(order_body(acct, r).ok());
  r.type = live::OrderType::kMarket;
  r.quantity = 0;
  CHECK_FALSE(order_body(acct, r).ok());
  const json cancel = cancel_body(acct, {"0000117061", "91252", kDay}, 0);
  CHECK(cancel["ORGN_ODNO"] == "0000117061");
  CHECK(cancel["KRX_FWDG_ORD_ORGNO"] == "91252");
  CHECK(cancel["RVSE_CNCL_DVSN_CD"] == "02");
  CHECK(cancel["QTY_ALL_ORD_YN"] == "Y");
}

TEST_CASE("kis: an order's answer is classified as LIVE.md §4.2 says") {
  // Accepted: the order number, branch and time are kept.
  auto ok = classify_order(parse_envelope(200, example("05_order_cash_ok.json")), kDay);
  CHECK(ok.outcome == live::SendOutcome::kAccepted);
  REQUIRE(ok.ref);
  CHECK(ok.ref->order_no == "0000117057");
  CHECK(ok.ref->branch == "91252");
  CHECK(ok.ref->date == kDay);
  CHECK(ok.broker_time == "100512");
  CHECK(ok.code == "APBK0013");
  // A business refusal is definitive.
  auto refused = classify_order(parse_envelope(200, example("06_order_cash_fail.json")), kDay);
  CHECK(refused.outcome == live::SendOutcome::kRejected);
  CHECK_FALSE(refused.resend_allowed);
  CHECK(refused.code == "APBK0952");
  CHECK(refused.message == "APBK0952 주문가능금액을 초과 했습니다");
  // The gateway's throttle and token refusals: the same row may be sent again.
  for (int status : {500, 200}) {
    auto limited =
        classify_order(parse_envelope(status, example("10_error_rate_limit.json")), kDay);
    CHECK(limited.outcome == live::SendOutcome::kRejected);
    CHECK(limited.resend_allowed);
    auto expired =
        classify_order(parse_envelope(status, example("11_error_token_expired.json")), kDay);
    CHECK(expired.outcome == live::SendOutcome::kRejected);
    CHECK(expired.resend_allowed);
  }
  // Configuration errors: rejected, no resend.
  auto wrong_env = classify_order(
      parse_envelope(500, R"({"rt_cd":"1","msg_cd":"","msg1":"모의투자 TR 이 아닙니다."})"), kDay);
  CHECK(wrong_env.outcome == live::SendOutcome::kRejected);
  CHECK_FALSE(wrong_env.resend_allowed);
  CHECK(is_configuration_error(parse_envelope(500, R"({"rt_cd":"1","msg_cd":"EGW02004"})")));
  // Anything else that is not a proof: unknown.
  CHECK(classify_order(parse_envelope(500, R"({"rt_cd":"1","msg_cd":"EGW00002"})"), kDay).outcome ==
        live::SendOutcome::kUnknown);
  CHECK(classify_order(parse_envelope(502, "<html>Bad gateway</html>"), kDay).outcome ==
        live::SendOutcome::kUnknown);
  CHECK(
      classify_order(parse_envelope(200, R"({"rt_cd":"0","msg_cd":"APBK0013","output":{}})"), kDay)
          .outcome == live::SendOutcome::kUnknown);
  // The lower-case keys the spec's table shows are read too.
  auto lower = classify_order(
      parse_envelope(200, R"({"rt_cd":"0","output":{"odno":"0000000007","krx_fwdg_ord_orgno":"1",)"
                          R"("ord_tmd":"090001"}})"),
      kDay);
  CHECK(lower.outcome == live::SendOutcome::kAccepted);
  CHECK(lower.ref->order_no == "0000000007");
  // No answer: not sent only when nothing can have left.
  CHECK(classify_no_answer(Status::unavailable("connection refused"), false).outcome ==
        live::SendOutcome::kNotSent);
  CHECK(classify_no_answer(Status::deadline_exceeded("timeout"), true).outcome ==
        live::SendOutcome::kUnknown);
}

TEST_CASE("kis: the daily order book's rows, exactly") {
  const json j = json::parse(example("08_daily_ccld.json"));
  auto rows = parse_daily_orders(j["output1"]);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  const live::BrokerOrder& sell = (*rows)[0];
  CHECK(sell.ref.order_no == "0000117061");
  CHECK(sell.ref.branch == "91252");
  CHECK(sell.ref.date == kDay);
  CHECK(sell.side == domain::Side::kSell);
  CHECK(sell.type == live::OrderType::kLimit);
  CHECK(sell.quantity == 5);
  CHECK(sell.limit_price == 73000);
  CHECK(sell.remaining_qty == 5);
  CHECK(sell.filled_qty == 0);
  CHECK(sell.avg_price == 0);
  CHECK(sell.order_time == "101530");
  CHECK(sell.order_ts == from_seoul(kDay, 10, 15, 30));
  const live::BrokerOrder& buy = (*rows)[1];
  CHECK(buy.side == domain::Side::kBuy);
  CHECK(buy.filled_qty == 10);
  CHECK(buy.filled_amount == 719'500);
  CHECK(buy.avg_price == 71'950);
  CHECK(buy.remaining_qty == 0);
  CHECK(buy.original_order_no.empty());
  // A malformed row fails the whole page: never a shorter book (I4).
  json broken = j["output1"];
  broken[1].erase("tot_ccld_qty");
  auto failed = parse_daily_orders(broken);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().message().find("tot_ccld_qty") != std::string::npos);
  broken = j["output1"];
  broken[0]["ord_qty"] = "5x";
  CHECK_FALSE(parse_daily_orders(broken).ok());
  CHECK(parse_daily_orders(json::array())->empty());
}

TEST_CASE("kis: balance, buying power and charts") {
  const json bal = json::parse(example("07_balance.json"));
  auto holdings = parse_holdings(bal["output1"]);
  REQUIRE(holdings.ok());
  REQUIRE(holdings->size() == 1);
  CHECK((*holdings)[0].symbol.str() == "005930");
  CHECK((*holdings)[0].quantity == 10);
  CHECK((*holdings)[0].sellable == 10);
  CHECK((*holdings)[0].avg_price == 71'950);
  auto cash = parse_cash(bal["output2"]);
  REQUIRE(cash.ok());
  CHECK(cash->d0 == 10'000'000);
  CHECK(cash->d2 == 9'280'399);
  // Two loan lots of one symbol are one holding; a sold-out row (0 held) is none.
  json lots = json::array({bal["output1"][0], bal["output1"][0], bal["output1"][0]});
  lots[1]["hldg_qty"] = "5";
  lots[1]["ord_psbl_qty"] = "5";
  lots[1]["pchs_avg_pric"] = "70000.0000";
  lots[2]["pdno"] = "000660";
  lots[2]["hldg_qty"] = "0";
  auto merged = parse_holdings(lots);
  REQUIRE(merged->size() == 1);
  CHECK((*merged)[0].quantity == 15);
  CHECK((*merged)[0].avg_price == doctest::Approx((71'950.0 * 10 + 70'000.0 * 5) / 15));

  auto orderable = parse_orderable(json::parse(example("09_psbl_order.json"))["output"]);
  REQUIRE(orderable.ok());
  CHECK(*orderable == 9'280'399);

  auto minutes = parse_minute_bars(json::parse(example("04_minute_chart.json"))["output2"]);
  REQUIRE(minutes.ok());
  REQUIRE(minutes->size() == 3);
  CHECK((*minutes)[0].ts == from_seoul(kDay, 9, 58));  // ascending, newest last
  CHECK((*minutes)[2].ts == from_seoul(kDay, 10, 0));
  CHECK((*minutes)[2].open == 71'900);
  CHECK((*minutes)[2].high == 72'000);
  CHECK((*minutes)[2].close == 71'900);
  CHECK((*minutes)[2].volume == 18'234);

  auto days = parse_daily_bars(json::parse(example("03_daily_chart.json"))["output2"]);
  REQUIRE(days.ok());
  REQUIRE(days->size() == 3);
  CHECK(days->back().ts == from_seoul(kDay));
  CHECK(days->back().open == 72'000);
  CHECK(days->back().close == 71'900);
  CHECK(days->back().volume == 12'345'678);
  CHECK(days->front().ts < days->back().ts);
}

TEST_CASE("kis: a token's expiry is the KST wall time it names; tokenP's refusals are typed") {
  auto g = parse_token(200, example("01_token.json"));
  REQUIRE(g.ok());
  CHECK(g->token.starts_with("eyJ0eXAi"));
  CHECK(g->expires_at == from_seoul({2026, 7, 11}, 10, 0, 0));
  auto throttled = parse_token(
      403,
      R"js({"error_code":"EGW00133","error_description":"접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"})js");
  CHECK(throttled.status().code() == StatusCode::kResourceExhausted);
  auto bad_key = parse_token(
      403, R"js({"error_code":"EGW00103","error_description":"유효하지 않은 AppKey입니다."})js");
  CHECK(bad_key.status().code() == StatusCode::kFailedPrecondition);
  CHECK(parse_token(500, "oops").status().code() == StatusCode::kUnavailable);
  CHECK_FALSE(parse_kst_datetime("2026-07-11T10:00:00").has_value());
  CHECK(parse_kst_datetime("2026-07-11 10:00:00") == from_seoul({2026, 7, 11}, 10, 0, 0));
}
