// Config: quantd's one typed configuration tree, loaded from TOML and validated once.
//
// Every key has a default (so quantd runs with no file at all) and is documented in
// config.example.toml. An unknown key is an error naming it (typos are caught), and so is a value
// of the wrong type or out of range. Secrets may come from the environment instead of the file:
// QUANTD_KIS_APP_KEY, QUANTD_KIS_APP_SECRET, QUANTD_KIS_ACCOUNT, QUANTD_AUTH_TOKEN,
// QUANTD_TELEGRAM_BOT_TOKEN, QUANTD_TELEGRAM_CHAT_ID, QUANTD_WEBHOOK_URL, QUANTD_WEBHOOK_SECRET.
// Secrets are never printed: describe() redacts them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/core/time.h"

namespace quantd::config {

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  std::int64_t body_limit_bytes = 8 * 1024 * 1024;
  // Bar CSV uploads stream to a file beside the database instead (any size up to this).
  std::int64_t upload_limit_bytes = std::int64_t{4} << 30;
  int header_timeout_seconds = 10;
  int read_timeout_seconds = 30;
  std::string static_dir;  // when set, the UI is served from this folder instead of the binary
  std::string auth_token;  // secret; >= 32 characters; this or a password beyond loopback
  // Names the daemon answers to besides localhost, 127.0.0.1 and [::1] ("name" or "name:port");
  // any other Host header gets 421 (DNS-rebinding protection).
  std::vector<std::string> hosts;
  // The login cookie carries `Secure`: set when browsers reach the UI over https (a TLS proxy);
  // implied by tls_cert.
  bool secure_cookie = false;
  // HTTPS without a reverse proxy: PEM certificate chain and unencrypted private key files, both
  // or neither. Re-read when they change on disk (renewals need no restart).
  std::string tls_cert;
  std::string tls_key;
  // /api/events streams open at once, in total and per client address; more are refused (503,
  // 429) so streams cannot use up the file descriptors /api/health and the API need.
  int max_event_streams = 64;
  int max_event_streams_per_client = 8;
};

// The shortest server.auth_token accepted (`quantd token` makes 43-character ones).
inline constexpr std::size_t kMinAuthTokenLength = 32;

struct DatabaseConfig {
  std::string path = "quantd.db";
  int busy_timeout_ms = 5000;
  // New backtests (and bar uploads) are refused with 507 once the database reaches max_size_mb
  // (0: no limit) or the disk has less than min_free_mb free; health degrades before either.
  int max_size_mb = 0;
  int min_free_mb = 512;
};

// Scheduled online backups of the database (storage/backup.h); off while dir is empty.
struct BackupConfig {
  std::string dir;          // where quantd-<UTC time>.db files go; created (0700) when missing
  double every_hours = 24;  // fractions allowed; at least one second
  int keep = 7;             // the newest this many are kept, older ones deleted

  bool enabled() const { return !dir.empty(); }
};

struct LogConfig {
  std::string level = "info";
};

struct PoolConfig {
  int workers = 1;
  int queue_capacity = 64;
};

struct BacktestConfig : PoolConfig {
  BacktestConfig() : PoolConfig{1, 64} {}
  // Finished runs kept, newest first; older ones are deleted after each run (never a pinned
  // one). 0 keeps everything.
  int keep_results = 1000;
};

struct SchedulerConfig {
  bool enabled = true;
  std::vector<CivilDate> holidays;  // KRX closed days; defaults to the built-in list
};

struct KisConfig {
  std::string environment = "paper";  // "paper" or "real"
  std::string app_key;                // secret
  std::string app_secret;             // secret
  std::string account;                // secret, "12345678-01"
  std::string rest_url;         // empty: the environment's own; http:// only for a loopback mock
  double rate_limit_per_s = 0;  // 0: 15 real, 0.9 paper (KIS allows 18 and 1)
  std::string ca_file;          // trust these CAs instead of the system's (a private test CA)
  std::string order_type = "limit";  // "limit" (marketable, live.collar_bps) or "market"
  double commission_bps = 1.40527;   // KIS's online rate (PROTOCOL §7.5), booked per fill
  // The WebSocket accelerator (kis/kis_ws.h): order and fill notices, trade ticks.
  bool websocket = false;
  std::string hts_id;   // secret: the KIS login id the notices are registered under
  std::string ws_url;   // empty: the environment's own; ws:// to KIS's host or loopback only
  int ws_idle_s = 120;  // silence after which the WebSocket is reconnected
};

