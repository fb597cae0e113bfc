// The KIS WebSocket's messages (../shared/kis/PROTOCOL.md §6), built and read: subscribe and
// unsubscribe requests, control replies (acks with their AES key and iv, PINGPONG), data frames
// `<encrypted>|<tr_id>|<count>|<payload>`, AES-256-CBC decryption, and the two records quantd
// uses: H0STCNT0 trades and H0STCNI0/H0STCNI9 order and fill notices.
//
// Design note. Pure functions, like kis_messages.h: every rule is tested against the protocol's
// test vectors. A frame is split on its first three '|' only; a multi-record payload is chunked
// by the record's field count, and a notice is read by its field count (26 now, 23 before early
// 2025), so a layout KIS changes again is an error naming the count, never a misread field.
// Nothing here logs; messages never repeat a key, an approval key, an HTS id or an account.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"
#include "quantd/domain/order.h"

namespace quantd::kis {

inline constexpr std::string_view kTradeTr = "H0STCNT0";        // KRX trades, real and paper
inline constexpr std::string_view kNoticeTrReal = "H0STCNI0";   // order and fill notices
inline constexpr std::string_view kNoticeTrPaper = "H0STCNI9";  // the paper twin

// A subscribe ("1") or unsubscribe ("2") request for (tr_id, tr_key) (PROTOCOL §6.2).
std::string ws_subscribe_message(std::string_view approval_key, std::string_view tr_id,
                                 std::string_view tr_key, bool subscribe);

// A JSON message from the server: a control reply or PINGPONG (PROTOCOL §6.3, §6.7).
struct WsControl {
  std::string tr_id;  // "PINGPONG" for the liveness probe
  std::string tr_key;
  std::string rt_cd;
  std::string msg_cd;  // "OPSP0000", "OPSP8996", ...
  std::string msg1;
  std::string key;  // output.key of a SUBSCRIBE SUCCESS (32 ASCII chars)
  std::string iv;   // output.iv (16 ASCII chars)
  bool pingpong() const { return tr_id == "PINGPONG"; }
};

// A data frame before its payload is read (PROTOCOL §6.4).
struct WsDataFrame {
  bool encrypted = false;
  std::string tr_id;
  int count = 0;  // records in the payload
  std::string payload;
};

// What arrived: the first character tells them apart ('{' for JSON, '0'/'1' for data).
struct WsMessage {
  std::optional<WsControl> control;
  std::optional<WsDataFrame> data;
};
// Errors: invalid_argument naming what is malformed (not JSON, no header, a bad count, ...).
Result<WsMessage> parse_ws_message(std::string_view text);

// base64 of AES-256-CBC with PKCS#7 padding, `key` 32 and `iv` 16 ASCII bytes (PROTOCOL §6.4).
// Errors: invalid_argument for bad base64, a wrong key or iv size, or bad padding.
Result<std::string> ws_decrypt(std::string_view base64, std::string_view key, std::string_view iv);

// The payload's records: `count` records of `fields` '^'-separated fields each, concatenated.
// Errors: invalid_argument when the field count is not count × fields.
Result<std::vector<std::vector<std::string>>> ws_records(std::string_view payload, int count,
                                                         int fields);

// One H0STCNT0 record (46 fields; the ones quantd reads).
struct WsTrade {
  std::string symbol;           // MKSC_SHRN_ISCD
  std::string time;             // STCK_CNTG_HOUR "HHMMSS" KST
  std::int64_t price = 0;       // STCK_PRPR
  std::int64_t volume = 0;      // CNTG_VOL
  std::int64_t day_volume = 0;  // ACML_VOL
  std::string hour_class;       // HOUR_CLS_CODE: "0" regular, "A"–"D" expected prices
  bool halted = false;          // TRHT_YN
};
inline constexpr int kTradeFields = 46;
// Errors: invalid_argument naming the field that is not a number.
Result<std::vector<WsTrade>> parse_ws_trades(const WsDataFrame& frame);

// One H0STCNI0/H0STCNI9 record: an order acknowledgement, a rejection or a fill.
struct WsNotice {
  std::string account;                     // ACNT_NO, 10 digits (CANO + product)
  std::string order_no;                    // ODER_NO
  std::string original_order_no;           // OODER_NO (revise/cancel)
  domain::Side side = domain::Side::kBuy;  // SELN_BYOV_CLS 01 sell, 02 buy
  std::string symbol;                      // STCK_SHRN_ISCD
  std::int64_t quantity = 0;   // CNTG_QTY: the fill's size (the order's on an acknowledgement)
  std::int64_t price = 0;      // CNTG_UNPR: the fill's price (the order's on an acknowledgement)
  std::string time;            // STCK_CNTG_HOUR "HHMMSS" KST
  bool rejected = false;       // RFUS_YN 1
  bool fill = false;           // CNTG_YN 2
  std::string accept;          // ACPT_YN: 1 received, 2 confirmed, 3 cancelled
  std::int64_t order_qty = 0;  // ODER_QTY
  int layout = 0;              // the field count it came with: 26 or 23
};
// Reads the plaintext of a notice frame of `count` records; the layout (26 or 23 fields) is
// told by the field count. Errors: invalid_argument naming an unknown layout or a bad field.
Result<std::vector<WsNotice>> parse_ws_notices(std::string_view plaintext, int count);

}  // namespace quantd::kis
