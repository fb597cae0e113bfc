// The KIS WebSocket's messages against PROTOCOL §6's own test vectors: the subscribe ack of
// examples/12_ws_subscribe_ack.json, the encrypted H0STCNI9 fill, the plain H0STCNT0 frame.
#include "quantd/kis/kis_ws_frames.h"

#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "example_file.h"

using namespace quantd;
using namespace quantd::kis;
using quantd::kis::test::example;

namespace {

// PROTOCOL §6.6's test vector.
const std::string kNoticeFrame =
    "1|H0STCNI9|001|6ic/dnlP53fhkZJKhPhhV+XYtCf4RvHQfQSpPvGvwXCZ6oH0REfANrTF9x02Q/"
    "0nmck+I/PiLedazoEtUCAQEL0MrT9H5bQJRnVl/6c7gJySAlQgDK12WY7OEY67XLmd3bSiQ4jIbfZjKRBQn1GJfL445lR"
    "l0MXgDJgwL+ip8IjcYHrJmKi+LmRZq66Qtw1b";
const std::string kNoticePlain =
    "mockhtsid^5012345601^0000117057^^02^0^00^0^005930^0000000010^000071950^100513^0^2^2^91252^"
    "000000010^홍길동^^1^Y^^^^삼성전자^000072000";

// PROTOCOL §6.5's plain example.
const std::string kTradeRecord =
    "005930^100513^71900^5^-100^-0.14^71987.53^72000^72400^71500^72000^71900^15^12345678^"
    "889012345600^21034^19876^-1158^94.49^6123456^5786543^5^48.59^61.23^090000^5^-100^091215^5^-"
    "500^093407^2^400^20260709^20^N^5321^18744^812345^1034567^0.21^11876543^103.95^0^^72000";

}  // namespace

TEST_CASE("kis ws: the subscribe ack carries the key and iv of its TR") {
  auto m = parse_ws_message(example("12_ws_subscribe_ack.json"));
  REQUIRE(m.ok());
  REQUIRE(m->control);
  CHECK(m->control->tr_id == "H0STCNI9");
  CHECK(m->control->msg_cd == "OPSP0000");
  CHECK(m->control->key == "qmzvtkpwhrxlbnacjdsyoefgiuqwertz");
  CHECK(m->control->iv == "3f9a2c71b04e8d65");
  CHECK_FALSE(m->control->pingpong());

  auto ping = parse_ws_message(R"({"header":{"tr_id":"PINGPONG","datetime":"20260709100513"}})");
  REQUIRE(ping.ok());
  CHECK(ping->control->pingpong());
}

TEST_CASE("kis ws: the encrypted fill notice of PROTOCOL 6.6 decrypts and reads as a fill") {
  auto m = parse_ws_message(kNoticeFrame);
  REQUIRE(m.ok());
  REQUIRE(m->data);
  CHECK(m->data->encrypted);
  CHECK(m->data->tr_id == "H0STCNI9");
  CHECK(m->data->count == 1);
  auto plain = ws_decrypt(m->data->payload, "qmzvtkpwhrxlbnacjdsyoefgiuqwertz", "3f9a2c71b04e8d65");
  REQUIRE(plain.ok());
  CHECK(*plain == kNoticePlain);
  auto notices = parse_ws_notices(*plain, m->data->count);
  REQUIRE(notices.ok());
  REQUIRE(notices->size() == 1);
  const WsNotice& n = notices->front();
  CHECK(n.account == "5012345601");
  CHECK(n.order_no == "0000117057");
  CHECK(n.side == domain::Side::kBuy);
  CHECK(n.symbol == "005930");
  CHECK(n.quantity == 10);
  CHECK(n.price == 71950);
  CHECK(n.time == "100513");
  CHECK(n.fill);
  CHECK_FALSE(n.rejected);
  CHECK(n.order_qty == 10);
  CHECK(n.layout == 26);

  SUBCASE("the wrong key is an error, never garbage") {
    auto bad = ws_decrypt(m->data->payload, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "3f9a2c71b04e8d65");
    if (bad.ok()) CHECK(*bad != kNoticePlain);  // a lucky padding byte decrypts to garbage
    CHECK_FALSE(ws_decrypt(m->data->payload, "short", "3f9a2c71b04e8d65").ok());
    CHECK_FALSE(
        ws_decrypt("not base64!", "qmzvtkpwhrxlbnacjdsyoefgiuqwertz", "3f9a2c71b04e8d65").ok());
  }
}