struct LiveConfig {
  PoolConfig pool{1, 1024};
  std::string broker = "paper";       // "paper" or "kis"
  std::string feed = "replay";        // live bars: "replay" (stored bars) or "kis" (KIS charts)
  int min_warmup_bars = 0;            // history fed at activation beyond the strategy's own need
  std::string order_type = "market";  // sent at once: "market" or "limit" (marketable, collared)
  double collar_bps = 50;             // a marketable limit's distance from the reference price
  int unknown_settle_s = 0;           // extra seconds before an unknown order is proven absent
  int reconcile_every_min = 5;        // periodic reconciliation of every account
};

// The paper broker (live.broker = "paper"): quantd's simulator with its own book.
struct PaperConfig {
  std::string fill = "next_open";   // "next_open" (the backtest's rule) or "last_price"
  std::int64_t cash = 100'000'000;  // KRW of the paper account when it is first created
  double commission_bps = 1.5;      // per side, as a backtest's default
  std::optional<double> tax_bps;    // unset: the dated KRX table
  double slippage_bps = 0;
  int slippage_ticks = 0;
};

// Default risk limits of a new live session (each may be overridden at activation).
struct RiskConfig {
  std::int64_t max_order_qty = 0;       // 0 = off
  std::int64_t max_order_notional = 0;  // KRW; 0 = off
  double max_position_pct = 100;
  int max_orders_per_min = 6;
  int max_orders_per_symbol_day = 40;
  int max_rejects_in_row = 3;
  double daily_loss_pct = 0;  // 0 = off
};

// Notification types (LIVE.md §3.6), in the order the docs list them.
enum class NotificationType : std::uint8_t {
  kOrderPlaced,        // the broker accepted an order that did not fill at once
  kOrderFilled,        // a fill, as the journal booked it
  kOrderRejected,      // the broker refused an order
  kOrderUnknown,       // an order's outcome is unknown (its symbol is frozen)
  kOrderResolved,      // an unknown or needs_attention order was settled
  kNeedsAttention,     // an order only the operator can settle
  kRiskDenied,         // quantd's risk checks refused an order (never sent)
  kSessionState,       // a session halted, reduced, failed, stopped or resumed
  kKillSwitch,         // an account's trading state changed (the kill switch, a halt)
  kReconcileMismatch,  // a reconciliation found a difference (or could not finish)
  kWarmupFailed,       // a new session could not warm up
  kTokenProblem,       // the broker's access token cannot be had (KIS)
  kDailySummary,       // each trading day after the close
};
inline constexpr std::size_t kNotificationTypeCount = 13;
// "order_placed", ...: the names [notify.events] uses.
std::string_view to_string(NotificationType type);
std::optional<NotificationType> parse_notification_type(std::string_view name);

// How a notification type is sent: not at all, without a sound (Telegram's
// disable_notification; the webhook's "silent": true), or normally.
enum class NotifyLevel : std::uint8_t { kOff, kSilent, kOn };
std::string_view to_string(NotifyLevel level);
std::optional<NotifyLevel> parse_notify_level(std::string_view name);

struct TelegramConfig {
  bool enabled = false;
  std::string bot_token;  // secret
  std::string chat_id;    // secret-ish (who receives); from QUANTD_TELEGRAM_CHAT_ID too
  std::string api_url = "https://api.telegram.org";
};

struct WebhookConfig {
  bool enabled = false;
  std::string url;  // treated as a secret beyond its origin: a chat webhook's key is in its path
  std::string secret_header = "X-Quantd-Secret";
  std::string secret;  // secret, sent in secret_header when set
};

