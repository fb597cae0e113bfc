#include "paging.h"

#include <algorithm>

#include "envelope.h"

namespace quantd::kis_mock {

namespace {

constexpr std::size_t kKeyWidth = 100;

}  // namespace

PageRequest read_page_request(const http::Request& request) {
  PageRequest page;
  page.continuation = request.header("tr_cont").value_or("") == "N";
  page.fk100 = query_param(request, "CTX_AREA_FK100").value_or("");
  page.nk100 = query_param(request, "CTX_AREA_NK100").value_or("");
  return page;
}

std::string context_key(const std::vector<std::string>& fields) {
  std::string key;
  for (const std::string& f : fields) key += f + "^";
  return pad_right(std::move(key), kKeyWidth);
}

Page select_page(const std::vector<std::string>& row_keys, bool descending,
                 const PageRequest& request, const std::string& fk100, std::size_t page_size) {
  Page page;
  if (request.continuation) {
    if (request.fk100 != fk100) {
      page.error_field = "CTX_AREA_FK100";
      return page;
    }
    std::string cursor = request.nk100;
    const auto last = cursor.find_last_not_of(' ');
    if (request.nk100.size() != kKeyWidth || last == std::string::npos || cursor[last] != '^') {
      page.error_field = "CTX_AREA_NK100";
      return page;
    }
    cursor.resize(last);  // without the trailing '^' and padding
    const auto after = std::find_if(row_keys.begin(), row_keys.end(), [&](const std::string& k) {
      return descending ? k < cursor : k > cursor;
    });
    page.begin = static_cast<std::size_t>(after - row_keys.begin());
  }
  page.end = std::min(row_keys.size(), page.begin + page_size);
  const bool more = page.end < row_keys.size();
  if (more) {
    std::string last = row_keys.at(page.end - 1);
    last.push_back('^');
    page.nk100 = pad_right(std::move(last), kKeyWidth);
  } else {
    page.nk100.assign(kKeyWidth, ' ');
  }
  // One character; assigned as a char (GCC 12 warns falsely on assigning these literals).
  page.tr_cont.assign(1, request.continuation ? (more ? 'M' : 'E') : (more ? 'F' : 'D'));
  return page;
}

}  // namespace quantd::kis_mock
