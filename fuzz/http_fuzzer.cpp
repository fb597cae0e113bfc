// libFuzzer target for the HTTP server's request handling and the whole JSON API: every input is
// the bytes a client sends on one connection, run through exactly the checks and the parser of
// HttpSession (src/http/http_session.cpp) and then through Router::handle on a router holding
// every route the daemon registers, over a real SQLite database with bars, strategies, finished
// backtests and live paper sessions that have traded (build_template). Any crash, sanitizer
// report, leak or hang is a bug, and so is a response that breaks an invariant (check_response):
// a status outside 100..599, a 5xx (a server error caused by input; the one exception is KIS's
// "not configured"), a problem document or JSON body that is not valid JSON, a streamed body
// that fails.
//
// The input: its first byte chooses the server's configuration (its lowest bit: the daemon's
// default, or an API token required, kToken below); the rest is the raw bytes of up to
// kMaxRequests pipelined HTTP/1.1 requests. The seeds (fuzz/http_seeds/) start with '0' or '1'
// and are readable requests.
//
// State across inputs is bounded: nothing runs backtests or live tasks in the background (the
// queues are drained inline after each request, a few at a time), at most one replay demo runs
// (its own thread, as in the daemon), and every kResetEvery inputs the database is replaced by a
// fresh copy of the one built at start-up, with every service rebuilt over it (with
// QUANTD_HTTP_FUZZ_TRACE set, each reset prints the live heap, which stays flat).
//
// Built with clang by fuzz/CMakeLists.txt, which compiles this file and the sources it targets
// (src/http request handling, src/app handlers) with -fsanitize=fuzzer-no-link,address,undefined
// and links the rest from the main build's static libraries; `make test` runs it for a bounded
// time (the http_fuzz test).
#include <sanitizer/allocator_interface.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "framing_internal.h"
#include "quantd/app/api.h"
#include "quantd/app/backtest_service.h"
#include "quantd/app/bar_downloads.h"
#include "quantd/app/metrics_endpoint.h"
#include "quantd/app/strategy_loader.h"
#include "quantd/auth/auth_service.h"
#include "quantd/bus/channel.h"
#include "quantd/config/config.h"
#include "quantd/core/clock.h"
#include "quantd/core/embedded.h"
#include "quantd/core/time.h"
#include "quantd/http/request.h"
#include "quantd/http/request_guard.h"
#include "quantd/http/response.h"
#include "quantd/http/router.h"
#include "quantd/http/server.h"
#include "quantd/http/static_assets.h"
#include "quantd/live/live_service.h"
#include "quantd/live/market_data.h"
#include "quantd/live/paper_broker.h"
#include "quantd/live/replay_demo.h"
#include "quantd/scheduler/krx_calendar.h"
#include "quantd/scheduler/session_ticker.h"
#include "quantd/storage/audit_log.h"
#include "quantd/storage/database.h"
#include "text_internal.h"

