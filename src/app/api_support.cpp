#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <string_view>
#include <vector>

#include "api_internal.h"
#include "quantd/core/time.h"

namespace quantd::app::api {
namespace {

// How a JSON value's type is named in messages.
std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

std::string format_number(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

bool valid_param_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

}  // namespace

http::Response validation_failed(const Errors& errors, std::string detail) {
  if (detail.empty()) {
    const json& first = errors.list().front();
    detail = first["field"].get<std::string>() + ": " + first["message"].get<std::string>();
    if (errors.list().size() > 1) {
      detail += " (and " + std::to_string(errors.list().size() - 1) + " more)";
    }
  }
  return http::problem(422, "Validation failed", std::move(detail), errors.list());
}

http::Response from_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return http::problem(422, "Validation failed", status.message());
    case StatusCode::kNotFound:
      return http::problem(404, "Not Found", status.message());
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return http::problem(409, "Conflict", status.message());
    case StatusCode::kResourceExhausted: {
      http::Response r = http::problem(429, "Too Many Requests", status.message());
      r.set_header("Retry-After", "5");
      return r;
    }
    case StatusCode::kUnavailable: {
      http::Response r = http::problem(503, "Service Unavailable", status.message());
      r.set_header("Retry-After", "5");
      return r;
    }
    default:
      spdlog::error("api: {}", status.message());
      return http::problem(500, "Internal Server Error",
                           "The server could not complete the request; the cause is in its log.");
  }
}

namespace {

constexpr std::size_t kMaxJsonDepth = 64;

// Builds the DOM through nlohmann's own SAX DOM builder, refusing on the way what the plain
// parser lets through or turns into an exception that is not a parse_error: a number that
// overflows a double (1e400), an integer literal too long for 64 bits, nesting deeper than
// kMaxJsonDepth, and a key repeated in one object (the plain parser keeps the last silently).
// The first refusal is kept as a message that names the place, never the literal itself.
class BoundedJsonBuilder {
 public:
  explicit BoundedJsonBuilder(json& out) : dom_(out, /*allow_exceptions=*/false) {}

  bool null() { return value() && dom_.null(); }
  bool boolean(bool v) { return value() && dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return value() && dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value() && dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& literal) {
    if (literal.find_first_of(".eE") == json::string_t::npos) {
      return refuse("the integer " + place() + " has more digits than fit in 64 bits");
    }
    if (!std::isfinite(v)) return refuse("the number " + place() + " is too large");
    return value() && dom_.number_float(v, literal);
  }
  bool string(json::string_t& v) { return value() && dom_.string(v); }
  bool binary(json::binary_t& v) { return value() && dom_.binary(v); }
  bool start_object(std::size_t n) {
    if (!value() || !enter()) return false;
    keys_.emplace_back();
    frames_.push_back({true, {}, 0});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    Frame& frame = frames_.back();
    if (!keys_.back().insert(k).second) {
      frame.key = k;
      return refuse("the key \"" + excerpt(k) + "\" appears twice in " + parent_place());
    }
    frame.key = k;
    return dom_.key(k);
  }
  bool end_object() {
    keys_.pop_back();
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (!value() || !enter()) return false;
    frames_.push_back({false, {}, 0});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    if (message_.empty()) {
      if (e.id == 406) value();  // the overflowing number is the value being read
      // e.id 406 is nlohmann's own "number overflow" (it quotes the literal: not repeated here).
      message_ = e.id == 406 ? "the number " + place() + " is too large"
                             : "the body is not valid JSON (error at byte " +
                                   std::to_string(position) + ")";
    }
    return false;
  }

  // Empty when the body parsed within bounds.
  const std::string& message() const { return message_; }

 private:
  struct Frame {
    bool object;
    std::string key;    // objects: the current key
    std::size_t index;  // arrays: the index of the next element
  };

  static std::string excerpt(std::string_view text) {
    return text.size() <= 64 ? std::string(text) : std::string(text.substr(0, 64)) + "...";
  }

