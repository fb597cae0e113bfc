#include "quantd/bus/redis_connection.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <random>

namespace quantd::bus {
namespace {

using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 50ms;
constexpr auto kMaxBackoff = 2000ms;

Status bad_url(std::string why) { return Status::invalid_argument("redis URL " + why); }

bool parse_number(std::string_view text, long min, long max, long& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size() && out >= min && out <= max;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// Frees a hiredis reply when it leaves scope: the only owner of a redisReply.
using ReplyHolder = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

RedisReply copy_reply(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r.integer;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(copy_reply(*r.element[i]));
      return out;
    default:
      out.type = RedisReply::Type::kNil;
      return out;
  }
  if (r.str != nullptr) out.text.assign(r.str, r.len);
  return out;
}

// A little jitter so workers that lost the same server do not all knock at the same instant.
std::chrono::milliseconds jittered(std::chrono::milliseconds base) {
  thread_local std::minstd_rand random{std::random_device{}()};
  std::uniform_int_distribution<long> spread(0, base.count() / 4);
  return base + std::chrono::milliseconds(spread(random));
}

// hiredis write()s to its socket, and a write to a connection the server has reset raises
// SIGPIPE, which kills a process that has not ignored it (the daemon does; tests and tools may
// not). While a command runs, SIGPIPE is blocked on this thread, and one it raised is consumed
// before the mask is restored, so the failure arrives as EPIPE, an unavailable Status.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
  }
  ~SigpipeBlock() {
    sigset_t pending;
    sigpending(&pending);
    if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
      const timespec now{0, 0};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_, old_;
  bool was_pending_ = false;
};

}  // namespace

std::string RedisEndpoint::to_string() const {
  return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(database);
}

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.size() < kScheme.size() || url.substr(0, kScheme.size()) != kScheme) {
    return bad_url("must start with redis:// (rediss:// and unix sockets are not supported)");
  }
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find('@') != std::string_view::npos) {
    return bad_url("must not hold a user or password (not supported yet)");
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad_url("must not have a query or fragment");
  }
  RedisEndpoint endpoint;
  std::string_view authority = rest;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    const std::string_view db = rest.substr(slash + 1);
    long value = 0;
    if (!db.empty()) {
      if (!parse_number(db, 0, 15, value)) return bad_url("has a database that is not 0..15");
      endpoint.database = static_cast<int>(value);
    }
  }
  std::string_view host = authority;
  if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    long value = 0;
    if (!parse_number(authority.substr(colon + 1), 1, 65535, value)) {
      return bad_url("has a port that is not 1..65535");
    }
    endpoint.port = static_cast<std::uint16_t>(value);
  }
  if (host.empty()) return bad_url("has no host");
  for (char c : host) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-' && c != '_') {
      return bad_url("has a host with characters outside [A-Za-z0-9.-_]");
    }
  }
  endpoint.host = std::string(host);
  return endpoint;
}

bool RedisReply::is_error_code(std::string_view code) const {
  return is_error() && text.size() >= code.size() && text.compare(0, code.size(), code) == 0 &&
         (text.size() == code.size() || text[code.size()] == ' ');
}

void RedisConnection::ContextDeleter::operator()(redisContext* context) const {
  redisFree(context);
}

RedisConnection::RedisConnection(RedisEndpoint endpoint, RedisOptions options)
    : endpoint_(std::move(endpoint)), options_(options) {}

RedisConnection::~RedisConnection() = default;

Status RedisConnection::connect() {
  if (context_) return Status::ok_status();
  const auto now = std::chrono::steady_clock::now();
  if (now < retry_at_) {
    return Status::unavailable(
        "redis " + endpoint_.to_string() + ": reconnecting in " +
        std::to_string(std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - now).count()) +
        " ms");
  }
  auto failed = [&](std::string why) {
    context_.reset();
    backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(kFirstBackoff),
                          std::chrono::milliseconds(kMaxBackoff));
    retry_at_ = std::chrono::steady_clock::now() + jittered(backoff_);
    return Status::unavailable("redis " + endpoint_.to_string() + ": cannot connect: " + why);
  };

  context_.reset(redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port,
                                         to_timeval(options_.connect_timeout)));
  if (!context_) return failed("out of memory");
  if (context_->err != 0) return failed(context_->errstr);
  if (redisSetTimeout(context_.get(), to_timeval(options_.command_timeout)) != REDIS_OK) {
    return failed(context_->errstr);
  }
  // Keepalive notices a peer that vanished without a FIN (a machine powered off) while idle.
  if (redisEnableKeepAlive(context_.get()) != REDIS_OK) return failed(context_->errstr);
  if (endpoint_.database != 0) {
    const std::string db = std::to_string(endpoint_.database);
    const char* argv[] = {"SELECT", db.c_str()};
    const size_t lengths[] = {6, db.size()};
    SigpipeBlock no_sigpipe;
    ReplyHolder reply(static_cast<redisReply*>(redisCommandArgv(context_.get(), 2, argv, lengths)),
                      &freeReplyObject);
    if (!reply) return failed(context_->errstr);
    if (reply->type == REDIS_REPLY_ERROR) return failed("SELECT " + db + " was refused");
  }
  backoff_ = std::chrono::milliseconds(0);
  retry_at_ = {};
  return Status::ok_status();
}

Result<RedisReply> RedisConnection::command(const std::vector<std::string>& argv) {
  if (argv.empty()) return Status::invalid_argument("redis command with no arguments");
  if (Status s = connect(); !s.ok()) return s;

  std::vector<const char*> pointers;
  std::vector<size_t> lengths;
  pointers.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const std::string& arg : argv) {
    pointers.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  SigpipeBlock no_sigpipe;
  ReplyHolder reply(
      static_cast<redisReply*>(redisCommandArgv(context_.get(), static_cast<int>(argv.size()),
                                                pointers.data(), lengths.data())),
      &freeReplyObject);
  if (!reply) {
    // A context with err set is unusable (a late reply would be read as the next one's): close
    // it, and let the next command reconnect at once, since the server may simply have restarted.
    std::string why = context_->errstr;
    if (context_->err == REDIS_ERR_EOF) {
      why = "the server closed the connection";
    } else if (context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      why = "no reply within " + std::to_string(options_.command_timeout.count()) + " ms";
    }
    context_.reset();
    return Status::unavailable("redis " + endpoint_.to_string() + ": " + argv[0] +
                               " failed: " + why);
  }
  return copy_reply(*reply);
}

}  // namespace quantd::bus