namespace {

namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using namespace quantd;
using nlohmann::json;

// The API token of the guarded configuration (in fuzz/http.dict as a whole header).
constexpr std::string_view kToken = "fuzz-token-0123456789abcdef0123456789";
// Requests per input: enough to create something and then read, change or delete it.
constexpr int kMaxRequests = 4;
// Inputs between two fresh databases (bounds what POST handlers can pile up).
constexpr int kResetEvery = 1000;
// Live tasks handled inline after each request; the rest are dropped (as a restart would).
constexpr int kMaxLiveTasks = 16;
// The clock the template starts at: 09:00 in Seoul on the second day of the stored 1-minute bars
// (the sample data's daily bars end on 2024-12-30).
constexpr TimestampMs kStart = from_seoul(CivilDate{2025, 1, 3}, 9, 0);
// Minutes the template's live sessions trade through.
constexpr int kTemplateMinutes = 40;

// QUANTD_HTTP_FUZZ_TRACE=1: each response's status and the start of its body on stderr, to see
// what a seed or a crash input reaches.
bool trace() {
  static const bool on = std::getenv("QUANTD_HTTP_FUZZ_TRACE") != nullptr;
  return on;
}

const http::ServerConfig& server_defaults() {
  static const http::ServerConfig config;
  return config;
}

[[noreturn]] void fail(const std::string& what, std::string_view wire, const http::Response* r) {
  std::fprintf(stderr, "\nhttp_fuzzer: %s\n", what.c_str());
  if (r) {
    std::fprintf(stderr, "response: %d %s\n%.*s\n", r->status, r->content_type.c_str(),
                 static_cast<int>(std::min<std::size_t>(r->body.size(), 4000)), r->body.data());
  }
  std::fprintf(stderr, "request bytes (%zu):\n%.*s\n", wire.size(),
               static_cast<int>(std::min<std::size_t>(wire.size(), 4000)), wire.data());
  std::abort();
}

// The only 5xx an input may cause: the daemon's configuration has no KIS keys, so a valid
// download request is answered "not configured" (a deployment's answer, not a failure).
bool expected_server_error(const http::Response& r, const json& problem) {
  return r.status == 503 && problem.is_object() &&
         problem.value("title", "") == "KIS not configured";
}

// The invariants every response keeps, whatever the input.
void check_response(http::Response& r, std::string_view wire) {
  if (r.status < 100 || r.status > 599) fail("status out of range", wire, &r);
  if (r.stream) {
    // The server writes a streamed body piece by piece; it must complete.
    std::string piece;
    for (;;) {
      piece.clear();
      Result<bool> more = Status::internal("the body stream threw");
      try {
        more = r.stream->next(piece);
      } catch (const std::exception& e) {
        more = Status::internal(std::string("the body stream threw: ") + e.what());
      }
      if (!more.ok()) fail("the streamed body failed: " + more.status().message(), wire, &r);
      r.body += piece;
      if (!*more) break;
    }
    r.stream.reset();
  }
  const bool no_body = r.status < 200 || r.status == 204 || r.status == 304;
  json parsed;
  if (r.content_type.starts_with("application/problem+json")) {
    parsed = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("title") || !parsed["title"].is_string() ||
        parsed.value("status", 0) != r.status) {
      fail("a problem document that is not {title, status, ...} JSON", wire, &r);
    }
  } else if (r.content_type.starts_with("application/json") && !no_body) {
    if (!json::accept(r.body)) fail("an application/json body that is not JSON", wire, &r);
  }
  if (r.status >= 500 && !expected_server_error(r, parsed)) fail("a server error", wire, &r);
}

Result<std::unique_ptr<strategy::StrategyFactory>> compile_for_live(
    const std::string& script, const strategy::Params& params) {
  app::CompiledStrategy c = app::compile_strategy(script, params);
  if (!c.ok()) return Status::invalid_argument(app::describe_problems(c.problems));
  return std::move(c.factory);
}

execution::CostSettings paper_costs(const config::PaperConfig& p) {
  execution::CostSettings c;
  c.commission_bps = p.commission_bps;
  c.tax_bps = p.tax_bps;
  c.slippage_bps = p.slippage_bps;
  c.slippage_ticks = p.slippage_ticks;
  return c;
}

// As the daemon's live_config() (src/app/daemon.cpp): a new session's settings from the config.
live::LiveServiceConfig live_config(const config::Config& c) {
  live::LiveServiceConfig out;
  out.session.min_warmup_bars = c.live.min_warmup_bars;
  out.desk.unknown_settle_s = c.live.unknown_settle_s;
  out.paper_cash = c.paper.cash;
  out.reconcile_every_min = c.live.reconcile_every_min;
  live::SessionSettings& d = out.defaults;
  d.costs = paper_costs(c.paper);
  d.policy = c.paper.fill == "last_price" ? live::ActPolicy::kImmediately
                                          : live::ActPolicy::kAtNextBarOpen;
  d.order_type = c.live.order_type == "limit" ? live::OrderType::kLimit : live::OrderType::kMarket;
  d.collar_bps = c.live.collar_bps;
  d.risk.max_order_qty = c.risk.max_order_qty;
  d.risk.max_order_notional = c.risk.max_order_notional;
  d.risk.max_position_pct = c.risk.max_position_pct;
  d.risk.max_orders_per_min = c.risk.max_orders_per_min;
  d.risk.max_orders_per_symbol_day = c.risk.max_orders_per_symbol_day;
  d.risk.max_rejects_in_row = c.risk.max_rejects_in_row;
  d.risk.daily_loss_pct = c.risk.daily_loss_pct;
  return out;
}