struct NotifyConfig {
  TelegramConfig telegram;
  WebhookConfig webhook;
  // Per type, indexed by NotificationType (in its order): quiet defaults (fills, problems, halts
  // and the daily summary on; placed orders off; resolutions and risk denials silent).
  std::array<NotifyLevel, kNotificationTypeCount> levels = {
      NotifyLevel::kOff,    NotifyLevel::kOn, NotifyLevel::kOn,     NotifyLevel::kOn,
      NotifyLevel::kSilent, NotifyLevel::kOn, NotifyLevel::kSilent, NotifyLevel::kOn,
      NotifyLevel::kOn,     NotifyLevel::kOn, NotifyLevel::kOn,     NotifyLevel::kOn,
      NotifyLevel::kOn};
  int queue_capacity = 256;  // per channel; when full the oldest is dropped (counted, logged)
  int max_attempts = 5;      // sends of one notification; retries wait 1, 2, 4, 8, ... s
  int timeout_seconds = 10;  // per send
  int daily_summary_minute = 15 * 60 + 40;  // KST minutes after midnight ("15:40")
  std::string ca_file;                      // PEM CAs instead of the system store

  bool enabled() const { return telegram.enabled || webhook.enabled; }
  NotifyLevel level(NotificationType type) const { return levels[static_cast<std::size_t>(type)]; }
};

// Test hooks, set only from the command line (quantd serve --debug-clock[=TIME], --debug-crash),
// never from the file. The debug clock is refused beyond loopback (validate).
struct DebugConfig {
  bool clock = false;                      // the daemon's clock is manual: POST /api/debug/clock
  std::optional<TimestampMs> clock_start;  // where the manual clock starts; the real time if unset
  bool crash = false;  // QUANTD_CRASH_AT arms a crash point (core/crash_point.h)
};

struct Config {
  ServerConfig server;
  DatabaseConfig database;
  LogConfig log;
  BacktestConfig backtest;
  LiveConfig live;
  PaperConfig paper;
  RiskConfig risk;
  SchedulerConfig scheduler;
  KisConfig kis;
  NotifyConfig notify;
  BackupConfig backup;
  DebugConfig debug;
};

// KRX holidays quantd knows without configuration (weekdays the exchange is closed).
std::vector<CivilDate> default_krx_holidays();

// The defaults with environment secrets applied.
Config default_config();

// Parses TOML text. `source` names the file in messages. Collects every problem; the error
// message lists each on its own line as "SOURCE: key 'a.b': what is wrong".
Result<Config> parse_config(std::string_view toml_text, std::string_view source);

// Reads and parses a file; a missing or unreadable file is an error naming the path.
Result<Config> load_config_file(const std::string& path);
// The commands' --config: the file at `path`, or the embedded defaults when `path` is empty.
Result<Config> load_config_or_default(const std::string& path);

// Parses "HOST:PORT" (IPv4, a name, or "[v6]:PORT") into the server config.
Status apply_listen(ServerConfig& server, std::string_view listen);

// True for "localhost" and for an IP address (IPv6 optionally in brackets) that is loopback:
// 127.0.0.0/8, ::1, ::ffff:127.x. A host name is never loopback (it may resolve anywhere).
bool is_loopback_host(std::string_view host);

// Ok for an empty token (none configured); InvalidArgument, naming the rule and `quantd token`,
// for a blank one or one shorter than kMinAuthTokenLength.
Status check_auth_token(std::string_view token);

// Ok when the daemon may listen on server.host: a loopback address (decided on the parsed
// address, never its spelling), or a token is configured, or a password is set (in the database,
// so the daemon checks this once it has opened it). InvalidArgument naming both ways otherwise.
Status check_exposure(const ServerConfig& server, bool password_set);

// Cross-key checks (e.g. the debug clock only on loopback; an enabled notification
// channel needs its token, chat or URL, and its URLs must be https:// or http:// on loopback).
// Flags and environment secrets are applied before this runs.
Status validate(const Config& config);

// A one-line summary safe to log (secrets redacted).
std::string describe(const Config& config);

}  // namespace quantd::config
