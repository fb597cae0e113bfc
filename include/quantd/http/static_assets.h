// StaticAssets: serves the web UI, either embedded in the binary or from a folder (dev mode).
//
// Design: embedded assets are indexed once at construction (content type and a strong ETag per
// file), then only read, so serve() is thread-safe. Directory mode reads the file on each request
// so UI edits show up on reload; it resolves every path inside the root and refuses anything that
// would leave it (dot segments, backslashes, NUL, symlinks pointing outside).
//
// Caching: every file is sent with `Cache-Control: no-cache` (the browser revalidates) and a strong
// ETag (a hash of the content); a matching If-None-Match answers 304 without a body.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "quantd/core/embedded.h"
#include "quantd/http/request.h"
#include "quantd/http/response.h"

namespace quantd::http {

class StaticAssets {
 public:
  // Serves `files` (paths relative to the UI root, '/'-separated, e.g. "index.html",
  // "js/app.js"), e.g. embedded::web_assets(). Indexes them once (content type, ETag). The file
  // data is not copied: it must outlive this object (embedded data lives for the whole program).
  explicit StaticAssets(std::span<const EmbeddedFile> files);

  // Development mode: serves files under `root`, read on each request. `root` need not exist yet
  // (requests then answer 404).
  explicit StaticAssets(std::filesystem::path root);

  ~StaticAssets();
  StaticAssets(StaticAssets&&) noexcept;
  StaticAssets& operator=(StaticAssets&&) noexcept;
  StaticAssets(const StaticAssets&) = delete;
  StaticAssets& operator=(const StaticAssets&) = delete;

  // Answers a GET or HEAD for request.path: "/" and any path ending in '/' mean "index.html" in
  // that folder. 200 with the file, Content-Type by extension, ETag and Cache-Control; 304 if
  // If-None-Match matches; 400 problem for a path with dot segments, backslashes or NUL; 404
  // problem if there is no such file; 405 problem (Allow: GET, HEAD) for other methods. The body
  // is included for HEAD too (the server drops it on the wire). Thread-safe; never throws.
  Response serve(const Request& request) const;

  // The Content-Type for a file name by its extension (html, js, mjs, css, svg, png, ico, json,
  // map, woff2, txt); "application/octet-stream" otherwise. Pure.
  static std::string_view content_type_for(std::string_view file_name);

  // The strong ETag (quoted) for `content`: a 64-bit FNV-1a hash and the length, in hex. Pure.
  static std::string etag_for(std::string_view content);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quantd::http
