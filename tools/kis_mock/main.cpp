// kis-mock: a local, protocol-faithful mock of the KIS Open API, REST and WebSocket (README.md).
//
// Composition: parse the flags, read the price CSVs, build the MockState, register the KIS and
// control routes on one Router, serve them on one quantd::http::Server, the WebSocket on its own
// port (ws_server.h), and wait for SIGINT or SIGTERM. Shutdown: stop the server (in-flight calls
// finish), then the state goes.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "control_api.h"
#include "kis_api.h"
#include "mock_state.h"
#include "options.h"
#include "quantd/core/logging.h"
#include "quantd/data/bar_csv.h"
#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "ws_server.h"

namespace {

using namespace quantd;
using namespace quantd::kis_mock;

int run(int argc, char** argv) {
  Result<MockOptions> parsed = parse_options(argc, argv);
  if (!parsed.ok()) {
    if (parsed.status().code() == StatusCode::kFailedPrecondition) {
      std::fputs(parsed.status().message().c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "kis-mock: %s\n", parsed.status().message().c_str());
    return 2;
  }
  MockOptions options = std::move(parsed).value();
  if (Status s = setup_logging(options.log_level); !s.ok()) {
    std::fprintf(stderr, "kis-mock: --log-level: %s\n", s.message().c_str());
    return 2;
  }
  std::map<std::string, std::vector<domain::Bar>> bars;
  for (const auto& [symbol, path] : options.price_files) {
    Result<std::vector<domain::Bar>> read = data::read_bars_csv(path);
    if (!read.ok()) {
      std::fprintf(stderr, "kis-mock: --prices %s: %s\n", symbol.c_str(),
                   read.status().message().c_str());
      return 2;
    }
    bars[symbol] = std::move(read).value();
  }
  for (const InitialHolding& h : options.holdings) {
    if (!bars.count(h.symbol)) {
      std::fprintf(stderr, "kis-mock: --holding %s: give its bars with --prices %s=FILE.csv\n",
                   h.symbol.c_str(), h.symbol.c_str());
      return 2;
    }
  }
  auto market = std::make_shared<const Market>(std::move(bars), options.markets, options.names);
  if (options.clock == 0) {
    // No --clock: the first bar's day at 08:55 KST, or now without bars.
    const auto first = market->first_bar_ts();
    options.clock = first ? from_seoul(to_seoul(*first).date, 8, 55, 0)
                          : std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  }

  MockState state(options, market);
  http::Router router;
  add_oauth_routes(router, state);
  add_quotation_routes(router, state);
  add_trading_routes(router, state);
  add_control_routes(router, state);

  // Signals are taken by sigwait below; block them before the server's threads exist.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  http::ServerConfig config;
  config.host = options.host;
  config.port = options.port;
  config.threads = 4;  // a held-back answer blocks no thread; these serve concurrent clients
  http::Server server(config, router, nullptr);
  if (Status s = server.start(); !s.ok()) {
    std::fprintf(stderr, "kis-mock: %s\n", s.message().c_str());
    return 1;
  }
  std::unique_ptr<WsServer> ws;
  if (options.ws) {
    ws = std::make_unique<WsServer>(state, options.host, options.ws_port);
    if (Status s = ws->start(); !s.ok()) {
      std::fprintf(stderr, "kis-mock: %s\n", s.message().c_str());
      server.stop();
      return 1;
    }
    std::fprintf(stderr, "kis-mock websocket on ws://%s:%u/tryitout\n", options.host.c_str(),
                 static_cast<unsigned>(ws->port()));
  }
  std::fprintf(stderr, "kis-mock listening on http://%s:%u\n", options.host.c_str(),
               static_cast<unsigned>(server.port()));
  std::fflush(stderr);
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  if (ws) ws->stop();
  server.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