  // Called before each value: advances the enclosing array's index.
  bool value() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  bool enter() {
    if (frames_.size() >= kMaxJsonDepth) {
      return refuse("the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    return true;
  }
  // The JSON path of the value being read, e.g. "at 'params.fast'" or "at 'bars[3]'".
  std::string path(std::size_t frames) const {
    std::string out;
    for (std::size_t i = 0; i < frames; ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        if (!out.empty()) out += '.';
        out += excerpt(f.key);
      } else {
        out += '[';
        out += std::to_string(f.index == 0 ? 0 : f.index - 1);
        out += ']';
      }
    }
    return out;
  }
  std::string place() const {
    const std::string p = path(frames_.size());
    return p.empty() ? std::string("at the top level") : "at '" + p + "'";
  }
  std::string parent_place() const {
    const std::string p = path(frames_.size() - 1);
    return p.empty() ? std::string("the top-level object") : "the object at '" + p + "'";
  }
  bool refuse(std::string message) {
    if (message_.empty()) message_ = std::move(message);
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<Frame> frames_;
  std::vector<std::set<std::string, std::less<>>> keys_;
  std::string message_;
};

}  // namespace

JsonBody read_json_object(const http::Request& request) {
  JsonBody out;
  if (request.body.empty()) {
    out.problem = http::problem(400, "Bad Request",
                                "The request body is empty; send a JSON object "
                                "(Content-Type: application/json).");
    return out;
  }
  BoundedJsonBuilder builder(out.value);
  bool parsed = false;
  try {
    parsed = json::sax_parse(request.body, &builder);
  } catch (const json::exception&) {
    parsed = false;  // the builder has the reason; nlohmann's text may quote the input
  }
  if (!parsed) {
    const std::string& why = builder.message();
    out.value = json();
    out.problem =
        http::problem(400, "Malformed JSON",
                      "The request body was refused: " +
                          (why.empty() ? std::string("it is not valid JSON") : why) + ".");
    return out;
  }
  if (!out.value.is_object()) {
    out.problem =
        http::problem(400, "Bad Request",
                      "The request body must be a JSON object, not " + type_name(out.value) + ".");
  }
  return out;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v <= 0) return std::nullopt;
  return v;
}

std::optional<http::Response> storage_refusal(const ApiContext& ctx) {
  if (!ctx.storage_full) return std::nullopt;
  auto why = ctx.storage_full();
  if (!why) return std::nullopt;
  return http::problem(507, "Insufficient Storage", "Nothing was stored: " + *why + ".");
}

http::Response no_such(std::string_view what, std::string_view text) {
  return http::problem(
      404, "Not Found",
      "There is no " + std::string(what) + " with id '" + std::string(text) + "'.");
}

std::optional<std::string> read_string(const json& body, const char* field, Errors& errors,
                                       bool required, std::size_t max_length, bool allow_empty) {
  if (!body.contains(field) || body[field].is_null()) {
    if (required) errors.add(field, "is required");
    return std::nullopt;
  }
  const json& v = body[field];
  if (!v.is_string()) {
    errors.add(field, "must be a string, not " + type_name(v));
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  if (!allow_empty && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    errors.add(field, "must not be empty");
    return std::nullopt;
  }
  if (s.size() > max_length) {
    errors.add(field, "is too long (" + std::to_string(s.size()) + " bytes; at most " +
                          std::to_string(max_length) + ")");
    return std::nullopt;
  }
  return s;
}

std::optional<double> read_number(const json& body, const char* field, Errors& errors,
                                  bool required, double min, double max) {
  if (!body.contains(field) || body[field].is_null()) {
    if (required) errors.add(field, "is required");
    return std::nullopt;
  }
  const json& v = body[field];
  if (!v.is_number()) {
    errors.add(field, "must be a number, not " + type_name(v));
    return std::nullopt;
  }
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    errors.add(field, "must be between " + format_number(min) + " and " + format_number(max) +
                          ", got " + format_number(d));
    return std::nullopt;
  }
  return d;
}

std::optional<std::int64_t> read_integer(const json& body, const char* field, Errors& errors,
                                         bool required, std::int64_t min, std::int64_t max) {
  if (!body.contains(field) || body[field].is_null()) {
    if (required) errors.add(field, "is required");
    return std::nullopt;
  }
  const json& v = body[field];
  if (!v.is_number()) {
    errors.add(field, "must be a whole number, not " + type_name(v));
    return std::nullopt;
  }
  const auto out_of_range = [&](const std::string& got) {
    errors.add(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                          ", got " + got);
    return std::nullopt;
  };
  // Integers are compared as integers: as doubles, a bound near 2^63 rounds up (max + 1 passed).
  // (nlohmann keeps every non-negative integer literal as unsigned.)
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return out_of_range(v.dump());
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i < min || i > max) return out_of_range(v.dump());
    return i;
  }
  const double d = v.get<double>();
  if (!std::isfinite(d) || d != std::floor(d)) {
    errors.add(field, "must be a whole number, got " + format_number(d));
    return std::nullopt;
  }
  // A whole double converts only below 2^63 (9.223372036854775807e18 reads as 2^63 itself, and
  // casting that is undefined): check the range of int64 first, then the bounds exactly.
  if (d < -0x1p63 || d >= 0x1p63) return out_of_range(format_number(d));
  const auto i = static_cast<std::int64_t>(d);
  if (i < min || i > max) return out_of_range(format_number(d));
  return i;
}

