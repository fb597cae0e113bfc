// Diagnostics of the strategy language: what is wrong in a script, and where.
//
// Positions are 1-based lines and columns; a column counts Unicode code points of its line (so a
// Korean comment before an error does not shift it), and a span never crosses a line end (every
// statement is one line). Value types and pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace quantd::lang {

// One error in a script, at a place in it.
struct Diagnostic {
  int line = 1;         // 1-based
  int column = 1;       // 1-based, in code points of the line
  int length = 1;       // code points to underline from `column`, >= 1
  std::string message;  // one line without the position, e.g.
                        // "unknown function 'smaa' — did you mean 'sma'?"
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// Line `line` (1-based) of `source`, without its "\n" or "\r\n"; empty when out of range.
std::string_view source_line(std::string_view source, int line);

// The caret snippet under `d`: the source line indented by four spaces, then a line of '^' under
// the span (tabs are kept so the carets line up; East Asian wide characters count two cells).
// Two lines, each ending in "\n". If the line does not exist the caret sits at the column anyway.
std::string caret_snippet(std::string_view source, const Diagnostic& d);

// Every diagnostic as "FILE:LINE:COL: message\n" followed by its caret_snippet. With an empty
// `file` the prefix is "LINE:COL: ".
std::string format_diagnostics(std::string_view file, std::string_view source,
                               const std::vector<Diagnostic>& diagnostics);

}  // namespace quantd::lang
