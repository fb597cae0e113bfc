// EquityStream: the JSON of a stored equity curve (GET /api/backtests/{id}/equity and /drawdown),
// made piece by piece from the compact form as it is written out.
//
// Memory is the curve's compact document (owned by its EquityReader) plus one piece of about
// 64 KB: four clients reading a million-point curve at once cost four documents, never four
// 100 MB strings. The stream owns everything it reads from, no SQLite handle, so the server may
// call next() from any of its I/O threads. The bytes are those the curve's JSON form defines
// (storage/equity_json.h). Not part of any public contract.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "quantd/core/status.h"
#include "quantd/http/response.h"
#include "quantd/storage/equity_codec.h"
#include "quantd/storage/equity_json.h"

namespace quantd::app::api {

enum class EquityShape : std::uint8_t {
  kPoints,    // {"ts","equity","benchmark","drawdown"}
  kDrawdown,  // {"drawdown","ts"}
};

class EquityStream : public http::BodyStream {
 public:
  // The points of `curve` (all, or at most `max_points` evenly spread, first and last kept) as
  // a JSON array of `shape`. Precondition: curve.position() == 0; max_points >= 2 when given.
  EquityStream(storage::EquityReader curve, std::optional<std::size_t> max_points,
               EquityShape shape);

  // Appends the next ~64 KB of the array; false once it has ended. Never fails.
  Result<bool> next(std::string& out) override;

  // The points the array holds.
  std::size_t size() const { return thinning_.size(); }

 private:
  storage::EquityReader curve_;
  storage::Thinning thinning_;
  EquityShape shape_;
  storage::EquityJsonWriter writer_;
  std::size_t written_ = 0;  // points written so far
  bool opened_ = false;
};

// The response for `curve`: a 200 with `application/json`, streamed when large and whole (with
// its Content-Length) when it is at most a few MB. Same arguments as EquityStream.
http::Response equity_response(storage::EquityReader curve, std::optional<std::size_t> max_points,
                               EquityShape shape);

}  // namespace quantd::app::api
