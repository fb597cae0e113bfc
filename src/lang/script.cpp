#include "quantd/lang/script.h"

#include <algorithm>

#include "script_internal.h"

namespace quantd::lang {

namespace {

bool is_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto start = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!start(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return start(c) || (c >= '0' && c <= '9'); });
}

// Sorts by position (stable, so a line's errors keep their order) and applies the cap.
void finish(internal::ScriptData& d) {
  std::stable_sort(d.diagnostics.begin(), d.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return a.line != b.line ? a.line < b.line : a.column < b.column;
                   });
  if (d.diagnostics.size() > static_cast<std::size_t>(kMaxDiagnostics)) {
    const std::size_t total = d.diagnostics.size();
    d.diagnostics.resize(static_cast<std::size_t>(kMaxDiagnostics) - 1);
    const Diagnostic& next = d.diagnostics.back();
    d.diagnostics.push_back({next.line, next.column, next.length,
                             "too many errors: " + std::to_string(total - d.diagnostics.size()) +
                                 " more after this line are not shown"});
  }
  for (const internal::ParamDecl& p : d.params) {
    if (p.name_span.line == 0) continue;  // expression mode fills param_infos itself
    // A param line holds no '#' but the one starting its comment: the language has no strings.
    std::string_view line = source_line(d.source, p.name_span.line);
    std::string help;
    if (const auto hash = line.find('#'); hash != std::string_view::npos) {
      line.remove_prefix(hash + 1);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      help.assign(line);
    }
    d.param_infos.push_back(
        {std::string(p.name), p.value, p.name_span.line, p.name_span.col, std::move(help)});
  }
}

bool too_large(internal::ScriptData& d, std::string_view source) {
  if (source.size() <= kMaxSourceBytes) return false;
  d.diagnostics.push_back({1, 1, 1,
                           "the script is too large: " + std::to_string(source.size()) +
                               " bytes (at most " + std::to_string(kMaxSourceBytes) + ")"});
  return true;
}

}  // namespace

Script Script::analyze(std::string_view source) {
  auto d = std::make_shared<internal::ScriptData>();
  if (!too_large(*d, source)) {
    d->source.assign(source);
    internal::parse(*d);
    internal::check(*d);
  }
  finish(*d);
  return Script(std::move(d));
}

Script Script::analyze_expression(std::string_view expression, const ParamValues& params) {
  auto d = std::make_shared<internal::ScriptData>();
  d->expression_mode = true;
  if (!too_large(*d, expression)) {
    d->source.assign(expression);
    d->owned_names.reserve(params.size());
    for (const auto& [name, value] : params) {
      internal::Field f;
      internal::PositionVar pv;
      if (!is_name(name) || internal::is_keyword(name) || internal::find_field(name, f) ||
          internal::find_position_var(name, pv) || internal::find_function(name) != nullptr) {
        d->diagnostics.push_back({1, 1, 1,
                                  "param '" + name +
                                      "' cannot be used: it is not a free "
                                      "name (a letter or '_', then letters, digits or '_'; "
                                      "not a keyword, field or function)"});
        continue;
      }
      d->owned_names.push_back(name);
      internal::ParamDecl p;
      p.name = d->owned_names.back();
      p.name_span = internal::Span{0, 0, 1};  // before the expression
      p.value = value;
      p.ok = true;
      d->params.push_back(p);
      d->param_infos.push_back({name, value, 0, 0, ""});
    }
    internal::parse(*d);
    internal::check(*d);
  }
  finish(*d);
  return Script(std::move(d));
}

bool Script::ok() const { return data_->diagnostics.empty(); }
const std::vector<Diagnostic>& Script::diagnostics() const { return data_->diagnostics; }
const std::vector<ParamInfo>& Script::params() const { return data_->param_infos; }
std::string_view Script::source() const { return data_->source; }
bool Script::is_expression() const { return data_->expression_mode; }
bool Script::is_condition() const {
  return data_->expression_mode && data_->result >= 0 &&
         data_->info[static_cast<std::size_t>(data_->result)].type == internal::Type::kCondition;
}

}  // namespace quantd::lang