config::Config default_config() {
  auto parsed = config::parse_config("", "defaults");
  if (!parsed.ok()) {
    std::fprintf(stderr, "http_fuzzer: %s\n", parsed.status().message().c_str());
    std::abort();
  }
  return std::move(parsed).value();
}

// The daemon's components over one database file, wired as Daemon::Impl does (without the
// server, the scheduler and the worker threads: their queues are drained inline instead).
struct World {
  World(const fs::path& db_path, TimestampMs now)
      : config(default_config()),
        clock(now),
        calendar(config.scheduler.holidays),
        backtest_channel(static_cast<std::size_t>(config.backtest.queue_capacity)),
        backtests(backtest_channel, clock, config.backtest.keep_results),
        assets(embedded::web_assets()) {
    auto opened = storage::Database::open({db_path.string(), config.database.busy_timeout_ms});
    if (!opened.ok()) die(opened.status());
    db = std::move(opened).value();
    if (auto migrated = db->migrate(embedded::migrations()); !migrated.ok()) {
      die(migrated.status());
    }
    auth = std::make_unique<auth::AuthService>(*db, clock, auth::AuthOptions{});
    audit = std::make_unique<storage::AuditLog>(*db);
    downloads = std::make_unique<app::BarDownloads>(
        nullptr, config.kis.environment, *db, clock,
        [this](const std::string& event, const json& data) { backtests.publish(event, data); });
    source = std::make_unique<live::ReplaySource>(*db);
    market = std::make_unique<live::MarketDataService>(*source);
    live::PaperSettings paper;
    paper.fill = config.paper.fill == "last_price" ? live::PaperFill::kLastPrice
                                                   : live::PaperFill::kNextOpen;
    paper.costs = paper_costs(config.paper);
    paper.initial_cash = config.paper.cash;
    const live::LiveServiceConfig lc = live_config(config);
    live::LiveServiceDeps deps{
        *db,
        clock,
        calendar,
        *market,
        lc,
        compile_for_live,
        [this, paper](const live::AccountRecord& a) -> Result<std::unique_ptr<live::Broker>> {
          if (a.broker != "paper") {
            return Status::failed_precondition("account " + std::to_string(a.id.value()) +
                                               " needs a broker this build lacks");
          }
          return std::unique_ptr<live::Broker>(
              std::make_unique<live::PaperBroker>(*db, a.id, *market, clock, paper));
        },
        [this](const live::LiveTask& task) {
          live_queue.push_back(task);
          return true;
        },
        {},
        [this](std::string_view event, const json& data) {
          backtests.publish(std::string(event), data);
        }};
    live = std::make_unique<live::LiveService>(std::move(deps));
    demo = std::make_unique<live::ReplayDemo>(
        live::ReplayDemoDeps{*db, calendar, lc.session, lc.defaults, paper, compile_for_live,
                             [this](std::string_view event, const json& data) {
                               backtests.publish(std::string(event), data);
                             }});
    if (Status st = demo->recover(); !st.ok()) die(st);
    if (Status st = live->start(); !st.ok()) die(st);
    drain();

    // As Daemon::Impl::register_routes, with stand-ins for the daemon's own health route.
    router.add("GET", "/api/health",
               [](const http::Request&) {
                 return http::json(200, {{"status", "ok"}});
               },
               {.open = true});
    router.add("GET", "/metrics", [this](const http::Request&) {
      app::DaemonGauges gauges;
      gauges.version = "fuzz";
      return app::render_metrics(*db, gauges, nullptr);
    });
    app::register_api_routes(router,
                             {*db,
                              backtests,
                              clock,
                              &clock,
                              [this] { clock_moved = true; },
                              live.get(),
                              demo.get(),
                              downloads.get(),
                              [] {
                                return json{{"enabled", false}};
                              },
                              auth.get(),
                              audit.get(),
                              {}},
                             [](http::Handler h) { return h; });
  }

  [[noreturn]] static void die(const Status& st) {
    std::fprintf(stderr, "http_fuzzer: cannot set up: %s\n", st.message().c_str());
    std::abort();
  }

