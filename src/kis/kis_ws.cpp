#include "quantd/kis/kis_ws.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "quantd/config/config.h"
#include "quantd/core/url.h"
#include "quantd/kis/kis_rest.h"

namespace quantd::kis {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr std::size_t kMaxTradeSymbols = 40;  // 41 registrations per session, one for notices
constexpr std::size_t kMaxMessage = 1 << 20;  // frames exceed 8 KB at the open (PROTOCOL §6.4)

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "ws://host:port/path" as a Url (parse_url knows http and https only).
Result<Url> parse_ws(std::string_view text) {
  constexpr std::string_view kScheme = "ws://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    return Status::invalid_argument("kis.ws_url: must start with ws:// (KIS's WebSocket is plain)");
  }
  auto url = parse_url("http://" + std::string(text.substr(kScheme.size())));
  if (!url.ok()) return Status::invalid_argument("kis.ws_url: " + url.status().message());
  if (url->target == "/") url->target = "/tryitout";  // the path every client uses (§1)
  return url;
}

// A session's result: why it ended, and whether trying again could help.
struct Ended {
  std::string why;
  bool fatal = false;
};

}  // namespace

std::string_view default_ws_url(Environment env) {
  return env == Environment::kReal ? "ws://ops.koreainvestment.com:21000/tryitout"
                                   : "ws://ops.koreainvestment.com:31000/tryitout";
}

Status validate_ws_url(std::string_view text) {
  auto url = parse_ws(text);
  if (!url.ok()) return url.status();
  if (url->host != "ops.koreainvestment.com" && !config::is_loopback_host(url->host)) {
    return Status::invalid_argument(
        "kis.ws_url: plain ws:// is accepted only for KIS's own host or a loopback mock");
  }
  return {};
}

struct KisWs::Impl {
  struct Session {
    explicit Session(asio::io_context& io) : ws(io), wake(io) {}
    websocket::stream<beast::tcp_stream> ws;
    asio::steady_timer wake;  // the writer's doorbell
    std::deque<std::string> out;
    bool closed = false;
    std::string approval;
    std::map<std::string, std::pair<std::string, std::string>> keys;  // tr_id → key, iv
    std::set<std::string> trades;  // tr_keys of H0STCNT0 asked for in this session
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
  };

  Impl(std::shared_ptr<KisRest> r, KisWsOptions o, KisWsEvents e, Url u)
      : rest(std::move(r)), options(std::move(o)), events(std::move(e)), url(std::move(u)) {
    account = rest->account().cano + rest->account().product;
  }

  std::shared_ptr<KisRest> rest;
  const KisWsOptions options;
  const KisWsEvents events;
  const Url url;
  std::string account;  // the 10-digit ACNT_NO notices carry

  asio::io_context io;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::shared_ptr<Session> session;  // io thread only
  asio::steady_timer backoff{io};

  mutable std::mutex mu;  // guards the members below
  KisWsStatus st;
  std::vector<std::string> watched;
  std::map<std::string, WsTrade> last;

  std::string notice_tr() const {
    return std::string(options.environment == Environment::kReal ? kNoticeTrReal : kNoticeTrPaper);
  }

  void set_state(const std::string& state, const std::string& reason) {
    bool changed = false;
    {
      std::lock_guard lock(mu);
      changed = st.state != state;
      st.state = state;
      st.reason = reason;
      if (changed) st.since_ms = wall_ms();
    }
    if (changed) {
      if (state == "up") {
        spdlog::info("kis ws: up (order notices and {} trade symbol(s))", watched_count());
      } else if (state != "connecting") {
        spdlog::warn("kis ws: {}: {}", state, reason);
      }
      if (events.state && state != "connecting") events.state(state == "up", reason);
    }
  }

  std::size_t watched_count() const {
    std::lock_guard lock(mu);
    return watched.size();
  }

  void send(const std::shared_ptr<Session>& s, std::string text) {
    s->out.push_back(std::move(text));
    s->wake.cancel();
  }

  // Brings the session's trade registrations to the watched list (io thread).
  void sync_trades(const std::shared_ptr<Session>& s) {
    if (s->closed || s->approval.empty()) return;
    std::set<std::string> want;
    {
      std::lock_guard lock(mu);
      want.insert(watched.begin(), watched.end());
    }
    for (auto it = s->trades.begin(); it != s->trades.end();) {
      if (want.count(*it)) {
        ++it;
        continue;
      }
      send(s, ws_subscribe_message(s->approval, kTradeTr, *it, false));
      it = s->trades.erase(it);
    }
    for (const std::string& symbol : want) {
      if (s->trades.insert(symbol).second) {
        send(s, ws_subscribe_message(s->approval, kTradeTr, symbol, true));
      }
    }
  }

