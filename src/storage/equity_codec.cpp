#include "quantd/storage/equity_codec.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>

namespace quantd::storage {
namespace {

constexpr char kMagic[4] = {'Q', 'D', 'E', 'Q'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeaderSize = 24;
constexpr std::size_t kColumnHeaderSize = 9;  // encoding + payload size

enum Encoding : std::uint8_t { kRaw = 0, kDelta2 = 1, kXor = 2, kXorDrawdown = 3 };

constexpr std::uint8_t kRunTag = 0x80;
constexpr std::uint32_t kMaxRun = 128;
constexpr std::uint8_t kFirstReservedTag = 0x40;

constexpr const char* kColumnNames[4] = {"ts", "equity", "benchmark", "drawdown"};

void put_u64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 8);
}

std::uint64_t get_u64(const std::string& in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  }
  return v;
}

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

// The engine's drawdown rule (analytics::drawdown_curve), as the predictor of xor_drawdown. If
// the two ever differ, results stay exact and only grow: the residuals stop being zero.
double predicted_drawdown(double& peak, double equity) {
  peak = std::max(peak, equity);
  return peak > 0 ? 1.0 - equity / peak : 0.0;
}

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>(v | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

std::uint64_t zigzag(std::uint64_t v) {
  return (v << 1) ^ static_cast<std::uint64_t>(static_cast<std::int64_t>(v) >> 63);
}

std::uint64_t unzigzag(std::uint64_t v) { return (v >> 1) ^ (~(v & 1) + 1); }

// Residuals packed as the header describes: runs of zeros, else the bytes between the leading
// and trailing zero bytes.
class ResidualPacker {
 public:
  explicit ResidualPacker(std::string& out) : out_(out) {}
  void add(std::uint64_t r) {
    if (r == 0) {
      if (++zeros_ == kMaxRun) flush();
      return;
    }
    flush();
    const int lead = std::countl_zero(r) / 8;
    const int trail = std::countr_zero(r) / 8;
    const int n = 8 - lead - trail;
    out_ += static_cast<char>((lead << 3) | (n - 1));
    r >>= 8 * trail;
    for (int i = 0; i < n; ++i) out_ += static_cast<char>(r >> (8 * i));
  }
  void flush() {
    if (zeros_ == 0) return;
    out_ += static_cast<char>(kRunTag | (zeros_ - 1));
    zeros_ = 0;
  }

 private:
  std::string& out_;
  std::uint32_t zeros_ = 0;
};

void put_column(std::string& out, std::uint8_t encoding, const std::string& payload) {
  out += static_cast<char>(encoding);
  put_u64(out, payload.size());
  out += payload;
}

// Eight bytes a value: the fallback when no encoding beats it.
template <typename T>
void put_raw_column(std::string& out, std::span<const T> values) {
  out += static_cast<char>(kRaw);
  put_u64(out, values.size() * 8);
  for (T v : values) put_u64(out, std::bit_cast<std::uint64_t>(v));
}

// A double column, xor-packed against `reference(i, previous bits)` when that is smaller than
// raw. `scratch` is reused between columns.
template <typename Reference>
void put_double_column(std::string& out, std::span<const double> values, std::uint8_t encoding,
                       Reference reference, std::string& scratch) {
  scratch.clear();
  ResidualPacker packer(scratch);
  std::uint64_t previous = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::uint64_t v = bits(values[i]);
    packer.add(v ^ reference(i, previous));
    previous = v;
  }
  packer.flush();
  if (scratch.size() < values.size() * 8) {
    put_column(out, encoding, scratch);
  } else {
    put_raw_column(out, values);
  }
}

// Why a document is refused, with the offset it was found at.
Status corrupt(const std::string& what, std::size_t at) {
  return Status::internal("equity curve: " + what + " (at byte " + std::to_string(at) + ")");
}

// Walks a delta2 payload: exactly `count` varints of at most 64 bits each.
Status check_varints(const std::string& d, std::size_t begin, std::size_t end, std::size_t count) {
  std::size_t at = begin;
  for (std::size_t i = 0; i < count; ++i) {
    int shift = 0;
    while (true) {
      if (at >= end)
        return corrupt("the ts column ends after " + std::to_string(i) + " of " +
                           std::to_string(count) + " points",
                       at);
      const auto byte = static_cast<unsigned char>(d[at++]);
      if (shift == 63 && byte > 1) return corrupt("a ts varint overflows 64 bits", at - 1);
      if ((byte & 0x80) == 0) break;
      shift += 7;  // at most 63: the check above ends every varint by its tenth byte
    }
  }
  if (at != end) return corrupt("the ts column has bytes after its last point", at);
  return {};
}