  // What the worker pools and the scheduler would do next: run the queued backtests (the queue
  // is small), tick the live sessions when the clock moved past a session minute, and run a few
  // live tasks, dropping the rest.
  void drain() {
    static const std::atomic<bool> stopping{false};
    while (auto job = backtest_channel.try_pop()) backtests.run(*db, *job, stopping);
    if (clock_moved) {
      clock_moved = false;
      if (auto minute = ticker.on_wake(clock.now())) (void)live->on_tick(*minute);
    }
    for (int i = 0; i < kMaxLiveTasks && !live_queue.empty(); ++i) {
      const live::LiveTask task = live_queue.front();
      live_queue.pop_front();
      live->handle(task);
    }
    live_queue.clear();
  }

  config::Config config;
  ManualClock clock;  // the daemon's --debug-clock: POST /api/debug/clock moves it
  bool clock_moved = false;
  scheduler::KrxCalendar calendar;
  scheduler::SessionTicker ticker{calendar};  // the scheduler's choice of minutes
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<storage::AuditLog> audit;
  bus::Channel<bus::RunBacktest> backtest_channel;
  app::BacktestService backtests;
  std::unique_ptr<app::BarDownloads> downloads;
  std::unique_ptr<live::ReplaySource> source;
  std::unique_ptr<live::MarketDataService> market;
  std::deque<live::LiveTask> live_queue;
  std::unique_ptr<live::LiveService> live;
  std::unique_ptr<live::ReplayDemo> demo;  // destroyed first: it stops a running replay
  http::StaticAssets assets;
  http::Router router;
};

// One connection's requests, handled as HttpSession does.
class Connection {
 public:
  Connection(World& world, const http::GuardConfig& guard, std::string_view wire)
      : world_(world), guard_(guard), all_(wire), wire_(wire) {}

