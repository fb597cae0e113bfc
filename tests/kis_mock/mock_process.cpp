#include "mock_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <thread>

namespace quantd::kis_mock::test {

using namespace std::chrono_literals;

std::string write_prices(const quantd::testing::TempDir& dir) {
  const std::string path = dir.file("a.csv");
  std::ofstream out(path);
  out << "ts,open,high,low,close,volume\n";
  out << "2026-07-08T15:30:00,72000,72000,72000,72000,1000\n";
  for (int i = 0; i <= 390; ++i) {
    const int minute = 9 * 60 + i;
    const bool even = i % 2 == 0;
    const int open = even ? 72000 : 72100, close = even ? 72100 : 72000;
    int low = 71900, volume = 1000;
    if (i == 5) low = 71800, volume = 4;
    if (i == 8) low = 71800;
    char line[96];
    std::snprintf(line, sizeof line, "2026-07-09T%02d:%02d:00,%d,%d,%d,%d,%d\n", minute / 60,
                  minute % 60, open, 72200, low, close, volume);
    out << line;
  }
  return path;
}

MockProcess::MockProcess(std::vector<std::string> extra, bool standard_prices) {
  std::vector<std::string> args{KIS_MOCK_BINARY};
  if (standard_prices) {
    args.insert(args.end(), {"--prices", "005930=" + write_prices(dir_), "--clock",
                             "2026-07-09T08:55:00", "--rate-limit", "1000"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  const std::string log_path = dir_.file("mock.log");
  pid_ = quantd::testing::spawn_process(args, log_path, log_path);
  const std::string marker = "kis-mock listening on http://127.0.0.1:";
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = log();
    if (auto at = text.find(marker); at != std::string::npos) {
      port_ = static_cast<std::uint16_t>(std::atoi(text.c_str() + at + marker.size()));
      if (port_ != 0) break;
    }
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  INFO("kis-mock log:\n" << log());
  REQUIRE(port_ != 0);
}

MockProcess::~MockProcess() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 300; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(10ms);
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string MockProcess::log() const { return quantd::testing::read_file(dir_.file("mock.log")); }

std::string query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    out += out.empty() ? "?" : "&";
    out += k + "=";
    for (unsigned char c : v) {
      if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
        out += static_cast<char>(c);
      } else {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%%%02X", c);
        out += buf;
      }
    }
  }
  return out;
}

json body(const Reply& reply) { return json::parse(reply.body, nullptr, false); }

Kis::Kis(const MockProcess& mock, std::string appkey, std::string appsecret)
    : port(mock.port()), appkey_(std::move(appkey)), appsecret_(std::move(appsecret)) {}

Reply Kis::issue_token() {
  const json request = {
      {"grant_type", "client_credentials"}, {"appkey", appkey_}, {"appsecret", appsecret_}};
  Reply reply = http::test::fetch(port, "POST", "/oauth2/tokenP", request.dump(),
                                  {{"content-type", "application/json"}});
  if (reply.ok && reply.status == 200) token = body(reply)["access_token"].get<std::string>();
  return reply;
}

http::test::Headers Kis::headers(const std::string& tr_id, const std::string& tr_cont) const {
  http::test::Headers h{{"content-type", "application/json; charset=utf-8"},
                        {"authorization", "Bearer " + token},
                        {"appkey", appkey_},
                        {"appsecret", appsecret_},
                        {"tr_id", tr_id},
                        {"custtype", "P"}};
  if (!tr_cont.empty()) h.emplace_back("tr_cont", tr_cont);
  return h;
}

namespace {

http::test::Headers merged(http::test::Headers base, const http::test::Headers& extra,
                           const std::vector<std::string>& drop) {
  for (const auto& [name, value] : extra) {
    std::erase_if(base, [&](const auto& h) { return h.first == name; });
    base.emplace_back(name, value);
  }
  for (const std::string& name : drop) {
    std::erase_if(base, [&](const auto& h) { return h.first == name; });
  }
  return base;
}

}  // namespace

Reply Kis::get(const std::string& tr_id, const std::string& path_and_query,
               const std::string& tr_cont, const http::test::Headers& extra,
               const std::vector<std::string>& drop) {
  return http::test::fetch(port, "GET", path_and_query, {},
                           merged(headers(tr_id, tr_cont), extra, drop));
}

Reply Kis::post(const std::string& tr_id, const std::string& path, const json& request,
                const http::test::Headers& extra) {
  return http::test::fetch(port, "POST", path, request.dump(),
                           merged(headers(tr_id, ""), extra, {}));
}

json Kis::control(const std::string& method, const std::string& path, const json& request) {
  const Reply reply = http::test::fetch(port, method, path, request.is_null() ? "" : request.dump(),
                                        {{"content-type", "application/json"}});
  INFO(method << " " << path << " → " << reply.status << " " << reply.body << reply.error);
  REQUIRE(reply.ok);
  REQUIRE(reply.status / 100 == 2);
  return body(reply);
}

json Kis::clock(const std::string& ts) { return control("POST", "/_mock/clock", {{"ts", ts}}); }

Reply Kis::order(const std::string& side, std::int64_t qty, std::int64_t price,
                 const std::string& dvsn, const std::string& pdno) {
  const json request = {
      {"CANO", "50123456"}, {"ACNT_PRDT_CD", "01"},           {"PDNO", pdno},
      {"ORD_DVSN", dvsn},   {"ORD_QTY", std::to_string(qty)}, {"ORD_UNPR", std::to_string(price)}};
  return post(side == "buy" ? "VTTC0012U" : "VTTC0011U", kOrderCash, request);
}

Reply Kis::ccld(const std::string& tr_cont, const std::string& fk, const std::string& nk,
                const std::string& ccld_dvsn) {
  const std::string q = query({{"CANO", "50123456"},
                               {"ACNT_PRDT_CD", "01"},
                               {"INQR_STRT_DT", "20260709"},
                               {"INQR_END_DT", "20260709"},
                               {"SLL_BUY_DVSN_CD", "00"},
                               {"INQR_DVSN", "00"},
                               {"PDNO", ""},
                               {"CCLD_DVSN", ccld_dvsn},
                               {"ORD_GNO_BRNO", ""},
                               {"ODNO", ""},
                               {"INQR_DVSN_3", "00"},
                               {"INQR_DVSN_1", ""},
                               {"CTX_AREA_FK100", fk},
                               {"CTX_AREA_NK100", nk}});
  return get("VTTC0081R", kCcld + q, tr_cont);
}

std::string price_query(const std::string& symbol) {
  return kPrice + query({{"FID_COND_MRKT_DIV_CODE", "J"}, {"FID_INPUT_ISCD", symbol}});
}

std::string minute_query(const std::string& hhmmss) {
  return kMinute + query({{"FID_COND_MRKT_DIV_CODE", "J"},
                          {"FID_INPUT_ISCD", "005930"},
                          {"FID_INPUT_HOUR_1", hhmmss},
                          {"FID_PW_DATA_INCU_YN", "Y"},
                          {"FID_ETC_CLS_CODE", ""}});
}

std::string balance_query(const std::string& fk, const std::string& nk) {
  return kBalance + query({{"CANO", "50123456"},
                           {"ACNT_PRDT_CD", "01"},
                           {"AFHR_FLPR_YN", "N"},
                           {"OFL_YN", ""},
                           {"INQR_DVSN", "01"},
                           {"UNPR_DVSN", "01"},
                           {"FUND_STTL_ICLD_YN", "N"},
                           {"FNCG_AMT_AUTO_RDPT_YN", "N"},
                           {"PRCS_DVSN", "00"},
                           {"CTX_AREA_FK100", fk},
                           {"CTX_AREA_NK100", nk}});
}

}  // namespace quantd::kis_mock::test
