// RedisConnection: one synchronous connection to a Redis server, a thin RAII wrapper over
// hiredis 0.14's redisContext (SCALEOUT.md §3: the only Redis client Debian 12 packages; no TLS,
// no RESP3, which quantd needs neither of).
//
// Design note.
// - Threading: not thread-safe. One connection per thread (a worker's blocking XREADGROUP holds
//   its connection for the whole BLOCK time); moving it to another thread between calls is fine.
// - Commands go out argv-style (redisCommandArgv), so every argument is binary-safe and no
//   format string ever sees message data.
// - Errors are values. A transport failure (refused, reset, timed out) drops the socket and
//   returns unavailable; the next command reconnects, after a backoff that doubles from 50 ms to
//   2 s while the server stays away. A failed command is never resent here: XADD is not
//   idempotent and an XREADGROUP may have been served, so the caller decides.
// - A write to a reset socket raises no SIGPIPE: it is blocked on the calling thread while a
//   command runs, so the caller need not ignore SIGPIPE process-wide.
// - Nothing here logs or returns argument values: errors name the server's address and the
//   command's name (argv[0]) only, since arguments carry message fields and may carry secrets.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"

struct redisContext;  // hiredis; only redis_connection.cpp sees its definition

namespace quantd::bus {

// Where a Redis server listens: "redis://HOST[:PORT][/DB]" taken apart.
struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  int database = 0;
  // "redis://127.0.0.1:6379/0": safe to log.
  std::string to_string() const;
};

// Parses "redis://HOST[:PORT][/DB]" (HOST a name or an IPv4 address; PORT 1..65535, default
// 6379; DB 0..15, default 0). Errors, invalid_argument with a sentence: another scheme, no host,
// a bad port or database, a user or password in the URL (not supported yet; when it is, the
// password must never reach a log), characters outside [A-Za-z0-9.-_] in the host, a query.
Result<RedisEndpoint> parse_redis_url(std::string_view url);

struct RedisOptions {
  std::chrono::milliseconds connect_timeout{2000};
  // The socket's read and write timeout. A blocking read (XREADGROUP BLOCK n) must ask for less
  // than this, or the wait looks like a dead server (SCALEOUT §7.5: BLOCK 5 s, timeout 7 s).
  std::chrono::milliseconds command_timeout{7000};
};

// A reply as a plain value tree, copied out of hiredis's redisReply (which is freed at once by
// an RAII holder in the .cpp). An error reply (-ERR, -BUSYGROUP, -NOGROUP ...) is a reply, not
// a failed call: the server answered and the connection is fine.
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kError, kInteger, kArray };
  Type type = Type::kNil;
  std::string text;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_error() const { return type == Type::kError; }
  bool is_array() const { return type == Type::kArray; }
  bool is_text() const { return type == Type::kString || type == Type::kStatus; }
  // True for an error reply whose first word is `code` ("BUSYGROUP", "NOGROUP").
  bool is_error_code(std::string_view code) const;
};

class RedisConnection {
 public:
  // Does not connect: the first command does (so a daemon can start before its Redis).
  RedisConnection(RedisEndpoint endpoint, RedisOptions options = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Connects now if not connected (also the way to probe the server). Errors, unavailable: the
  // server refused, timed out, failed SELECT, or the backoff after the last failure is running.
  Status connect();

  // Sends `argv` (argv[0] the command) and returns the reply, connecting first when needed.
  // Errors: invalid_argument for an empty argv; unavailable for every transport failure
  // (connect, send, receive, timeout), after which the socket is closed.
  Result<RedisReply> command(const std::vector<std::string>& argv);

  bool connected() const { return context_ != nullptr; }
  const RedisEndpoint& endpoint() const { return endpoint_; }
  const RedisOptions& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  RedisEndpoint endpoint_;
  RedisOptions options_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::milliseconds backoff_{0};
};

}  // namespace quantd::bus
