// The KIS Open API's messages (../shared/kis/PROTOCOL.md §2–§5), built and read: endpoints and
// TR ids per environment, order bodies, the response envelope, the classification of an order's
// answer (LIVE.md §4.2), and the rows of the daily order book, the balance and the charts.
//
// Design note. Pure functions over JSON and strings: no I/O, so every rule is tested against
// the protocol's example files. Readers are strict: a row with a missing or malformed field is
// an error naming the field, never a row dropped (a shorter order book would break invariant
// I4). Messages never repeat an account number, a key or a token.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/bar.h"
#include "quantd/live/broker.h"

namespace quantd::kis {

enum class Environment : std::uint8_t { kPaper, kReal };  // 모의투자 (VTS), 실전투자

// "paper", "real".
std::string_view to_string(Environment env);
std::optional<Environment> parse_environment(std::string_view text);
// The default REST base URL of the environment (PROTOCOL §1).
std::string_view default_rest_url(Environment env);

// The REST calls quantd makes, with their paths and TR ids (PROTOCOL §4, the new order ids).
enum class Call : std::uint8_t {
  kPrice,
  kDailyChart,
  kMinuteChart,
  kBuy,
  kSell,
  kReviseCancel,
  kBalance,
  kDailyOrders,
  kBuyingPower,
};
struct Endpoint {
  std::string_view method;  // "GET" or "POST"
  std::string_view path;
  std::string tr_id;  // the paper twin of an account TR id starts with 'V'
};
Endpoint endpoint(Call call, Environment env);

// An account number "12345678-01" (or "1234567801"): CANO and ACNT_PRDT_CD.
struct AccountNo {
  std::string cano;     // 8 digits
  std::string product;  // 2 digits
};
// Errors: invalid_argument saying what shape is expected (never repeating the input).
Result<AccountNo> parse_account(std::string_view text);
// "1234****-01": what logs, the API and the UI may show.
std::string mask_account(const AccountNo& account);

// A response: its HTTP status and, when the body is JSON, the envelope fields (msg1 trimmed).
struct Envelope {
  int http_status = 0;
  bool is_json = false;
  std::string rt_cd;
  std::string msg_cd;
  std::string msg1;
  nlohmann::json body;  // null when not JSON
  bool ok() const { return http_status == 200 && is_json && rt_cd == "0"; }
  // "EGW00201 초당 거래건수를 초과하였습니다." or "HTTP 502" for a body without an envelope.
  std::string describe() const;
};
Envelope parse_envelope(int http_status, std::string_view body);

// Gateway answers that say the request was refused before it was routed (PROTOCOL §5.2).
bool is_rate_limited(std::string_view msg_cd);    // EGW00201, EGW00215
bool is_token_rejected(std::string_view msg_cd);  // EGW00121, EGW00122, EGW00123, EGW00205
// Credentials or environment are wrong: no retry helps (EGW00102–EGW00105, EGW02004,
// EGW00208, and the paper host's "모의투자 TR 이 아닙니다").
bool is_configuration_error(const Envelope& envelope);

// The order-cash body (PROTOCOL §4.4): upper-case keys, every value a string, KRX only.
// Errors: invalid_argument for a stop-market order (simulation only), a quantity < 1, a limit
// price that is not a positive whole number of won.
Result<nlohmann::json> order_body(const AccountNo& account, const live::OrderRequest& request);
// The order-rvsecncl body cancelling `quantity` (0: all) of the open order `ref`.
nlohmann::json cancel_body(const AccountNo& account, const live::BrokerOrderRef& ref,
                           std::int64_t quantity);

// LIVE.md §4.2: what an order POST's answer proves. `today` dates the order reference (KIS
// answers the time only).
live::SendResult classify_order(const Envelope& answer, CivilDate today);
// LIVE.md §4.2 for a POST that got no answer: `sent` says whether any byte of the request may
// have reached the server (http::request_may_have_arrived); kNotSent only when it cannot have.
live::SendResult classify_no_answer(const Status& error, bool sent);

// The rows of inquire-daily-ccld's output1 (PROTOCOL §4.7), order times as KST.
Result<std::vector<live::BrokerOrder>> parse_daily_orders(const nlohmann::json& output1);
// inquire-balance's output1 rows (holdings with quantity > 0 kept) and output2's cash fields.
Result<std::vector<live::Holding>> parse_holdings(const nlohmann::json& output1);
struct Cash {
  std::int64_t d0 = 0;  // dnca_tot_amt
  std::int64_t d2 = 0;  // prvs_rcdl_excc_amt (the settled view)
};
Result<Cash> parse_cash(const nlohmann::json& output2);
// inquire-psbl-order's output: what a buy may use now without margin (nrcvb_buy_amt).
Result<std::int64_t> parse_orderable(const nlohmann::json& output);
// The minute chart's output2 rows (newest first on the wire), ascending 1m bars of `date`.
Result<std::vector<domain::Bar>> parse_minute_bars(const nlohmann::json& output2);
// The daily chart's output2 rows, ascending 1d bars (days without a trade, mod_yn "Y", skipped).
Result<std::vector<domain::Bar>> parse_daily_bars(const nlohmann::json& output2);

// tokenP's answer (PROTOCOL §2.1): the token and its expiry, from access_token_token_expired (a
// KST wall time), never from expires_in. Errors: resource_exhausted for EGW00133 (asked too
// soon), failed_precondition for bad credentials (EGW00103/EGW00105/EGW02004: no retry helps),
// unavailable for anything else; messages never include the token.
struct TokenGrant {
  std::string token;
  TimestampMs expires_at = 0;
};
Result<TokenGrant> parse_token(int http_status, std::string_view body);
// "YYYY-MM-DD HH:MM:SS" in KST → UTC ms.
std::optional<TimestampMs> parse_kst_datetime(std::string_view text);

}  // namespace quantd::kis
