// Small text helpers shared by the http sources; not part of the component's contract.
#pragma once

#include <algorithm>
#include <string_view>

namespace quantd::http::detail {

inline char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// ASCII case-insensitive equality (header names, tokens).
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

// True for "/api" and anything under "/api/": the JSON API, never static files.
inline bool is_api_path(std::string_view path) {
  return path == "/api" || path.starts_with("/api/");
}

}  // namespace quantd::http::detail
