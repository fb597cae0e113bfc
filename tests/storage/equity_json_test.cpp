// The JSON form of an equity curve (equity_json.h): the bytes the API has always served, and the
// reader of what results stored before migration 0010 hold.
#include "quantd/storage/equity_json.h"

#include <doctest/doctest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace {

using namespace quantd;
using nlohmann::json;

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// The rules of the old backtest_service.cpp equity_json(): std::to_string for ts, to_chars's
// shortest form for the doubles, null when not finite.
std::string old_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}
std::string old_point(const storage::EquityPoint& p) {
  return "{\"ts\":" + std::to_string(p.ts) + ",\"equity\":" + old_number(p.equity) +
         ",\"benchmark\":" + old_number(p.benchmark) + ",\"drawdown\":" + old_number(p.drawdown) +
         "}";
}
// The old backtest_api.cpp drawdown answer: each stored point parsed with nlohmann, then
// json{{"ts", ...}, {"drawdown", ...}}.dump().
std::string old_drawdown_point(const storage::EquityPoint& p) {
  const json point = json::parse(old_point(p));
  return json{{"ts", point["ts"]}, {"drawdown", point["drawdown"]}}.dump();
}

const double kAwkward[] = {0.0,
                           -0.0,
                           1.0,
                           -1.0,
                           0.05,
                           1e-5,
                           0.0001,
                           0.000123,
                           1.0 / 3.0,
                           100'000'000.0,
                           123'456'789.25,
                           1e15,
                           1e16,
                           1e20,
                           1.2345678901234568e20,
                           123456789012345680000.0,
                           9.2233720368547758e18,
                           -9.2233720368547758e18,
                           1.8446744073709552e19,
                           -1e19,
                           std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::max(),
                           -std::numeric_limits<double>::max(),
                           kNaN,
                           kInf,
                           -kInf};

TEST_CASE(
    "json: points are written as the old equity_json wrote them, drawdown points as the "
    "old handler re-serialized them") {
  TimestampMs ts = 1'700'000'000'000;
  // One writer throughout, both kinds of point interleaved and values repeating: its memory of
  // the last number of each column never leaks into the other kind.
  storage::EquityJsonWriter writer;
  for (double a : kAwkward) {
    for (double b : kAwkward) {
      for (int repeat = 0; repeat < 2; ++repeat) {
        const storage::EquityPoint p{ts++, a, b, a};
        std::string out;
        writer.point(out, p);
        REQUIRE(out == old_point(p));
        out.clear();
        writer.drawdown_point(out, p);
        CAPTURE(a);
        REQUIRE(out == old_drawdown_point(p));
      }
    }
  }
  std::string negative;
  writer.point(negative, {-42, 1, 2, 3});
  CHECK(negative == "{\"ts\":-42,\"equity\":1,\"benchmark\":2,\"drawdown\":3}");
}

