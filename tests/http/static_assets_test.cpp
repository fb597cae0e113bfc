// StaticAssets from embedded files and from a directory, without I/O.
#include "quantd/http/static_assets.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "temp_dir.h"

namespace quantd::http {
namespace {

Request get(std::string target, std::string method = "GET") {
  auto r = make_request(std::move(method), std::move(target));
  REQUIRE(r.ok());
  return std::move(r).value();
}

const EmbeddedFile kFiles[] = {
    {"app.js", "console.log(1);"},
    {"chart.mjs", "export {};"},
    {"css/site.css", "body{}"},
    {"favicon.ico", "ICO"},
    {"img/logo.png", "\x89PNG"},
    {"img/logo.svg", "<svg/>"},
    {"index.html", "<!doctype html><p>quantd</p>"},
    {"openapi.json", "{}"},
    {"app.js.map", "{\"version\":3}"},
    {"fonts/a.woff2", "wOF2"},
    {"robots.txt", "User-agent: *"},
    {"docs/index.html", "<p>docs</p>"},
    {"blob.bin", "\x01\x02"},
};

TEST_CASE("content types by extension") {
  CHECK(StaticAssets::content_type_for("index.html") == "text/html; charset=utf-8");
  CHECK(StaticAssets::content_type_for("a/b/app.js") == "text/javascript; charset=utf-8");
  CHECK(StaticAssets::content_type_for("x.mjs") == "text/javascript; charset=utf-8");
  CHECK(StaticAssets::content_type_for("x.CSS") == "text/css; charset=utf-8");
  CHECK(StaticAssets::content_type_for("x.svg") == "image/svg+xml");
  CHECK(StaticAssets::content_type_for("x.png") == "image/png");
  CHECK(StaticAssets::content_type_for("x.ico") == "image/x-icon");
  CHECK(StaticAssets::content_type_for("x.json") == "application/json");
  CHECK(StaticAssets::content_type_for("x.js.map") == "application/json");
  CHECK(StaticAssets::content_type_for("x.woff2") == "font/woff2");
  CHECK(StaticAssets::content_type_for("x.txt") == "text/plain; charset=utf-8");
  CHECK(StaticAssets::content_type_for("Makefile") == "application/octet-stream");
  CHECK(StaticAssets::content_type_for("dir.d/file") == "application/octet-stream");
}

TEST_CASE("etag_for is a quoted, content-derived strong validator") {
  const std::string a = StaticAssets::etag_for("hello");
  CHECK(a.front() == '"');
  CHECK(a.back() == '"');
  CHECK(a.find("W/") == std::string::npos);
  CHECK(a == StaticAssets::etag_for("hello"));
  CHECK(a != StaticAssets::etag_for("hellp"));
  CHECK(StaticAssets::etag_for("") != StaticAssets::etag_for(std::string_view("\0", 1)));
}

TEST_CASE("embedded: index at /, files with content types, ETag and no-cache") {
  StaticAssets assets(kFiles);
  Response r = assets.serve(get("/"));
  CHECK(r.status == 200);
  CHECK(r.body == "<!doctype html><p>quantd</p>");
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.header("ETag") == StaticAssets::etag_for(r.body));
  CHECK(r.header("Cache-Control") == "no-cache");
  CHECK(assets.serve(get("/index.html")).body == r.body);
  CHECK(assets.serve(get("/docs/")).body == "<p>docs</p>");

