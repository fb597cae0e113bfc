// Process-wide logging setup on spdlog.
//
// Under systemd (stderr connected to the journal) lines carry no timestamp, since journald adds
// its own; in a terminal they carry a local timestamp. Never pass secrets to a log call: config
// values that are secrets are redacted by the config component before anything prints them.
#pragma once

#include <string_view>

#include "quantd/core/status.h"

namespace quantd {

// True when stderr goes to the systemd journal (JOURNAL_STREAM is set by systemd for services).
bool stderr_is_journal();

// Sets the global logger to stderr with `level` ("trace", "debug", "info", "warn", "error",
// "critical", "off"). Returns invalid_argument naming the level when it is unknown.
// Call once at start, before other threads log.
Status setup_logging(std::string_view level);

}  // namespace quantd
