#include "options.h"

#include <charconv>
#include <string_view>

namespace quantd::kis_mock {

namespace {

template <typename T>
bool parse_number(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end && !text.empty();
}

// "CODE=VALUE" split at the first '='.
bool split_pair(std::string_view text, std::string& key, std::string& value) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size()) return false;
  key = std::string(text.substr(0, eq));
  value = std::string(text.substr(eq + 1));
  return true;
}

Status bad(std::string_view flag, std::string_view what) {
  return Status::invalid_argument(std::string(flag) + ": " + std::string(what));
}

bool valid_account(std::string_view a) {
  if (a.size() != 11 || a[8] != '-') return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i != 8 && (a[i] < '0' || a[i] > '9')) return false;
  }
  return true;
}

// The default credentials look like KIS's: a 36-char appkey (paper keys start with "PS", which
// is what the mock uses to tell a paper key sent to the real port) and a 180-char appsecret.
std::string default_appkey(Env env) {
  const std::string prefix = env == Env::kVirtual ? "PSmockAppKey" : "RLmockAppKey";
  return prefix + std::string(36 - prefix.size(), '0');
}

std::string default_appsecret() {
  const std::string prefix = "mockAppSecret";
  return prefix + std::string(180 - prefix.size(), 'x');
}

}  // namespace

std::string usage() {
  return R"(usage: kis-mock [flags]

A local, protocol-faithful mock of the KIS (Hantoo) Open API REST interface (tools/kis_mock/README.md).

  --env virtual|real            environment (default virtual: the paper "V..." TR ids)
  --listen HOST:PORT            address (default 127.0.0.1:0, an ephemeral port)
  --bar-visible end|start       minute-chart visibility of the current minute (default end)
  --prices CODE=FILE.csv        1-minute bars ts,open,high,low,close,volume (repeatable)
  --clock YYYY-MM-DDTHH:MM:SS   the mock clock at start, KST (default: the first bar's day 08:55)
  --cash KRW                    deposit at start (default 10000000)
  --holding CODE=QTY@PRICE      a position held at start (repeatable)
  --rate-limit N                REST calls per second per appkey (default 1 virtual, 18 real)
  --ccld-page-size N            inquire-daily-ccld rows per page (default 15 virtual, 100 real)
  --balance-page-size N         inquire-balance rows per page (default 20 virtual, 50 real)
  --ccld-lag-s S                a new order shows in inquire-daily-ccld S mock seconds late
  --token-throttle-s S          a second tokenP within S mock seconds answers EGW00133 (default 60)
  --fill-volume-pct P           share of a bar's volume the mock's orders may take (default 100)
  --commission-bps B            commission per side in basis points (default 1.40527)
  --market CODE=kospi|kosdaq|konex|etf   tick and tax table of a symbol (default kospi)
  --name CODE=NAME              the Korean name served as prdt_name/hts_kor_isnm
  --appkey K --appsecret S      credentials the mock accepts (defaults: PSmockAppKey000...)
  --account CANO-PRDT           account number (default 50123456-01)
  --log-level LEVEL             spdlog level for the access log (default warn)
  --ws-port PORT|off            WebSocket port on the --listen host (default 0, ephemeral)
  --hts-id ID                   the HTS id notices are registered under (default mockhtsid)
  --ws-ping-s S                 PINGPONG period in wall seconds (default 100)

Prints "kis-mock listening on http://HOST:PORT" on stderr once it serves; SIGINT/SIGTERM stop it.
)";
}

