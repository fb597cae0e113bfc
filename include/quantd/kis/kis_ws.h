// KisWs: the optional KIS WebSocket of one app key (LIVE.md §3.2 KisWs, D5; PROTOCOL §6), an
// accelerator only. It subscribes the order and fill notices of the HTS id (H0STCNI0, H0STCNI9
// on paper) and the trades (H0STCNT0) of up to 40 watched symbols, decrypts the notices with the
// key and iv of their TR's ack, keeps only the notices of quantd's account, echoes PINGPONG as
// text, and reconnects after a drop or 120 s of silence (5 s backoff, doubling to 60 s) with a
// new approval key, re-sending every subscription. OPSP8996 (another session holds the app key)
// stops it until restart instead of looping (PROTOCOL §6.1).
//
// Design note. Nothing here is a source of truth: a notice is a hint that makes the owner read
// KIS's order book now (LIVE.md §4.3 "faster paths"), a trade is a last price for display; with
// the WebSocket off or down everything works on REST (LT-32). So the events carry what KIS said
// and the owner decides; a malformed or undecryptable frame is counted and logged by its TR id,
// never guessed at. The approval key, the HTS id and the account never reach a log or status.
//
// Threading: one thread of its own runs the connection; events are called on it and must not
// block for long. watch(), status() and last_trade() are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/kis/kis_messages.h"
#include "quantd/kis/kis_ws_frames.h"

namespace quantd::kis {

class KisRest;

struct KisWsOptions {
  Environment environment = Environment::kPaper;
  std::string url;     // empty: the environment's (PROTOCOL §1); ws:// otherwise only on loopback
  std::string hts_id;  // the notices' tr_key (the KIS login id, not the account); required
  std::chrono::milliseconds idle_timeout{120'000};  // silence after which the session is dead
  std::chrono::milliseconds backoff_min{5'000};
  std::chrono::milliseconds backoff_max{60'000};
  std::chrono::milliseconds send_gap{60};  // between subscribe messages (≥ 50 ms, PROTOCOL §6.1)
};

struct KisWsEvents {
  std::function<void(const WsNotice&)> notice;  // quantd's account only
  std::function<void(const WsTrade&)> trade;
  std::function<void(bool up, const std::string& why)> state;
};

struct KisWsStatus {
  std::string state = "starting";  // "connecting", "up", "down", "stopped"
  std::string reason;              // why it is not up (safe to show)
  std::int64_t since_ms = 0;       // wall time of the last state change
  int connects = 0;                // sessions opened
  int subscribed = 0;              // registrations acknowledged in this session
  int watched = 0;                 // trade symbols asked for (at most 40 are registered)
  std::int64_t notices = 0;        // notices of quantd's account
  std::int64_t trades = 0;
  std::int64_t bad_frames = 0;  // frames that could not be read
};

// The environment's WebSocket URL: ws://ops.koreainvestment.com:21000 (real), :31000 (paper).
std::string_view default_ws_url(Environment env);
// Errors: invalid_argument for a URL that is not ws://, or ws:// to a host that is neither
// KIS's own nor loopback.
Status validate_ws_url(std::string_view url);

class KisWs {
 public:
  // Errors: invalid_argument for a bad URL or an empty HTS id. Does not connect yet.
  static Result<std::unique_ptr<KisWs>> create(std::shared_ptr<KisRest> rest, KisWsOptions options,
                                               KisWsEvents events);
  ~KisWs();  // stop()
  KisWs(const KisWs&) = delete;
  KisWs& operator=(const KisWs&) = delete;

  void start();  // starts the thread; connects at once
  void stop();   // closes the session and joins the thread; idempotent

  // The symbols whose trades to receive (the first 40; the 41st registration is the notices').
  void watch(std::vector<std::string> symbols);

  KisWsStatus status() const;
  std::optional<WsTrade> last_trade(const std::string& symbol) const;

  struct Impl;

 private:
  explicit KisWs(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::kis
