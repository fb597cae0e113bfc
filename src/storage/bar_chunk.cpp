#include "quantd/storage/bar_chunk.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace quantd::storage {
namespace {

using domain::Bar;

static_assert(std::endian::native == std::endian::little,
              "bar chunks are stored little-endian; a big-endian build needs byte swaps here");

// Whole prices are stored as integers only within ±2^53, where every integer is a double.
constexpr double kMaxWholePrice = 9007199254740992.0;

template <typename T>
void put(std::uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof v);
}
template <typename T>
T get(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::uint8_t width_for(std::uint64_t range) {
  if (range <= 0xFF) return 1;
  if (range <= 0xFFFF) return 2;
  if (range <= 0xFFFFFFFFull) return 4;
  return 8;
}

// Four independent multiply-xor lanes over 8-byte words (one lane's multiply latency would cap
// it at ~2 bytes a cycle), folded together; the tail is hashed byte by byte. Detects any damaged
// byte with overwhelming probability; not a cryptographic hash.
std::uint64_t checksum(const std::uint8_t* p, std::size_t n, std::uint64_t seed) {
  constexpr std::uint64_t kMul = 0x100000001B3ull * 0x9E3779B97F4A7C15ull | 1;
  std::uint64_t h[4] = {seed ^ 0xcbf29ce484222325ull, seed + 1, seed + 2, seed + 3};
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int k = 0; k < 4; ++k) {
      h[k] = (h[k] ^ get<std::uint64_t>(p + i + 8 * k)) * kMul;
      h[k] ^= h[k] >> 29;
    }
  }
  std::uint64_t out = n;
  for (int k = 0; k < 4; ++k) out = (out ^ h[k]) * kMul, out ^= out >> 31;
  for (; i < n; ++i) out = (out ^ p[i]) * kMul;
  return out ^ (out >> 33);
}

// The checksum of a whole chunk: the header's first 8 bytes (version, widths, count) and
// everything after the checksum field.
std::uint64_t chunk_checksum(const std::uint8_t* blob, std::size_t size) {
  return checksum(blob + 16, size - 16, get<std::uint64_t>(blob));
}

std::size_t column_bytes(std::uint32_t count, unsigned ts_w, unsigned price_w, unsigned vol_w) {
  return std::size_t{count - 1} * ts_w + std::size_t{count} * (4 * (price_w == 0 ? 8 : price_w)) +
         std::size_t{count} * vol_w;
}

template <typename U>
void pack(std::uint8_t* out, std::size_t n, auto&& value_at, std::uint64_t base) {
  for (std::size_t i = 0; i < n; ++i) {
    const U v = static_cast<U>(static_cast<std::uint64_t>(value_at(i)) - base);
    std::memcpy(out + i * sizeof(U), &v, sizeof(U));
  }
}

void pack_column(std::uint8_t*& out, unsigned width, std::size_t n, auto&& value_at,
                 std::uint64_t base) {
  switch (width) {
    case 1:
      pack<std::uint8_t>(out, n, value_at, base);
      break;
    case 2:
      pack<std::uint16_t>(out, n, value_at, base);
      break;
    case 4:
      pack<std::uint32_t>(out, n, value_at, base);
      break;
    default:
      pack<std::uint64_t>(out, n, value_at, base);
      break;
  }
  out += n * width;
}

// Calls store(i, base + column[i]) for n packed values of `width` bytes.
template <typename U, typename Store>
void unpack(const std::uint8_t* in, std::size_t n, std::uint64_t base, Store&& store) {
  for (std::size_t i = 0; i < n; ++i) {
    U v;
    std::memcpy(&v, in + i * sizeof(U), sizeof(U));
    store(i, base + v);
  }
}

template <typename Store>
void unpack_column(const std::uint8_t*& in, unsigned width, std::size_t n, std::uint64_t base,
                   Store&& store) {
  switch (width) {
    case 1:
      unpack<std::uint8_t>(in, n, base, store);
      break;
    case 2:
      unpack<std::uint16_t>(in, n, base, store);
      break;
    case 4:
      unpack<std::uint32_t>(in, n, base, store);
      break;
    default:
      unpack<std::uint64_t>(in, n, base, store);
      break;
  }
  in += n * width;
}

