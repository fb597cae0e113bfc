#include "faults.h"

#include <algorithm>

namespace quantd::kis_mock {

namespace {

struct KindName {
  FaultKind kind;
  const char* name;
};

constexpr KindName kKinds[] = {
    {FaultKind::kDropNext, "drop_next"},
    {FaultKind::kHttp500Next, "http_500_next"},
    {FaultKind::kRateLimitNext, "rate_limit_next"},
    {FaultKind::kErrorNext, "error_next"},
    {FaultKind::kDelayNext, "delay_next_s"},
    {FaultKind::kAcceptThenDrop, "accept_then_drop"},
    {FaultKind::kAcceptThenDelay, "accept_then_delay_s"},
    {FaultKind::kRejectNextOrder, "reject_next_order"},
};

const char* kind_name(FaultKind kind) {
  for (const KindName& k : kKinds) {
    if (k.kind == kind) return k.name;
  }
  return "?";
}

bool takes_seconds(FaultKind kind) {
  return kind == FaultKind::kDelayNext || kind == FaultKind::kAcceptThenDelay;
}

bool takes_code(FaultKind kind) {
  return kind == FaultKind::kErrorNext || kind == FaultKind::kRejectNextOrder;
}

std::string default_scope(const Fault& f, const std::string& body_call) {
  if (!body_call.empty()) return body_call;
  switch (f.kind) {
    case FaultKind::kAcceptThenDrop:
    case FaultKind::kAcceptThenDelay:
    case FaultKind::kRejectNextOrder:
      return "order";
    case FaultKind::kErrorNext:
      return f.msg_cd == "EGW00215" ? "inquire-balance" : "any";
    default:
      return "any";
  }
}

bool scope_matches(const std::string& scope, const CallInfo& call) {
  if (scope == "any") return call.uapi;
  if (scope == "order") return call.order;
  if (scope == "buy" || scope == "sell") {
    return call.name == "order-cash" && call.side &&
           (*call.side == domain::Side::kBuy) == (scope == "buy");
  }
  return scope == call.name || (!call.tr_id.empty() && scope == call.tr_id);
}

// Parses one fault value: a number (count, or seconds for the *_s kinds), true (= 1), a string
// (a msg_cd, for the code kinds), or an object {"count", "call", "seconds", "msg_cd", "msg1",
// "http"}.
Status parse_fault(FaultKind kind, const nlohmann::json& v, const std::string& body_call,
                   Fault* out) {
  Fault f;
  f.kind = kind;
  const std::string name = kind_name(kind);
  std::string call;
  if (v.is_boolean()) {
    if (!v.get<bool>()) return Status::invalid_argument(name + ": false queues nothing");
  } else if (v.is_number()) {
    if (takes_seconds(kind)) {
      f.seconds = v.get<double>();
    } else {
      f.count = v.get<int>();
    }
  } else if (v.is_string() && takes_code(kind)) {
    f.msg_cd = v.get<std::string>();
  } else if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      if (key == "count" && value.is_number_integer()) {
        f.count = value.get<int>();
      } else if (key == "call" && value.is_string()) {
        call = value.get<std::string>();
      } else if (key == "seconds" && value.is_number() && takes_seconds(kind)) {
        f.seconds = value.get<double>();
      } else if (key == "msg_cd" && value.is_string() && takes_code(kind)) {
        f.msg_cd = value.get<std::string>();
      } else if (key == "msg1" && value.is_string() && takes_code(kind)) {
        f.msg1 = value.get<std::string>();
      } else if (key == "http" && value.is_number_integer() && kind == FaultKind::kErrorNext) {
        f.http_status = value.get<int>();
      } else {
        return Status::invalid_argument(name + ": unknown or malformed field \"" + key + "\"");
      }
    }
  } else {
    return Status::invalid_argument(name + ": expected a number, true, a code or an object");
  }
  if (f.count < 1) return Status::invalid_argument(name + ": count must be >= 1");
  if (takes_seconds(kind) && f.seconds <= 0) {
    return Status::invalid_argument(name + ": seconds must be > 0");
  }
  if (takes_code(kind) && f.msg_cd.empty()) {
    return Status::invalid_argument(name + ": needs a msg_cd");
  }
  if (f.http_status != 0 && (f.http_status < 200 || f.http_status > 599)) {
    return Status::invalid_argument(name + ": http must be a status 200..599");
  }
  f.call = call.empty() ? default_scope(f, body_call) : call;
  *out = f;
  return Status::ok_status();
}

}  // namespace

Status Faults::add(const nlohmann::json& body, bool* expire_token, bool* invalidate_token) {
  if (!body.is_object()) return Status::invalid_argument("the body must be a JSON object");
  std::string body_call;
  if (body.contains("call")) {
    if (!body["call"].is_string()) return Status::invalid_argument("call: must be a string");
    body_call = body["call"].get<std::string>();
  }
  std::vector<Fault> parsed;
  bool clear_first = false, expire = false, invalidate = false;
  for (const auto& [key, value] : body.items()) {
    if (key == "call") continue;
    if (key == "clear" || key == "expire_token" || key == "invalidate_token") {
      if (!value.is_boolean()) return Status::invalid_argument(key + ": must be true or false");
      (key == "clear"          ? clear_first
       : key == "expire_token" ? expire
                               : invalidate) = value.get<bool>();
      continue;
    }
    const std::string name = key == "delay_next" ? "delay_next_s" : key;
    const auto kind = std::find_if(std::begin(kKinds), std::end(kKinds),
                                   [&](const KindName& k) { return name == k.name; });
    if (kind == std::end(kKinds)) {
      return Status::invalid_argument(
          "unknown fault \"" + key +
          "\"; known: drop_next, http_500_next, rate_limit_next, error_next, delay_next_s, "
          "accept_then_drop, accept_then_delay_s, reject_next_order, expire_token, "
          "invalidate_token, clear, call");
    }
    Fault f;
    if (Status s = parse_fault(kind->kind, value, body_call, &f); !s.ok()) return s;
    parsed.push_back(f);
  }
  if (clear_first) queue_.clear();
  queue_.insert(queue_.end(), parsed.begin(), parsed.end());
  *expire_token = expire;
  *invalidate_token = invalidate;
  return Status::ok_status();
}

std::optional<Fault> Faults::take(FaultKind kind, const CallInfo& call) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->kind != kind || !scope_matches(it->call, call)) continue;
    Fault hit = *it;
    if (--it->count == 0) queue_.erase(it);
    return hit;
  }
  return std::nullopt;
}

Json Faults::describe() const {
  Json out = Json::array();
  for (const Fault& f : queue_) {
    Json j = Json::object();
    j["fault"] = kind_name(f.kind);
    j["count"] = f.count;
    j["call"] = f.call;
    if (takes_seconds(f.kind)) j["seconds"] = f.seconds;
    if (takes_code(f.kind)) j["msg_cd"] = f.msg_cd;
    out.push_back(j);
  }
  return out;
}

}  // namespace quantd::kis_mock
