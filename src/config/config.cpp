#include "quantd/config/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "quantd/core/url.h"

namespace quantd::config {
namespace {

// Levenshtein distance, for "did you mean" on unknown keys.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string suggestion(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = 3;  // only suggest close names
  for (const auto& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Reads one table against a fixed set of keys, collecting errors.
class TableReader {
 public:
  TableReader(const toml::table* table, std::string prefix, std::vector<std::string>& errors)
      : table_(table), prefix_(std::move(prefix)), errors_(errors) {}

  void string(const char* key, std::string& out) {
    if (auto* n = find(key)) {
      if (auto v = n->value<std::string>(); v && n->is_string())
        out = *v;
      else
        error(key, "expected a string");
    }
  }
  void boolean(const char* key, bool& out) {
    if (auto* n = find(key)) {
      if (n->is_boolean())
        out = *n->value<bool>();
      else
        error(key, "expected true or false");
    }
  }
  template <typename Int>
  void integer(const char* key, Int& out, std::int64_t min, std::int64_t max) {
    if (auto* n = find(key)) {
      if (!n->is_integer()) {
        error(key, "expected an integer");
        return;
      }
      const std::int64_t v = *n->value<std::int64_t>();
      if (v < min || v > max) {
        error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                       ", got " + std::to_string(v));
        return;
      }
      out = static_cast<Int>(v);
    }
  }
  void number(const char* key, double& out, double min, double max) {
    if (auto* n = find(key)) {
      if (!n->is_number()) {
        error(key, "expected a number");
        return;
      }
      const double v =
          n->is_integer() ? static_cast<double>(*n->value<std::int64_t>()) : *n->value<double>();
      if (!(v >= min && v <= max)) {
        error(key, "must be between " + format_number(min) + " and " + format_number(max) +
                       ", got " + format_number(v));
        return;
      }
      out = v;
    }
  }
  void strings(const char* key, std::vector<std::string>& out) {
    if (auto* n = find(key)) {
      const toml::array* arr = n->as_array();
      std::vector<std::string> items;
      bool ok = arr != nullptr;
      if (arr) {
        for (const auto& item : *arr) {
          if (!item.is_string()) {
            ok = false;
            break;
          }
          items.push_back(*item.value<std::string>());
        }
      }
      if (!ok) {
        error(key, "expected an array of strings");
        return;
      }
      out = std::move(items);
    }
  }
  void dates(const char* key, std::vector<CivilDate>& out) {
    if (auto* n = find(key)) {
      const toml::array* arr = n->as_array();
      if (!arr) {
        error(key, "expected an array of \"YYYY-MM-DD\" strings");
        return;
      }
      std::vector<CivilDate> dates;
      for (const auto& item : *arr) {
        std::optional<CivilDate> d;
        if (item.is_string()) d = parse_civil_date(*item.value<std::string>());
        if (item.is_date()) {
          const auto td = *item.value<toml::date>();
          d = CivilDate{td.year, td.month, td.day};
        }
        if (!d) {
          error(key, "every entry must be a date \"YYYY-MM-DD\"");
          return;
        }
        dates.push_back(*d);
      }
      out = std::move(dates);
    }
  }
  // The sub-table `key` ([prefix.key]), or null when absent (an error when not a table).
  const toml::table* table(const char* key) {
    const toml::node* n = find(key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) {
      error(key, "expected a table [" + qualified(key) + "]");
      return nullptr;
    }
    return n->as_table();
  }
  // Reports every key of the table that no reader asked for.
  void finish() {
    if (!table_) return;
    for (const auto& [k, v] : *table_) {
      const std::string key(k.str());
      if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
        errors_.push_back("key '" + qualified(key) + "': unknown key" + suggestion(key, known_));
      }
    }
  }

