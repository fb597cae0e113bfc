#include "quantd/http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <optional>
#include <set>
#include <string_view>

#include "quantd/http/static_assets.h"
#include "text_internal.h"

namespace quantd::http {

namespace {

struct Segment {
  bool is_param = false;
  std::string text;  // the literal, or the parameter's name
};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<Segment> segments;
  Handler handler;
  SseHub* hub = nullptr;  // set for SSE routes
  RouteOptions options;
};

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}. `path` starts with '/'.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

[[noreturn]] void bad_route(std::string_view method, std::string_view pattern,
                            std::string_view why) {
  spdlog::critical("http: invalid route {} {}: {}", method, pattern, why);
  std::abort();
}

std::vector<Segment> compile_pattern(std::string_view method, std::string_view pattern) {
  if (method.empty()) bad_route(method, pattern, "empty method");
  if (pattern.empty() || pattern.front() != '/') bad_route(method, pattern, "must start with '/'");
  std::vector<Segment> segments;
  std::set<std::string, std::less<>> names;
  for (std::string_view part : split_path(pattern)) {
    const bool opens = part.find('{') != std::string_view::npos;
    const bool closes = part.find('}') != std::string_view::npos;
    if (!opens && !closes) {
      segments.push_back({false, std::string(part)});
      continue;
    }
    if (part.size() < 3 || part.front() != '{' || part.back() != '}' ||
        part.substr(1, part.size() - 2).find_first_of("{}") != std::string_view::npos) {
      bad_route(method, pattern, "a parameter must fill a whole segment, like {id}");
    }
    std::string name(part.substr(1, part.size() - 2));
    if (!names.insert(name).second) bad_route(method, pattern, "duplicate parameter name");
    segments.push_back({true, std::move(name)});
  }
  return segments;
}

// The path the router matches: the raw path of the target (so an encoded '/' stays inside its
// segment), or request.path for requests built by hand without a target.
std::string_view raw_path_of(const Request& request) {
  if (!request.target.empty() && request.target.front() == '/') {
    std::string_view target = request.target;
    return target.substr(0, target.find('?'));
  }
  return request.path;
}

// Matches decoded path segments against a route. On success returns the parameters and a
// specificity key: one flag per segment, true for a literal (a larger key is more specific).
struct Match {
  std::map<std::string, std::string> params;
  std::vector<bool> specificity;
};

std::optional<Match> match_route(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return std::nullopt;
  Match match;
  match.specificity.reserve(segments.size());
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& want = route.segments[i];
    if (want.is_param) {
      if (segments[i].empty()) return std::nullopt;
      match.params.emplace(want.text, segments[i]);
    } else if (want.text != segments[i]) {
      return std::nullopt;
    }
    match.specificity.push_back(!want.is_param);
  }
  return match;
}

std::vector<std::string> decoded_segments(const Request& request) {
  std::vector<std::string> out;
  for (std::string_view part : split_path(raw_path_of(request))) {
    auto decoded = url_decode(part, /*plus_is_space=*/false);
    out.push_back(decoded ? std::move(*decoded) : std::string(part));
  }
  return out;
}

Response internal_error() {
  return problem(500, "Internal Server Error",
                 "The server failed to handle this request; the server log has the details.");
}

}  // namespace

struct Router::Impl {
  std::vector<Route> routes;  // registration order; immutable once the server runs

  void add(Route route) {
    for (const Route& existing : routes) {
      if (existing.method == route.method && existing.pattern == route.pattern) {
        bad_route(route.method, route.pattern, "registered twice");
      }
    }
    routes.push_back(std::move(route));
  }

  // The most specific route matching the path whose method fits (HEAD also accepts GET; an exact
  // method wins a tie), and the set of methods any matching pattern allows.
  const Route* find(const Request& request, std::map<std::string, std::string>* params,
                    std::set<std::string>* allowed) const {
    const std::vector<std::string> segments = decoded_segments(request);
    const Route* best = nullptr;
    std::optional<Match> best_match;
    bool best_exact = false;
    for (const Route& route : routes) {
      std::optional<Match> match = match_route(route, segments);
      if (!match) continue;
      if (allowed) allowed->insert(route.method);
      const bool exact = route.method == request.method;
      if (!exact && !(request.method == "HEAD" && route.method == "GET")) continue;
      if (best == nullptr || match->specificity > best_match->specificity ||
          (match->specificity == best_match->specificity && exact && !best_exact)) {
        best = &route;
        best_match = std::move(match);
        best_exact = exact;
      }
    }
    if (best && params) *params = std::move(best_match->params);
    return best;
  }
};

