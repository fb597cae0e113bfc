#include "token_service.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>

namespace quantd::kis_mock {

namespace {

constexpr TimestampMs kLifetime = 24 * kMsPerHour;
constexpr TimestampMs kReuseWindow = 6 * kMsPerHour;

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string uuid_like(std::uint64_t serial, std::uint64_t salt) {
  const std::uint64_t a = (serial * 0x9E3779B97F4A7C15ULL) ^ salt;
  const std::uint64_t b = (a * 0xC2B2AE3D27D4EB4FULL) ^ (serial << 17);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace

TokenService::TokenService(std::string appkey, std::string appsecret, int throttle_s)
    : appkey_(std::move(appkey)), appsecret_(std::move(appsecret)), throttle_s_(throttle_s) {}

std::string TokenService::check_credentials(std::string_view appkey,
                                            std::string_view appsecret) const {
  if (appkey != appkey_) return "EGW00103";
  if (appsecret != appsecret_) return "EGW00105";
  return "";
}

std::string TokenService::mint(TimestampMs now) {
  ++serial_;
  // A JWT like KIS's (PROTOCOL §1: the payload's jti is the appkey), signed with the appsecret.
  Json header = Json::object();
  header["typ"] = "JWT";
  header["alg"] = "HS512";
  Json payload = Json::object();
  payload["sub"] = "token";
  payload["aud"] = uuid_like(serial_, 0x5151);
  payload["iss"] = "unogw";
  payload["exp"] = (now + kLifetime) / 1000;
  payload["iat"] = now / 1000;
  payload["jti"] = appkey_;
  const std::string signing_input = base64url(header.dump()) + "." + base64url(payload.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha512(), appsecret_.data(), static_cast<int>(appsecret_.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_len);
  const std::string token =
      signing_input + "." + base64url(std::string_view(reinterpret_cast<char*>(mac), mac_len));
  if (!current_.empty()) tokens_[current_].dead = true;  // replaced: EGW00121 from now on
  tokens_[token] = Token{now, now + kLifetime, false};
  current_ = token;
  return token;
}

TokenAnswer TokenService::issue(std::string_view appkey, std::string_view appsecret,
                                TimestampMs now) {
  TokenAnswer answer;
  answer.error_code = check_credentials(appkey, appsecret);
  if (!answer.error_code.empty()) return answer;
  if (answered_before_ && now - last_answer_at_ < throttle_s_ * kMsPerSecond) {
    answer.error_code = "EGW00133";
    return answer;
  }
  answered_before_ = true;
  last_answer_at_ = now;
  if (!current_.empty()) {
    const Token& token = tokens_.at(current_);
    // Within 6 h the same token comes back, even a dead one (LT-18); an expired one never.
    if (now < token.expires_at && now - token.issued_at < kReuseWindow) {
      answer.access_token = current_;
      answer.expires_at = token.expires_at;
      return answer;
    }
  }
  answer.access_token = mint(now);
  answer.expires_at = tokens_.at(answer.access_token).expires_at;
  answer.minted = true;
  return answer;
}

TokenCheck TokenService::check(std::string_view token, TimestampMs now) const {
  const auto it = tokens_.find(token);
  if (it == tokens_.end() || it->second.dead) return TokenCheck::kInvalid;
  if (now >= it->second.expires_at) return TokenCheck::kExpired;
  return TokenCheck::kValid;
}

std::string TokenService::revoke(std::string_view appkey, std::string_view appsecret,
                                 std::string_view token) {
  if (std::string code = check_credentials(appkey, appsecret); !code.empty()) return code;
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) return "EGW00121";
  it->second.dead = true;
  if (current_ == token) current_.clear();
  return "";
}

std::string TokenService::approval_key() { return uuid_like(++serial_, 0xA99); }

void TokenService::expire_now(TimestampMs now) {
  if (current_.empty()) return;
  Token& token = tokens_.at(current_);
  token.expires_at = std::min(token.expires_at, now);
}

void TokenService::invalidate() {
  if (current_.empty()) return;
  tokens_.at(current_).dead = true;
}

Json TokenService::describe(TimestampMs now) const {
  Json out = Json::object();
  std::size_t minted = tokens_.size();
  if (current_.empty()) {
    out["state"] = "none";
  } else {
    const Token& token = tokens_.at(current_);
    const TokenCheck state = check(current_, now);
    out["state"] = state == TokenCheck::kValid     ? "valid"
                   : state == TokenCheck::kExpired ? "expired"
                                                   : "invalid";
    out["issued_at"] = format_seoul(token.issued_at) + "+09:00";
    out["expires_at"] = format_seoul(token.expires_at) + "+09:00";
  }
  out["tokens_minted"] = minted;
  return out;
}

}  // namespace quantd::kis_mock
