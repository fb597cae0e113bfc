// Files embedded into the binary at build time (migrations, the web UI). See cmake/Embed.cmake.
#pragma once

#include <span>
#include <string_view>

namespace quantd {

struct EmbeddedFile {
  std::string_view path;  // relative to the embedded folder, '/'-separated
  std::string_view data;  // the file's bytes; lives for the whole program
};

namespace embedded {
// migrations/*.sql, sorted by file name.
std::span<const EmbeddedFile> migrations();
// web/static/** (plus the vendored chart library), sorted by path.
std::span<const EmbeddedFile> web_assets();
// examples/strategies/*.qs, sorted by file name: the scripts the UI offers to start from.
std::span<const EmbeddedFile> strategy_examples();
}  // namespace embedded

}  // namespace quantd