std::optional<bool> read_bool(const json& body, const char* field, Errors& errors) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  if (!body[field].is_boolean()) {
    errors.add(field, "must be true or false, not " + type_name(body[field]));
    return std::nullopt;
  }
  return body[field].get<bool>();
}

std::optional<std::vector<domain::Symbol>> read_symbols(const json& body, const char* field,
                                                        Errors& errors, bool required) {
  if (!body.contains(field) || body[field].is_null()) {
    if (required) errors.add(field, "is required: a list of symbols such as [\"005930\"]");
    return std::nullopt;
  }
  const json& v = body[field];
  if (!v.is_array()) {
    errors.add(field, "must be an array of symbols, not " + type_name(v));
    return std::nullopt;
  }
  if (v.empty()) {
    errors.add(field, "must name at least one symbol");
    return std::nullopt;
  }
  if (v.size() > 100) {
    errors.add(field, "may name at most 100 symbols");
    return std::nullopt;
  }
  std::vector<domain::Symbol> out;
  bool ok = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = std::string(field) + "[" + std::to_string(i) + "]";
    if (!v[i].is_string()) {
      errors.add(where, "must be a string, not " + type_name(v[i]));
      ok = false;
      continue;
    }
    const std::string s = v[i].get<std::string>();
    if (!domain::is_valid_symbol(s)) {
      errors.add(where, "'" + s + "' is not a valid symbol (1-32 of A-Z a-z 0-9 . _ -)");
      ok = false;
      continue;
    }
    for (const auto& seen : out) {
      if (seen.str() == s) {
        errors.add(where, "'" + s + "' is listed twice");
        ok = false;
      }
    }
    out.emplace_back(s);
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<domain::Interval> read_interval(const json& body, const char* field, Errors& errors) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  const json& v = body[field];
  if (!v.is_string()) {
    errors.add(field, "must be a string such as \"1d\", not " + type_name(v));
    return std::nullopt;
  }
  auto interval = domain::parse_interval(v.get<std::string>());
  if (!interval) {
    errors.add(field,
               "must be one of 1m, 5m, 15m, 30m, 60m, 1d; got '" + v.get<std::string>() + "'");
  }
  return interval;
}

std::optional<strategy::Params> read_params(const json& body, const char* field, Errors& errors) {
  if (!body.contains(field) || body[field].is_null()) return std::nullopt;
  const json& v = body[field];
  if (!v.is_object()) {
    errors.add(field, "must be an object of numbers such as {\"fast\": 10}, not " + type_name(v));
    return std::nullopt;
  }
  strategy::Params out;
  bool ok = true;
  for (const auto& [name, value] : v.items()) {
    const std::string where = std::string(field) + "." + name;
    if (!valid_param_name(name)) {
      errors.add(where, "is not a valid parameter name (letters, digits and _)");
      ok = false;
    } else if (!value.is_number() || !std::isfinite(value.get<double>())) {
      errors.add(where, "must be a number, not " + type_name(value));
      ok = false;
    } else {
      out[name] = value.get<double>();
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::string> read_time(const json& body, const char* field, Errors& errors) {
  auto s = read_string(body, field, errors, false, 40);
  if (!s || s->empty()) return std::nullopt;
  if (!parse_timestamp(*s)) {
    errors.add(field,
               "must be a date such as \"2024-01-31\" (or \"2024-01-31T09:00\"), got '" + *s + "'");
    return std::nullopt;
  }
  return s;
}

json params_json(const strategy::Params& params) {
  json j = json::object();
  for (const auto& [k, v] : params) {
    // Whole numbers read as 20, not 20.0 (lengths are the common case).
    if (v == std::floor(v) && std::abs(v) < 9e15) {
      j[k] = static_cast<std::int64_t>(v);
    } else {
      j[k] = v;
    }
  }
  return j;
}

json symbols_json(const std::vector<domain::Symbol>& symbols) {
  json j = json::array();
  for (const auto& s : symbols) j.push_back(s.str());
  return j;
}

}  // namespace quantd::app::api
