#include "quantd/lang/diagnostic.h"

#include <algorithm>

namespace quantd::lang {

namespace {

// Display cells of the code point: 2 for East Asian wide characters (Hangul, CJK, full-width
// forms), 1 otherwise.
int cells(char32_t cp) {
  if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
      (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA960 && cp <= 0xA97F) ||
      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD)) {
    return 2;
  }
  return 1;
}

// Decodes the code point at s[i] (lenient: a bad byte is one code point) and advances i.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int n = b0 < 0x80             ? 1
          : (b0 & 0xE0) == 0xC0 ? 2
          : (b0 & 0xF0) == 0xE0 ? 3
          : (b0 & 0xF8) == 0xF0 ? 4
                                : 1;
  if (i + static_cast<std::size_t>(n) > s.size()) n = 1;
  char32_t cp = n == 1 ? b0 : (b0 & (0x7F >> n));
  for (int k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      n = 1;
      cp = b0;
      break;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<std::size_t>(n);
  return cp;
}

}  // namespace

std::string_view source_line(std::string_view source, int line) {
  if (line < 1) return {};
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    const std::size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  std::size_t end = source.find('\n', start);
  if (end == std::string_view::npos) end = source.size();
  std::string_view text = source.substr(start, end - start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string caret_snippet(std::string_view source, const Diagnostic& d) {
  const std::string_view text = source_line(source, d.line);
  std::string out = "    ";
  std::string carets = "    ";
  int column = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t start = i;
    const char32_t cp = next_code_point(text, i);
    // Control characters other than tabs would garble a terminal: shown as spaces.
    if (cp == '\t') {
      out += '\t';
    } else if (cp < 0x20 || cp == 0x7F) {
      out += ' ';
    } else {
      out.append(text.substr(start, i - start));
    }
    if (column < d.column) {
      if (cp == '\t') {
        carets += '\t';
      } else {
        carets.append(static_cast<std::size_t>(cells(cp)), ' ');
      }
    } else if (column < d.column + std::max(1, d.length)) {
      carets.append(static_cast<std::size_t>(cp == '\t' ? 1 : cells(cp)), '^');
    }
    ++column;
  }
  // Past the end of the line (e.g. "expected an expression, found the end of the line").
  while (column < d.column) {
    carets += ' ';
    ++column;
  }
  if (column >= d.column && carets.find('^') == std::string::npos) carets += '^';
  out += '\n';
  carets += '\n';
  return out + carets;
}

std::string format_diagnostics(std::string_view file, std::string_view source,
                               const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) {
    if (!file.empty()) {
      out += file;
      out += ':';
    }
    out += std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message + "\n";
    out += caret_snippet(source, d);
  }
  return out;
}

}  // namespace quantd::lang
