// MockOptions: the kis-mock command line, parsed and validated once (README.md, "CLI").
//
// Every setting has the default PROTOCOL.md gives for the chosen environment (rate 1/s paper and
// 18/s real, ccld pages of 15 and 100 rows, balance pages of 20 and 50). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/krx.h"

namespace quantd::kis_mock {

enum class Env : std::uint8_t { kVirtual, kReal };

// When a 1-minute bar shows in inquire-time-itemchartprice (LIVE.md §7.2, LT-28).
enum class BarVisible : std::uint8_t {
  kEnd,    // once complete: bar T from T + 1 min
  kStart,  // from T on; while in progress it shows only what has traded so far
};

struct InitialHolding {
  std::string symbol;
  std::int64_t quantity = 0;
  std::int64_t avg_price = 0;  // KRW
};

struct MockOptions {
  Env env = Env::kVirtual;
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  BarVisible bar_visible = BarVisible::kEnd;
  std::map<std::string, std::string> price_files;  // symbol -> CSV path
  TimestampMs clock = 0;                           // the mock clock at start
  std::int64_t cash = 10'000'000;
  std::vector<InitialHolding> holdings;
  double rate_limit_per_s = 0;  // 0 until parsed: then 1 (virtual) or 18 (real) unless given
  int ccld_page_size = 0;       // 15 (virtual) / 100 (real) unless given
  int balance_page_size = 0;    // 20 (virtual) / 50 (real) unless given
  int ccld_lag_s = 0;
  int token_throttle_s = 60;
  int fill_volume_pct = 100;        // share of a bar's volume orders may take, 1..100
  double commission_bps = 1.40527;  // KIS online rate 0.0140527 % (PROTOCOL §7.5)
  std::string appkey;               // defaults depend on env (see options.cpp)
  std::string appsecret;
  std::string account = "50123456-01";            // CANO-ACNT_PRDT_CD
  std::map<std::string, domain::Market> markets;  // symbol -> market; default KOSPI
  std::map<std::string, std::string> names;       // symbol -> prdt_name / hts_kor_isnm
  std::string log_level = "warn";
  // The WebSocket (ws_server.h): its own port like KIS's (21000 real, 31000 paper).
  bool ws = true;
  std::uint16_t ws_port = 0;         // 0: ephemeral (GET /_mock/state "ws_url" tells it)
  std::string hts_id = "mockhtsid";  // the notices' tr_key (PROTOCOL §6.2)
  int ws_ping_s = 100;               // PINGPONG period; an unanswered one drops the session
  bool ws_notices = true;            // false: notices never arrive (the paper caveat, §6.6)
  int ws_notice_fields = 26;         // 26, or 23 for the pre-2025 layout

  std::string cano() const { return account.substr(0, 8); }
  std::string acnt_prdt_cd() const { return account.substr(9, 2); }
  bool is_virtual() const { return env == Env::kVirtual; }
};

// Parses argv (argv[0] is skipped). Errors: invalid_argument naming the flag and what is wrong
// (unknown flag, missing value, malformed number, time, holding or account). A
// `--help` anywhere returns failed_precondition with the usage text as message.
Result<MockOptions> parse_options(int argc, const char* const* argv);

// The usage text printed by --help.
std::string usage();

}  // namespace quantd::kis_mock
