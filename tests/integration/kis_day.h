// The harness of the KIS integration tests: kis-mock and `quantd serve` (live.broker and
// live.feed "kis", KIS paper, kis.rest_url on the mock) on one simulated 2026-07-09, their clocks
// stepped in lockstep (LIVE.md §12 "Setup for every test").
//
// Prices: 005930 is live_day's four days of 1-minute bars; 000660 the same days mirrored around
// 71,000 (its crosses come at other minutes). The daemon's database holds both symbols' days
// before 2026-07-09 (KIS paper has no past minutes); the mock has all four days.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "kis_mock/mock_process.h"
#include "test_support.h"

namespace quantd::testing {

// A golden cross sized in shares, so orders do not depend on fill prices (LIVE.md §10.2).
extern const char* const kSharesScript;

// The four days of bars of `symbol` ("005930" or "000660") as CSV, and the same without
// 2026-07-09.
std::string kis_prices_csv(const std::string& symbol);
std::string kis_history_csv(const std::string& symbol);

struct KisDayOptions {
  std::vector<std::string> mock_flags;  // after the standard ones (later flags win)
  std::string config_extra;             // TOML appended to the daemon's config
  // kis.websocket on the mock's WebSocket (hts_id "mockhtsid"), idle after `ws_idle_s`.
  bool websocket = false;
  int ws_idle_s = 120;
};

class KisDay {
 public:
  explicit KisDay(const KisDayOptions& options = {});
  ~KisDay();

  // The mock's control API; REQUIREs a 2xx answer.
  nlohmann::json control(const std::string& method, const std::string& path,
                         const nlohmann::json& body = nullptr);
  // The mock's accepted orders of kind "order" (not revisions or cancels), oldest first.
  std::vector<nlohmann::json> mock_orders();

  // (Re)starts quantd at `boundary` + 2 s (minutes since midnight, KST), optionally armed to
  // abort at a crash point.
  void start_daemon(int boundary, const std::string& crash_at = "");

  enum class Step { kDone, kDiedAnswering, kDiedInCycle };
  // Moves the mock, then quantd, to `boundary` + 2 s and waits for the cycle of the minute it
  // completes, or for quantd to die on the way (an armed crash point).
  Step step(int boundary);
  // step() that must complete.
  void step_ok(int boundary);

  // Creates a 1m strategy on `symbols` and activates it on the KIS account with `capital`;
  // returns the session id once it is active.
  std::int64_t go_live(const std::string& name, const std::vector<std::string>& symbols,
                       std::int64_t capital = 5'000'000, const std::string& script = kSharesScript);
  // Waits until live session `id` is in `state` (FAILs after about 30 s).
  void wait_session(std::int64_t id, const std::string& state);

  int port() const { return daemon->port(); }

  Sandbox box;
  std::unique_ptr<kis_mock::test::MockProcess> mock;
  std::unique_ptr<Daemon> daemon;
  int starts = 0;
};

// An order of `quantd backtest --orders-csv`.
struct BacktestOrder {
  std::string decided;  // KST, "2026-07-09T09:12:00"
  std::string side;
  std::int64_t qty = 0;
};

// The orders the backtest of kSharesScript makes on `symbol` over the mock's four days, trading
// from `trade_from` (a date or a time), with the capital of `go_live`, decided before `until`
// (KST "YYYY-MM-DDTHH:MM:SS"; an order decided on the closing print belongs to the next day).
std::vector<BacktestOrder> backtest_orders(KisDay& day, const std::string& symbol,
                                           const std::string& warmup_from,
                                           const std::string& trade_from,
                                           const std::string& until = "2026-07-09T15:30:00");

// The live session's orders that reached the broker (every state but not_placed and denied),
// oldest first.
std::vector<nlohmann::json> sent_orders(int port, std::int64_t session);

}  // namespace quantd::testing
