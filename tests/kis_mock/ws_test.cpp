// kis-mock's WebSocket (PROTOCOL §6) with a plain Beast client: the path, approval keys,
// registrations and their codes, encrypted notices of an order and its fill, trades, one session
// per appkey, and PINGPONG.
#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <thread>

#include "kis_mock/mock_process.h"
#include "quantd/kis/kis_ws_frames.h"

using namespace quantd;
using namespace quantd::kis_mock::test;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;

namespace {

class Client {
 public:
  explicit Client(std::uint16_t port, const std::string& path = "/tryitout") : ws_(io_) {
    asio::ip::tcp::resolver resolver(io_);
    beast::get_lowest_layer(ws_).connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    ws_.handshake("127.0.0.1:" + std::to_string(port), path, ec_);
  }
  bool handshaken() const { return !ec_; }
  void send(const std::string& text) {
    ws_.text(true);
    ws_.write(asio::buffer(text));
  }
  // The next message, or nullopt when the connection ends or `timeout` passes.
  std::optional<std::string> read(std::chrono::milliseconds timeout = 5s) {
    beast::get_lowest_layer(ws_).expires_after(timeout);
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    ws_.read(buffer, ec);
    if (ec) return std::nullopt;
    return beast::buffers_to_string(buffer.data());
  }
  // The next control reply that is not PINGPONG.
  kis::WsControl control() {
    for (int i = 0; i < 10; ++i) {
      auto text = read();
      REQUIRE(text);
      auto m = kis::parse_ws_message(*text);
      REQUIRE(m.ok());
      if (m->control && !m->control->pingpong()) return *m->control;
    }
    FAIL("no control reply");
    return {};
  }

