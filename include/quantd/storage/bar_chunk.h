// BarChunk: the binary form of a run of bars as stored in one row of `bar_chunks`
// (migrations/0011_columnar_bars.sql).
//
// Design: columns, each packed as offsets from a base in the narrowest of 1, 2, 4 or 8 bytes that
// holds its range, so decoding is a few tight loops with no branches per bar:
//   ts      the first ts, then the deltas between consecutive bars (60,000 for a minute series
//           inside a session, so one to four bytes a bar instead of eight)
//   prices  open, high, low and close as whole numbers sharing one base when every one of them
//           is a whole number (KRX prices are whole won): usually 2 or 4 bytes; otherwise the
//           doubles' bits as they are (8 bytes), so any double round-trips exactly
//   volume  offsets from the chunk's smallest volume
// A header carries a format version and an FNV-style 64-bit checksum of everything after it, so a
// damaged or truncated chunk is reported as damaged ("damaged bar chunk: ..."), never misread.
//
// Layout (little-endian): u8 version (1), u8 ts width, u8 price width (0: raw doubles), u8 volume
// width, u32 count, u64 checksum of bytes [16, end), i64 first ts, i64 smallest ts delta, i64 price
// base, i64 volume base, then the columns: count-1 ts deltas, open, high, low, close, volume.
//
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/domain/bar.h"

namespace quantd::storage {

// The format version written by encode_bar_chunk.
inline constexpr std::uint8_t kBarChunkVersion = 1;
// Bytes before the columns.
inline constexpr std::size_t kBarChunkHeaderBytes = 48;

// Encodes `bars`, which must be non-empty, ascending and unique by ts (a precondition; checked by
// assert only). Never fails.
std::vector<std::uint8_t> encode_bar_chunk(std::span<const domain::Bar> bars);

// The number of bars a chunk holds, from its header alone (no checksum test); an error when the
// blob is too short to have a header (internal, as below).
Result<std::uint32_t> bar_chunk_count(std::span<const std::uint8_t> blob);

// Decodes a chunk into out[0 .. count), `out` holding at least count bars (bar_chunk_count).
// Returns the count, or internal "damaged bar chunk: WHAT" naming what is wrong ("unknown chunk
// format version 7", "checksum mismatch", "size 1000 does not match its header (expected 1024)")
// when the blob is damaged; then `out` may hold garbage.
Result<std::uint32_t> decode_bar_chunk(std::span<const std::uint8_t> blob, domain::Bar* out,
                                       std::size_t out_capacity);

// The same into a new vector.
Result<std::vector<domain::Bar>> decode_bar_chunk(std::span<const std::uint8_t> blob);

}  // namespace quantd::storage
