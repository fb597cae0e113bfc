#include "quantd/indicators/window_extremes.h"

#include <bit>

namespace quantd::indicators::detail {

template <bool kMax>
WindowExtreme<kMax>::WindowExtreme(int n, const char* what)
    : n_((check_length(n, 1, what), n)),
      mask_(std::bit_ceil(static_cast<std::uint64_t>(n)) - 1),
      ring_(mask_ + 1) {}

template class WindowExtreme<true>;
template class WindowExtreme<false>;

}  // namespace quantd::indicators::detail
