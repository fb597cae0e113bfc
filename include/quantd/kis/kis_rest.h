// KisRest: every REST call quantd makes to KIS goes through here (LIVE.md §3.2 KisAuth, BrokerIo,
// KisRest; PROTOCOL §2–§5): the access token (cached in SQLite, renewed before expiry, asked
// for at most once per 61 s across restarts), the rate limiter (one gate per app key, orders
// first), the headers KIS requires, the envelope, and paging of account inquiries.
//
// Design note. Queries may be retried inside a call (a throttle answer backs off and asks again,
// an expired token is renewed once), because asking twice changes nothing. An order POST never
// is: post_order() makes exactly one attempt on a fresh connection and classifies what came back
// (LIVE.md §4.2); resending is the desk's decision, on the same journal row. Paging returns
// every page or an error, never a shorter list (I4).
//
// Plain http:// is accepted only for a loopback host (the local mock); anything else must be
// https, verified against the system's trust store. Secrets (app key, secret, token, account)
// go in headers and bodies only: messages name the call and KIS's code, never them.
//
// Threading: thread-safe; calls from several threads wait their turn at the rate limiter.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantd/core/clock.h"
#include "quantd/core/status.h"
#include "quantd/core/url.h"
#include "quantd/http/client.h"
#include "quantd/kis/kis_messages.h"
#include "quantd/kis/rate_limiter.h"
#include "quantd/kis/token_store.h"
#include "quantd/storage/database.h"

namespace quantd::kis {

struct KisCredentials {
  std::string app_key;
  std::string app_secret;
  AccountNo account;
};

struct KisRestOptions {
  Environment environment = Environment::kPaper;
  std::string rest_url;   // empty: the environment's default (PROTOCOL §1)
  double rate_per_s = 0;  // 0: 15/s real, 0.9/s paper
  std::string ca_file;    // a private CA instead of the system's store (tests)
  std::chrono::milliseconds query_timeout{10'000};
  std::chrono::milliseconds order_timeout{5'000};
  int max_query_attempts = 4;  // throttle answers and a renewed token, per query
};

// A query's parameters (sent as the query string, in this order).
using Params = std::vector<std::pair<std::string, std::string>>;

// One answer of a query: its envelope and the paging header.
struct Page {
  Envelope envelope;
  std::string tr_cont;  // "F"/"M": more pages; "D"/"E" or empty: the last
};

class KisRest {
 public:
  // Errors: invalid_argument for a URL that is not https (or http on a loopback host), or
  // credentials that are empty; the token store's and the HTTP client's errors.
  static Result<std::unique_ptr<KisRest>> create(KisRestOptions options, KisCredentials credentials,
                                                 storage::Database& db, const Clock& clock);
  ~KisRest();

  Environment environment() const { return options_.environment; }
  const AccountNo& account() const { return credentials_.account; }
  RateLimiter& limiter() { return limiter_; }

  // One query (a GET of `call`), answered rt_cd "0". Errors: unavailable (KIS unreachable, a
  // throttle that outlasted the attempts, no token yet), failed_precondition (a configuration
  // error: keys or environment wrong), invalid_argument (a business refusal such as "no data",
  // with KIS's code and message).
  Result<Page> query(Call call, const Params& params, Priority priority,
                     const std::string& tr_cont = "");
  // Every page of a paged account inquiry (PROTOCOL §3.4): `params` must hold CTX_AREA_FK100 and
  // CTX_AREA_NK100 (empty); each next page echoes the keys byte-exact. Returns the answers in
  // order. A page that fails fails the whole read.
  Result<std::vector<Envelope>> query_all(Call call, Params params, Priority priority,
                                          int max_pages = 100);

  // One order POST (order-cash or order-rvsecncl), exactly one attempt, classified.
  live::SendResult post_order(Call call, const nlohmann::json& body, CivilDate today);

  // The access token to use now (renewed when due). Errors: unavailable while tokenP may not be
  // asked yet (the 61 s rule) or KIS refused it; failed_precondition for bad credentials.
  Result<std::string> token();
  // KIS said `token` is expired or invalid: the next token() asks for a new one (and revokes a
  // token KIS keeps handing back dead, PROTOCOL §2.1).
  void token_rejected(const std::string& token, std::string_view msg_cd);

  // A WebSocket approval key from POST /oauth2/Approval (PROTOCOL §2.3: the secret travels as
  // `secretkey`), asked for per WebSocket session and never stored. Counted by the rate
  // limiter at balance priority. Errors: unavailable (KIS unreachable or no slot),
  // failed_precondition (KIS refused the credentials).
  Result<std::string> approval_key();

  // Tokens issued by tokenP through this object (tests and health).
  int tokens_issued() const;
  // True from KIS re-serving a token it rejected (revoked, PROTOCOL §2.1) until a new one is
  // issued: nothing can be sent meanwhile.
  bool token_invalid() const;

 private:
  KisRest(KisRestOptions options, KisCredentials credentials, Url base, TokenStore store,
          std::unique_ptr<http::Client> client, const Clock& clock);
  http::HeaderList headers(const std::string& token, const std::string& tr_id,
                           const std::string& tr_cont) const;
  Result<std::string> issue_token_locked(TimestampMs now);

  const KisRestOptions options_;
  const KisCredentials credentials_;
  const Url base_;
  std::unique_ptr<http::Client> client_;
  const Clock& clock_;
  RateLimiter limiter_;

  mutable std::mutex token_mu_;  // guards the members below; held across a tokenP call
  TokenStore store_;
  std::string token_;  // the token in use ("" before the first)
  TimestampMs token_expires_ = 0;
  std::string dead_token_;                  // the last token KIS rejected
  std::atomic<bool> token_invalid_{false};  // read without token_mu_ (held across tokenP)
  int tokens_issued_ = 0;
};

}  // namespace quantd::kis
