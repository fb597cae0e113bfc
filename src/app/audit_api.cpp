// The audit log: every state-changing request recorded as the server finishes it
// (record_audit, the daemon's http::StateChangeObserver), and GET /api/audit paging it.
#include <spdlog/spdlog.h>

#include <charconv>

#include "api_internal.h"
#include "quantd/auth/auth_service.h"
#include "quantd/storage/audit_log.h"

namespace quantd::app {

namespace {

constexpr std::size_t kSummaryMax = 200;
// Larger responses are not parsed for an id: the summary is a convenience, not worth the work.
constexpr std::size_t kParseMax = 64 * 1024;

std::string clip(std::string text) {
  if (text.size() > kSummaryMax) {
    text.resize(kSummaryMax);
    // Never end inside a UTF-8 sequence.
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) {
      text.pop_back();
    }
    if (!text.empty() && (static_cast<unsigned char>(text.back()) & 0x80)) text.pop_back();
    text += "…";
  }
  return text;
}

// Made from the response only: the request body (which may hold a password or a broker key) is
// never read here, and problem details are written for the client, without secrets.
std::string summary(const http::Request& request, const http::Response& response) {
  const int status = response.status;
  if (request.path == "/api/login") {
    if (status == 204) {
      const auto session = response.header(api::kSessionIdHeader);
      return session ? "logged in as session " + std::string(*session) : "logged in";
    }
    if (status == 401) return "wrong password";
    if (status == 429) return "login refused: too many attempts";
  }
  if (request.path == "/api/logout" && status == 204) return "logged out";
  std::string out(http::reason_phrase(status));
  const bool json_body = response.content_type.find("json") != std::string::npos;
  if (!json_body || response.body.size() > kParseMax) return out;
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return out;
  if (status >= 400) {
    const auto detail = body.find("detail");
    if (detail != body.end() && detail->is_string()) out += ": " + detail->get<std::string>();
  } else if (const auto id = body.find("id"); id != body.end() && id->is_number_integer()) {
    out += ", id " + std::to_string(id->get<std::int64_t>());
  }
  return clip(std::move(out));
}

}  // namespace

void record_audit(storage::AuditLog& log, const Clock& clock, const http::Request& request,
                  const http::Response& response) {
  storage::AuditEntry e;
  e.ts = clock.now();
  e.actor = request.caller.actor();
  e.client = auth::client_address(request.remote);
  e.method = request.method;
  e.path = clip(request.path);
  e.status = response.status;
  e.summary = summary(request, response);
  if (Status st = log.append(e); !st.ok()) spdlog::error("audit: {}", st.message());
}

namespace api {
namespace {

constexpr std::int64_t kMaxPage = 500;

http::Response list_audit(const ApiContext& ctx, const http::Request& request) {
  if (!ctx.audit) {
    return http::problem(503, "Service Unavailable", "The audit log is not available.");
  }
  Errors errors;
  auto integer = [&](const char* name, std::int64_t min, std::int64_t max) {
    std::optional<std::int64_t> out;
    const auto it = request.query.find(name);
    if (it == request.query.end() || it->second.empty()) return out;
    std::int64_t v = 0;
    const char* end = it->second.data() + it->second.size();
    auto [p, ec] = std::from_chars(it->second.data(), end, v);
    if (ec != std::errc() || p != end || v < min || v > max) {
      errors.add(name, "must be a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max));
    } else {
      out = v;
    }
    return out;
  };
  const std::int64_t limit = integer("limit", 1, kMaxPage).value_or(100);
  const auto before = integer("before", 1, INT64_MAX);
  if (!errors.empty()) return validation_failed(errors);
  auto page = ctx.audit->page(static_cast<int>(limit), before);
  if (!page.ok()) return from_status(page.status());
  json entries = json::array();
  for (const storage::AuditEntry& e : *page) {
    entries.push_back({{"id", e.id},
                       {"ts", format_utc_iso(e.ts)},
                       {"actor", e.actor},
                       {"client", e.client},
                       {"method", e.method},
                       {"path", e.path},
                       {"status", e.status},
                       {"summary", e.summary}});
  }
  // A full page may have more behind it; the client asks again with before = next_before.
  const json next = static_cast<std::int64_t>(page->size()) == limit && !page->empty()
                        ? json(page->back().id)
                        : json(nullptr);
  return http::json(200, {{"entries", std::move(entries)}, {"next_before", next}});
}

}  // namespace

void register_audit_routes(http::Router& router, ApiContext ctx, const HandlerGuard& guard) {
  add_route(router, "GET", "/api/audit", ctx, guard, list_audit);
}

}  // namespace api
}  // namespace quantd::app
