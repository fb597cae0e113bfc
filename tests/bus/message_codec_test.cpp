#include "quantd/bus/message_codec.h"

#include <doctest/doctest.h>

namespace quantd::bus {
namespace {

template <typename Message>
Message round_trip(const Message& message) {
  const Fields fields = encode(message);
  auto decoded = decode_as<Message>(fields);
  INFO(decoded.status().message());
  REQUIRE(decoded.ok());
  // The variant overload encodes the same fields.
  CHECK(encode(BusMessage{message}) == fields);
  return *decoded;
}

}  // namespace

TEST_CASE("every bus message survives encode then decode") {
  const RunBacktest run = round_trip(RunBacktest{12, 34, true});
  CHECK(run.backtest_id == 12);
  CHECK(run.sweep_id == 34);
  CHECK(run.helper);
  CHECK_FALSE(round_trip(RunBacktest{5, 0, false}).helper);

  const EvaluateStrategy strategy = round_trip(EvaluateStrategy{3, 1783560000000});
  CHECK(strategy.strategy_id == 3);
  CHECK(strategy.minute == 1783560000000);

  const EvaluateSession session = round_trip(EvaluateSession{7, -60000});
  CHECK(session.session_id == 7);
  CHECK(session.minute == -60000);

  CHECK(round_trip(StrategyCommand{9, StrategyCommand::Kind::kActivate}).kind ==
        StrategyCommand::Kind::kActivate);
  CHECK(round_trip(StrategyCommand{9, StrategyCommand::Kind::kDeactivate}).kind ==
        StrategyCommand::Kind::kDeactivate);
}

TEST_CASE("messages are small maps of ids") {
  CHECK(
      encode(RunBacktest{12, 0, false}) ==
      Fields{{"kind", "run_backtest"}, {"backtest_id", "12"}, {"sweep_id", "0"}, {"helper", "0"}});
}

TEST_CASE("decoding tolerates unknown fields and rejects missing or malformed ones") {
  Fields fields = encode(RunBacktest{12, 0, false});
  fields.emplace_back("added_by_a_newer_sender", "x");
  CHECK(decode_as<RunBacktest>(fields).ok());

  auto fails = [](const Fields& f, const std::string& words) {
    auto decoded = decode(f);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == StatusCode::kInvalidArgument);
    CHECK(decoded.status().message().find(words) != std::string::npos);
  };
  fails({}, "kind is missing");
  fails({{"kind", "launch_rockets"}}, "kind names an unknown message");
  fails({{"kind", "run_backtest"}, {"sweep_id", "0"}, {"helper", "0"}}, "backtest_id is missing");
  fails({{"kind", "run_backtest"}, {"backtest_id", "12x"}, {"sweep_id", "0"}, {"helper", "0"}},
        "backtest_id is not a decimal integer");
  fails({{"kind", "run_backtest"}, {"backtest_id", ""}, {"sweep_id", "0"}, {"helper", "0"}},
        "backtest_id is not a decimal integer");
  fails({{"kind", "run_backtest"}, {"backtest_id", "1"}, {"sweep_id", "0"}, {"helper", "yes"}},
        "helper is not 0 or 1");
  fails({{"kind", "strategy_command"}, {"strategy_id", "1"}, {"command", "pause"}},
        "command is not activate or deactivate");

  auto wrong_kind = decode_as<RunBacktest>(encode(EvaluateSession{1, 0}));
  CHECK_FALSE(wrong_kind.ok());
}

}  // namespace quantd::bus
