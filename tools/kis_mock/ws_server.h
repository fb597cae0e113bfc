// WsServer: kis-mock's WebSocket (PROTOCOL §6), on its own port like KIS's.
//
// What it models:
//   - ws://HOST:PORT/tryitout only (anything else 404); one session per appkey: a second one
//     that registers is answered OPSP8996 "ALREADY IN USE appkey" and dropped (§6.1).
//   - Registrations (§6.2, §6.3): the approval key must be one /oauth2/Approval issued (else
//     rt_cd 9 MOCK0010); tr_id H0STCNT0 with a known code, or the environment's notice TR
//     (H0STCNI9 virtual, H0STCNI0 real; the other one is refused with MOCK0011); a notice
//     registration under an HTS id other than --hts-id gets no answer and the session is
//     dropped without a close frame (what KIS's README says a wrong HTS id looks like).
//     OPSP0000 carries a key and iv drawn per session and TR; OPSP0002 for a duplicate,
//     OPSP0008 past 41 registrations, OPSP0001 / OPSP0003 for unregistering.
//   - Notices (§6.6): every accepted order row of the account (API and /_mock/order alike)
//     gives an acknowledgement (CNTG_YN 1), every execution a fill (CNTG_YN 2), AES-256-CBC
//     encrypted with the session's key, in the 26-field layout (or 23 with ws_notice_fields).
//     ws_notices false silences them (the paper caveat).
//   - Trades (§6.5): when the mock clock completes bar T, each session registered for its code
//     gets one H0STCNT0 record for it (time T + 59 s, price its close, size its volume); bars
//     completed by one clock move go out as one multi-record frame.
//   - PINGPONG (§6.7) every ws_ping_s wall seconds; a session that did not echo the previous
//     one is dropped without a close frame. POST /_mock/ws/drop drops every session the same way.
// Events are taken from MockState every 20 ms (new order rows, new executions, clock moves), so
// the REST handlers know nothing of the WebSocket.
//
// Threading: one thread of its own; it takes MockState::mu to read the state.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "mock_state.h"
#include "quantd/core/status.h"

namespace quantd::kis_mock {

class WsServer {
 public:
  // `state` must outlive the server.
  WsServer(MockState& state, std::string host, std::uint16_t port);
  ~WsServer();     // stop()
  Status start();  // binds and starts the thread
  void stop();
  std::uint16_t port() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::kis_mock