  struct Case {
    const char* target;
    const char* type;
  };
  for (const Case& c :
       {Case{"/app.js", "text/javascript; charset=utf-8"},
        Case{"/chart.mjs", "text/javascript; charset=utf-8"},
        Case{"/css/site.css", "text/css; charset=utf-8"}, Case{"/favicon.ico", "image/x-icon"},
        Case{"/img/logo.png", "image/png"}, Case{"/img/logo.svg", "image/svg+xml"},
        Case{"/openapi.json", "application/json"}, Case{"/app.js.map", "application/json"},
        Case{"/fonts/a.woff2", "font/woff2"}, Case{"/robots.txt", "text/plain; charset=utf-8"},
        Case{"/blob.bin", "application/octet-stream"}}) {
    CAPTURE(c.target);
    Response f = assets.serve(get(c.target));
    CHECK(f.status == 200);
    CHECK(f.content_type == c.type);
  }
}

TEST_CASE("embedded: If-None-Match answers 304 without a body") {
  StaticAssets assets(kFiles);
  const std::string etag = std::string(*assets.serve(get("/app.js")).header("ETag"));

  for (std::string inm : {etag, "\"other\", " + etag, "W/" + etag, std::string("*")}) {
    CAPTURE(inm);
    Request request = get("/app.js");
    request.headers.emplace_back("if-none-match", inm);
    Response r = assets.serve(request);
    CHECK(r.status == 304);
    CHECK(r.body.empty());
    CHECK(r.header("ETag") == etag);
  }
  Request stale = get("/app.js");
  stale.headers.emplace_back("If-None-Match", "\"stale\"");
  CHECK(assets.serve(stale).status == 200);
}

TEST_CASE("embedded: missing files, bad paths and methods") {
  StaticAssets assets(kFiles);
  Response r = assets.serve(get("/missing.js"));
  CHECK(r.status == 404);
  CHECK(r.content_type == "application/problem+json");
  CHECK(assets.serve(get("/img/")).status == 404);  // no img/index.html
  CHECK(assets.serve(get("/img//logo.png")).status == 404);
  CHECK(assets.serve(get("/../index.html")).status == 400);
  CHECK(assets.serve(get("/%2e%2e/index.html")).status == 400);
  CHECK(assets.serve(get("/img/./logo.png")).status == 400);
  CHECK(assets.serve(get("/img%5clogo.png")).status == 400);

  Response post = assets.serve(get("/app.js", "POST"));
  CHECK(post.status == 405);
  CHECK(post.header("Allow") == "GET, HEAD");
  Response head = assets.serve(get("/app.js", "HEAD"));
  CHECK(head.status == 200);
  CHECK(head.body == "console.log(1);");  // the server drops it on the wire
}

TEST_CASE("an empty embedded table (the generator's placeholder) serves nothing") {
  const EmbeddedFile placeholder[] = {{"", ""}};
  StaticAssets assets(std::span<const EmbeddedFile>(placeholder, 0));
  CHECK(assets.serve(get("/")).status == 404);
  StaticAssets assets2(placeholder);
  CHECK(assets2.serve(get("/")).status == 404);
}

using test::TempDir;

TEST_CASE("directory mode: serves files, re-reads them, refuses to leave the root") {
  TempDir dir;
  dir.write("www/index.html", "<p>dev</p>");
  dir.write("www/js/app.js", "v1");
  dir.write("secret.txt", "TOP SECRET");
  StaticAssets assets(dir.path / "www");

  Response r = assets.serve(get("/"));
  CHECK(r.status == 200);
  CHECK(r.body == "<p>dev</p>");
  CHECK(r.content_type == "text/html; charset=utf-8");

  Response js = assets.serve(get("/js/app.js"));
  CHECK(js.body == "v1");
  const std::string etag1 = std::string(*js.header("ETag"));
  Request conditional = get("/js/app.js");
  conditional.headers.emplace_back("If-None-Match", etag1);
  CHECK(assets.serve(conditional).status == 304);

  dir.write("www/js/app.js", "v2 changed");  // dev mode: the next request sees the edit
  Response js2 = assets.serve(get("/js/app.js"));
  CHECK(js2.body == "v2 changed");
  CHECK(js2.header("ETag") != etag1);
  CHECK(assets.serve(conditional).status == 200);

  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/js/../../secret.txt",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/..%5csecret.txt", "/js/%2e/app.js"}) {
    CAPTURE(target);
    Response bad = assets.serve(get(target));
    CHECK(bad.status == 400);
    CHECK(bad.body.find("TOP SECRET") == std::string::npos);
  }
  CHECK(assets.serve(get("/missing.css")).status == 404);
  CHECK(assets.serve(get("/js")).status == 404);  // a folder without a trailing slash

  // A symlink that points outside the root is not followed.
  std::error_code ec;
  std::filesystem::create_symlink(dir.path / "secret.txt", dir.path / "www" / "link.txt", ec);
  if (!ec) {
    Response link = assets.serve(get("/link.txt"));
    CHECK(link.status == 404);
    CHECK(link.body.find("TOP SECRET") == std::string::npos);
  }

  StaticAssets missing_root(dir.path / "nope");
  CHECK(missing_root.serve(get("/")).status == 404);
}

}  // namespace
}  // namespace quantd::http
