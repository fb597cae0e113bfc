// EquityCodec: a backtest's equity curve as one compact binary document, the form
// `backtest_results.equity` stores (migration 0010; before it, the column held the JSON text the
// API serves, about 100 bytes a point, 100 MB for a minute-bar run of a million points).
//
// Format, version 1. All integers are little-endian; a double is its IEEE 754 bit pattern as a
// u64, so every value (negative zero, NaN payloads, infinities, subnormals) comes back bit for
// bit.
//
//   offset  size  field
//   0       4     magic "QDEQ"
//   4       1     version, 1
//   5       3     reserved, 0
//   8       8     u64 count: points in the curve
//   16      8     f64 drawdown_peak: the peak the drawdown starts from (the initial cash)
//   24      ...   four columns in this order: ts, equity, benchmark, drawdown; each is
//                   u8 encoding, u64 payload size in bytes, payload
//
// Column encodings (the encoder picks, per column, the smallest one it allows):
//   0 raw          count values of 8 bytes (i64 for ts, f64 otherwise). Any column.
//   1 delta2       ts only: per point, the zigzag LEB128 varint of d[i] - d[i-1], where
//                  d[i] = ts[i] - ts[i-1] and ts[-1] = d[-1] = 0 (all modulo 2^64). Evenly
//                  spaced bars cost one byte a point; a session gap a few.
//   2 xor          f64 only: per point the residual bits(v[i]) XOR bits(v[i-1]), bits(v[-1]) = 0,
//                  packed (below). A curve that stands still (no position, an unchanged close)
//                  packs 128 points into a byte; whole-won equity keeps its low bytes zero.
//   3 xor_drawdown drawdown only: per point the residual against the drawdown predicted from
//                  the equity column, peak[i] = max(peak[i-1], equity[i]) with
//                  peak[-1] = drawdown_peak, predicted[i] = peak[i] > 0 ? 1 - equity[i] / peak[i]
//                  : 0, packed. That is how analytics::drawdown_curve computes it, so the engine's
//                  drawdown costs a byte per 128 points; any other drawdown still comes back
//                  exactly, only larger.
//
// Packed residuals are a sequence of groups, each opened by a tag byte:
//   0x00..0x3F  one non-zero residual: z = tag >> 3 leading zero bytes, n = (tag & 7) + 1 bytes
//               follow (z + n <= 8): the residual's bytes 8-z-n .. 7-z, lowest first; its other
//               bytes are zero.
//   0x40..0x7F  never written (a corrupt document).
//   0x80..0xFF  (tag & 0x7F) + 1 zero residuals.
//
// A 1M-point minute-bar curve with the engine's drawdown takes at most about 17 MB (two raw
// double columns, worst case) and typically a few. The document carries no checksum: SQLite's
// pages are the unit of integrity. The reader checks everything structural (magic, version,
// sizes, every tag and varint, that each column holds exactly `count` values) before it hands
// out a point, so a damaged document is an error with a reason, never a crash or an overread.
//
// Threading: values and free functions; an EquityReader is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "quantd/core/status.h"
#include "quantd/core/time.h"

namespace quantd::storage {

// One point of a curve, as the API serves it.
struct EquityPoint {
  TimestampMs ts = 0;
  double equity = 0;
  double benchmark = 0;
  double drawdown = 0;  // fraction below the running peak
};

// A curve to encode, borrowed from the caller. The four spans have the same size.
struct EquityColumns {
  std::span<const TimestampMs> ts;
  std::span<const double> equity;
  std::span<const double> benchmark;
  std::span<const double> drawdown;
  double drawdown_peak = 0;  // the initial cash of the run: where its drawdown's peak starts
};

// `curve` as a version 1 document. Precondition: the spans have the same size (a broken one is
// a bug: logged, then abort). Never fails; memory is the document plus one column's scratch.
std::string encode_equity(const EquityColumns& curve);

// True when `head`, a document's first bytes (4 or more), carries the magic: it is in this format
// and not, say, the JSON text stored before it.
bool is_equity_document(std::string_view head);

// Reads the points of a document in order, decoding as it goes: memory is the document itself.
class EquityReader {
 public:
  // Takes ownership of `document` and checks its whole structure. Errors: internal "equity
  // curve: ..." naming what is wrong and where (bad magic, unknown version or encoding, a size
  // that does not match, a truncated or overlong column, a bad tag or varint).
  static Result<EquityReader> open(std::string document);

  // The number of points.
  std::size_t size() const { return count_; }
  // Points read so far.
  std::size_t position() const { return position_; }
  // The next point. Precondition: position() < size(). Never fails: open() checked the document.
  EquityPoint next();

 private:
  // A column's payload and where its reader stands in it.
  struct Column {
    std::uint8_t encoding = 0;
    std::size_t begin = 0;  // payload offset in document_
    std::size_t end = 0;
    std::size_t at = 0;          // the next unread byte
    std::uint32_t zero_run = 0;  // zero residuals still due from the last run tag
    std::uint64_t previous = 0;  // last value (bits) or, for ts, last delta
  };

  EquityReader() = default;
  std::uint64_t next_raw(Column& c);
  std::uint64_t next_residual(Column& c);

  std::string document_;
  std::size_t count_ = 0;
  std::size_t position_ = 0;
  double peak_ = 0;
  std::int64_t last_ts_ = 0;
  Column ts_, equity_, benchmark_, drawdown_;
};

}  // namespace quantd::storage
