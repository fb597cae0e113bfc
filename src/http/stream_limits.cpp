#include "stream_limits_internal.h"

namespace quantd::http::detail {

StreamSlot& StreamSlot::operator=(StreamSlot&& other) noexcept {
  if (this != &other) {
    reset();
    limits_ = std::move(other.limits_);
    client_ = std::move(other.client_);
  }
  return *this;
}

void StreamSlot::reset() {
  if (!limits_) return;
  limits_->release(client_);
  limits_.reset();
}

StreamSlot StreamLimits::acquire(const std::string& client, Refusal* refusal) {
  std::lock_guard lock(mu_);
  std::size_t& mine = clients_[client];
  // The per-client bound first: one greedy client is told to slow down (429), not that the
  // server is full for everyone (503).
  if (per_client_ > 0 && mine >= per_client_) {
    *refusal = Refusal::kPerClient;
    return {};
  }
  if (total_ > 0 && open_ >= total_) {
    if (mine == 0) clients_.erase(client);
    *refusal = Refusal::kTotal;
    return {};
  }
  ++mine;
  ++open_;
  *refusal = Refusal::kNone;
  return StreamSlot(shared_from_this(), client);
}

void StreamLimits::release(const std::string& client) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  --open_;
  if (--it->second == 0) clients_.erase(it);
}

std::size_t StreamLimits::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

std::string client_address(const std::string& remote) {
  if (!remote.empty() && remote.front() == '[') {
    const std::size_t close = remote.find(']');
    return close == std::string::npos ? remote : remote.substr(1, close - 1);
  }
  const std::size_t colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

}  // namespace quantd::http::detail