bool is_whole(double x) {
  if (!(std::fabs(x) < kMaxWholePrice)) return false;  // also NaN
  const auto i = static_cast<std::int64_t>(x);
  return std::bit_cast<std::uint64_t>(static_cast<double>(i)) == std::bit_cast<std::uint64_t>(x);
}

Status damaged(const std::string& what) { return Status::internal("damaged bar chunk: " + what); }

}  // namespace

std::vector<std::uint8_t> encode_bar_chunk(std::span<const Bar> bars) {
  assert(!bars.empty() && bars.size() <= std::numeric_limits<std::uint32_t>::max());
  const std::size_t n = bars.size();
  std::uint64_t min_delta = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t max_delta = 0;
  for (std::size_t i = 1; i < n; ++i) {
    assert(bars[i].ts > bars[i - 1].ts);
    const std::uint64_t d =
        static_cast<std::uint64_t>(bars[i].ts) - static_cast<std::uint64_t>(bars[i - 1].ts);
    min_delta = std::min(min_delta, d);
    max_delta = std::max(max_delta, d);
  }
  if (n == 1) min_delta = max_delta = 0;
  bool whole = true;
  std::int64_t lo_price = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi_price = std::numeric_limits<std::int64_t>::min();
  std::int64_t lo_vol = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi_vol = std::numeric_limits<std::int64_t>::min();
  for (const Bar& b : bars) {
    for (double p : {b.open, b.high, b.low, b.close}) {
      if (whole && !is_whole(p)) whole = false;
      if (whole) {
        lo_price = std::min(lo_price, static_cast<std::int64_t>(p));
        hi_price = std::max(hi_price, static_cast<std::int64_t>(p));
      }
    }
    lo_vol = std::min(lo_vol, b.volume);
    hi_vol = std::max(hi_vol, b.volume);
  }
  const std::uint8_t ts_w = width_for(max_delta - min_delta);
  const std::uint8_t price_w =
      whole ? width_for(static_cast<std::uint64_t>(hi_price) - static_cast<std::uint64_t>(lo_price))
            : 0;
  const std::uint8_t vol_w =
      width_for(static_cast<std::uint64_t>(hi_vol) - static_cast<std::uint64_t>(lo_vol));
  const auto count = static_cast<std::uint32_t>(n);

  std::vector<std::uint8_t> blob(kBarChunkHeaderBytes + column_bytes(count, ts_w, price_w, vol_w));
  std::uint8_t* h = blob.data();
  h[0] = kBarChunkVersion;
  h[1] = ts_w;
  h[2] = price_w;
  h[3] = vol_w;
  put<std::uint32_t>(h + 4, count);
  put<std::int64_t>(h + 16, bars[0].ts);
  put<std::uint64_t>(h + 24, min_delta);
  put<std::int64_t>(h + 32, whole ? lo_price : 0);
  put<std::int64_t>(h + 40, lo_vol);
  std::uint8_t* out = h + kBarChunkHeaderBytes;
  pack_column(
      out, ts_w, n - 1,
      [&](std::size_t i) {
        return static_cast<std::uint64_t>(bars[i + 1].ts) - static_cast<std::uint64_t>(bars[i].ts);
      },
      min_delta);
  auto price_column = [&](double Bar::*field) {
    if (whole) {
      pack_column(
          out, price_w, n, [&](std::size_t i) { return static_cast<std::int64_t>(bars[i].*field); },
          static_cast<std::uint64_t>(lo_price));
    } else {
      for (std::size_t i = 0; i < n; ++i) put<double>(out + 8 * i, bars[i].*field);
      out += 8 * n;
    }
  };
  price_column(&Bar::open);
  price_column(&Bar::high);
  price_column(&Bar::low);
  price_column(&Bar::close);
  pack_column(
      out, vol_w, n, [&](std::size_t i) { return bars[i].volume; },
      static_cast<std::uint64_t>(lo_vol));
  put<std::uint64_t>(h + 8, chunk_checksum(blob.data(), blob.size()));
  return blob;
}