  // Reads, admits and answers one request from the bytes left; false when the connection
  // closes after it (an error, Connection: close, or nothing complete left to read).
  bool serve_one() {
    const http::ServerConfig& sc = server_defaults();
    const auto verdict =
        http::detail::check_raw_header(wire_, sc.target_limit_bytes, sc.header_limit_bytes);
    using Kind = http::detail::RawHeaderVerdict::Kind;
    if (verdict.kind == Kind::kRefuse) return reject(*verdict.refusal, std::nullopt);
    if (verdict.kind == Kind::kNeedMore) return false;  // the header never completes: closed

    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);  // admit() applies the limit, after the guard
    parser.header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(sc.header_limit_bytes, UINT32_MAX)));
    beast::error_code ec;
    read(parser, /*header_only=*/true, ec);
    if (ec) return read_error(ec, std::nullopt);

    auto& message = parser.get();
    if (std::string why = http::detail::ambiguous_framing(message); !why.empty()) {
      return reject(http::problem(400, "Bad Request", std::move(why)), std::nullopt);
    }
    Result<http::Request> parsed =
        http::make_request(std::string(message.method_string()), std::string(message.target()));
    if (!parsed.ok()) {
      return reject(http::problem(400, "Bad Request", parsed.status().message()), std::nullopt);
    }
    http::Request request = std::move(parsed).value();
    request.remote = "127.0.0.1:50000";
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    const bool has_body = parser.chunked() || parser.content_length().value_or(0) > 0;
    std::optional<http::Response> refused =
        http::check_request(request, has_body, guard_, world_.router);
    // What the daemon's audit log is told (ServerConfig::on_state_change): the header only.
    std::optional<http::Request> reported;
    if (http::detail::changes_state(request.method)) reported = request;
    if (refused) return reject(std::move(*refused), reported);
    if (parser.content_length().value_or(0) > sc.body_limit_bytes) {
      return read_error(bhttp::error::body_limit, reported);
    }
    parser.body_limit(sc.body_limit_bytes);
    read(parser, /*header_only=*/false, ec);
    if (ec) return read_error(ec, reported);

    request.body = std::move(message.body());
    // An event stream: the connection becomes an SseSession, no handler runs.
    if (world_.router.sse_hub_for(request)) return false;
    http::Response response = world_.router.handle(std::move(request), &world_.assets);
    if (response.close_without_reply) return false;
    answer(response, reported);
    return message.keep_alive();
  }

  // The status of the last response answered on this connection (0: none yet).
  int last_status() const { return last_status_; }

 private:
  // Feeds the bytes left to the parser, as Beast's read operations do with a stream that has
  // nothing more to give: at the end of the input the peer has closed (put_eof).
  void read(bhttp::request_parser<bhttp::string_body>& parser, bool header_only,
            beast::error_code& ec) {
    while (!(header_only ? parser.is_header_done() : parser.is_done())) {
      std::size_t used = 0;
      if (!wire_.empty()) {
        used = parser.put(net::buffer(wire_.data(), wire_.size()), ec);
        wire_.remove_prefix(used);
        if (ec && ec != bhttp::error::need_more) return;
        ec = {};
      }
      if (used == 0) {
        parser.put_eof(ec);
        if (!ec && !(header_only ? parser.is_header_done() : parser.is_done())) {
          ec = bhttp::error::partial_message;
        }
        if (ec) return;
      }
    }
  }

  // As HttpSession::on_read_error.
  bool read_error(beast::error_code ec, const std::optional<http::Request>& reported) {
    const http::ServerConfig& sc = server_defaults();
    if (ec == bhttp::error::body_limit) {
      return reject(http::problem(413, "Content Too Large",
                                  "The request body is larger than the limit of " +
                                      std::to_string(sc.body_limit_bytes) + " bytes."),
                    reported);
    }
    if (ec == bhttp::error::header_limit) {
      return reject(http::problem(431, "Request Header Fields Too Large",
                                  "The request header is larger than the limit of " +
                                      std::to_string(sc.header_limit_bytes) + " bytes."),
                    reported);
    }
    const bool protocol =
        ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
    if (protocol && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return reject(http::problem(400, "Bad Request",
                                  "The request is not valid HTTP/1.1 (" + ec.message() + ")."),
                    reported);
    }
    return false;  // the peer left mid-request: nobody to answer
  }

  bool reject(http::Response response, const std::optional<http::Request>& reported) {
    answer(response, reported);
    return false;  // a refusal closes the connection
  }

  void answer(http::Response& response, const std::optional<http::Request>& reported) {
    check_response(response, all_);
    last_status_ = response.status;
    if (trace()) {
      std::fprintf(stderr, "http_fuzzer: %d %.160s\n", response.status, response.body.c_str());
    }
    if (reported) app::record_audit(*world_.audit, world_.clock, *reported, response);
    world_.drain();
  }

  World& world_;
  const http::GuardConfig& guard_;
  const std::string_view all_;  // the whole input, for failure reports
  std::string_view wire_;       // the bytes not read yet
  int last_status_ = 0;
};

fs::path work_dir() {
  // tmpfs when there is one: the live journal's commits are fsync'ed.
  const fs::path base =
      fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
  return base / ("quantd-http-fuzz-" + std::to_string(::getpid()));
}

std::string minute_bars_csv() {
  std::string csv = "ts,open,high,low,close,volume\n";
  double price = 71'000;
  std::uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int day = 2; day <= 3; ++day) {
    for (int m = 9 * 60; m < 15 * 60 + 20; ++m) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const double open = price;
      price = std::max(50'000.0, price + static_cast<double>(static_cast<int>(x % 7) - 3) * 100);
      char row[128];
      std::snprintf(row, sizeof row, "2025-01-0%d %02d:%02d,%.0f,%.0f,%.0f,%.0f,%d\n", day, m / 60,
                    m % 60, open, std::max(open, price) + 100, std::min(open, price) - 100, price,
                    static_cast<int>(100 + x % 5000));
      csv += row;
    }
  }
  return csv;
}

std::string request(std::string_view method, std::string_view target, std::string_view type = {},
                    std::string_view body = {}) {
  std::string out =
      std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n";
  if (!type.empty()) out += "Content-Type: " + std::string(type) + "\r\n";
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + std::string(body);
}

