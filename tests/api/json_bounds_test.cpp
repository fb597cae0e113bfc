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
  const std::string huge = "1" + std::string(80000, '0') + "e999";
  auto logged = call_raw(port, "POST", "/api/strategies", R"({"name": )" + huge + "}");
  CHECK(is_problem(logged, 400));
  for (std::size_t start = 0, end; (end = d.log().find('\n', start)) != std::string::npos;
       start = end + 1) {
    CHECK(end - start < 600);
  }
}