TEST_CASE("json: thinning keeps the first and the last point, evenly spread") {
  const storage::Thinning all(5, 10);
  CHECK(all.size() == 5);
  CHECK(all.index(4) == 4);
  const storage::Thinning some(1'000'000, 2000);
  REQUIRE(some.size() == 2000);
  CHECK(some.index(0) == 0);
  CHECK(some.index(1999) == 999'999);
  for (std::size_t k = 1; k < some.size(); ++k) CHECK(some.index(k) > some.index(k - 1));
}

std::uint64_t bits(double v) { return std::bit_cast<std::uint64_t>(v); }

TEST_CASE("json: the stored form reads back exactly, in pieces of any size") {
  std::string text = "[";
  std::vector<storage::EquityPoint> points;
  TimestampMs ts = 1'600'000'000'000;
  for (double a : kAwkward) {
    points.push_back({ts, a, -a, std::isfinite(a) ? std::fabs(a) : a});
    ts += 60'000;
  }
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i > 0) text += ',';
    text += old_point(points[i]);
  }
  text += ']';
  for (std::size_t piece :
       {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64}, text.size()}) {
    CAPTURE(piece);
    storage::EquityJsonReader reader;
    for (std::size_t at = 0; at < text.size(); at += piece) {
      REQUIRE(reader.feed(std::string_view(text).substr(at, piece)).ok());
    }
    REQUIRE(reader.finish().ok());
    REQUIRE(reader.ts.size() == points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      CHECK(reader.ts[i] == points[i].ts);
      // A value that is not finite was stored as null and comes back as NaN, written as null.
      const auto same = [](double got, double want) {
        return std::isfinite(want) ? bits(got) == bits(want) : std::isnan(got);
      };
      CHECK(same(reader.equity[i], points[i].equity));
      CHECK(same(reader.benchmark[i], points[i].benchmark));
      CHECK(same(reader.drawdown[i], points[i].drawdown));
    }
  }

  // Results stored before commit 303eed5: nlohmann's dump, keys sorted, 100000000.0.
  storage::EquityJsonReader old;
  REQUIRE(old.feed("[ {\"benchmark\":100000000.0,\"drawdown\":0.0,\"equity\":1e+20,\"ts\":5},\n"
                   "{\"benchmark\":null,\"drawdown\":0.25,\"equity\":-3.5,\"ts\":-6} ]\n")
              .ok());
  REQUIRE(old.finish().ok());
  REQUIRE(old.ts.size() == 2);
  CHECK(old.ts[1] == -6);
  CHECK(old.equity[0] == 1e20);
  CHECK(old.benchmark[0] == 1e8);
  CHECK(std::isnan(old.benchmark[1]));
  CHECK(old.drawdown[1] == 0.25);

  storage::EquityJsonReader empty;
  REQUIRE(empty.feed("[]").ok());
  CHECK(empty.finish().ok());
  CHECK(empty.ts.empty());
}

// The reason `text` is refused, or "" when it reads.
std::string refusal(const std::string& text) {
  storage::EquityJsonReader reader;
  Status st = reader.feed(text);
  if (st.ok()) st = reader.finish();
  return st.ok() ? "" : st.message();
}

TEST_CASE("json: a damaged stored document is refused with the point and the reason") {
  const std::string p = "{\"ts\":1,\"equity\":2,\"benchmark\":3,\"drawdown\":0}";
  CHECK(refusal("[" + p + "," + p + "]").empty());
  CHECK(refusal("").find("ends before its closing ']'") != std::string::npos);
  CHECK(refusal("[" + p).find("ends before its closing ']'") != std::string::npos);
  CHECK(refusal("{}").find("does not start with '['") != std::string::npos);
  CHECK(refusal("[" + p + "]x").find("text after the closing ']'") != std::string::npos);
  CHECK(refusal("[" + p + p + "]").find("point 2: unexpected '{'") != std::string::npos);
  CHECK(refusal("[{\"ts\":1,\"equity\":2,\"benchmark\":3}]").find("no member 'drawdown'") !=
        std::string::npos);
  CHECK(refusal("[{\"ts\":1.5,\"equity\":2,\"benchmark\":3,\"drawdown\":0}]")
            .find("ts '1.5' is not a whole number") != std::string::npos);
  CHECK(refusal("[{\"ts\":1,\"equity\":\"2\",\"benchmark\":3,\"drawdown\":0}]")
            .find("equity '\"2\"' is not a number") != std::string::npos);
  CHECK(refusal("[{\"ts\":1,\"equity\":2,\"equity\":2,\"benchmark\":3,\"drawdown\":0}]")
            .find("member 'equity' twice") != std::string::npos);
  CHECK(refusal("[{\"ts\":1,\"wealth\":2}]").find("unknown member 'wealth'") != std::string::npos);
  CHECK(refusal("[{\"ts\":1,\"equity\":inf,\"benchmark\":3,\"drawdown\":0}]")
            .find("is not a number") != std::string::npos);
  CHECK(refusal("[{}]").find("point 1: expected a member name") != std::string::npos);
}

}  // namespace
