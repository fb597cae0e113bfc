// EquityJson: the JSON form of an equity curve, as the API serves it and as
// `backtest_results.equity` stored it before migration 0010 (the preview column still does):
//
//   [{"ts":T,"equity":E,"benchmark":B,"drawdown":D},...]
//
// T is the integer as std::to_string writes it; E, B and D are std::to_chars's shortest form that
// reads back exactly (100000000, 0.0125, 1e-05, -0), and `null` for a value that is not finite.
// The drawdown endpoint's points are {"drawdown":D,"ts":T} with D as nlohmann::json writes the
// number read back from that form (0, 0.0125, 1e-05; never -0): that endpoint once re-serialized
// every stored point with nlohmann, and its bytes are kept.
//
// The writer appends to a caller's string and never fails. The reader takes the text in pieces
// of any size, so a stored 100 MB document never needs to be in memory at once.
//
// Threading: value types; one thread at a time per writer or reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quantd/core/status.h"
#include "quantd/storage/equity_codec.h"

namespace quantd::storage {

// Writes points in that form. It remembers the text of each column's last number: a curve stands
// still for long stretches (no position, an unchanged close), and a repeated value is copied
// instead of formatted again: a quarter (equity) to a half (drawdown) of the formatting saved.
class EquityJsonWriter {
 public:
  // Appends `p` as {"ts":...,"equity":...,"benchmark":...,"drawdown":...}.
  void point(std::string& out, const EquityPoint& p);
  // Appends `p` as {"drawdown":...,"ts":...}.
  void drawdown_point(std::string& out, const EquityPoint& p);

 private:
  // The last value of one column and its text.
  struct Memo {
    std::uint64_t bits = 0;
    bool valid = false;
    char text[32];
    std::uint8_t size = 0;
  };
  template <typename Format>
  static void append(std::string& out, Memo& memo, double v, Format format);

  Memo equity_, benchmark_, drawdown_, reparsed_drawdown_;
};

// Which points a curve of `n` keeps when thinned to at most `max_points` evenly spread ones, the
// first and the last included (the stored preview, and `?max_points=` of the API).
// Precondition: max_points >= 2.
class Thinning {
 public:
  Thinning(std::size_t n, std::size_t max_points) : n_(n), max_points_(max_points) {}
  // How many points are kept.
  std::size_t size() const { return n_ <= max_points_ ? n_ : max_points_; }
  // The index of the k-th kept point (k < size()); strictly increasing in k.
  std::size_t index(std::size_t k) const {
    if (n_ <= max_points_) return k;
    const double step = static_cast<double>(n_ - 1) / static_cast<double>(max_points_ - 1);
    return static_cast<std::size_t>(static_cast<double>(k) * step + 0.5);
  }

 private:
  std::size_t n_;
  std::size_t max_points_;
};

// Reads the stored JSON form back into columns, piece by piece. Also reads what results stored
// before commit 303eed5 hold: the same points written by nlohmann (keys in another order,
// 100000000.0), whose values come back exactly too.
class EquityJsonReader {
 public:
  // Reserves the columns for the most points a document of `text_bytes` can hold, so they never
  // move while they grow (the pages not used are never touched, so they cost no memory).
  void reserve_for(std::size_t text_bytes);
  // Parses every point completed by `piece`. Errors: internal "stored equity JSON: ..." naming
  // the point and what is wrong with it; after an error the reader is unusable.
  Status feed(std::string_view piece);
  // Checks that the document ended (its closing bracket, nothing after). Errors: internal.
  Status finish();

  // The points read, one entry per point in each column.
  std::vector<TimestampMs> ts;
  std::vector<double> equity;
  std::vector<double> benchmark;
  std::vector<double> drawdown;

 private:
  enum class State : std::uint8_t { kStart, kPointOrEnd, kCommaOrEnd, kPoint, kDone, kFailed };
  Status parse_point(std::string_view text);
  Status fail(const std::string& what);

  State state_ = State::kStart;
  std::string pending_;  // text not consumed yet: at most one point plus the last piece
};

}  // namespace quantd::storage
