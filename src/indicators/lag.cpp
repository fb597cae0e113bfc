#include "quantd/indicators/lag.h"

#include <bit>

namespace quantd::indicators {

History::History(int depth)
    : depth_((check_length(depth, 0, "History"), depth)),
      mask_(std::bit_ceil(static_cast<std::size_t>(depth) + 1) - 1),
      ring_(mask_ + 1, kNa) {}

Change::Change(int n) : history_((check_length(n, 1, "Change"), n)), n_(n) {}

Roc::Roc(int n) : history_((check_length(n, 1, "Roc"), n)), n_(n) {}

RocLog::RocLog(int n) : history_((check_length(n, 1, "RocLog"), n)), n_(n) {}

}  // namespace quantd::indicators