Router::Router() : impl_(std::make_unique<Impl>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  if (!handler) bad_route(method, pattern, "empty handler");
  std::vector<Segment> segments = compile_pattern(method, pattern);
  impl_->add(Route{std::move(method), std::move(pattern), std::move(segments), std::move(handler),
                   nullptr, std::move(options)});
}

void Router::add_sse(std::string pattern, SseHub& hub, RouteOptions options) {
  std::vector<Segment> segments = compile_pattern("GET", pattern);
  impl_->add(
      Route{"GET", std::move(pattern), std::move(segments), nullptr, &hub, std::move(options)});
}

std::optional<RouteOptions> Router::options_for(const Request& request) const {
  const Route* route = impl_->find(request, nullptr, nullptr);
  if (route == nullptr) return std::nullopt;
  return route->options;
}

std::vector<RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(impl_->routes.size());
  for (const Route& route : impl_->routes)
    out.push_back({route.method, route.pattern, route.hub != nullptr});
  return out;
}

SseHub* Router::sse_hub_for(const Request& request) const {
  if (request.method != "GET") return nullptr;
  const Route* route = impl_->find(request, nullptr, nullptr);
  return route ? route->hub : nullptr;
}

int Router::route_index(const Request& request) const {
  const Route* route = impl_->find(request, nullptr, nullptr);
  return route ? static_cast<int>(route - impl_->routes.data()) : -1;
}

Response Router::handle(Request request, const StaticAssets* assets, int* route_out) const {
  Response response;
  if (route_out) *route_out = -1;
  try {
    std::set<std::string> allowed;
    const Route* route = impl_->find(request, &request.params, &allowed);
    if (route && route_out) *route_out = static_cast<int>(route - impl_->routes.data());
    if (route && route->hub) {
      response = problem(400, "Bad Request",
                         "This URL is an event stream; open it with a GET from EventSource.");
    } else if (route) {
      try {
        response = route->handler(request);
        if (response.status < 100 || response.status > 599) {
          spdlog::error("http: handler for {} {} returned invalid status {}", route->method,
                        route->pattern, response.status);
          response = internal_error();
        }
      } catch (const std::exception& e) {
        // An exception's text may quote the input (a JSON literal, a CSV row): an excerpt only.
        spdlog::error("http: handler for {} {} threw: {}", route->method, route->pattern,
                      detail::log_excerpt(e.what()));
        response = internal_error();
      } catch (...) {
        spdlog::error("http: handler for {} {} threw a non-standard exception", route->method,
                      route->pattern);
        response = internal_error();
      }
    } else if (!allowed.empty()) {
      if (allowed.contains("GET")) allowed.insert("HEAD");
      std::string allow;
      for (const std::string& method : allowed) {
        if (!allow.empty()) allow += ", ";
        allow += method;
      }
      response =
          problem(405, "Method Not Allowed",
                  request.method + " is not supported on " + request.path + "; use " + allow + ".");
      response.set_header("Allow", allow);
    } else if (detail::is_api_path(request.path)) {
      response = problem(404, "Not Found", "No API endpoint matches " + request.path + ".");
    } else if (assets != nullptr && (request.method == "GET" || request.method == "HEAD")) {
      response = assets->serve(request);
    } else {
      response = problem(404, "Not Found", "Nothing is served at " + request.path + ".");
    }
  } catch (const std::exception& e) {
    // Only allocation failure can land here; answer rather than let it reach an I/O handler.
    spdlog::error("http: routing {} failed: {}", request.path, e.what());
    response = internal_error();
  }
  if (detail::is_api_path(request.path) && !response.header("Cache-Control")) {
    response.set_header("Cache-Control", "no-store");
  }
  return response;
}

}  // namespace quantd::http
