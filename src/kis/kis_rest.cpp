#include "quantd/kis/kis_rest.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include "quantd/config/config.h"

namespace quantd::kis {

using nlohmann::json;

namespace {

// RFC 3986 unreserved characters pass; everything else is %XX (continuation keys hold spaces
// and '^', which must arrive byte-exact).
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string query_string(const Params& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    out += out.empty() ? "?" : "&";
    out += percent_encode(k) + "=" + percent_encode(v);
  }
  return out;
}

// The continuation key of a page, whatever case KIS used for it.
std::string ctx_key(const json& body, const char* lower, const char* upper) {
  for (const char* k : {lower, upper}) {
    if (auto it = body.find(k); it != body.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

void set_param(Params& params, const std::string& key, const std::string& value) {
  for (auto& [k, v] : params) {
    if (k == key) {
      v = value;
      return;
    }
  }
  params.emplace_back(key, value);
}

double default_rate(Environment env) { return env == Environment::kReal ? 15.0 : 0.9; }

}  // namespace

Result<std::unique_ptr<KisRest>> KisRest::create(KisRestOptions options, KisCredentials credentials,
                                                 storage::Database& db, const Clock& clock) {
  if (credentials.app_key.empty() || credentials.app_secret.empty()) {
    return Status::invalid_argument(
        "kis.app_key and kis.app_secret are required (or QUANTD_KIS_APP_KEY and "
        "QUANTD_KIS_APP_SECRET)");
  }
  if (options.rest_url.empty())
    options.rest_url = std::string(default_rest_url(options.environment));
  auto url = parse_url(options.rest_url);
  if (!url.ok()) return Status::invalid_argument("kis.rest_url: " + url.status().message());
  if (!url->https() && !config::is_loopback_host(url->host)) {
    return Status::invalid_argument(
        "kis.rest_url: plain http is accepted only for a loopback host "
        "(a local mock); use https for " +
        url->origin());
  }
  if (options.rate_per_s <= 0) options.rate_per_s = default_rate(options.environment);
  auto store = TokenStore::open(db, options.environment, credentials.app_key);
  if (!store.ok()) return store.status();
  http::ClientOptions co;
  co.ca_file = options.ca_file;
  co.timeout = options.query_timeout;
  auto client = http::Client::create(co);
  if (!client.ok()) return client.status();
  return std::unique_ptr<KisRest>(new KisRest(std::move(options), std::move(credentials),
                                              std::move(url).value(), std::move(store).value(),
                                              std::move(client).value(), clock));
}

KisRest::KisRest(KisRestOptions options, KisCredentials credentials, Url base, TokenStore store,
                 std::unique_ptr<http::Client> client, const Clock& clock)
    : options_(std::move(options)),
      credentials_(std::move(credentials)),
      base_(std::move(base)),
      client_(std::move(client)),
      clock_(clock),
      limiter_(options_.rate_per_s),
      store_(std::move(store)) {}

KisRest::~KisRest() = default;

http::HeaderList KisRest::headers(const std::string& token, const std::string& tr_id,
                                  const std::string& tr_cont) const {
  return {{"content-type", "application/json; charset=utf-8"},
          {"authorization", "Bearer " + token},
          {"appkey", credentials_.app_key},
          {"appsecret", credentials_.app_secret},
          {"tr_id", tr_id},
          {"tr_cont", tr_cont},
          {"custtype", "P"}};
}

Result<std::string> KisRest::token() {
  std::lock_guard lock(token_mu_);
  const TimestampMs now = clock_.now();
  const auto renew = kTokenRenewBeforeS * kMsPerSecond;
  if (!token_.empty() && token_ != dead_token_ && token_expires_ - now > renew) return token_;
  auto stored = store_.load();
  if (!stored.ok()) return stored.status();
  if (*stored && (*stored)->usable(now) && (*stored)->token != dead_token_) {
    token_ = (*stored)->token;  // a restart reuses the token it had
    token_expires_ = (*stored)->expires_at;
    return token_;
  }
  if (*stored && !(*stored)->may_request(now)) {
    const auto wait = kTokenRequestGapS - (now - (*stored)->last_request_at) / kMsPerSecond;
    return Status::unavailable("waiting " + std::to_string(wait) +
                               " s to ask KIS for an access token (at most once per " +
                               std::to_string(kTokenRequestGapS) + " s)");
  }
  return issue_token_locked(now);
}

Result<std::string> KisRest::issue_token_locked(TimestampMs now) {
  if (Status st = store_.record_attempt(now); !st.ok()) return st;  // counts even if we die now
  const auto deadline = RateLimiter::Clock::now() + options_.query_timeout;
  if (!limiter_.acquire(Priority::kOrder, deadline)) {
    return Status::unavailable("KIS tokenP: no slot within the rate limit");
  }
  http::ClientRequest req;
  req.method = "POST";
  req.url = base_.origin() + "/oauth2/tokenP";
  req.headers = {{"content-type", "application/json; charset=utf-8"}};
  req.body = json{{"grant_type", "client_credentials"},
                  {"appkey", credentials_.app_key},
                  {"appsecret", credentials_.app_secret}}
                 .dump();
  auto resp = client_->send(req);
  if (!resp.ok()) return Status::unavailable("KIS tokenP: " + resp.status().message());
  auto grant = parse_token(resp->status, resp->body);
  if (!grant.ok()) {
    spdlog::warn("kis: {}", grant.status().message());
    return grant.status();
  }
  if (grant->token == dead_token_) {
    // KIS hands back the token it just rejected (the 6-hour rule): revoke it, and the next
    // attempt, 61 s on, gets a new one (PROTOCOL §2.1, LIVE.md LT-18).
    http::ClientRequest revoke;
    revoke.method = "POST";
    revoke.url = base_.origin() + "/oauth2/revokeP";
    revoke.headers = {{"content-type", "application/json; charset=utf-8"}};
    revoke.body = json{{"appkey", credentials_.app_key},
                       {"appsecret", credentials_.app_secret},
                       {"token", grant->token}}
                      .dump();
    if (limiter_.acquire(Priority::kOrder, RateLimiter::Clock::now() + options_.query_timeout)) {
      (void)client_->send(revoke);
    }
    (void)store_.mark_revoked();
    token_invalid_ = true;
    spdlog::warn("kis: tokenP answered the token KIS had rejected; revoked it");
    return Status::unavailable(
        "KIS keeps answering with a token it rejected; it was revoked and a new one is asked for "
        "in " +
        std::to_string(kTokenRequestGapS) + " s");
  }
  if (Status st = store_.save(*grant, now); !st.ok()) return st;
  token_ = grant->token;
  token_expires_ = grant->expires_at;
  token_invalid_ = false;
  ++tokens_issued_;
  spdlog::info("kis: a new access token, valid until {} (KST)", format_seoul(grant->expires_at));
  return token_;
}

void KisRest::token_rejected(const std::string& token, std::string_view msg_cd) {
  std::lock_guard lock(token_mu_);
  if (token_ == token) {
    dead_token_ = token;
    token_expires_ = 0;
  }
  spdlog::warn("kis: KIS rejected the access token ({})", msg_cd);
}

Result<std::string> KisRest::approval_key() {
  if (!limiter_.acquire(Priority::kBalance, RateLimiter::Clock::now() + options_.query_timeout)) {
    return Status::unavailable("KIS Approval: no slot within the rate limit");
  }
  http::ClientRequest req;
  req.method = "POST";
  req.url = base_.origin() + "/oauth2/Approval";
  req.headers = {{"content-type", "application/json; charset=utf-8"}};
  req.body = json{{"grant_type", "client_credentials"},
                  {"appkey", credentials_.app_key},
                  {"secretkey", credentials_.app_secret}}
                 .dump();
  auto resp = client_->send(req);
  if (!resp.ok()) return Status::unavailable("KIS Approval: " + resp.status().message());
  const json body = json::parse(resp->body, nullptr, false);
  if (resp->status == 200 && body.is_object() && body.contains("approval_key") &&
      body["approval_key"].is_string() && !body["approval_key"].get<std::string>().empty()) {
    return body["approval_key"].get<std::string>();
  }
  std::string code =
      body.is_object() && body.contains("error_code") && body["error_code"].is_string()
          ? body["error_code"].get<std::string>()
          : "HTTP " + std::to_string(resp->status);
  if (resp->status == 403 || resp->status == 401) {
    return Status::failed_precondition("KIS Approval refused the app key (" + code + ")");
  }
  return Status::unavailable("KIS Approval answered " + code);
}

bool KisRest::token_invalid() const { return token_invalid_.load(); }

int KisRest::tokens_issued() const {
  std::lock_guard lock(token_mu_);
  return tokens_issued_;
}

Result<Page> KisRest::query(Call call, const Params& params, Priority priority,
                            const std::string& tr_cont) {
  const Endpoint ep = endpoint(call, options_.environment);
  std::string last;
  for (int attempt = 0; attempt < options_.max_query_attempts; ++attempt) {
    auto tok = token();
    if (!tok.ok()) return tok.status();
    if (!limiter_.acquire(priority, RateLimiter::Clock::now() + options_.query_timeout)) {
      return Status::unavailable("KIS " + ep.tr_id + ": no slot within the rate limit");
    }
    http::ClientRequest req;
    req.method = std::string(ep.method);
    req.url = base_.origin() + std::string(ep.path) + query_string(params);
    req.headers = headers(*tok, ep.tr_id, tr_cont);
    auto resp = client_->send(req);
    if (!resp.ok()) return Status::unavailable("KIS " + ep.tr_id + ": " + resp.status().message());
    Page page;
    page.envelope = parse_envelope(resp->status, resp->body);
    if (auto h = resp->header("tr_cont")) page.tr_cont = std::string(*h);
    const Envelope& e = page.envelope;
    if (e.ok()) {
      limiter_.succeeded();
      return page;
    }
    last = e.describe();
    if (is_rate_limited(e.msg_cd)) {
      limiter_.throttled();
      continue;
    }
    if (is_token_rejected(e.msg_cd)) {
      token_rejected(*tok, e.msg_cd);
      continue;
    }
    if (is_configuration_error(e)) {
      return Status::failed_precondition("KIS " + ep.tr_id + ": " + last +
                                         " (check kis.environment and the app key)");
    }
    if (e.http_status == 200 && e.is_json) {
      return Status::invalid_argument("KIS " + ep.tr_id + ": " + last);
    }
    return Status::unavailable("KIS " + ep.tr_id + " answered " + last);
  }
  return Status::unavailable("KIS " + ep.tr_id + ": still refused after " +
                             std::to_string(options_.max_query_attempts) + " attempts (" + last +
                             ")");
}

Result<std::vector<Envelope>> KisRest::query_all(Call call, Params params, Priority priority,
                                                 int max_pages) {
  const Params first = params;
  for (int restart = 0; restart < 3; ++restart) {
    std::vector<Envelope> pages;
    params = first;
    std::string tr_cont;
    bool restarted = false;
    for (;;) {
      auto page = query(call, params, priority, tr_cont);
      if (!page.ok()) {
        // "조회이후에 자료가 변경되었습니다": the book changed under the pages; read it again.
        if (page.status().message().find("자료가 변경되었습니다") != std::string::npos) {
          restarted = true;
          break;
        }
        return page.status();
      }
      pages.push_back(page->envelope);
      if (page->tr_cont != "F" && page->tr_cont != "M") return pages;
      if (static_cast<int>(pages.size()) >= max_pages) {
        return Status::unavailable("KIS " + endpoint(call, options_.environment).tr_id +
                                   ": more than " + std::to_string(max_pages) + " pages");
      }
      const json& body = page->envelope.body;
      set_param(params, "CTX_AREA_FK100", ctx_key(body, "ctx_area_fk100", "CTX_AREA_FK100"));
      set_param(params, "CTX_AREA_NK100", ctx_key(body, "ctx_area_nk100", "CTX_AREA_NK100"));
      tr_cont = "N";
    }
    if (!restarted) break;
  }
  return Status::unavailable("KIS " + endpoint(call, options_.environment).tr_id +
                             ": the order book kept changing while it was read");
}

live::SendResult KisRest::post_order(Call call, const json& body, CivilDate today) {
  const Endpoint ep = endpoint(call, options_.environment);
  auto tok = token();
  if (!tok.ok()) return classify_no_answer(tok.status(), false);
  if (!limiter_.acquire(Priority::kOrder, RateLimiter::Clock::now() + options_.order_timeout)) {
    return classify_no_answer(Status::unavailable("no slot within the rate limit"), false);
  }
  http::ClientRequest req;
  req.method = "POST";
  req.url = base_.origin() + std::string(ep.path);
  req.headers = headers(*tok, ep.tr_id, "");
  req.body = body.dump();
  req.timeout = options_.order_timeout;
  auto resp = client_->send(req);  // a fresh connection: "not sent" and "sent" stay apart
  if (!resp.ok()) {
    live::SendResult r =
        classify_no_answer(resp.status(), http::request_may_have_arrived(resp.status()));
    r.message = "KIS " + ep.tr_id + ": " + r.message;
    return r;
  }
  const Envelope e = parse_envelope(resp->status, resp->body);
  live::SendResult r = classify_order(e, today);
  if (is_rate_limited(e.msg_cd)) limiter_.throttled();
  if (is_token_rejected(e.msg_cd)) token_rejected(*tok, e.msg_cd);
  if (r.outcome == live::SendOutcome::kAccepted) limiter_.succeeded();
  return r;
}

}  // namespace quantd::kis