Result<MockOptions> parse_options(int argc, const char* const* argv) {
  MockOptions o;
  bool rate_given = false, ccld_given = false, balance_given = false, clock_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") return Status::failed_precondition(usage());
    if (i + 1 >= argc) return bad(flag, "needs a value (or unknown flag; see --help)");
    const std::string_view value = argv[++i];
    std::string key, rest;
    if (flag == "--env") {
      if (value == "virtual" || value == "paper" || value == "vps") {
        o.env = Env::kVirtual;
      } else if (value == "real" || value == "prod") {
        o.env = Env::kReal;
      } else {
        return bad(flag, "must be virtual or real");
      }
    } else if (flag == "--listen") {
      const auto colon = value.rfind(':');
      int port = -1;
      if (colon == std::string_view::npos || !parse_number(value.substr(colon + 1), port) ||
          port < 0 || port > 65535 || colon == 0) {
        return bad(flag, "must be HOST:PORT, e.g. 127.0.0.1:0");
      }
      o.host = std::string(value.substr(0, colon));
      o.port = static_cast<std::uint16_t>(port);
    } else if (flag == "--bar-visible") {
      if (value == "end") {
        o.bar_visible = BarVisible::kEnd;
      } else if (value == "start") {
        o.bar_visible = BarVisible::kStart;
      } else {
        return bad(flag, "must be end or start");
      }
    } else if (flag == "--prices") {
      if (!split_pair(value, key, rest)) return bad(flag, "must be CODE=FILE.csv");
      o.price_files[key] = rest;
    } else if (flag == "--clock") {
      const auto ts = parse_timestamp(value);
      if (!ts) return bad(flag, "not a time like 2026-07-09T08:55:00 (KST)");
      o.clock = *ts;
      clock_given = true;
    } else if (flag == "--cash") {
      if (!parse_number(value, o.cash) || o.cash < 0) return bad(flag, "must be whole KRW >= 0");
    } else if (flag == "--holding") {
      InitialHolding h;
      const auto at = value.find('@');
      if (!split_pair(value.substr(0, at), h.symbol, rest) || at == std::string_view::npos ||
          !parse_number(std::string_view(rest), h.quantity) || h.quantity <= 0 ||
          !parse_number(value.substr(at + 1), h.avg_price) || h.avg_price <= 0) {
        return bad(flag, "must be CODE=QTY@PRICE, e.g. 005930=10@70000");
      }
      o.holdings.push_back(h);
    } else if (flag == "--rate-limit") {
      if (!parse_number(value, o.rate_limit_per_s) || o.rate_limit_per_s <= 0) {
        return bad(flag, "must be a number of calls per second > 0");
      }
      rate_given = true;
    } else if (flag == "--ccld-page-size") {
      if (!parse_number(value, o.ccld_page_size) || o.ccld_page_size < 1) {
        return bad(flag, "must be a whole number >= 1");
      }
      ccld_given = true;
    } else if (flag == "--balance-page-size") {
      if (!parse_number(value, o.balance_page_size) || o.balance_page_size < 1) {
        return bad(flag, "must be a whole number >= 1");
      }
      balance_given = true;
    } else if (flag == "--ccld-lag-s") {
      if (!parse_number(value, o.ccld_lag_s) || o.ccld_lag_s < 0) {
        return bad(flag, "must be whole seconds >= 0");
      }
    } else if (flag == "--token-throttle-s") {
      if (!parse_number(value, o.token_throttle_s) || o.token_throttle_s < 0) {
        return bad(flag, "must be whole seconds >= 0");
      }
    } else if (flag == "--fill-volume-pct") {
      if (!parse_number(value, o.fill_volume_pct) || o.fill_volume_pct < 1 ||
          o.fill_volume_pct > 100) {
        return bad(flag, "must be a whole percentage 1..100");
      }
    } else if (flag == "--commission-bps") {
      if (!parse_number(value, o.commission_bps) || o.commission_bps < 0) {
        return bad(flag, "must be a number of basis points >= 0");
      }
    } else if (flag == "--market") {
      if (!split_pair(value, key, rest)) return bad(flag, "must be CODE=kospi|kosdaq|konex|etf");
      const auto market = domain::parse_market(rest);
      if (!market) return bad(flag, "market must be kospi, kosdaq, konex or etf");
      o.markets[key] = *market;
    } else if (flag == "--name") {
      if (!split_pair(value, key, rest)) return bad(flag, "must be CODE=NAME");
      o.names[key] = rest;
    } else if (flag == "--appkey") {
      o.appkey = std::string(value);
    } else if (flag == "--appsecret") {
      o.appsecret = std::string(value);
    } else if (flag == "--account") {
      if (!valid_account(value)) return bad(flag, "must be 8 digits, '-', 2 digits");
      o.account = std::string(value);
    } else if (flag == "--ws-port") {
      int port = -1;
      if (value == "off") {
        o.ws = false;
      } else if (!parse_number(value, port) || port < 0 || port > 65535) {
        return bad(flag, "must be a port 0..65535 or off");
      } else {
        o.ws_port = static_cast<std::uint16_t>(port);
      }
    } else if (flag == "--hts-id") {
      if (value.empty()) return bad(flag, "must not be empty");
      o.hts_id = std::string(value);
    } else if (flag == "--ws-ping-s") {
      if (!parse_number(value, o.ws_ping_s) || o.ws_ping_s < 1) {
        return bad(flag, "must be whole seconds >= 1");
      }
    } else if (flag == "--log-level") {
      o.log_level = std::string(value);
    } else {
      return bad(flag, "unknown flag (see --help)");
    }
  }
  if (!rate_given) o.rate_limit_per_s = o.is_virtual() ? 1 : 18;
  if (!ccld_given) o.ccld_page_size = o.is_virtual() ? 15 : 100;
  if (!balance_given) o.balance_page_size = o.is_virtual() ? 20 : 50;
  if (o.appkey.empty()) o.appkey = default_appkey(o.env);
  if (o.appsecret.empty()) o.appsecret = default_appsecret();
  if (!clock_given) o.clock = 0;  // main() picks the first bar's day at 08:55
  return o;
}

}  // namespace quantd::kis_mock