 private:
  const toml::node* find(const char* key) {
    known_.emplace_back(key);
    return table_ ? table_->get(key) : nullptr;
  }
  std::string qualified(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  void error(const char* key, const std::string& what) {
    errors_.push_back("key '" + qualified(key) + "': " + what);
  }

  const toml::table* table_;
  std::string prefix_;
  std::vector<std::string>& errors_;
  std::vector<std::string> known_;
};

void apply_env_secrets(Config& c) {
  auto env = [](const char* name, std::string& out) {
    if (const char* v = std::getenv(name); v && *v) out = v;
  };
  env("QUANTD_KIS_APP_KEY", c.kis.app_key);
  env("QUANTD_KIS_APP_SECRET", c.kis.app_secret);
  env("QUANTD_KIS_ACCOUNT", c.kis.account);
  env("QUANTD_KIS_HTS_ID", c.kis.hts_id);
  env("QUANTD_AUTH_TOKEN", c.server.auth_token);
  env("QUANTD_TELEGRAM_BOT_TOKEN", c.notify.telegram.bot_token);
  env("QUANTD_TELEGRAM_CHAT_ID", c.notify.telegram.chat_id);
  env("QUANTD_WEBHOOK_URL", c.notify.webhook.url);
  env("QUANTD_WEBHOOK_SECRET", c.notify.webhook.secret);
}

constexpr std::array<const char*, kNotificationTypeCount> kNotificationTypeNames{
    "order_placed",    "order_filled",  "order_rejected", "order_unknown", "order_resolved",
    "needs_attention", "risk_denied",   "session_state",  "kill_switch",   "reconcile_mismatch",
    "warmup_failed",   "token_problem", "daily_summary"};

// "HH:MM" → minutes after midnight.
std::optional<int> parse_hh_mm(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0, 1, 3, 4}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

void parse_notify(const toml::table* table, NotifyConfig& n, std::vector<std::string>& errors) {
  TableReader r(table, "notify", errors);
  r.integer("queue_capacity", n.queue_capacity, 1, 100'000);
  r.integer("max_attempts", n.max_attempts, 1, 20);
  r.integer("timeout_seconds", n.timeout_seconds, 1, 120);
  std::string at;
  r.string("daily_summary_at", at);
  if (!at.empty()) {
    const auto minute = parse_hh_mm(at);
    // After the close (15:30) and its last tick (15:31), so the day's fills are all booked.
    if (!minute || *minute < 15 * 60 + 31) {
      errors.push_back(
          "key 'notify.daily_summary_at': must be a KST time \"HH:MM\" from 15:31 to "
          "23:59 (after the close), got \"" +
          at + "\"");
    } else {
      n.daily_summary_minute = *minute;
    }
  }
  r.string("ca_file", n.ca_file);
  {
    TableReader t(r.table("telegram"), "notify.telegram", errors);
    t.boolean("enabled", n.telegram.enabled);
    t.string("bot_token", n.telegram.bot_token);
    t.string("chat_id", n.telegram.chat_id);
    t.string("api_url", n.telegram.api_url);
    t.finish();
  }
  {
    TableReader w(r.table("webhook"), "notify.webhook", errors);
    w.boolean("enabled", n.webhook.enabled);
    w.string("url", n.webhook.url);
    w.string("secret_header", n.webhook.secret_header);
    w.string("secret", n.webhook.secret);
    w.finish();
  }
  {
    TableReader e(r.table("events"), "notify.events", errors);
    for (std::size_t i = 0; i < kNotificationTypeCount; ++i) {
      std::string level;
      e.string(kNotificationTypeNames[i], level);
      if (level.empty()) continue;
      if (auto parsed = parse_notify_level(level)) {
        n.levels[i] = *parsed;
      } else {
        errors.push_back("key 'notify.events." + std::string(kNotificationTypeNames[i]) +
                         "': must be \"on\", \"silent\" or \"off\", got \"" + level + "\"");
      }
    }
    e.finish();
  }
  r.finish();
}

// A notification URL: http(s), and plain http only to this machine (LIVE.md §13), so a token or
// a shared secret never crosses a network in clear.
Status check_notify_url(std::string_view key, const std::string& text) {
  auto url = parse_url(text);
  if (!url.ok()) return Status::invalid_argument(std::string(key) + ": " + url.status().message());
  if (!url->https() && !is_loopback_host(url->host)) {
    return Status::invalid_argument(std::string(key) + ": http:// is allowed only to loopback (" +
                                    url->origin() + "); use https://");
  }
  return {};
}

}  // namespace

std::string_view to_string(NotificationType type) {
  return kNotificationTypeNames[static_cast<std::size_t>(type)];
}

std::optional<NotificationType> parse_notification_type(std::string_view name) {
  for (std::size_t i = 0; i < kNotificationTypeCount; ++i) {
    if (name == kNotificationTypeNames[i]) return static_cast<NotificationType>(i);
  }
  return std::nullopt;
}

std::string_view to_string(NotifyLevel level) {
  switch (level) {
    case NotifyLevel::kOff:
      return "off";
    case NotifyLevel::kSilent:
      return "silent";
    case NotifyLevel::kOn:
      return "on";
  }
  return "off";
}

std::optional<NotifyLevel> parse_notify_level(std::string_view name) {
  if (name == "off") return NotifyLevel::kOff;
  if (name == "silent") return NotifyLevel::kSilent;
  if (name == "on") return NotifyLevel::kOn;
  return std::nullopt;
}

std::vector<CivilDate> default_krx_holidays() {
  // KRX closed weekdays for 2025 and 2026, from the exchange's published calendars (public
  // holidays, substitute holidays, election days, Labor Day and the year-end closing day).
  // Extend or replace with [scheduler] holidays when KRX announces changes.
  return {
      {2025, 1, 1},   {2025, 1, 27}, {2025, 1, 28}, {2025, 1, 29},  {2025, 1, 30},  {2025, 3, 3},
      {2025, 5, 1},   {2025, 5, 5},  {2025, 5, 6},  {2025, 6, 3},   {2025, 6, 6},   {2025, 8, 15},
      {2025, 10, 3},  {2025, 10, 6}, {2025, 10, 7}, {2025, 10, 8},  {2025, 10, 9},  {2025, 12, 25},
      {2025, 12, 31}, {2026, 1, 1},  {2026, 2, 16}, {2026, 2, 17},  {2026, 2, 18},  {2026, 3, 2},
      {2026, 5, 1},   {2026, 5, 5},  {2026, 5, 25}, {2026, 6, 3},   {2026, 8, 17},  {2026, 9, 24},
      {2026, 9, 25},  {2026, 10, 5}, {2026, 10, 9}, {2026, 12, 25}, {2026, 12, 31},
  };
}

Config default_config() {
  Config c;
  c.scheduler.holidays = default_krx_holidays();
  apply_env_secrets(c);
  return c;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  // Decided on the parsed address, never on its spelling: "127.example.com" is a name that may
  // resolve anywhere.
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
        .is_loopback();
  }
  return address.is_loopback();
}

Status check_auth_token(std::string_view token) {
  if (token.empty()) return {};
  const bool blank = token.find_first_not_of(" \t\r\n") == std::string_view::npos;
  if (blank || token.size() < kMinAuthTokenLength) {
    return Status::invalid_argument(
        "server.auth_token (or QUANTD_AUTH_TOKEN) must be at least " +
        std::to_string(kMinAuthTokenLength) + " characters of random text (got " +
        (blank ? std::string("a blank one") : std::to_string(token.size()) + " characters") +
        "); `quantd token` prints a fresh one");
  }
  return {};
}

Status check_exposure(const ServerConfig& server, bool password_set) {
  if (is_loopback_host(server.host) || !server.auth_token.empty() || password_set) return {};
  return Status::invalid_argument(
      "listening on " + server.host +
      " (beyond loopback) requires a password (`quantd passwd`) or server.auth_token "
      "(QUANTD_AUTH_TOKEN)");
}

Status apply_listen(ServerConfig& server, std::string_view listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size()) {
    return Status::invalid_argument("listen address '" + std::string(listen) +
                                    "' must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port_text(listen.substr(colon + 1));
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (*end != '\0' || port < 0 || port > 65535) {
    return Status::invalid_argument("listen address '" + std::string(listen) +
                                    "': port must be a number from 0 to 65535");
  }
  server.host = host;
  server.port = static_cast<std::uint16_t>(port);
  return {};
}

Result<Config> parse_config(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return Status::invalid_argument(msg.str());
  }
  Config c = default_config();
  std::vector<std::string> errors;

  auto section = [&](const char* name) -> const toml::table* {
    const toml::node* n = root.get(name);
    if (!n) return nullptr;
    if (!n->is_table()) {
      errors.push_back("key '" + std::string(name) + "': expected a table [" + name + "]");
      return nullptr;
    }
    return n->as_table();
  };

  {
    TableReader r(section("server"), "server", errors);
    std::string listen;
    r.string("listen", listen);
    if (!listen.empty()) {
      if (Status st = apply_listen(c.server, listen); !st.ok()) {
        errors.push_back("key 'server.listen': " + st.message());
      }
    }
    r.integer("threads", c.server.threads, 1, 64);
    r.integer("body_limit_bytes", c.server.body_limit_bytes, 1024, std::int64_t{1} << 30);
    r.integer("upload_limit_bytes", c.server.upload_limit_bytes, 1024, std::int64_t{1} << 42);
    r.integer("header_timeout_seconds", c.server.header_timeout_seconds, 1, 3600);
    r.integer("read_timeout_seconds", c.server.read_timeout_seconds, 1, 3600);
    r.string("static_dir", c.server.static_dir);
    r.string("auth_token", c.server.auth_token);
    r.strings("hosts", c.server.hosts);
    r.boolean("secure_cookie", c.server.secure_cookie);
    r.string("tls_cert", c.server.tls_cert);
    r.string("tls_key", c.server.tls_key);
    r.integer("max_event_streams", c.server.max_event_streams, 1, 100000);
    r.integer("max_event_streams_per_client", c.server.max_event_streams_per_client, 1, 100000);
    r.finish();
    if (c.server.tls_cert.empty() != c.server.tls_key.empty()) {
      errors.push_back(std::string("key 'server.") +
                       (c.server.tls_cert.empty() ? "tls_cert" : "tls_key") +
                       "' is missing: HTTPS needs both server.tls_cert and server.tls_key");
    }
    for (const std::string& name : c.server.hosts) {
      if (name.empty() || name.find_first_of(" \t/@?#") != std::string::npos) {
        errors.push_back("key 'server.hosts': '" + name +
                         "' is not a host name (use a name like \"quantd.example\", optionally "
                         "with \":PORT\")");
      }
    }
  }
  {
    TableReader r(section("database"), "database", errors);
    r.string("path", c.database.path);
    r.integer("busy_timeout_ms", c.database.busy_timeout_ms, 0, 600000);
    r.integer("max_size_mb", c.database.max_size_mb, 0, 1 << 30);
    r.integer("min_free_mb", c.database.min_free_mb, 0, 1 << 30);
    r.finish();
    if (c.database.path.empty()) errors.push_back("key 'database.path': must not be empty");
  }
  {
    TableReader r(section("log"), "log", errors);
    r.string("level", c.log.level);
    r.finish();
    static const std::set<std::string> kLevels{"trace", "debug",    "info", "warn",
                                               "error", "critical", "off"};
    if (!kLevels.contains(c.log.level)) {
      errors.push_back("key 'log.level': unknown level '" + c.log.level +
                       "' (use trace, debug, info, warn, error, critical or off)");
    }
  }
  {
    TableReader r(section("backtest"), "backtest", errors);
    r.integer("workers", c.backtest.workers, 1, 64);
    r.integer("queue_capacity", c.backtest.queue_capacity, 1, 1000000);
    r.integer("keep_results", c.backtest.keep_results, 0, 100000000);
    r.finish();
  }
  {
    TableReader r(section("live"), "live", errors);
    r.integer("workers", c.live.pool.workers, 1, 64);
    r.integer("queue_capacity", c.live.pool.queue_capacity, 1, 1000000);
    r.string("broker", c.live.broker);
    r.string("feed", c.live.feed);
    r.integer("min_warmup_bars", c.live.min_warmup_bars, 0, 1'000'000);
    r.string("order_type", c.live.order_type);
    r.number("collar_bps", c.live.collar_bps, 0, 3000);
    r.integer("unknown_settle_s", c.live.unknown_settle_s, 0, 3600);
    r.integer("reconcile_every_min", c.live.reconcile_every_min, 1, 1440);
    r.finish();
    if (c.live.broker != "paper" && c.live.broker != "kis") {
      errors.push_back("key 'live.broker': must be \"paper\" or \"kis\", got \"" + c.live.broker +
                       "\"");
    }
    if (c.live.feed != "replay" && c.live.feed != "kis") {
      errors.push_back(
          "key 'live.feed': must be \"replay\" (stored bars released on the daemon's "
          "clock) or \"kis\" (KIS's minute charts), got \"" +
          c.live.feed + "\"");
    }
    if (c.live.order_type != "market" && c.live.order_type != "limit") {
      errors.push_back("key 'live.order_type': must be \"market\" or \"limit\", got \"" +
                       c.live.order_type + "\"");
    }
  }
  {
    TableReader r(section("paper"), "paper", errors);
    r.string("fill", c.paper.fill);
    r.integer("cash", c.paper.cash, 0, 1'000'000'000'000'000);
    r.number("commission_bps", c.paper.commission_bps, 0, 1000);
    double tax = -1;
    r.number("tax_bps", tax, 0, 1000);
    if (tax >= 0) c.paper.tax_bps = tax;
    r.number("slippage_bps", c.paper.slippage_bps, 0, 1000);
    r.integer("slippage_ticks", c.paper.slippage_ticks, 0, 100);
    r.finish();
    if (c.paper.fill != "next_open" && c.paper.fill != "last_price") {
      errors.push_back("key 'paper.fill': must be \"next_open\" or \"last_price\", got \"" +
                       c.paper.fill + "\"");
    }
  }
  {
    TableReader r(section("risk"), "risk", errors);
    r.integer("max_order_qty", c.risk.max_order_qty, 0, 1'000'000'000);
    r.integer("max_order_notional", c.risk.max_order_notional, 0, 1'000'000'000'000'000);
    r.number("max_position_pct", c.risk.max_position_pct, 0.01, 100);
    r.integer("max_orders_per_min", c.risk.max_orders_per_min, 1, 1000);
    r.integer("max_orders_per_symbol_day", c.risk.max_orders_per_symbol_day, 1, 100'000);
    r.integer("max_rejects_in_row", c.risk.max_rejects_in_row, 1, 1000);
    r.number("daily_loss_pct", c.risk.daily_loss_pct, 0, 100);
    r.finish();
  }
  {
    TableReader r(section("scheduler"), "scheduler", errors);
    r.boolean("enabled", c.scheduler.enabled);
    r.dates("holidays", c.scheduler.holidays);
    r.finish();
  }
  {
    TableReader r(section("kis"), "kis", errors);
    r.string("environment", c.kis.environment);
    r.string("app_key", c.kis.app_key);
    r.string("app_secret", c.kis.app_secret);
    r.string("account", c.kis.account);
    r.string("rest_url", c.kis.rest_url);
    r.number("rate_limit_per_s", c.kis.rate_limit_per_s, 0, 18);
    r.string("ca_file", c.kis.ca_file);
    r.string("order_type", c.kis.order_type);
    r.number("commission_bps", c.kis.commission_bps, 0, 100);
    r.boolean("websocket", c.kis.websocket);
    r.string("hts_id", c.kis.hts_id);
    r.string("ws_url", c.kis.ws_url);
    r.integer("ws_idle_s", c.kis.ws_idle_s, 1, 3600);
    r.finish();
    if (c.kis.environment != "paper" && c.kis.environment != "real") {
      errors.push_back("key 'kis.environment': must be \"paper\" or \"real\"");
    }
    if (c.kis.order_type != "limit" && c.kis.order_type != "market") {
      errors.push_back(
          "key 'kis.order_type': must be \"limit\" (a marketable limit collar_bps through the "
          "last price) or \"market\", got \"" +
          c.kis.order_type + "\"");
    }
  }
  parse_notify(section("notify"), c.notify, errors);
  {
    TableReader r(section("backup"), "backup", errors);
    r.string("dir", c.backup.dir);
    r.number("every_hours", c.backup.every_hours, 1.0 / 3600, 24.0 * 366);
    r.integer("keep", c.backup.keep, 1, 10000);
    r.finish();
  }
  // Unknown top-level keys or sections.
  {
    static const std::vector<std::string> kSections{"server", "database", "log",   "backtest",
                                                    "live",   "paper",    "risk",  "scheduler",
                                                    "kis",    "notify",   "backup"};
    for (const auto& [k, v] : root) {
      const std::string key(k.str());
      if (std::find(kSections.begin(), kSections.end(), key) == kSections.end()) {
        errors.push_back("key '" + key + "': unknown key" + suggestion(key, kSections));
      }
    }
  }
  // Secrets in the environment win over the file, so a file can be shared without them.
  apply_env_secrets(c);

  if (!errors.empty()) {
    std::string msg;
    for (const auto& e : errors) {
      if (!msg.empty()) msg += "\n";
      msg += std::string(source) + ": " + e;
    }
    return Status::invalid_argument(msg);
  }
  return c;
}

Result<Config> load_config_or_default(const std::string& path) {
  if (path.empty()) return default_config();
  return load_config_file(path);
}

Result<Config> load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::invalid_argument("cannot read config file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

Status validate(const Config& c) {
  // First, so `--debug-clock --listen 0.0.0.0:...` is told the real reason, not the token rule.
  if (c.debug.clock && !is_loopback_host(c.server.host)) {
    return Status::invalid_argument(
        "--debug-clock lets any client move the daemon's clock, so it is refused when listening "
        "beyond loopback (" +
        c.server.host + "); listen on 127.0.0.1 or drop the flag");
  }
  if (Status st = check_auth_token(c.server.auth_token); !st.ok()) return st;
  if (!c.kis.rest_url.empty()) {
    auto url = parse_url(c.kis.rest_url);
    if (!url.ok()) return Status::invalid_argument("kis.rest_url: " + url.status().message());
    if (!url->https() && !is_loopback_host(url->host)) {
      return Status::invalid_argument(
          "kis.rest_url: plain http is accepted only for a loopback host (a local mock)");
    }
  }
  if ((c.live.broker == "kis" || c.live.feed == "kis") &&
      (c.kis.app_key.empty() || c.kis.app_secret.empty() || c.kis.account.empty())) {
    return Status::invalid_argument(
        "live.broker = \"kis\" (or live.feed = \"kis\") requires kis.app_key, kis.app_secret and "
        "kis.account (or "
        "QUANTD_KIS_APP_KEY, QUANTD_KIS_APP_SECRET, QUANTD_KIS_ACCOUNT)");
  }
  if (c.kis.websocket && c.kis.hts_id.empty()) {
    return Status::invalid_argument(
        "kis.websocket requires kis.hts_id (or QUANTD_KIS_HTS_ID): the KIS login id its order "
        "notices are registered under");
  }
  const TelegramConfig& tg = c.notify.telegram;
  if (tg.enabled) {
    if (tg.bot_token.empty() || tg.chat_id.empty()) {
      return Status::invalid_argument(
          "notify.telegram.enabled requires notify.telegram.bot_token and chat_id (or "
          "QUANTD_TELEGRAM_BOT_TOKEN, QUANTD_TELEGRAM_CHAT_ID)");
    }
    if (Status st = check_notify_url("notify.telegram.api_url", tg.api_url); !st.ok()) return st;
  }
  const WebhookConfig& wh = c.notify.webhook;
  if (wh.enabled) {
    if (wh.url.empty()) {
      return Status::invalid_argument(
          "notify.webhook.enabled requires notify.webhook.url (or QUANTD_WEBHOOK_URL)");
    }
    if (Status st = check_notify_url("notify.webhook.url", wh.url); !st.ok()) return st;
    if (!wh.secret.empty() && wh.secret_header.empty()) {
      return Status::invalid_argument(
          "notify.webhook.secret needs notify.webhook.secret_header to name the header it is "
          "sent in");
    }
  }
  return {};
}

std::string describe(const Config& c) {
  auto secret = [](const std::string& s) { return s.empty() ? "unset" : "set"; };
  std::ostringstream out;
  out << "listen=" << c.server.host << ":" << c.server.port << " db=" << c.database.path
      << " log=" << c.log.level << " backtest_workers=" << c.backtest.workers
      << " live_workers=" << c.live.pool.workers << " broker=" << c.live.broker
      << " scheduler=" << (c.scheduler.enabled ? "on" : "off")
      << " holidays=" << c.scheduler.holidays.size()
      << " auth_token=" << secret(c.server.auth_token)
      << " secure_cookie=" << (c.server.secure_cookie ? "true" : "false")
      << " tls=" << (c.server.tls_cert.empty() ? "off" : "on") << " kis_env=" << c.kis.environment
      << " kis_key=" << secret(c.kis.app_key);
  // Channels by name only: a webhook URL may hold a key in its path, and a chat id says who reads.
  out << " notify=";
  if (!c.notify.enabled()) out << "off";
  if (c.notify.telegram.enabled) {
    out << "telegram(token=" << secret(c.notify.telegram.bot_token) << ")";
  }
  if (c.notify.webhook.enabled) {
    out << (c.notify.telegram.enabled ? "," : "")
        << "webhook(secret=" << secret(c.notify.webhook.secret) << ")";
  }
  if (c.debug.clock) {
    out << " debug_clock="
        << (c.debug.clock_start ? format_utc_iso(*c.debug.clock_start) : std::string("now"));
  }
  if (c.debug.crash) out << " debug_crash=on";
  return out.str();
}

}  // namespace quantd::config