 private:
  asio::io_context io_;
  websocket::stream<beast::tcp_stream> ws_;
  boost::system::error_code ec_;
};

std::string approval(MockProcess& mock) {
  Reply r = http::test::fetch(
      mock.port(), "POST", "/oauth2/Approval",
      json{{"grant_type", "client_credentials"}, {"appkey", kAppKey}, {"secretkey", app_secret()}}
          .dump(),
      {{"content-type", "application/json"}});
  REQUIRE(r.status == 200);
  return body(r)["approval_key"].get<std::string>();
}

std::uint16_t ws_port(Kis& kis) {
  const std::string url = kis.control("GET", "/_mock/state")["ws"]["url"].get<std::string>();
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

}  // namespace

TEST_CASE("kis-mock ws: registrations, encrypted notices of an order and its fill, trades") {
  MockProcess mock;
  Kis kis(mock);
  const std::uint16_t port = ws_port(kis);
  CHECK_FALSE(Client(port, "/elsewhere").handshaken());

  Client c(port);
  REQUIRE(c.handshaken());
  c.send(kis::ws_subscribe_message("not-issued", "H0STCNI9", "mockhtsid", true));
  CHECK(c.control().msg_cd == "MOCK0010");
  const std::string key = approval(mock);
  c.send(kis::ws_subscribe_message(key, "H0STCNI0", "mockhtsid", true));  // the real TR
  CHECK(c.control().msg_cd == "MOCK0011");
  c.send(kis::ws_subscribe_message(key, "H0STCNI9", "mockhtsid", true));
  const auto ack = c.control();
  REQUIRE(ack.msg_cd == "OPSP0000");
  CHECK(ack.key.size() == 32);
  CHECK(ack.iv.size() == 16);
  c.send(kis::ws_subscribe_message(key, "H0STCNI9", "mockhtsid", true));
  CHECK(c.control().msg_cd == "OPSP0002");
  c.send(kis::ws_subscribe_message(key, "H0STCNT0", "005930", true));
  CHECK(c.control().msg_cd == "OPSP0000");

  SUBCASE("an order from HTS: its acknowledgement, then its fill at the next bar's open") {
    kis.clock("2026-07-09T09:00:30");
    kis.control(
        "POST", "/_mock/order",
        {{"side", "buy"}, {"pdno", "005930"}, {"qty", 3}, {"price", 0}, {"ord_dvsn", "01"}});
    auto frame = c.read();
    REQUIRE(frame);
    auto m = kis::parse_ws_message(*frame);
    REQUIRE(m.ok());
    REQUIRE(m->data);
    CHECK(m->data->encrypted);
    auto plain = kis::ws_decrypt(m->data->payload, ack.key, ack.iv);
    REQUIRE(plain.ok());
    auto notices = kis::parse_ws_notices(*plain, m->data->count);
    REQUIRE(notices.ok());
    CHECK(notices->front().layout == 26);
    CHECK(notices->front().account == "5012345601");
    CHECK_FALSE(notices->front().fill);
    CHECK(notices->front().order_qty == 3);
    const std::string odno = notices->front().order_no;

    kis.clock("2026-07-09T09:01:02");  // 09:01 opens (the fill); 09:00 completes (a trade)
    bool fill = false, trade = false;
    for (int i = 0; i < 4 && !(fill && trade); ++i) {
      auto next = c.read();
      REQUIRE(next);
      auto n = kis::parse_ws_message(*next);
      REQUIRE(n.ok());
      if (!n->data) continue;
      if (n->data->tr_id == "H0STCNT0") {
        auto trades = kis::parse_ws_trades(*n->data);
        REQUIRE(trades.ok());
        CHECK(trades->front().time == "090059");
        CHECK(trades->front().price > 0);
        trade = true;
      } else {
        auto p = kis::ws_decrypt(n->data->payload, ack.key, ack.iv);
        REQUIRE(p.ok());
        auto f = kis::parse_ws_notices(*p, 1);
        REQUIRE(f.ok());
        CHECK(f->front().fill);
        CHECK(f->front().order_no == odno);
        CHECK(f->front().quantity == 3);
        fill = true;
      }
    }
    CHECK(fill);
    CHECK(trade);
    kis.control("POST", "/_mock/config", {{"ws_notice_fields", 23}});
    kis.control(
        "POST", "/_mock/order",
        {{"side", "sell"}, {"pdno", "005930"}, {"qty", 3}, {"price", 0}, {"ord_dvsn", "01"}});
    auto old = c.read();
    REQUIRE(old);
    auto om = kis::parse_ws_message(*old);
    REQUIRE(om.ok());
    auto op = kis::ws_decrypt(om->data->payload, ack.key, ack.iv);
    REQUIRE(op.ok());
    CHECK(kis::parse_ws_notices(*op, 1)->front().layout == 23);
  }

  SUBCASE("one session per appkey: the second is told OPSP8996 and dropped") {
    Client second(port);
    REQUIRE(second.handshaken());
    second.send(kis::ws_subscribe_message(approval(mock), "H0STCNT0", "005930", true));
    CHECK(second.control().msg_cd == "OPSP8996");
    CHECK_FALSE(second.read(2s));
    CHECK(kis.control("GET", "/_mock/state")["ws"]["in_use"] == 1);
  }

  SUBCASE("a registration under another HTS id is dropped without an answer") {
    c.send(kis::ws_subscribe_message(key, "H0STCNI9", "someoneelse", true));
    CHECK_FALSE(c.read(2s));
  }
}

TEST_CASE("kis-mock ws: PINGPONG is echoed, or the session is dropped") {
  MockProcess mock({"--ws-ping-s", "1"});
  Kis kis(mock);
  Client c(ws_port(kis));
  REQUIRE(c.handshaken());
  auto ping = c.read(3s);
  REQUIRE(ping);
  auto m = kis::parse_ws_message(*ping);
  REQUIRE(m.ok());
  REQUIRE(m->control);
  CHECK(m->control->pingpong());
  c.send(*ping);
  CHECK(c.read(3s));        // the next ping: still connected
  CHECK_FALSE(c.read(4s));  // that one went unanswered: dropped
  // The mock counts the drop when its own timer fires, which a loaded machine can delay past the
  // client's silence: wait for it a little.
  json ws = kis.control("GET", "/_mock/state")["ws"];
  for (int i = 0; i < 30 && ws["drops"] != 1; ++i) {
    std::this_thread::sleep_for(100ms);
    ws = kis.control("GET", "/_mock/state")["ws"];
  }
  CHECK(ws["pongs"] == 1);
  CHECK(ws["drops"] == 1);
}
