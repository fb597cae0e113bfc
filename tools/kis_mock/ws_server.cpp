#include "ws_server.h"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <thread>

namespace quantd::kis_mock {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr const char* kTradeTr = "H0STCNT0";
constexpr int kMaxRegistrations = 41;  // per session, all TRs together (PROTOCOL §5)

std::string control_reply(const std::string& tr_id, const std::string& tr_key,
                          const std::string& rt_cd, const std::string& msg_cd,
                          const std::string& msg1, const Json& output = nullptr) {
  Json j;
  j["header"] = {{"tr_id", tr_id}, {"tr_key", tr_key}, {"encrypt", "N"}};
  j["body"] = {{"rt_cd", rt_cd}, {"msg_cd", msg_cd}, {"msg1", msg1}};
  if (!output.is_null()) j["body"]["output"] = output;
  return j.dump();
}

std::string random_ascii(std::mt19937_64& rng, std::size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::uniform_int_distribution<std::size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string out(n, 'a');
  for (char& c : out) c = kAlphabet[pick(rng)];
  return out;
}

// base64(AES-256-CBC(plain)) with PKCS#7 padding (PROTOCOL §6.4).
std::string encrypt(const std::string& plain, const std::string& key, const std::string& iv) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  std::string cipher(plain.size() + 32, '\0');
  int n1 = 0, n2 = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr,
                     reinterpret_cast<const unsigned char*>(key.data()),
                     reinterpret_cast<const unsigned char*>(iv.data()));
  EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()), &n1,
                    reinterpret_cast<const unsigned char*>(plain.data()),
                    static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(cipher.data()) + n1, &n2);
  cipher.resize(static_cast<std::size_t>(n1 + n2));
  std::string out(4 * ((cipher.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(cipher.data()),
                                static_cast<int>(cipher.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string padded(std::int64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
  return buf;
}

// "HHMMSS" of a mock time, KST.
std::string hhmmss(TimestampMs ts) {
  const SeoulTime t = to_seoul(ts);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", t.hour, t.minute, t.second);
  return buf;
}

std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += '^';
    out += fields[i];
  }
  return out;
}

// One H0STCNI0/9 record (PROTOCOL §6.6) in the 26- or 23-field layout.
std::string notice_record(const MockOptions& o, const Market& market, const Order& order, bool fill,
                          std::int64_t qty, std::int64_t price, TimestampMs at) {
  std::vector<std::string> f = {
      o.hts_id,
      o.cano() + o.acnt_prdt_cd(),
      order.odno,
      order.orgn_odno,
      order.side == domain::Side::kSell ? "01" : "02",
      order.kind == OrderKind::kNew      ? "0"
      : order.kind == OrderKind::kRevise ? "1"
                                         : "2",
      order.ord_dvsn,
      "0",
      order.symbol,
      padded(qty, 10),
      padded(price, 9),
      hhmmss(at),
      "0",
      fill ? "2" : "1",
      fill ? "2" : "1",
      order.orgno,
      padded(order.quantity, 9),
      "홍길동",
      "",   // ORD_COND_PRC
      "1",  // ORD_EXG_GB: KRX
      "N",  // POPUP_YN
      "",
      "",
      "",
      market.name(order.symbol),
      padded(order.price, 9),
  };
  if (o.ws_notice_fields == 23) f.erase(f.begin() + 18, f.begin() + 21);
  return join(f);
}

// One H0STCNT0 record (PROTOCOL §6.5) for complete bar `bar`.
std::string trade_record(const Market& market, const std::string& symbol, const MinuteRow& bar) {
  const TimestampMs end = bar.ts + kMsPerMinute;
  const Quote q = market.quote(symbol, end);
  const std::int64_t base = q.limits.base;
  const std::int64_t diff = bar.close - base;
  const std::string sign = diff > 0 ? "2" : diff < 0 ? "5" : "3";
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.2f", base > 0 ? 100.0 * diff / base : 0.0);
  const CivilDate d = to_seoul(bar.ts).date;
  char date[16];
  std::snprintf(date, sizeof date, "%04d%02d%02d", d.year, d.month, d.day);
  std::vector<std::string> f(46, "0");
  f[0] = symbol;
  f[1] = hhmmss(end - 1000);
  f[2] = std::to_string(bar.close);
  f[3] = sign;
  f[4] = std::to_string(diff);
  f[5] = pct;
  f[6] = std::to_string(bar.close);
  f[7] = std::to_string(q.open);
  f[8] = std::to_string(q.high);
  f[9] = std::to_string(q.low);
  f[10] = std::to_string(bar.close);
  f[11] = std::to_string(bar.close);
  f[12] = std::to_string(bar.volume);
  f[13] = std::to_string(q.volume);
  f[14] = std::to_string(q.value);
  f[21] = "1";
  f[24] = "090000";
  f[33] = date;
  f[34] = "20";
  f[35] = "N";
  f[43] = "0";
  f[44] = "";
  f[45] = std::to_string(base);
  return join(f);
}

}  // namespace

struct WsServer::Impl {
  struct Conn {
    explicit Conn(beast::tcp_stream stream, asio::io_context& io)
        : ws(std::move(stream)), wake(io) {}
    websocket::stream<beast::tcp_stream> ws;
    asio::steady_timer wake;
    std::deque<std::string> out;
    bool closed = false;
    bool drop_after_write = false;
    std::map<std::string, std::pair<std::string, std::string>> keys;  // tr_id → key, iv
    std::set<std::string> trades;
    bool notices = false;
    int registrations = 0;
    bool ping_pending = false;
  };

  Impl(MockState& s, std::string h, std::uint16_t p) : state(s), host(std::move(h)), port(p) {}

  MockState& state;
  std::string host;
  std::uint16_t port;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;
  std::set<std::shared_ptr<Conn>> conns;
  Conn* owner = nullptr;  // the session of the (one) appkey
  std::mt19937_64 rng{std::random_device{}()};
  // What the last poll saw (a /_mock/reset moves them back).
  std::size_t seen_orders = 0, seen_executions = 0;
  TimestampMs seen_now = 0;

  void send(const std::shared_ptr<Conn>& c, std::string text) {
    c->out.push_back(std::move(text));
    c->wake.cancel();
  }

  // Closes the TCP connection without a close frame (what a silent KIS drop looks like).
  void drop(const std::shared_ptr<Conn>& c) {
    if (c->closed) return;
    c->closed = true;
    c->wake.cancel();
    boost::system::error_code ec;
    beast::get_lowest_layer(c->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(c->ws).socket().close(ec);
    std::lock_guard lock(state.mu);
    ++state.ws.drops;
  }

  awaitable<void> writer(std::shared_ptr<Conn> c) {
    while (!c->closed) {
      if (c->out.empty()) {
        if (c->drop_after_write) {
          drop(c);
          co_return;
        }
        c->wake.expires_at(asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await c->wake.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      std::string text = std::move(c->out.front());
      c->out.pop_front();
      boost::system::error_code ec;
      c->ws.text(true);
      co_await c->ws.async_write(asio::buffer(text), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
    }
  }

  void on_client_message(const std::shared_ptr<Conn>& c, const std::string& text) {
    const Json j = Json::parse(text, nullptr, false);
    if (!j.is_object() || !j.contains("header") || !j["header"].is_object()) {
      send(c, control_reply("(null)", "", "9", "MOCK0013", "invalid message: not a JSON header"));
      return;
    }
    const Json& header = j["header"];
    if (header.value("tr_id", "") == "PINGPONG") {
      c->ping_pending = false;
      std::lock_guard lock(state.mu);
      ++state.ws.pongs;
      return;
    }
    const std::string approval = header.value("approval_key", "");
    const std::string tr_type = header.value("tr_type", "");
    std::string tr_id, tr_key;
    if (j.contains("body") && j["body"].is_object() && j["body"].contains("input") &&
        j["body"]["input"].is_object()) {
      tr_id = j["body"]["input"].value("tr_id", "");
      tr_key = j["body"]["input"].value("tr_key", "");
    }
    std::unique_lock lock(state.mu);
    const MockOptions o = state.options;
    if (!state.approval_keys.count(approval)) {
      ++state.ws.refused;
      lock.unlock();
      send(c, control_reply(tr_id, tr_key, "9", "MOCK0010", "invalid approval_key"));
      return;
    }
    if (owner != nullptr && owner != c.get()) {
      ++state.ws.in_use;
      lock.unlock();
      send(c, control_reply("(null)", "", "9", "OPSP8996", "ALREADY IN USE appkey"));
      c->drop_after_write = true;
      return;
    }
    owner = c.get();
    const std::string notice_tr = o.is_virtual() ? "H0STCNI9" : "H0STCNI0";
    const bool trade = tr_id == kTradeTr;
    const bool notice = tr_id == notice_tr;
    if (tr_type == "2") {
      const bool had = trade ? c->trades.erase(tr_key) > 0 : notice && c->notices;
      if (notice) c->notices = false;
      if (had) {
        --c->registrations;
        ++state.ws.unsubscribes;
      }
      lock.unlock();
      send(c, had ? control_reply(tr_id, tr_key, "0", "OPSP0001", "UNSUBSCRIBE SUCCESS")
                  : control_reply(tr_id, tr_key, "1", "OPSP0003", "UNSUBSCRIBE ERROR(not found)"));
      return;
    }
    if (tr_type != "1" || (!trade && !notice) || (trade && !state.market->has(tr_key))) {
      ++state.ws.refused;
      lock.unlock();
      send(c, control_reply(tr_id, tr_key, "9", "MOCK0011",
                            trade ? "unknown stock code" : "invalid tr_id or tr_type"));
      return;
    }
    if (notice && tr_key != o.hts_id) {
      lock.unlock();
      drop(c);  // no answer, no close frame (PROTOCOL §6.7)
      return;
    }
    if ((trade && c->trades.count(tr_key)) || (notice && c->notices)) {
      lock.unlock();
      send(c, control_reply(tr_id, tr_key, "0", "OPSP0002", "ALREADY IN SUBSCRIBE"));
      return;
    }
    if (c->registrations >= kMaxRegistrations) {
      ++state.ws.refused;
      lock.unlock();
      send(c, control_reply(tr_id, tr_key, "9", "OPSP0008", "MAX SUBSCRIBE OVER"));
      return;
    }
    ++c->registrations;
    ++state.ws.subscribes;
    lock.unlock();
    if (trade) c->trades.insert(tr_key);
    if (notice) c->notices = true;
    auto [it, fresh] = c->keys.try_emplace(tr_id);
    if (fresh) it->second = {random_ascii(rng, 32), random_ascii(rng, 16)};
    Json output = {{"iv", it->second.second}, {"key", it->second.first}};
    send(c, control_reply(tr_id, tr_key, "0", "OPSP0000", "SUBSCRIBE SUCCESS", output));
  }

  awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    boost::system::error_code ec;
    stream.expires_after(std::chrono::seconds(10));
    co_await bhttp::async_read(stream, buffer, req, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    stream.expires_never();
    if (!websocket::is_upgrade(req) || req.target() != "/tryitout") {
      bhttp::response<bhttp::string_body> res{bhttp::status::not_found, req.version()};
      res.set(bhttp::field::content_type, "text/plain");
      res.body() = "kis-mock: the WebSocket is at /tryitout\n";
      res.prepare_payload();
      co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
      co_return;
    }
    auto c = std::make_shared<Conn>(std::move(stream), io);
    c->ws.read_message_max(1 << 20);
    co_await c->ws.async_accept(req, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    conns.insert(c);
    {
      std::lock_guard lock(state.mu);
      ++state.ws.sessions;
    }
    asio::co_spawn(io, writer(c), asio::detached);
    while (!c->closed) {
      beast::flat_buffer in;
      co_await c->ws.async_read(in, asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      on_client_message(c, beast::buffers_to_string(in.data()));
    }
    c->closed = true;
    c->wake.cancel();
    if (owner == c.get()) owner = nullptr;
    conns.erase(c);
  }

  awaitable<void> accept_loop() {
    while (true) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }

  // Takes what happened in MockState since the last poll and sends it.
  void poll() {
    std::vector<std::string> notices;
    std::map<std::string, std::vector<std::string>> trades;  // symbol → records
    bool drop_all = false;
    std::set<std::string> watched;
    for (const auto& c : conns) watched.insert(c->trades.begin(), c->trades.end());
    {
      std::lock_guard lock(state.mu);
      const auto& rows = state.book->orders();
      const auto& executions = state.account->executions();
      if (state.now < seen_now || rows.size() < seen_orders ||
          executions.size() < seen_executions) {
        seen_now = state.now;  // a reset: start from here
        seen_orders = rows.size();
        seen_executions = executions.size();
      }
      const MockOptions& o = state.options;
      for (std::size_t i = seen_orders; i < rows.size(); ++i) {
        const Order& r = rows[i];
        if (o.ws_notices) {
          notices.push_back(
              notice_record(o, *state.market, r, false, r.quantity, r.price, r.accepted_at));
        }
      }
      for (std::size_t i = seen_executions; i < executions.size(); ++i) {
        const Execution& e = executions[i];
        const Order* order = state.book->find(e.ord_dt, e.odno);
        if (order == nullptr || !o.ws_notices) continue;  // an initial holding has no order
        notices.push_back(notice_record(o, *state.market, *order, true, e.quantity, e.price, e.at));
      }
      seen_orders = rows.size();
      seen_executions = executions.size();
      if (state.now > seen_now) {
        for (const std::string& symbol : watched) {
          for (const MinuteRow& bar : state.market->bars_between(
                   symbol, seen_now - kMsPerMinute + 1, state.now - kMsPerMinute + 1)) {
            trades[symbol].push_back(trade_record(*state.market, symbol, bar));
          }
        }
        seen_now = state.now;
      }
      if (state.ws_drop_requests > 0) {
        state.ws_drop_requests = 0;
        drop_all = true;
      }
    }
    std::vector<std::shared_ptr<Conn>> targets(conns.begin(), conns.end());
    for (const auto& c : targets) {
      if (drop_all) {
        drop(c);
        continue;
      }
      if (c->notices && !notices.empty()) {
        const std::string notice_tr = state.options.is_virtual() ? "H0STCNI9" : "H0STCNI0";
        const auto& [key, iv] = c->keys.at(notice_tr);
        for (const std::string& record : notices) {  // one notice per frame, as KIS sends them
          send(c, "1|" + notice_tr + "|001|" + encrypt(record, key, iv));
        }
        std::lock_guard lock(state.mu);
        state.ws.notices += static_cast<std::int64_t>(notices.size());
      }
      for (const auto& [symbol, records] : trades) {
        if (!c->trades.count(symbol) || records.empty()) continue;
        std::string payload;
        for (const std::string& r : records) payload += (payload.empty() ? "" : "^") + r;
        send(c, "0|" + std::string(kTradeTr) + "|" + padded(static_cast<int>(records.size()), 3) +
                    "|" + payload);
        std::lock_guard lock(state.mu);
        state.ws.trades += static_cast<std::int64_t>(records.size());
      }
    }
  }

  awaitable<void> poll_loop() {
    asio::steady_timer timer(io);
    while (acceptor.is_open()) {
      timer.expires_after(std::chrono::milliseconds(20));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      poll();
    }
  }

  awaitable<void> ping_loop() {
    asio::steady_timer timer(io);
    while (acceptor.is_open()) {
      int period = 100;
      std::string now;
      {
        std::lock_guard lock(state.mu);
        period = state.options.ws_ping_s;
      }
      timer.expires_after(std::chrono::seconds(period));
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(state.mu);
        const SeoulTime t = to_seoul(state.now);
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", t.date.year, t.date.month,
                      t.date.day, t.hour, t.minute, t.second);
        now = buf;
      }
      std::vector<std::shared_ptr<Conn>> targets(conns.begin(), conns.end());
      for (const auto& c : targets) {
        if (c->ping_pending) {
          drop(c);  // the last one went unanswered
          continue;
        }
        c->ping_pending = true;
        send(c, Json{{"header", {{"tr_id", "PINGPONG"}, {"datetime", now}}}}.dump());
        std::lock_guard lock(state.mu);
        ++state.ws.pings;
      }
    }
  }
};

WsServer::WsServer(MockState& state, std::string host, std::uint16_t port)
    : impl_(std::make_unique<Impl>(state, std::move(host), port)) {}

WsServer::~WsServer() { stop(); }

Status WsServer::start() {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->host, ec);
  if (ec) return Status::invalid_argument("--listen host is not an IP address: " + impl_->host);
  const tcp::endpoint endpoint(address, impl_->port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::unavailable("kis-mock websocket: cannot listen: " + ec.message());
  {
    std::lock_guard lock(impl_->state.mu);
    impl_->seen_now = impl_->state.now;
    impl_->state.ws_url = "ws://" + impl_->host + ":" + std::to_string(port()) + "/tryitout";
  }
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  asio::co_spawn(impl_->io, impl_->poll_loop(), asio::detached);
  asio::co_spawn(impl_->io, impl_->ping_loop(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
  return {};
}

void WsServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t WsServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace quantd::kis_mock
