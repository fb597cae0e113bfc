// Issue 12, findings 5 and 10 against the real binary: a JSON body's numbers, depth and keys are
// bounded at the one place bodies are parsed, and answer 400 naming the place, never 500.
#include <doctest/doctest.h>

#include "api_client.h"

using namespace quantd::apitest;
using quantd::testing::Daemon;
using quantd::testing::TempDir;

TEST_CASE("findings 5 and 10: JSON numbers, depth and duplicate keys answer 400, never 500") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();

  auto overflow =
      call_raw(port, "POST", "/api/strategies", R"({"name": "x", "params": {"fast": 1e400}})");
  CHECK(is_problem(overflow, 400));
  CHECK(overflow.body["detail"].get<std::string>().find("'params.fast'") != std::string::npos);
  CHECK(overflow.body["detail"].get<std::string>().find("1e400") == std::string::npos);

  const std::string digits(30, '7');
  auto big = call_raw(port, "POST", "/api/backtests", R"({"strategy_id": )" + digits + "}");
  CHECK(is_problem(big, 400));
  CHECK(big.body["detail"].get<std::string>().find("'strategy_id'") != std::string::npos);
  CHECK(big.body["detail"].get<std::string>().find("64 bits") != std::string::npos);

  auto in_array = call_raw(port, "POST", "/api/backtests", R"({"symbols": [1, 2, 1e999]})");
  CHECK(is_problem(in_array, 400));
  CHECK(in_array.body["detail"].get<std::string>().find("'symbols[2]'") != std::string::npos);

  const std::string deep = std::string(65, '[') + std::string(65, ']');
  auto nested = call_raw(port, "POST", "/api/strategies", R"({"name": )" + deep + "}");
  CHECK(is_problem(nested, 400));
  CHECK(nested.body["detail"].get<std::string>().find("deeper than 64") != std::string::npos);
  // 64 levels are fine for the parser (the handler then judges the value).
  CHECK(call_raw(port, "POST", "/api/strategies",
                 R"({"name": )" + std::string(63, '[') + std::string(63, ']') + "}")
            .status != 500);

  auto twice = call_raw(port, "POST", "/api/strategies", R"({"name": "a", "name": "b"})");
  CHECK(is_problem(twice, 400));
  CHECK(twice.body["detail"].get<std::string>().find("\"name\" appears twice") !=
        std::string::npos);

  // An 80 KB literal leaves no more than an excerpt in the log.
  std::string huge(1, '1');
  huge.append(80000, '0').append("e999");
  std::string literal_body = R"({"name": )";
  literal_body.append(huge).append("}");
  auto logged = call_raw(port, "POST", "/api/strategies", literal_body);
  CHECK(is_problem(logged, 400));
  for (std::size_t start = 0, end; (end = d.log().find('\n', start)) != std::string::npos;
       start = end + 1) {
    CHECK(end - start < 600);
  }
}

TEST_CASE("finding 5: whole numbers near 2^63 are judged exactly and never cast out of range") {
  TempDir dir;
  Daemon d(dir.file("quantd.db"));
  const int port = d.port();
  const auto field_message = [](const JsonResponse& r) {
    REQUIRE(r.body["errors"].size() == 1);
    CHECK(r.body["errors"][0]["field"] == "strategy_id");
    return r.body["errors"][0]["message"].get<std::string>();
  };

  // 9223372036854775807.0 reads as the double 2^63. It passed the check against INT64_MAX (which
  // rounds to 2^63 as a double) and was cast to int64, which is undefined behaviour: the HTTP
  // fuzzer's UBSan report (fuzz/http_fuzzer.cpp). It is out of range, not a strategy id.
  auto huge = call_raw(port, "POST", "/api/live/demo", R"({"strategy_id": 9223372036854775807.0})");
  CHECK(is_problem(huge, 422));
  CHECK(field_message(huge).find("must be between 1 and 9223372036854775807") != std::string::npos);

  // One past a bound that a double cannot hold exactly: integers are compared as integers.
  auto past = call_raw(port, "POST", "/api/backtests", R"({"strategy_id": 4611686018427387904})");
  CHECK(is_problem(past, 422));
  CHECK(field_message(past).find("between 1 and 4611686018427387903, got 4611686018427387904") !=
        std::string::npos);
  auto beyond =
      call_raw(port, "POST", "/api/live/demo", R"({"strategy_id": 18446744073709551615})");
  CHECK(is_problem(beyond, 422));
  CHECK(field_message(beyond).find("got 18446744073709551615") != std::string::npos);

  // The lower bounds still hold for the literals nlohmann keeps as unsigned.
  auto zero = call_raw(port, "POST", "/api/live/demo", R"({"strategy_id": 0})");
  CHECK(is_problem(zero, 422));
  CHECK(field_message(zero).find("got 0") != std::string::npos);
}