Result<std::uint32_t> bar_chunk_count(std::span<const std::uint8_t> blob) {
  if (blob.size() < kBarChunkHeaderBytes) {
    return damaged("only " + std::to_string(blob.size()) + " bytes, shorter than its header");
  }
  return get<std::uint32_t>(blob.data() + 4);
}

Result<std::uint32_t> decode_bar_chunk(std::span<const std::uint8_t> blob, Bar* out,
                                       std::size_t out_capacity) {
  auto counted = bar_chunk_count(blob);
  if (!counted.ok()) return counted;
  const std::uint8_t* h = blob.data();
  if (h[0] != kBarChunkVersion) {
    return damaged("unknown chunk format version " + std::to_string(h[0]));
  }
  const unsigned ts_w = h[1];
  const unsigned price_w = h[2];
  const unsigned vol_w = h[3];
  auto valid_width = [](unsigned w) { return w == 1 || w == 2 || w == 4 || w == 8; };
  const std::uint32_t count = *counted;
  if (count == 0 || !valid_width(ts_w) || !valid_width(vol_w) ||
      (price_w != 0 && !valid_width(price_w))) {
    return damaged("invalid header");
  }
  const std::size_t expected = kBarChunkHeaderBytes + column_bytes(count, ts_w, price_w, vol_w);
  if (blob.size() != expected) {
    return damaged("size " + std::to_string(blob.size()) + " does not match its header (expected " +
                   std::to_string(expected) + ")");
  }
  if (get<std::uint64_t>(h + 8) != chunk_checksum(blob.data(), blob.size())) {
    return damaged("checksum mismatch");
  }
  if (out_capacity < count) return damaged("holds more bars than expected");

  const std::size_t n = count;
  const std::uint8_t* in = h + kBarChunkHeaderBytes;
  // ts: deltas first, then a running sum (the sum's dependency chain is one add a bar).
  out[0].ts = get<std::int64_t>(h + 16);
  unpack_column(in, ts_w, n - 1, get<std::uint64_t>(h + 24), [&](std::size_t i, std::uint64_t d) {
    out[i + 1].ts = static_cast<TimestampMs>(d);
  });
  for (std::size_t i = 1; i < n; ++i) {
    out[i].ts = static_cast<TimestampMs>(static_cast<std::uint64_t>(out[i - 1].ts) +
                                         static_cast<std::uint64_t>(out[i].ts));
  }
  const auto price_base = get<std::uint64_t>(h + 32);
  auto price_column = [&](double Bar::*field) {
    if (price_w == 0) {
      for (std::size_t i = 0; i < n; ++i) out[i].*field = get<double>(in + 8 * i);
      in += 8 * n;
    } else {
      unpack_column(in, price_w, n, price_base, [&](std::size_t i, std::uint64_t v) {
        out[i].*field = static_cast<double>(static_cast<std::int64_t>(v));
      });
    }
  };
  price_column(&Bar::open);
  price_column(&Bar::high);
  price_column(&Bar::low);
  price_column(&Bar::close);
  unpack_column(in, vol_w, n, get<std::uint64_t>(h + 40), [&](std::size_t i, std::uint64_t v) {
    out[i].volume = static_cast<std::int64_t>(v);
  });
  return count;
}

Result<std::vector<Bar>> decode_bar_chunk(std::span<const std::uint8_t> blob) {
  auto count = bar_chunk_count(blob);
  if (!count.ok()) return count.status();
  std::vector<Bar> bars(std::min<std::size_t>(*count, blob.size()));  // a damaged count is capped
  auto decoded = decode_bar_chunk(blob, bars.data(), bars.size());
  if (!decoded.ok()) return decoded.status();
  return bars;
}

}  // namespace quantd::storage
