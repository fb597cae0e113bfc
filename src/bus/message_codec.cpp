#include "quantd/bus/message_codec.h"

#include <charconv>
#include <string>

namespace quantd::bus {
namespace {

constexpr std::string_view kRunBacktest = "run_backtest";
constexpr std::string_view kEvaluateStrategy = "evaluate_strategy";
constexpr std::string_view kEvaluateSession = "evaluate_session";
constexpr std::string_view kStrategyCommand = "strategy_command";

Status bad_field(std::string_view name, std::string_view why) {
  return Status::invalid_argument("bus message field " + std::string(name) + " " +
                                  std::string(why));
}

Result<std::int64_t> integer_field(const Fields& fields, std::string_view name) {
  const std::string* text = find_field(fields, name);
  if (text == nullptr) return bad_field(name, "is missing");
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end) {
    return bad_field(name, "is not a decimal integer");
  }
  return value;
}

Result<bool> flag_field(const Fields& fields, std::string_view name) {
  const std::string* text = find_field(fields, name);
  if (text == nullptr) return bad_field(name, "is missing");
  if (*text == "1") return true;
  if (*text == "0") return false;
  return bad_field(name, "is not 0 or 1");
}

}  // namespace

Fields encode(const RunBacktest& m) {
  return {{"kind", std::string(kRunBacktest)},
          {"backtest_id", std::to_string(m.backtest_id)},
          {"sweep_id", std::to_string(m.sweep_id)},
          {"helper", m.helper ? "1" : "0"}};
}

Fields encode(const EvaluateStrategy& m) {
  return {{"kind", std::string(kEvaluateStrategy)},
          {"strategy_id", std::to_string(m.strategy_id)},
          {"minute", std::to_string(m.minute)}};
}

Fields encode(const EvaluateSession& m) {
  return {{"kind", std::string(kEvaluateSession)},
          {"session_id", std::to_string(m.session_id)},
          {"minute", std::to_string(m.minute)}};
}

Fields encode(const StrategyCommand& m) {
  return {{"kind", std::string(kStrategyCommand)},
          {"strategy_id", std::to_string(m.strategy_id)},
          {"command", m.kind == StrategyCommand::Kind::kActivate ? "activate" : "deactivate"}};
}

Fields encode(const BusMessage& message) {
  return std::visit([](const auto& m) { return encode(m); }, message);
}

Result<BusMessage> decode(const Fields& fields) {
  const std::string* kind = find_field(fields, "kind");
  if (kind == nullptr) return bad_field("kind", "is missing");

  if (*kind == kRunBacktest) {
    auto backtest_id = integer_field(fields, "backtest_id");
    if (!backtest_id.ok()) return backtest_id.status();
    auto sweep_id = integer_field(fields, "sweep_id");
    if (!sweep_id.ok()) return sweep_id.status();
    auto helper = flag_field(fields, "helper");
    if (!helper.ok()) return helper.status();
    return BusMessage{RunBacktest{*backtest_id, *sweep_id, *helper}};
  }
  if (*kind == kEvaluateStrategy || *kind == kEvaluateSession) {
    const bool strategy = *kind == kEvaluateStrategy;
    auto id = integer_field(fields, strategy ? "strategy_id" : "session_id");
    if (!id.ok()) return id.status();
    auto minute = integer_field(fields, "minute");
    if (!minute.ok()) return minute.status();
    if (strategy) return BusMessage{EvaluateStrategy{*id, *minute}};
    return BusMessage{EvaluateSession{*id, *minute}};
  }
  if (*kind == kStrategyCommand) {
    auto strategy_id = integer_field(fields, "strategy_id");
    if (!strategy_id.ok()) return strategy_id.status();
    const std::string* command = find_field(fields, "command");
    if (command == nullptr) return bad_field("command", "is missing");
    if (*command != "activate" && *command != "deactivate") {
      return bad_field("command", "is not activate or deactivate");
    }
    return BusMessage{StrategyCommand{*strategy_id, *command == "activate"
                                                        ? StrategyCommand::Kind::kActivate
                                                        : StrategyCommand::Kind::kDeactivate}};
  }
  return bad_field("kind", "names an unknown message");
}

}  // namespace quantd::bus