// Walks a packed payload: tags that decode to exactly `count` residuals.
Status check_packed(const std::string& d, std::size_t begin, std::size_t end, std::size_t count,
                    const char* name) {
  std::size_t at = begin;
  std::size_t values = 0;
  const std::string column = std::string("the ") + name + " column";
  while (at < end) {
    const auto tag = static_cast<unsigned char>(d[at]);
    if (tag & kRunTag) {
      values += (tag & 0x7F) + 1u;
      ++at;
    } else if (tag >= kFirstReservedTag) {
      return corrupt(column + " has an unknown tag " + std::to_string(tag), at);
    } else {
      const std::size_t n = (tag & 7) + 1u;
      if ((tag >> 3) + n > 8) {
        return corrupt(column + " has a residual of more than 8 bytes", at);
      }
      if (end - at - 1 < n) return corrupt(column + " is cut inside a value", at);
      at += 1 + n;
      ++values;
    }
    if (values > count) {
      return corrupt(column + " holds more than its " + std::to_string(count) + " points", at);
    }
  }
  if (values != count) {
    return corrupt(column + " holds " + std::to_string(values) + " of its " +
                       std::to_string(count) + " points",
                   at);
  }
  return {};
}

}  // namespace

bool is_equity_document(std::string_view head) {
  return head.size() >= 4 && std::memcmp(head.data(), kMagic, 4) == 0;
}

std::string encode_equity(const EquityColumns& curve) {
  const std::size_t n = curve.ts.size();
  if (curve.equity.size() != n || curve.benchmark.size() != n || curve.drawdown.size() != n) {
    spdlog::critical("encode_equity: columns of different sizes ({}, {}, {}, {})", n,
                     curve.equity.size(), curve.benchmark.size(), curve.drawdown.size());
    std::abort();
  }
  // Room for the worst case of every column, reserved once: the strings never move while they
  // grow, and the pages a smaller document leaves untouched never become resident.
  std::string out;
  out.reserve(kHeaderSize + 4 * kColumnHeaderSize + n * 4 * 8);
  out.append(kMagic, 4);
  out += static_cast<char>(kVersion);
  out.append(3, '\0');
  put_u64(out, n);
  put_u64(out, bits(curve.drawdown_peak));

  std::string scratch;
  scratch.reserve(n * 10);  // a varint or a packed residual takes at most 10 bytes
  std::uint64_t last = 0;
  std::uint64_t last_delta = 0;
  for (TimestampMs t : curve.ts) {
    const std::uint64_t delta = static_cast<std::uint64_t>(t) - last;
    put_varint(scratch, zigzag(delta - last_delta));
    last = static_cast<std::uint64_t>(t);
    last_delta = delta;
  }
  if (scratch.size() < n * 8) {
    put_column(out, kDelta2, scratch);
  } else {
    put_raw_column(out, curve.ts);
  }

  const auto previous = [](std::size_t, std::uint64_t prev) { return prev; };
  put_double_column(out, curve.equity, kXor, previous, scratch);
  put_double_column(out, curve.benchmark, kXor, previous, scratch);
  double peak = curve.drawdown_peak;
  put_double_column(
      out, curve.drawdown, kXorDrawdown,
      [&](std::size_t i, std::uint64_t) { return bits(predicted_drawdown(peak, curve.equity[i])); },
      scratch);
  return out;
}

