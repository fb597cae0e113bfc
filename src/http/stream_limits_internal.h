// StreamLimits: how many server-sent-event streams may be open at once, in total and per client
// address (internal to http). Each stream holds a socket for as long as the browser keeps it, so
// without a cap a few hundred of them exhaust the daemon's file descriptors and even
// /api/health stops answering (issue 12, finding 4).
//
// Threading: acquire() and a StreamSlot's release are thread-safe (one mutex around the
// per-address counts); they run once per stream, never per event.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace quantd::http::detail {

class StreamLimits;

// One open stream's place in its StreamLimits; gives it back when destroyed or reset(). Movable.
class StreamSlot {
 public:
  StreamSlot() = default;
  ~StreamSlot() { reset(); }
  StreamSlot(StreamSlot&& other) noexcept
      : limits_(std::move(other.limits_)), client_(std::move(other.client_)) {}
  StreamSlot& operator=(StreamSlot&& other) noexcept;
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

  explicit operator bool() const { return limits_ != nullptr; }
  void reset();

 private:
  friend class StreamLimits;
  StreamSlot(std::shared_ptr<StreamLimits> limits, std::string client)
      : limits_(std::move(limits)), client_(std::move(client)) {}
  std::shared_ptr<StreamLimits> limits_;
  std::string client_;
};

class StreamLimits : public std::enable_shared_from_this<StreamLimits> {
 public:
  enum class Refusal { kNone, kTotal, kPerClient };

  // Limits of 0 mean "no limit" for that bound. Create with std::make_shared.
  StreamLimits(std::size_t total, std::size_t per_client)
      : total_(total), per_client_(per_client) {}

  // A slot for a stream from `client` (an address, no port), or an empty slot and why not.
  StreamSlot acquire(const std::string& client, Refusal* refusal);

  std::size_t total_limit() const { return total_; }
  std::size_t per_client_limit() const { return per_client_; }
  // Streams holding a slot now.
  std::size_t open() const;

 private:
  friend class StreamSlot;
  void release(const std::string& client);

  const std::size_t total_;
  const std::size_t per_client_;
  mutable std::mutex mu_;
  std::size_t open_ = 0;                                  // guarded by mu_
  std::unordered_map<std::string, std::size_t> clients_;  // guarded by mu_: open per address
};

// The address part of "ip:port" or "[v6]:port" (what per-client limits count by).
std::string client_address(const std::string& remote);

}  // namespace quantd::http::detail
