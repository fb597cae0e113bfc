// Paging ("연속조회", PROTOCOL §3.4) of inquire-daily-ccld and inquire-balance.
//
// A first request has header tr_cont "" (its CTX_AREA_* keys are ignored); the answer's header
// tr_cont is "F" when more rows follow and "D" when it was the only page. A continuation request
// has tr_cont "N" and must echo the previous answer's ctx_area_fk100 and ctx_area_nk100 byte for
// byte (100 characters, space-padded); its answer says "M" (more follow) or "E" (last page).
// ctx_area_fk100 identifies the query ("CANO^ACNT_PRDT_CD^...^", as in the examples);
// ctx_area_nk100 is the key of the last row served ("^"-joined, then "^"), or 100 spaces on the
// last page. A continuation resumes after that row in the query's order, so rows that appear
// meanwhile before it are not served twice. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "quantd/http/request.h"

namespace quantd::kis_mock {

struct PageRequest {
  bool continuation = false;  // header tr_cont "N"
  std::string fk100;          // query CTX_AREA_FK100 as sent
  std::string nk100;          // query CTX_AREA_NK100 as sent
};

// Reads tr_cont and the CTX_AREA_* keys of a request.
PageRequest read_page_request(const http::Request& request);

// `fields` joined with '^', a trailing '^', padded with spaces to 100 characters.
std::string context_key(const std::vector<std::string>& fields);

struct Page {
  std::string error_field;  // non-empty: the continuation key that was not echoed exactly
  std::size_t begin = 0;    // rows [begin, end) of the query's rows
  std::size_t end = 0;
  std::string tr_cont;  // the answer's header
  std::string nk100;    // the answer's ctx_area_nk100
};

// The page of a query whose rows have keys `row_keys` (each its key fields joined by '^'),
// sorted ascending, or descending when `descending`; `fk100` is the query's own key and
// `page_size` >= 1 rows per page.
Page select_page(const std::vector<std::string>& row_keys, bool descending,
                 const PageRequest& request, const std::string& fk100, std::size_t page_size);

}  // namespace quantd::kis_mock
