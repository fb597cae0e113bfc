#include "endpoints.h"

#include <algorithm>

namespace quantd::kis_mock {

namespace {

bool contains(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

const std::vector<Endpoint>& endpoints() {
  static const std::vector<Endpoint> kEndpoints = {
      {"inquire-price",
       "GET",
       "/uapi/domestic-stock/v1/quotations/inquire-price",
       {"FHKST01010100"},
       {"FHKST01010100"}},
      {"inquire-daily-itemchartprice",
       "GET",
       "/uapi/domestic-stock/v1/quotations/inquire-daily-itemchartprice",
       {"FHKST03010100"},
       {"FHKST03010100"}},
      {"inquire-time-itemchartprice",
       "GET",
       "/uapi/domestic-stock/v1/quotations/inquire-time-itemchartprice",
       {"FHKST03010200"},
       {"FHKST03010200"}},
      {"inquire-time-dailychartprice",
       "GET",
       "/uapi/domestic-stock/v1/quotations/inquire-time-dailychartprice",
       {"FHKST03010230"},
       {}},
      {"chk-holiday", "GET", "/uapi/domestic-stock/v1/quotations/chk-holiday", {"CTCA0903R"}, {}},
      {"order-cash",
       "POST",
       "/uapi/domestic-stock/v1/trading/order-cash",
       {"TTTC0012U", "TTTC0011U", "TTTC0802U", "TTTC0801U"},
       {"VTTC0012U", "VTTC0011U", "VTTC0802U", "VTTC0801U"},
       true},
      {"order-rvsecncl",
       "POST",
       "/uapi/domestic-stock/v1/trading/order-rvsecncl",
       {"TTTC0013U", "TTTC0803U"},
       {"VTTC0013U", "VTTC0803U"},
       true},
      {"inquire-balance",
       "GET",
       "/uapi/domestic-stock/v1/trading/inquire-balance",
       {"TTTC8434R"},
       {"VTTC8434R"}},
      {"inquire-daily-ccld",
       "GET",
       "/uapi/domestic-stock/v1/trading/inquire-daily-ccld",
       {"TTTC0081R", "CTSC9215R", "TTTC8001R", "CTSC9115R"},
       {"VTTC0081R", "VTSC9215R", "VTTC8001R", "VTSC9115R"}},
      {"inquire-psbl-order",
       "GET",
       "/uapi/domestic-stock/v1/trading/inquire-psbl-order",
       {"TTTC8908R"},
       {"VTTC8908R"}},
      {"inquire-psbl-rvsecncl",
       "GET",
       "/uapi/domestic-stock/v1/trading/inquire-psbl-rvsecncl",
       {"TTTC0084R"},
       {}},
      {"inquire-psbl-sell",
       "GET",
       "/uapi/domestic-stock/v1/trading/inquire-psbl-sell",
       {"TTTC8408R"},
       {}},
  };
  return kEndpoints;
}

const Endpoint* find_endpoint(std::string_view name) {
  for (const Endpoint& e : endpoints()) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

TrIdCheck check_tr_id(const Endpoint& endpoint, Env env, std::string_view tr_id) {
  if (env == Env::kReal) {
    return contains(endpoint.real_tr_ids, tr_id) ? TrIdCheck::kOk : TrIdCheck::kUnknownService;
  }
  if (contains(endpoint.paper_tr_ids, tr_id)) return TrIdCheck::kOk;
  // A real TR id on the paper host — this API's, another's, or any real account TR (T/J/C).
  for (const Endpoint& e : endpoints()) {
    if (contains(e.real_tr_ids, tr_id) && !contains(e.paper_tr_ids, tr_id)) {
      return TrIdCheck::kNotPaperTr;
    }
  }
  if (!tr_id.empty() && (tr_id[0] == 'T' || tr_id[0] == 'J' || tr_id[0] == 'C')) {
    return TrIdCheck::kNotPaperTr;
  }
  return TrIdCheck::kUnknownService;
}

std::optional<domain::Side> order_side(std::string_view tr_id) {
  if (tr_id.size() != 9) return std::nullopt;
  const std::string_view code = tr_id.substr(4, 4);
  if (code == "0012" || code == "0802") return domain::Side::kBuy;
  if (code == "0011" || code == "0801") return domain::Side::kSell;
  return std::nullopt;
}

}  // namespace quantd::kis_mock
