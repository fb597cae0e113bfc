// Small text helpers shared by the http sources; not part of the component's contract.
#pragma once

#include <algorithm>
#include <string>
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

// True for methods that may change state: anything but GET, HEAD and OPTIONS.
inline bool changes_state(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

// At most the first 200 bytes of `text`, marked when cut: what a log line may hold of any text
// that can quote a request (an exception's message), so no input is ever logged whole.
inline std::string log_excerpt(std::string_view text) {
  constexpr std::size_t kMax = 200;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "... (" + std::to_string(text.size()) + " bytes)";
}

// Strips spaces and tabs at both ends (header values, list items).
inline std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace quantd::http::detail
