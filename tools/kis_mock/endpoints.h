// The REST endpoints the mock serves and their TR ids per environment (PROTOCOL §3.2, §4).
//
// Account and order TR ids of the real environment start with T, J or C; the paper twin replaces
// that letter with V. The old order TR ids (before the NXT launch) are accepted too, as KIS still
// does (PROTOCOL §4, "Old vs new order TR IDs"). Immutable tables; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "options.h"
#include "quantd/domain/order.h"

namespace quantd::kis_mock {

struct Endpoint {
  std::string name;    // the path's last segment, e.g. "inquire-price"
  std::string method;  // "GET" or "POST"
  std::string path;
  std::vector<std::string> real_tr_ids;
  std::vector<std::string> paper_tr_ids;  // empty: the API does not exist in paper
  bool order = false;                     // order-cash / order-rvsecncl
};

// Every /uapi endpoint with a TR id, quotations first.
const std::vector<Endpoint>& endpoints();
// The endpoint with this name; nullptr for an unknown name.
const Endpoint* find_endpoint(std::string_view name);

enum class TrIdCheck {
  kOk,
  kNotPaperTr,      // paper host, a real-only TR id: 500 "모의투자 TR 이 아닙니다."
  kUnknownService,  // a TR id this path does not serve: 500 OPSQ0002
};

// Whether `tr_id` may be sent to `endpoint` in `env`.
TrIdCheck check_tr_id(const Endpoint& endpoint, Env env, std::string_view tr_id);

// order-cash: the side a TR id orders (…0012U / …0802U buy, …0011U / …0801U sell).
std::optional<domain::Side> order_side(std::string_view tr_id);

}  // namespace quantd::kis_mock
