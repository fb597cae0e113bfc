// Test helpers: a running kis-mock binary on 127.0.0.1 with an ephemeral port, its price files,
// and a KIS client that sends the headers PROTOCOL §3.1 asks for.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "http/test_client.h"
#include "integration/test_support.h"

namespace quantd::kis_mock::test {

using nlohmann::json;
using quantd::http::test::Reply;

// The default credentials of a virtual mock (options.cpp).
inline const std::string kAppKey = "PSmockAppKey000000000000000000000000";
inline std::string app_secret() { return "mockAppSecret" + std::string(167, 'x'); }

// Bars of 005930 (writes a.csv into `dir`): one bar on 2026-07-08 closing at 72,000, then
// 2026-07-09 09:00–15:30 alternating O 72,000 C 72,100 H 72,200 L 71,900 (even minutes) and
// O 72,100 C 72,000 (odd), volume 1,000 — except 09:05 (L 71,800, volume 4) and 09:08
// (L 71,800). Returns the path.
std::string write_prices(const quantd::testing::TempDir& dir);

class MockProcess {
 public:
  // Starts `kis-mock --prices 005930=<a.csv> --clock 2026-07-09T08:55:00 --rate-limit 1000
  // extra...` (later flags win) and waits for its "listening" line; REQUIRE-fails otherwise.
  // With `standard_prices` false, `kis-mock extra...` alone (the caller names its prices).
  explicit MockProcess(std::vector<std::string> extra = {}, bool standard_prices = true);
  ~MockProcess();  // SIGTERM, then SIGKILL
  std::uint16_t port() const { return port_; }
  std::string log() const;

 private:
  quantd::testing::TempDir dir_;
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

// A query string with percent-encoding ("?A=1&B=%20").
std::string query(const std::vector<std::pair<std::string, std::string>>& params);

class Kis {
 public:
  explicit Kis(const MockProcess& mock, std::string appkey = kAppKey,
               std::string appsecret = app_secret());

  // POST /oauth2/tokenP; stores the token on success.
  Reply issue_token();
  // A /uapi GET or POST with appkey, appsecret, authorization, tr_id, custtype (and tr_cont when
  // given); `drop` removes a header, `extra` adds or replaces.
  Reply get(const std::string& tr_id, const std::string& path_and_query,
            const std::string& tr_cont = "", const http::test::Headers& extra = {},
            const std::vector<std::string>& drop = {});
  Reply post(const std::string& tr_id, const std::string& path, const json& body,
             const http::test::Headers& extra = {});
  // The control API: returns the parsed body (REQUIREs a 2xx answer).
  json control(const std::string& method, const std::string& path, const json& body = nullptr);
  // POST /_mock/clock {"ts": ts} (KST without offset).
  json clock(const std::string& ts);

  // A paper limit/market buy or sell of 005930 through order-cash.
  Reply order(const std::string& side, std::int64_t qty, std::int64_t price,
              const std::string& dvsn = "00", const std::string& pdno = "005930");
  Reply ccld(const std::string& tr_cont = "", const std::string& fk = "",
             const std::string& nk = "", const std::string& ccld_dvsn = "00");

  std::string token;
  std::uint16_t port;

 private:
  http::test::Headers headers(const std::string& tr_id, const std::string& tr_cont) const;
  std::string appkey_, appsecret_;
};

json body(const Reply& reply);  // parsed; null when not JSON

inline const std::string kPrice = "/uapi/domestic-stock/v1/quotations/inquire-price";
inline const std::string kDaily = "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice";
inline const std::string kMinute = "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice";
inline const std::string kOrderCash = "/uapi/domestic-stock/v1/trading/order-cash";
inline const std::string kRvsecncl = "/uapi/domestic-stock/v1/trading/order-rvsecncl";
inline const std::string kBalance = "/uapi/domestic-stock/v1/trading/inquire-balance";
inline const std::string kCcld = "/uapi/domestic-stock/v1/trading/inquire-daily-ccld";
inline const std::string kPsbl = "/uapi/domestic-stock/v1/trading/inquire-psbl-order";

// The standard queries.
std::string price_query(const std::string& symbol = "005930");
std::string minute_query(const std::string& hhmmss);
std::string balance_query(const std::string& fk = "", const std::string& nk = "");

}  // namespace quantd::kis_mock::test
