// Fields: a bus message on the wire, an ordered list of (name, value) pairs. It is what a Redis
// stream entry holds (XADD key * name value ...), and what bus/message_codec.h turns messages
// into. Values are small ASCII ids and keys, never payloads that need protecting.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quantd::bus {

using Fields = std::vector<std::pair<std::string, std::string>>;

// The value of the first field called `name`, or nullptr.
inline const std::string* find_field(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace quantd::bus
