#include "envelope.h"

#include <cctype>
#include <cstdio>
#include <unordered_map>

#include "quantd/core/time.h"

namespace quantd::kis_mock {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool is_upper_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    if (std::islower(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::string message_for(std::string_view msg_cd) {
  // Quoted in PROTOCOL.md / the examples, except those marked "mock" (see README.md "Codes").
  static const std::unordered_map<std::string_view, std::string_view> kMessages = {
      {"MCA00000", "정상처리 되었습니다."},
      {"KIOK0510", "조회가 완료되었습니다                    "},
      {"KIOK0500", "조회가 계속됩니다..다음버튼을 Click 하십시오."},
      {"APBK0013", "주문 전송 완료 되었습니다."},
      {"APBK0952", "주문가능금액을 초과 했습니다"},
      {"40580000", "모의투자 장종료 입니다."},
      {"APBK0919", "장운영시간이 아닙니다."},              // mock text; code per python-kis
      {"APBK0656", "해당 종목정보가 존재하지 않습니다."},  // mock text; code per python-kis
      {"APBK0918", "주문이 거부되었습니다."},              // mock text
      {"EGW00201", "초당 거래건수를 초과하였습니다."},
      {"EGW00215", "원장에서 허용 가능한 초당 거래건수를 초과하였습니다."},
      {"EGW00123", "기간이 만료된 token 입니다."},
      {"EGW00121", "유효하지 않은 token 입니다."},
      {"EGW00122", "token을 찾을 수 없습니다."},
      {"EGW00205", "credentials_type이 유효하지 않습니다.(Bearer)"},
      {"EGW00103", "유효하지 않은 AppKey입니다."},
      {"EGW00105", "유효하지 않은 AppSecret입니다."},
      {"EGW00133", "접근토큰 발급 잠시 후 다시 시도하세요(1분당 1회)"},
      {"EGW02004", "실전투자 도메인은 모의투자 앱키로 호출하실 수 없습니다."},
      {"EGW00002", "서버 에러가 발생했습니다."},  // mock text
      {"EGW00101", "유효하지 않은 요청입니다."},  // mock text
      {"OPSQ0002", "없는 서비스 코드 입니다"},
      {"MCA00124", "해당 서비스를 찾을수 없습니다."},
      {"MOCK0002", "주문수량은 0보다 커야 합니다."},
      {"MOCK0003", "호가단위에 맞지 않는 주문가격입니다."},
      {"MOCK0004", "가격제한폭을 벗어난 주문가격입니다."},
      {"MOCK0005", "매도가능수량을 초과하였습니다."},
      {"MOCK0006", "정정취소 가능한 주문이 없습니다."},
      {"MOCK0007", "kis-mock 이 지원하지 않는 주문구분입니다."},
      {"MOCK0009", "kis-mock 이 모델링하지 않는 API 입니다."},
  };
  const auto it = kMessages.find(msg_cd);
  return it == kMessages.end() ? std::string() : std::string(it->second);
}

http::Response kis_json(int status, const Json& body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json; charset=UTF-8";
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

Json envelope(std::string_view rt_cd, std::string_view msg_cd, std::string_view msg1) {
  Json body = Json::object();
  body["rt_cd"] = rt_cd;
  body["msg_cd"] = msg_cd;
  std::string text = msg1.empty() ? message_for(msg_cd) : std::string(msg1);
  // A code injected by a fault that the mock has no text for still gets a sentence.
  if (text.empty() && !msg_cd.empty()) text = "요청을 처리할 수 없습니다.";
  body["msg1"] = std::move(text);
  return body;
}

void append_envelope(Json& body, std::string_view rt_cd, std::string_view msg_cd) {
  body["rt_cd"] = rt_cd;
  body["msg_cd"] = msg_cd;
  body["msg1"] = message_for(msg_cd);
}

http::Response kis_error(int status, std::string_view msg_cd, std::string_view msg1) {
  return kis_json(status, envelope("1", msg_cd, msg1));
}

http::Response input_error(std::string_view field) {
  return kis_json(200,
                  envelope("2", "OPSQ2001", "ERROR : INPUT INVALID_CHECK_" + std::string(field)));
}

http::Response oauth_error(std::string_view code) {
  Json body = Json::object();
  body["error_code"] = code;
  body["error_description"] = message_for(code);
  return kis_json(403, body);
}

void set_kis_headers(http::Response& response, std::string_view tr_id, std::string_view tr_cont) {
  response.set_header("tr_id", std::string(tr_id));
  response.set_header("tr_cont", std::string(tr_cont));
}

std::optional<std::string> query_param(const http::Request& request, std::string_view name) {
  for (const auto& [key, value] : request.query) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<http::Response> parse_upper_body(const http::Request& request,
                                               std::map<std::string, std::string>& fields) {
  fields.clear();
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return kis_error(500, "EGW00101");
  for (const auto& [key, value] : body.items()) {
    if (!is_upper_key(key)) {
      std::string upper = key;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return input_error(upper);
    }
    if (!value.is_string()) return input_error(key);
    fields[key] = value.get<std::string>();
  }
  return std::nullopt;
}

std::string num(std::int64_t value) { return std::to_string(value); }

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  std::string out = buf;
  if (out.starts_with("-") && out.find_first_not_of("-0.") == std::string::npos) out.erase(0, 1);
  return out;
}

std::string pad_right(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string kst_date(std::int64_t ts_ms) {
  const SeoulTime t = to_seoul(ts_ms);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", t.date.year, t.date.month, t.date.day);
  return buf;
}

std::string kst_time(std::int64_t ts_ms) {
  const SeoulTime t = to_seoul(ts_ms);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", t.hour, t.minute, t.second);
  return buf;
}

}  // namespace quantd::kis_mock
