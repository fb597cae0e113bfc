#include <memory>
#include <utility>

#include "equity_stream_internal.h"

namespace quantd::app::api {
namespace {

// A piece's size: large enough that a write is worth its system call, small enough to stay in
// the cache.
constexpr std::size_t kPieceBytes = 64 * 1024;
// Up to this many points (a couple of MB of JSON) a response is built whole, so it keeps a
// Content-Length; the stored preview's answers are all this small.
constexpr std::size_t kWholeUpTo = 20'000;

}  // namespace

EquityStream::EquityStream(storage::EquityReader curve, std::optional<std::size_t> max_points,
                           EquityShape shape)
    : curve_(std::move(curve)),
      thinning_(curve_.size(), max_points.value_or(curve_.size())),
      shape_(shape) {}

Result<bool> EquityStream::next(std::string& out) {
  if (!opened_) {
    out += '[';
    opened_ = true;
  }
  while (written_ < thinning_.size() && out.size() < kPieceBytes) {
    const std::size_t index = thinning_.index(written_);
    storage::EquityPoint p = curve_.next();
    while (curve_.position() <= index) p = curve_.next();
    if (written_ > 0) out += ',';
    if (shape_ == EquityShape::kPoints) {
      writer_.point(out, p);
    } else {
      writer_.drawdown_point(out, p);
    }
    ++written_;
  }
  if (written_ < thinning_.size()) return true;
  out += ']';
  return false;
}

http::Response equity_response(storage::EquityReader curve, std::optional<std::size_t> max_points,
                               EquityShape shape) {
  auto stream = std::make_shared<EquityStream>(std::move(curve), max_points, shape);
  if (stream->size() > kWholeUpTo) {
    return http::streamed(200, std::move(stream), "application/json");
  }
  std::string body;
  std::string piece;
  bool more = true;
  while (more) {
    piece.clear();
    more = *stream->next(piece);
    body += piece;
  }
  return http::text(200, std::move(body), "application/json");
}

}  // namespace quantd::app::api
