// Over HTTP against the real kis-mock: tokens (PROTOCOL §2) and the gateway's header and TR id
// checks (§3.1, §3.2, §9).
#include <doctest/doctest.h>

#include "mock_process.h"

namespace quantd::kis_mock::test {
namespace {

json example(const std::string& name) {
  return json::parse(
      quantd::testing::read_file(std::string(QUANTD_SHARED_DIR) + "/kis/examples/" + name));
}

TEST_CASE("tokenP: a JWT for 24 h, the same token again, EGW00133 inside the throttle window") {
  MockProcess mock({"--token-throttle-s", "60"});
  Kis kis(mock);
  Reply first = kis.issue_token();
  REQUIRE(first.status == 200);
  const json token = body(first);
  // The example's fields, in its order.
  std::vector<std::string> keys, want;
  for (const auto& [k, v] : token.items()) keys.push_back(k);
  const json sample = example("01_token.json");
  for (const auto& [k, v] : sample.items()) want.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::sort(want.begin(), want.end());
  CHECK(keys == want);
  CHECK(token["token_type"] == "Bearer");
  CHECK(token["expires_in"] == 86400);
  CHECK(token["access_token_token_expired"] == "2026-07-10 08:55:00");
  CHECK(std::count(kis.token.begin(), kis.token.end(), '.') == 2);

  Reply throttled = kis.issue_token();
  CHECK(throttled.status == 403);
  CHECK(body(throttled)["error_code"] == "EGW00133");
  CHECK(body(throttled)["error_description"] == "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)");

  kis.clock("2026-07-09T08:56:01");
  Reply same = kis.issue_token();
  REQUIRE(same.status == 200);
  CHECK(body(same)["access_token"] == token["access_token"]);
  CHECK(body(same)["access_token_token_expired"] == "2026-07-10 08:55:00");

  Kis wrong(mock, kAppKey, app_secret() + " ");  // a trailing space pasted into the secret
  kis.clock("2026-07-09T08:58:00");
  Reply bad = wrong.issue_token();
  CHECK(bad.status == 403);
  CHECK(body(bad)["error_code"] == "EGW00105");

  // After 6 h a new token; the old one is refused from then on.
  kis.clock("2026-07-09T15:00:00");
  const std::string old = kis.token;
  REQUIRE(kis.issue_token().status == 200);
  CHECK(kis.token != old);
  Kis stale(mock);
  stale.token = old;
  CHECK(body(stale.get("FHKST01010100", price_query()))["msg_cd"] == "EGW00121");
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);

  const json state = kis.control("GET", "/_mock/state");
  CHECK(state["counters"]["token_issued"] == 3);
  CHECK(state["counters"]["misc"]["token_issued"] == 3);
  CHECK(state["counters"]["token_minted"] == 2);
  CHECK(state["counters"]["token_throttled"] == 1);
  CHECK(state["counters"]["oauth"]["tokenP"] == 5);
  CHECK(state["counters"]["oauth"]["calls"].size() == 5);
  CHECK(state["calls_by_tr_id"]["FHKST01010100"] == 2);
}

TEST_CASE("expire_token answers EGW00123; invalidate_token re-serves a dead token until revokeP") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  kis.control("POST", "/_mock/faults", {{"expire_token", true}});
  Reply expired = kis.get("FHKST01010100", price_query());
  CHECK(expired.status == 500);
  CHECK(body(expired) == example("11_error_token_expired.json"));
  kis.clock("2026-07-09T08:56:00");
  REQUIRE(kis.issue_token().status == 200);
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);

  kis.control("POST", "/_mock/faults", {{"invalidate_token", true}});
  const std::string dead = kis.token;
  Reply invalid = kis.get("FHKST01010100", price_query());
  CHECK(invalid.status == 500);
  CHECK(body(invalid)["msg_cd"] == "EGW00121");
  kis.clock("2026-07-09T08:57:01");
  REQUIRE(kis.issue_token().status == 200);
  CHECK(kis.token == dead);  // the 6-hour rule hands the dead token back (LT-18)
  const json revoke = {{"appkey", kAppKey}, {"appsecret", app_secret()}, {"token", dead}};
  Reply revoked = http::test::fetch(kis.port, "POST", "/oauth2/revokeP", revoke.dump());
  REQUIRE(revoked.status == 200);
  CHECK(body(revoked)["code"] == 200);
  CHECK(body(revoked)["message"] == "접근토큰 폐기에 성공하였습니다");
  kis.clock("2026-07-09T08:58:02");
  REQUIRE(kis.issue_token().status == 200);
  CHECK(kis.token != dead);
  CHECK(kis.get("FHKST01010100", price_query()).status == 200);
}

