// Tolerant readers of live-event data for the notifier: a missing field, null or a value of
// another type reads as empty (events are built by quantd, but a notification must never throw
// on the desk's thread or its own).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace quantd::live::notify_json {

inline std::string text(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::int64_t integer(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>())
                               : it->get<std::int64_t>();
}

inline double number(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}

inline bool has_number(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return false;
  auto it = j.find(key);
  return it != j.end() && it->is_number();
}

}  // namespace quantd::live::notify_json
