// The OAuth endpoints and hashkey (PROTOCOL §2). They take their credentials from the JSON body
// (hashkey: from the headers), count against the appkey's rate bucket like every REST call
// (PROTOCOL §5.1), and are hit by a fault only when its scope names them ("tokenP", ...).
#include <openssl/sha.h>

#include <cmath>
#include <cstdio>
#include <mutex>

#include "gateway.h"
#include "kis_api.h"

namespace quantd::kis_mock {

namespace {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  std::string hex;
  char buf[3];
  for (unsigned char c : digest) {
    std::snprintf(buf, sizeof buf, "%02x", c);
    hex += buf;
  }
  return hex;
}

void log_call(MockState& s, std::string_view call, std::string_view result) {
  Json entry = Json::object();
  entry["call"] = call;
  entry["clock"] = iso_kst(s.now);
  entry["wall_ms"] = s.wall_ms();
  entry["result"] = result;
  s.counters.oauth_log.push_back(std::move(entry));
}

// Counting, the faults that name this call, and the rate bucket of `appkey`. Returns the answer
// when the call ends here; *delay_s receives a delay_next_s.
std::optional<http::Response> admit_oauth(MockState& s, const std::string& name,
                                          const std::string& appkey, double* delay_s) {
  CallInfo call;
  call.name = name;
  call.uapi = false;
  ++s.counters.calls_by_endpoint[name];
  if (s.faults.take(FaultKind::kDropNext, call)) {
    ++s.counters.dropped;
    log_call(s, name, "dropped");
    http::Response drop;
    drop.close_without_reply = true;
    return drop;
  }
  if (auto delay = s.faults.take(FaultKind::kDelayNext, call)) *delay_s = delay->seconds;
  if (s.faults.take(FaultKind::kRateLimitNext, call) ||
      !s.limiter->admit(appkey, RateLimiter::Clock::now())) {
    ++s.counters.rate_limit_hits;
    log_call(s, name, "EGW00201");
    return kis_error(500, "EGW00201");
  }
  if (s.faults.take(FaultKind::kHttp500Next, call)) {
    ++s.counters.injected_errors;
    log_call(s, name, "EGW00002");
    return kis_error(500, "EGW00002");
  }
  if (auto error = s.faults.take(FaultKind::kErrorNext, call)) {
    ++s.counters.injected_errors;
    log_call(s, name, error->msg_cd);
    return error->http_status == 0 || error->http_status == 403
               ? oauth_error(error->msg_cd)
               : kis_error(error->http_status, error->msg_cd, error->msg1);
  }
  return std::nullopt;
}

nlohmann::json body_object(const http::Request& request) {
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  return body.is_object() ? body : nlohmann::json::object();
}

std::string field(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Wraps a handler: takes the lock, runs admit_oauth, applies a delay.
template <typename Fn>
http::Handler oauth_handler(MockState& s, std::string name, bool appkey_in_headers, Fn fn) {
  return [&s, name = std::move(name), appkey_in_headers, fn](const http::Request& request) {
    std::lock_guard lock(s.mu);
    const nlohmann::json body = body_object(request);
    const std::string appkey = appkey_in_headers
                                   ? std::string(request.header("appkey").value_or(""))
                                   : field(body, "appkey");
    double delay_s = 0;
    http::Response response;
    if (auto answer = admit_oauth(s, name, appkey, &delay_s)) {
      response = std::move(*answer);
    } else {
      response = fn(request, body);
    }
    if (delay_s > 0) response.delay = std::chrono::milliseconds(std::llround(delay_s * 1000));
    return response;
  };
}

}  // namespace

void add_oauth_routes(http::Router& router, MockState& s) {
  add_mock_route(
      router, "POST", "/oauth2/tokenP",
      oauth_handler(s, "tokenP", false, [&s](const http::Request&, const nlohmann::json& body) {
        if (field(body, "grant_type") != "client_credentials") {
          log_call(s, "tokenP", "EGW00101");
          return oauth_error("EGW00101");
        }
        const TokenAnswer t =
            s.tokens->issue(field(body, "appkey"), field(body, "appsecret"), s.now);
        if (!t.error_code.empty()) {
          if (t.error_code == "EGW00133") ++s.counters.token_throttled;
          log_call(s, "tokenP", t.error_code);
          return oauth_error(t.error_code);
        }
        ++s.counters.token_issued;
        if (t.minted) ++s.counters.token_minted;
        log_call(s, "tokenP", t.minted ? "minted" : "same");
        Json out = Json::object();
        out["access_token"] = t.access_token;
        std::string expiry = format_seoul(t.expires_at);  // "YYYY-MM-DDTHH:MM:SS"
        expiry[10] = ' ';
        out["access_token_token_expired"] = expiry;
        out["token_type"] = "Bearer";
        // KIS sends 86400 even when it hands back a token issued hours ago (mojito):
        // clients must schedule by access_token_token_expired.
        out["expires_in"] = 86400;
        return kis_json(200, out);
      }));

  add_mock_route(
      router, "POST", "/oauth2/revokeP",
      oauth_handler(s, "revokeP", false, [&s](const http::Request&, const nlohmann::json& body) {
        const std::string code =
            s.tokens->revoke(field(body, "appkey"), field(body, "appsecret"), field(body, "token"));
        log_call(s, "revokeP", code.empty() ? "revoked" : code);
        if (!code.empty()) return oauth_error(code);
        Json out = Json::object();
        out["code"] = 200;
        out["message"] = "접근토큰 폐기에 성공하였습니다";
        return kis_json(200, out);
      }));

  add_mock_route(
      router, "POST", "/oauth2/Approval",
      oauth_handler(s, "Approval", false, [&s](const http::Request&, const nlohmann::json& body) {
        // The secret travels as "secretkey" here, not "appsecret" (PROTOCOL §2.3).
        std::string code =
            field(body, "grant_type") != "client_credentials"
                ? "EGW00101"
                : s.tokens->check_credentials(field(body, "appkey"), field(body, "secretkey"));
        log_call(s, "Approval", code.empty() ? "issued" : code);
        if (!code.empty()) return oauth_error(code);
        Json out = Json::object();
        out["approval_key"] = *s.approval_keys.insert(s.tokens->approval_key()).first;
        return kis_json(200, out);
      }));

  add_mock_route(
      router, "POST", "/uapi/hashkey",
      oauth_handler(s, "hashkey", true, [&s](const http::Request& request, const nlohmann::json&) {
        const std::string code = s.tokens->check_credentials(
            request.header("appkey").value_or(""), request.header("appsecret").value_or(""));
        const Json body = Json::parse(request.body, nullptr, false);
        log_call(s, "hashkey", !code.empty() ? code : body.is_object() ? "ok" : "EGW00101");
        if (!code.empty()) return kis_error(500, code);
        if (!body.is_object()) return kis_error(500, "EGW00101");
        Json out = Json::object();
        out["BODY"] = body;
        out["HASH"] = sha256_hex(request.body);
        return kis_json(200, out);
      }));
}

}  // namespace quantd::kis_mock