TEST_CASE("Approval takes secretkey; hashkey echoes the body with its SHA-256") {
  MockProcess mock;
  const json approval = {
      {"grant_type", "client_credentials"}, {"appkey", kAppKey}, {"secretkey", app_secret()}};
  Reply ok = http::test::fetch(mock.port(), "POST", "/oauth2/Approval", approval.dump());
  REQUIRE(ok.status == 200);
  CHECK(body(ok)["approval_key"].get<std::string>().size() == 36);
  const json mistaken = {
      {"grant_type", "client_credentials"}, {"appkey", kAppKey}, {"appsecret", app_secret()}};
  CHECK(http::test::fetch(mock.port(), "POST", "/oauth2/Approval", mistaken.dump()).status == 403);
  const std::string order = R"({"CANO":"50123456","ORD_QTY":"1"})";
  Reply hash = http::test::fetch(mock.port(), "POST", "/uapi/hashkey", order,
                                 {{"appkey", kAppKey}, {"appsecret", app_secret()}});
  REQUIRE(hash.status == 200);
  CHECK(body(hash)["BODY"]["CANO"] == "50123456");
  CHECK(body(hash)["HASH"].get<std::string>().size() == 64);
}

TEST_CASE("the gateway checks appkey, appsecret, Bearer token, tr_id per path and env, custtype") {
  MockProcess mock;
  Kis kis(mock);
  REQUIRE(kis.issue_token().status == 200);
  Reply ok = kis.get("FHKST01010100", price_query());
  REQUIRE(ok.status == 200);
  CHECK(ok.header("tr_id") == "FHKST01010100");
  CHECK(ok.has_header("tr_cont"));

  const auto code = [](const Reply& r) { return body(r)["msg_cd"].get<std::string>(); };
  Reply no_key = kis.get("FHKST01010100", price_query(), "", {}, {"appkey"});
  CHECK(no_key.status == 500);
  CHECK(code(no_key) == "EGW00103");
  CHECK(code(kis.get("FHKST01010100", price_query(), "", {{"appsecret", "x"}})) == "EGW00105");
  CHECK(code(kis.get("FHKST01010100", price_query(), "", {{"authorization", kis.token}})) ==
        "EGW00205");
  CHECK(code(kis.get("FHKST01010100", price_query(), "", {}, {"authorization"})) == "EGW00205");
  CHECK(code(kis.get("FHKST01010100", price_query(), "", {{"authorization", "Bearer x.y.z"}})) ==
        "EGW00121");
  CHECK(code(kis.get("FHKST01010100", price_query(), "", {}, {"custtype"})) == "EGW00101");
  // A TR id of another path.
  Reply other = kis.get("FHKST03010200", price_query());
  CHECK(other.status == 500);
  CHECK(code(other) == "OPSQ0002");
  // Real TR ids on the paper port (PROTOCOL §9), even real-only quotations.
  Reply real = kis.get("TTTC8434R", balance_query());
  CHECK(real.status == 500);
  CHECK(body(real)["rt_cd"] == "1");
  CHECK(body(real)["msg1"] == "모의투자 TR 이 아닙니다.");
  CHECK(real.header("tr_id") == "TTTC8434R");
  CHECK(body(kis.post("TTTC0012U", kOrderCash, json::object()))["msg1"] ==
        "모의투자 TR 이 아닙니다.");
  // POST keys must be upper-case, values strings.
  Reply lower = kis.post("VTTC0012U", kOrderCash,
                         {{"cano", "50123456"},
                          {"ACNT_PRDT_CD", "01"},
                          {"PDNO", "005930"},
                          {"ORD_DVSN", "00"},
                          {"ORD_QTY", "1"},
                          {"ORD_UNPR", "72000"}});
  CHECK(lower.status == 200);
  CHECK(body(lower)["rt_cd"] != "0");
  CHECK(body(lower)["msg1"] == "ERROR : INPUT INVALID_CHECK_CANO");
  Reply numeric = kis.post("VTTC0012U", kOrderCash,
                           {{"CANO", "50123456"},
                            {"ACNT_PRDT_CD", "01"},
                            {"PDNO", "005930"},
                            {"ORD_DVSN", "00"},
                            {"ORD_QTY", 1},
                            {"ORD_UNPR", "72000"}});
  CHECK(body(numeric)["msg1"] == "ERROR : INPUT INVALID_CHECK_ORD_QTY");
  const json state = kis.control("GET", "/_mock/state");
  CHECK(state["orders"] == 0);
  CHECK(kis.control("GET", "/_mock/orders")["rejected"].size() == 3);
}

TEST_CASE("real environment: T ids served, V ids unknown, a paper PS key is EGW02004") {
  MockProcess mock({"--env", "real", "--appkey", "RLrealKey", "--appsecret", "realSecret"});
  Kis kis(mock, "RLrealKey", "realSecret");
  REQUIRE(kis.issue_token().status == 200);
  CHECK(kis.get("TTTC8434R", balance_query()).status == 200);
  Reply paper = kis.get("VTTC8434R", balance_query());
  CHECK(paper.status == 500);
  CHECK(body(paper)["msg_cd"] == "OPSQ0002");
  Reply ps = kis.get("TTTC8434R", balance_query(), "", {{"appkey", kAppKey}});
  CHECK(ps.status == 500);
  CHECK(body(ps)["msg_cd"] == "EGW02004");
  CHECK(kis.control("GET", "/_mock/state")["settings"]["ccld_page_size"] == 100);
}

}  // namespace
}  // namespace quantd::kis_mock::test
