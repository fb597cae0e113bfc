// Router, Request and Response without any I/O.
#include "quantd/http/router.h"

#include <doctest/doctest.h>

#include <stdexcept>

#include "quantd/http/sse_hub.h"
#include "quantd/http/static_assets.h"

namespace quantd::http {
namespace {

Request req(std::string method, std::string target, std::string body = {}) {
  auto r = make_request(std::move(method), std::move(target), std::move(body));
  REQUIRE(r.ok());
  return std::move(r).value();
}

nlohmann::json body_of(const Response& response) { return nlohmann::json::parse(response.body); }

Router sample_router() {
  Router router;
  router.add("GET", "/api/strategies", [](const Request&) { return json(200, {{"list", true}}); });
  router.add("POST", "/api/strategies", [](const Request& r) {
    return json(201, {{"body", r.body}});
  });
  router.add("GET", "/api/strategies/{id}", [](const Request& r) {
    return json(200, {{"id", r.param("id")}});
  });
  router.add("GET", "/api/strategies/new", [](const Request&) {
    return json(200, {{"new", true}});
  });
  router.add("DELETE", "/api/strategies/{id}", [](const Request&) { return empty(204); });
  router.add("GET", "/api/bars/{symbol}/{interval}", [](const Request& r) {
    return json(200, {{"symbol", r.param("symbol")},
                      {"interval", r.param("interval")},
                      {"from", r.query.count("from") ? r.query.at("from") : ""}});
  });
  router.add("GET", "/api/boom",
             [](const Request&) -> Response { throw std::runtime_error("kaput"); });
  router.add("GET", "/api/boom2", [](const Request&) -> Response { throw 42; });
  router.add("GET", "/api/badstatus", [](const Request&) { return empty(7); });
  router.add("GET", "/api/cached", [](const Request&) {
    Response r = text(200, "x");
    r.set_header("Cache-Control", "max-age=60");
    return r;
  });
  return router;
}

TEST_CASE("make_request decodes the path and the query") {
  Request r = req("GET", "/api/bars/A%20B?from=2024-01-02&q=a+b%2Bc&flag&from=dup");
  CHECK(r.path == "/api/bars/A B");
  CHECK(r.target == "/api/bars/A%20B?from=2024-01-02&q=a+b%2Bc&flag&from=dup");
  CHECK(r.query.at("from") == "2024-01-02");  // first occurrence wins
  CHECK(r.query.at("q") == "a b+c");
  CHECK(r.query.at("flag") == "");

  CHECK_FALSE(make_request("GET", "/a%zz").ok());
  CHECK_FALSE(make_request("GET", "/a%2").ok());
  CHECK_FALSE(make_request("GET", "/a?x=%g0").ok());
  CHECK_FALSE(make_request("GET", "/a%00b").ok());
  CHECK_FALSE(make_request("GET", "http://example.com/").ok());
  CHECK_FALSE(make_request("GET", "").ok());
  CHECK(make_request("GET", "/a%00b").status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("Request::header is case-insensitive; url_decode") {
  Request r = req("GET", "/");
  r.headers = {{"Content-Type", "application/json"}, {"X-Thing", "1"}, {"x-thing", "2"}};
  CHECK(r.header("content-type") == "application/json");
  CHECK(r.header("X-THING") == "1");
  CHECK_FALSE(r.header("Authorization").has_value());
  CHECK(url_decode("a+b%41", true) == "a bA");
  CHECK(url_decode("a+b%41", false) == "a+bA");
  CHECK_FALSE(url_decode("%4", false).has_value());
}

TEST_CASE("routes match with path parameters; literals beat parameters") {
  Router router = sample_router();
  Response r = router.handle(req("GET", "/api/strategies/42"));
  CHECK(r.status == 200);
  CHECK(body_of(r)["id"] == "42");

  CHECK(body_of(router.handle(req("GET", "/api/strategies/new")))["new"] == true);
  CHECK(body_of(router.handle(req("GET", "/api/strategies")))["list"] == true);

  r = router.handle(req("GET", "/api/bars/005930/1d?from=2024-01-02"));
  CHECK(body_of(r)["symbol"] == "005930");
  CHECK(body_of(r)["interval"] == "1d");
  CHECK(body_of(r)["from"] == "2024-01-02");

  // An encoded '/' stays inside its segment and is decoded in the parameter.
  r = router.handle(req("GET", "/api/strategies/a%2Fb"));
  CHECK(r.status == 200);
  CHECK(body_of(r)["id"] == "a/b");

  r = router.handle(req("POST", "/api/strategies", "{\"name\":\"x\"}"));
  CHECK(r.status == 201);
  CHECK(body_of(r)["body"] == "{\"name\":\"x\"}");

  CHECK(router.handle(req("DELETE", "/api/strategies/7")).status == 204);
  // Parameters never match an empty segment.
  CHECK(router.handle(req("GET", "/api/strategies/")).status == 404);
}

TEST_CASE("a request built without a target still routes on its path") {
  Router router = sample_router();
  Request r;
  r.method = "GET";
  r.path = "/api/strategies/9";
  CHECK(body_of(router.handle(r))["id"] == "9");
}

TEST_CASE("unknown API path is a 404 problem; wrong method is a 405 with Allow") {
  Router router = sample_router();
  Response r = router.handle(req("GET", "/api/nothing/here"));
  CHECK(r.status == 404);
  CHECK(r.content_type == "application/problem+json");
  auto doc = body_of(r);
  CHECK(doc["type"] == "about:blank");
  CHECK(doc["title"] == "Not Found");
  CHECK(doc["status"] == 404);
  CHECK(doc["detail"].get<std::string>().find("/api/nothing/here") != std::string::npos);
  CHECK_FALSE(doc.contains("errors"));

  r = router.handle(req("PUT", "/api/strategies/3"));
  CHECK(r.status == 405);
  CHECK(r.header("Allow") == "DELETE, GET, HEAD");
  CHECK(body_of(r)["status"] == 405);

  r = router.handle(req("PATCH", "/api/strategies"));
  CHECK(r.status == 405);
  CHECK(r.header("allow") == "GET, HEAD, POST");
}

TEST_CASE("HEAD runs the GET handler") {
  Router router = sample_router();
  Response r = router.handle(req("HEAD", "/api/strategies/5"));
  CHECK(r.status == 200);
  CHECK(body_of(r)["id"] == "5");
}

TEST_CASE("a throwing handler becomes a 500 problem; so does an invalid status") {
  Router router = sample_router();
  for (const char* target : {"/api/boom", "/api/boom2", "/api/badstatus"}) {
    CAPTURE(target);
    Response r = router.handle(req("GET", target));
    CHECK(r.status == 500);
    CHECK(r.content_type == "application/problem+json");
    CHECK(body_of(r)["title"] == "Internal Server Error");
    // The exception text stays in the log, not in the response.
    CHECK(r.body.find("kaput") == std::string::npos);
  }
}

TEST_CASE("API responses are not cached unless the handler says so") {
  Router router = sample_router();
  CHECK(router.handle(req("GET", "/api/strategies")).header("Cache-Control") == "no-store");
  CHECK(router.handle(req("GET", "/api/missing")).header("Cache-Control") == "no-store");
  CHECK(router.handle(req("GET", "/api/cached")).header("Cache-Control") == "max-age=60");
}

TEST_CASE("non-API paths fall back to static assets for GET and HEAD") {
  Router router = sample_router();
  static const EmbeddedFile kFiles[] = {{"index.html", "<h1>hi</h1>"}, {"app.js", "let a;"}};
  StaticAssets assets(kFiles);

  Response r = router.handle(req("GET", "/"), &assets);
  CHECK(r.status == 200);
  CHECK(r.body == "<h1>hi</h1>");
  CHECK_FALSE(r.header("Cache-Control") == "no-store");
  CHECK(router.handle(req("HEAD", "/app.js"), &assets).status == 200);
  CHECK(router.handle(req("GET", "/nope.js"), &assets).status == 404);
  // Without assets, or for other methods, nothing is served.
  CHECK(router.handle(req("GET", "/")).status == 404);
  CHECK(router.handle(req("POST", "/app.js"), &assets).status == 404);
  // /api never reaches the assets.
  CHECK(router.handle(req("GET", "/api/app.js"), &assets).status == 404);
}

TEST_CASE("routes() lists every route in registration order; SSE routes are GET") {
  Router router;
  SseHub hub;
  router.add("GET", "/api/a", [](const Request&) { return empty(204); });
  router.add("POST", "/api/a/{id}", [](const Request&) { return empty(204); });
  router.add_sse("/api/events", hub);
  const std::vector<RouteInfo> expected = {
      {"GET", "/api/a", false}, {"POST", "/api/a/{id}", false}, {"GET", "/api/events", true}};
  CHECK(router.routes() == expected);

  CHECK(router.sse_hub_for(req("GET", "/api/events")) == &hub);
  CHECK(router.sse_hub_for(req("GET", "/api/a")) == nullptr);
  CHECK(router.sse_hub_for(req("POST", "/api/events")) == nullptr);
  CHECK(router.handle(req("POST", "/api/events")).status == 405);
}

TEST_CASE("problem() follows RFC 9457 and carries validation errors") {
  Response r =
      problem(422, "Unprocessable Content", "The strategy has 2 errors.",
              nlohmann::json::array({{{"field", "name"}, {"message", "must not be empty"}},
                                     {{"field", "symbols"}, {"message", "at least one"}}}));
  CHECK(r.status == 422);
  CHECK(r.content_type == "application/problem+json");
  auto doc = body_of(r);
  CHECK(doc["type"] == "about:blank");
  CHECK(doc["title"] == "Unprocessable Content");
  CHECK(doc["status"] == 422);
  CHECK(doc["detail"] == "The strategy has 2 errors.");
  REQUIRE(doc["errors"].size() == 2);
  CHECK(doc["errors"][0]["field"] == "name");
  CHECK(doc["errors"][1]["message"] == "at least one");

  CHECK_FALSE(body_of(problem(400, "Bad Request", "x")).contains("errors"));  // omitted when empty
}

TEST_CASE("json() never throws, even on invalid UTF-8; text() and empty()") {
  Response r = json(200, {{"s", std::string("\xff\xfe")}});
  CHECK(r.content_type == "application/json");
  CHECK(r.status == 200);
  CHECK(nlohmann::json::accept(r.body));

  Response t = text(201, "hello");
  CHECK(t.content_type == "text/plain; charset=utf-8");
  CHECK(t.body == "hello");
  Response e = empty(204);
  CHECK(e.body.empty());
  CHECK(e.content_type.empty());

  Response h;
  h.set_header("X-A", "1").set_header("x-a", "2");
  CHECK(h.headers.size() == 1);
  CHECK(h.header("X-A") == "2");
  CHECK(reason_phrase(413) == "Content Too Large");
}

}  // namespace
}  // namespace quantd::http
