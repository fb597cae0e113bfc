#include "quantd/core/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

namespace quantd {

bool stderr_is_journal() { return std::getenv("JOURNAL_STREAM") != nullptr; }

Status setup_logging(std::string_view level) {
  const auto lvl = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only accept "off" when asked for.
  if (lvl == spdlog::level::off && level != "off") {
    return Status::invalid_argument("unknown log level '" + std::string(level) +
                                    "' (use trace, debug, info, warn, error, critical or off)");
  }
  auto logger =
      std::make_shared<spdlog::logger>("quantd", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern(stderr_is_journal() ? "%l %v" : "%Y-%m-%d %H:%M:%S.%e %l %v");
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  return {};
}

}  // namespace quantd