  awaitable<void> writer(std::shared_ptr<Session> s) {
    asio::steady_timer gap(io);
    while (!s->closed) {
      if (s->out.empty()) {
        s->wake.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await s->wake.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      std::string text = std::move(s->out.front());
      s->out.pop_front();
      boost::system::error_code ec;
      s->ws.text(true);
      co_await s->ws.async_write(asio::buffer(text), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;  // the reader sees the broken socket too
      gap.expires_after(options.send_gap);
      co_await gap.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  // Handles one message; a value ends the session.
  std::optional<Ended> handle(const std::shared_ptr<Session>& s, const std::string& text) {
    auto message = parse_ws_message(text);
    if (!message.ok()) {
      std::lock_guard lock(mu);
      ++st.bad_frames;
      spdlog::warn("kis ws: a message could not be read: {}", message.status().message());
      return std::nullopt;
    }
    if (message->control) {
      const WsControl& c = *message->control;
      if (c.pingpong()) {
        send(s, text);  // echoed as text (PROTOCOL §6.7)
        return std::nullopt;
      }
      if (c.msg_cd == "OPSP8996") {
        return Ended{
            "KIS says another session uses this app key (OPSP8996 ALREADY IN USE); the "
            "WebSocket stays off until quantd restarts",
            true};
      }
      if (c.msg_cd == "OPSP0000" || c.msg_cd == "OPSP0002") {
        if (!c.key.empty()) s->keys[c.tr_id] = {c.key, c.iv};
        {
          std::lock_guard lock(mu);
          ++st.subscribed;
        }
        if (c.tr_id == notice_tr()) set_state("up", "");
        return std::nullopt;
      }
      if (c.msg_cd == "OPSP0001" || c.msg_cd == "OPSP0003") {
        std::lock_guard lock(mu);
        st.subscribed = std::max(0, st.subscribed - 1);
        return std::nullopt;
      }
      // A refusal: the notices' (a wrong HTS id) leaves the session useless for orders.
      const std::string why =
          "KIS refused the " + c.tr_id + " registration (" + c.msg_cd + " " + c.msg1 + ")";
      if (c.tr_id == notice_tr()) return Ended{why + "; check kis.hts_id", true};
      spdlog::warn("kis ws: {}", why);
      return std::nullopt;
    }
    const WsDataFrame& f = *message->data;
    if (f.tr_id == notice_tr()) {
      auto key = s->keys.find(f.tr_id);
      Result<std::string> plain =
          key == s->keys.end()
              ? Result<std::string>(Status::invalid_argument("no key from its subscribe ack"))
          : f.encrypted ? ws_decrypt(f.payload, key->second.first, key->second.second)
                        : Result<std::string>(f.payload);
      auto notices = plain.ok() ? parse_ws_notices(*plain, f.count)
                                : Result<std::vector<WsNotice>>(plain.status());
      if (!notices.ok()) {
        std::lock_guard lock(mu);
        ++st.bad_frames;
        spdlog::warn("kis ws: a {} frame could not be read: {}", f.tr_id,
                     notices.status().message());
        return std::nullopt;
      }
      for (const WsNotice& n : *notices) {
        if (n.account != account) continue;  // notices cover every account of the HTS id
        {
          std::lock_guard lock(mu);
          ++st.notices;
        }
        if (events.notice) events.notice(n);
      }
    } else if (f.tr_id == kTradeTr) {
      auto trades = parse_ws_trades(f);
      if (!trades.ok()) {
        std::lock_guard lock(mu);
        ++st.bad_frames;
        spdlog::warn("kis ws: a {} frame could not be read: {}", f.tr_id,
                     trades.status().message());
        return std::nullopt;
      }
      for (const WsTrade& t : *trades) {
        {
          std::lock_guard lock(mu);
          ++st.trades;
          last[t.symbol] = t;
        }
        if (events.trade) events.trade(t);
      }
    }
    return std::nullopt;
  }

  awaitable<Ended> run_session() {
    auto approval = rest->approval_key();  // blocks this thread only
    if (!approval.ok()) {
      co_return Ended{"no approval key: " + approval.status().message(),
                      approval.status().code() == StatusCode::kFailedPrecondition};
    }
    if (stopping) co_return Ended{"stopped"};
    auto s = std::make_shared<Session>(io);
    session = s;
    boost::system::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = co_await resolver.async_resolve(url.host, std::to_string(url.port),
                                                     asio::redirect_error(use_awaitable, ec));
    if (ec) co_return Ended{"cannot resolve " + url.host + ": " + ec.message()};
    beast::get_lowest_layer(s->ws).expires_after(std::chrono::seconds(10));
    co_await beast::get_lowest_layer(s->ws).async_connect(endpoints,
                                                          asio::redirect_error(use_awaitable, ec));
    if (ec) co_return Ended{"cannot connect to " + url.host_header() + ": " + ec.message()};
    beast::get_lowest_layer(s->ws).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = options.idle_timeout;  // the watchdog: silence ends the session
    timeouts.keep_alive_pings = false;
    s->ws.set_option(timeouts);
    s->ws.read_message_max(kMaxMessage);
    co_await s->ws.async_handshake(url.host_header(), url.target,
                                   asio::redirect_error(use_awaitable, ec));
    if (ec) co_return Ended{"the WebSocket handshake failed: " + ec.message()};
    {
      std::lock_guard lock(mu);
      ++st.connects;
      st.subscribed = 0;
    }
    s->approval = std::move(approval).value();
    asio::co_spawn(io, writer(s), asio::detached);
    send(s, ws_subscribe_message(s->approval, notice_tr(), options.hts_id, true));
    sync_trades(s);
    std::optional<Ended> ended;
    while (!ended && !stopping) {
      beast::flat_buffer buffer;
      co_await s->ws.async_read(buffer, asio::redirect_error(use_awaitable, ec));
      if (ec) {
        ended = Ended{ec == beast::error::timeout
                          ? "no message for " +
                                std::to_string(options.idle_timeout.count() / 1000) + " s"
                          : "the connection dropped (" + ec.message() + ")"};
        break;
      }
      ended = handle(s, beast::buffers_to_string(buffer.data()));
    }
    s->closed = true;
    s->wake.cancel();
    beast::get_lowest_layer(s->ws).close();
    session.reset();
    co_return ended ? *ended : Ended{"stopped"};
  }

  awaitable<void> run() {
    auto delay = options.backoff_min;
    while (!stopping) {
      set_state("connecting", "");
      const auto started = std::chrono::steady_clock::now();
      Ended ended = co_await run_session();
      if (stopping) break;
      if (ended.fatal) {
        set_state("stopped", ended.why);
        co_return;
      }
      set_state("down", ended.why);
      if (std::chrono::steady_clock::now() - started > options.backoff_max) {
        delay = options.backoff_min;  // it had been up a while: a fresh drop, not a loop
      }
      backoff.expires_after(delay);
      boost::system::error_code ec;
      co_await backoff.async_wait(asio::redirect_error(use_awaitable, ec));
      delay = std::min(delay * 2, options.backoff_max);
    }
  }
};

Result<std::unique_ptr<KisWs>> KisWs::create(std::shared_ptr<KisRest> rest, KisWsOptions options,
                                             KisWsEvents events) {
  if (!rest) return Status::invalid_argument("the KIS WebSocket needs the REST client");
  if (options.hts_id.empty()) {
    return Status::invalid_argument(
        "kis.hts_id: the WebSocket's order notices are registered under the KIS login (HTS) id");
  }
  if (options.url.empty()) options.url = std::string(default_ws_url(options.environment));
  if (Status st = validate_ws_url(options.url); !st.ok()) return st;
  auto url = parse_ws(options.url);
  if (!url.ok()) return url.status();
  options.send_gap = std::max(options.send_gap, std::chrono::milliseconds(50));
  return std::unique_ptr<KisWs>(new KisWs(std::make_unique<Impl>(
      std::move(rest), std::move(options), std::move(events), std::move(url).value())));
}

KisWs::KisWs(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KisWs::~KisWs() { stop(); }

void KisWs::start() {
  if (impl_->thread.joinable()) return;
  asio::co_spawn(impl_->io, impl_->run(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] {
    try {
      impl->io.run();
    } catch (const std::exception& e) {
      spdlog::error("kis ws: {}", e.what());
    }
  });
}

void KisWs::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->stopping = true;
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->backoff.cancel();
    if (impl->session) {
      impl->session->closed = true;
      impl->session->wake.cancel();
      beast::get_lowest_layer(impl->session->ws).close();
    }
  });
  impl_->thread.join();
  impl_->set_state("stopped", "quantd is stopping");
}

void KisWs::watch(std::vector<std::string> symbols) {
  std::vector<std::string> unique;
  for (std::string& s : symbols) {
    if (std::find(unique.begin(), unique.end(), s) == unique.end()) unique.push_back(std::move(s));
  }
  if (unique.size() > kMaxTradeSymbols) {
    spdlog::warn("kis ws: {} symbols are live; trades of the first {} are received", unique.size(),
                 kMaxTradeSymbols);
    unique.resize(kMaxTradeSymbols);
  }
  {
    std::lock_guard lock(impl_->mu);
    if (unique == impl_->watched) return;
    impl_->watched = unique;
    impl_->st.watched = static_cast<int>(unique.size());
  }
  asio::post(impl_->io, [impl = impl_.get()] {
    if (impl->session) impl->sync_trades(impl->session);
  });
}

KisWsStatus KisWs::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->st;
}

std::optional<WsTrade> KisWs::last_trade(const std::string& symbol) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->last.find(symbol);
  if (it == impl_->last.end()) return std::nullopt;
  return it->second;
}

}  // namespace quantd::kis