// The database every world starts from, made through the API itself: the sample data, two days
// of 1-minute bars, three strategies, two finished backtests, and two live paper sessions (one
// daily, one on the minute bars) that trade through kTemplateMinutes of the debug clock. Returns
// the clock's time at the end, where every world starts.
TimestampMs build_template(const fs::path& path) {
  World w(path, kStart);
  const http::GuardConfig guard{{}, "127.0.0.1", 8080, "", w.auth.get()};
  const std::string json_type = "application/json";
  std::vector<std::string> steps = {
      request("POST", "/api/sample-data"),
      request(
          "POST", "/api/strategies", json_type,
          R"({"name":"golden cross","script":"builtin:sma_cross","params":{"fast":5,"slow":20},)"
          R"("symbols":["SAMPLE-A","SAMPLE-B"],"interval":"1d"})"),
      request("POST", "/api/strategies", json_type,
              R"({"name":"channel","description":"a script","script":"param n = 10\nlet m = )"
              R"(sma(close, n)\nbuy when crossover(close, m)\nsell when crossunder(close, m)\n)"
              R"(stop_loss 5%\n","symbols":["SAMPLE-C"],"interval":"1d"})"),
      request("POST", "/api/bars/005930?interval=1m&file=minutes.csv", "text/csv",
              minute_bars_csv()),
      request("POST", "/api/strategies", json_type,
              R"({"name":"minutes","script":"let f = sma(close, 3)\nlet s = sma(close, 8)\n)"
              R"(buy when crossover(f, s)\nsell when crossunder(f, s)\n","symbols":["005930"],)"
              R"("interval":"1m"})"),
      request("POST", "/api/backtests", json_type, R"({"strategy_id":1})"),
      request("POST", "/api/backtests", json_type,
              R"({"strategy_id":2,"from":"2023-01-01","to":"2024-06-30","cash":50000000,)"
              R"("costs":{"commission_bps":1.5,"slippage_ticks":1},"close_at_end":true})"),
      request("POST", "/api/strategies/2/activate", json_type,
              R"({"broker":"paper","capital":10000000})"),
      request("POST", "/api/strategies/3/activate", json_type,
              R"({"broker":"paper","capital":20000000})"),
  };
  for (int i = 0; i < kTemplateMinutes; ++i) {
    steps.push_back(request("POST", "/api/debug/clock", json_type, R"({"advance_ms":60000})"));
  }
  for (const std::string& step : steps) {
    Connection c(w, guard, step);
    (void)c.serve_one();
    if (c.last_status() < 200 || c.last_status() > 299) {
      std::fprintf(stderr, "http_fuzzer: building the database: %d for\n%.200s\n", c.last_status(),
                   step.c_str());
      std::abort();
    }
  }
  return w.clock.now();
}

// The world of the current inputs, replaced by a fresh copy of the template now and then.
class Worlds {
 public:
  Worlds() : dir_(work_dir()) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    start_ = build_template(dir_ / "template.db");
  }
  ~Worlds() {
    world_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  World& get() {
    if (!world_ || ++inputs_ % kResetEvery == 0) {
      world_.reset();
      if (trace()) {
        std::fprintf(stderr, "http_fuzzer: heap %zu bytes after %llu inputs\n",
                     __sanitizer_get_current_allocated_bytes(),
                     static_cast<unsigned long long>(inputs_));
      }
      const fs::path db = dir_ / "world.db";
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
      fs::copy_file(dir_ / "template.db", db);
      world_ = std::make_unique<World>(db, start_);
    }
    return *world_;
  }

 private:
  fs::path dir_;
  TimestampMs start_ = kStart;
  std::unique_ptr<World> world_;
  std::uint64_t inputs_ = 0;
};

Worlds* g_worlds = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::err);  // what a server error logs, not every refusal
  g_worlds = new Worlds();                // lives until exit (libFuzzer never returns)
  std::atexit([] {
    delete g_worlds;
    g_worlds = nullptr;
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  World& world = g_worlds->get();
  const std::string token = (data[0] & 1) ? std::string(kToken) : std::string();
  const http::GuardConfig guard{{}, "127.0.0.1", 8080, token, world.auth.get()};
  Connection connection(world, guard,
                        std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  for (int i = 0; i < kMaxRequests && connection.serve_one(); ++i) {
  }
  return 0;
}