TEST_CASE("kis ws: notices are read by their field count: 26 now, 23 before, others refused") {
  // Two records in one frame (count 002): chunked by 26.
  auto two = parse_ws_notices(kNoticePlain + "^" + kNoticePlain, 2);
  REQUIRE(two.ok());
  CHECK(two->size() == 2);
  // The pre-2025 layout: ORD_COND_PRC, ORD_EXG_GB and POPUP_YN missing, 23 fields.
  const std::string legacy =
      "mockhtsid^5012345601^0000117058^^01^0^00^0^005930^0000000003^000072100^100600^0^1^1^91252^"
      "000000003^홍길동^^^^^삼성전자";
  auto old = parse_ws_notices(legacy, 1);
  REQUIRE(old.ok());
  CHECK(old->front().layout == 23);
  CHECK(old->front().side == domain::Side::kSell);
  CHECK_FALSE(old->front().fill);
  CHECK(old->front().order_qty == 3);
  auto unknown = parse_ws_notices(kNoticePlain + "^extra", 1);
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("27 fields") != std::string::npos);
}

TEST_CASE("kis ws: a trade frame splits on three bars only and chunks its records by 46") {
  auto m = parse_ws_message("0|H0STCNT0|001|" + kTradeRecord);
  REQUIRE(m.ok());
  auto trades = parse_ws_trades(*m->data);
  REQUIRE(trades.ok());
  REQUIRE(trades->size() == 1);
  CHECK(trades->front().symbol == "005930");
  CHECK(trades->front().time == "100513");
  CHECK(trades->front().price == 71900);
  CHECK(trades->front().volume == 15);
  CHECK(trades->front().day_volume == 12345678);
  CHECK(trades->front().hour_class == "0");
  CHECK_FALSE(trades->front().halted);

  auto two = parse_ws_message("0|H0STCNT0|002|" + kTradeRecord + "^" + kTradeRecord);
  REQUIRE(two.ok());
  auto both = parse_ws_trades(*two->data);
  REQUIRE(both.ok());
  CHECK(both->size() == 2);

  auto short_count = parse_ws_message("0|H0STCNT0|003|" + kTradeRecord);
  REQUIRE(short_count.ok());
  CHECK_FALSE(parse_ws_trades(*short_count->data).ok());
  CHECK_FALSE(parse_ws_message("0|H0STCNT0").ok());
  CHECK_FALSE(parse_ws_message("2|H0STCNT0|001|x").ok());
  CHECK_FALSE(parse_ws_message("0|H0STCNT0|abc|x").ok());
  CHECK_FALSE(parse_ws_message("{not json").ok());
}

TEST_CASE("kis ws: subscribe and unsubscribe requests follow PROTOCOL 6.2") {
  const auto j = nlohmann::json::parse(ws_subscribe_message("appr", "H0STCNT0", "005930", true));
  CHECK(j["header"]["approval_key"] == "appr");
  CHECK(j["header"]["tr_type"] == "1");
  CHECK(j["header"]["custtype"] == "P");
  CHECK(j["header"]["content-type"] == "utf-8");
  CHECK(j["body"]["input"]["tr_id"] == "H0STCNT0");
  CHECK(j["body"]["input"]["tr_key"] == "005930");
  const auto u = nlohmann::json::parse(ws_subscribe_message("appr", "H0STCNI9", "hts", false));
  CHECK(u["header"]["tr_type"] == "2");
}