Result<EquityReader> EquityReader::open(std::string document) {
  const std::string& d = document;
  if (d.size() < kHeaderSize) {
    return corrupt(
        "a document of " + std::to_string(d.size()) + " bytes is shorter than its header", 0);
  }
  if (std::memcmp(d.data(), kMagic, 4) != 0) return corrupt("not an equity curve (bad magic)", 0);
  if (static_cast<std::uint8_t>(d[4]) != kVersion) {
    return corrupt("unknown version " + std::to_string(static_cast<std::uint8_t>(d[4])), 4);
  }
  EquityReader r;
  const std::uint64_t count = get_u64(d, 8);
  // The ts column spends at least a byte a point, so a larger count cannot be right; checking it
  // first keeps the sizes below from overflowing.
  if (count > d.size()) {
    return corrupt("a count of " + std::to_string(count) + " points cannot fit in " +
                       std::to_string(d.size()) + " bytes",
                   8);
  }
  r.count_ = static_cast<std::size_t>(count);
  r.peak_ = std::bit_cast<double>(get_u64(d, 16));

  std::size_t at = kHeaderSize;
  Column* columns[4] = {&r.ts_, &r.equity_, &r.benchmark_, &r.drawdown_};
  for (int i = 0; i < 4; ++i) {
    const std::string name = kColumnNames[i];
    if (d.size() - at < kColumnHeaderSize) {
      return corrupt("the document ends before the " + name + " column", at);
    }
    Column& c = *columns[i];
    c.encoding = static_cast<std::uint8_t>(d[at]);
    const std::uint64_t size = get_u64(d, at + 1);
    at += kColumnHeaderSize;
    if (size > d.size() - at) {
      return corrupt("the " + name + " column's size " + std::to_string(size) +
                         " runs past the document's end",
                     at - 8);
    }
    c.begin = at;
    c.end = at + static_cast<std::size_t>(size);
    c.at = c.begin;
    at = c.end;
    const bool allowed = c.encoding == kRaw || (i == 0 && c.encoding == kDelta2) ||
                         (i > 0 && c.encoding == kXor) || (i == 3 && c.encoding == kXorDrawdown);
    if (!allowed) {
      return corrupt(
          "unknown encoding " + std::to_string(c.encoding) + " of the " + name + " column",
          c.begin - kColumnHeaderSize);
    }
    Status ok;
    if (c.encoding == kRaw) {
      if (size != count * 8) {
        ok = corrupt("the raw " + name + " column has " + std::to_string(size) + " bytes for " +
                         std::to_string(count) + " points",
                     c.begin);
      }
    } else if (c.encoding == kDelta2) {
      ok = check_varints(d, c.begin, c.end, r.count_);
    } else {
      ok = check_packed(d, c.begin, c.end, r.count_, kColumnNames[i]);
    }
    if (!ok.ok()) return ok;
  }
  if (at != d.size()) return corrupt("bytes after the last column", at);
  r.document_ = std::move(document);
  return r;
}

std::uint64_t EquityReader::next_raw(Column& c) {
  const std::uint64_t v = get_u64(document_, c.at);
  c.at += 8;
  return v;
}

std::uint64_t EquityReader::next_residual(Column& c) {
  if (c.zero_run > 0) {
    --c.zero_run;
    return 0;
  }
  const auto tag = static_cast<unsigned char>(document_[c.at++]);
  if (tag & kRunTag) {
    c.zero_run = tag & 0x7F;  // this call returns the first of them
    return 0;
  }
  const int lead = tag >> 3;
  const int n = (tag & 7) + 1;
  std::uint64_t r = 0;
  for (int i = 0; i < n; ++i) {
    r |= static_cast<std::uint64_t>(static_cast<unsigned char>(document_[c.at++])) << (8 * i);
  }
  return r << (8 * (8 - lead - n));
}

EquityPoint EquityReader::next() {
  EquityPoint p;
  if (ts_.encoding == kRaw) {
    p.ts = static_cast<TimestampMs>(next_raw(ts_));
  } else {
    std::uint64_t v = 0;
    int shift = 0;
    while (true) {
      const auto byte = static_cast<unsigned char>(document_[ts_.at++]);
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
      shift += 7;
    }
    ts_.previous += unzigzag(v);
    p.ts = static_cast<TimestampMs>(static_cast<std::uint64_t>(last_ts_) + ts_.previous);
  }
  last_ts_ = p.ts;

  auto next_double = [this](Column& c, std::uint64_t reference) {
    if (c.encoding == kRaw) return std::bit_cast<double>(next_raw(c));
    const std::uint64_t v = next_residual(c) ^ reference;
    c.previous = v;
    return std::bit_cast<double>(v);
  };
  p.equity = next_double(equity_, equity_.previous);
  p.benchmark = next_double(benchmark_, benchmark_.previous);
  const double predicted = predicted_drawdown(peak_, p.equity);
  p.drawdown = next_double(
      drawdown_, drawdown_.encoding == kXorDrawdown ? bits(predicted) : drawdown_.previous);
  ++position_;
  return p;
}

}  // namespace quantd::storage
