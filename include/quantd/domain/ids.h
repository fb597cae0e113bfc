// Strong id types: an id of one kind cannot be passed where another kind is expected.
//
// StrongId<Tag> wraps a std::int64_t (the row id in SQLite, or a per-run sequence number). Ids are
// plain values: trivially copyable, ordered, hashable through value(). Thread-safe as any value.
#pragma once

#include <compare>
#include <cstdint>

namespace quantd::domain {

template <typename Tag>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(std::int64_t value) : value_(value) {}
  constexpr std::int64_t value() const { return value_; }
  friend constexpr bool operator==(StrongId, StrongId) = default;
  friend constexpr auto operator<=>(StrongId, StrongId) = default;

 private:
  std::int64_t value_ = 0;
};

using StrategyId = StrongId<struct StrategyIdTag>;
using BacktestId = StrongId<struct BacktestIdTag>;
using OrderId = StrongId<struct OrderIdTag>;
using SessionId = StrongId<struct SessionIdTag>;  // a live session (live_sessions.id)
using AccountId = StrongId<struct AccountIdTag>;  // a broker account (broker_accounts.id)
using TargetId = StrongId<struct TargetIdTag>;    // a recorded live target (live_targets.id)
using SweepId = StrongId<struct SweepIdTag>;      // a parameter sweep (sweeps.id)

}  // namespace quantd::domain
