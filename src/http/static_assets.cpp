#include "quantd/http/static_assets.h"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <unordered_map>
#include <variant>

#include "text_internal.h"

namespace quantd::http {

namespace {

struct EmbeddedEntry {
  std::string_view data;
  std::string etag;  // computed once at construction
  std::string_view content_type;
};

struct EmbeddedTree {
  std::unordered_map<std::string, EmbeddedEntry> files;
};

struct DiskTree {
  std::filesystem::path root;
};

// Why a request path does not name a servable file.
enum class PathError { kNone, kBadPath, kNotFound };

// Turns the decoded request path into a relative file path ("js/app.js"), mapping folders to
// their index.html. Rejects what could step outside the root: dot segments, backslashes
// (a Windows separator), NUL, and empty segments.
PathError relative_file(std::string_view path, std::string& out) {
  if (path.empty() || path.front() != '/') return PathError::kBadPath;
  out.assign(path.substr(1));
  if (out.empty() || out.back() == '/') out += "index.html";
  if (out.find('\\') != std::string::npos || out.find('\0') != std::string::npos) {
    return PathError::kBadPath;
  }
  std::string_view rest = out;
  while (true) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == "..") return PathError::kBadPath;
    if (segment.empty()) return PathError::kNotFound;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return PathError::kNone;
}

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison; "*" matches any current file.
bool if_none_match_hits(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

Response file_response(const Request& request, std::string_view content_type, std::string_view data,
                       std::string etag) {
  const auto if_none_match = request.header("If-None-Match");
  Response response;
  if (if_none_match && if_none_match_hits(*if_none_match, etag)) {
    response.status = 304;
  } else {
    response.status = 200;
    response.content_type = std::string(content_type);
    response.body.assign(data);
  }
  response.headers.emplace_back("ETag", std::move(etag));
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

Response not_found(const Request& request) {
  return problem(404, "Not Found", "There is no file at " + request.path + ".");
}

std::optional<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return data;
}

// True if `path` is `root` or lies under it; both are canonical.
bool is_within(const std::filesystem::path& root, const std::filesystem::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

Response serve_from_disk(const DiskTree& tree, const Request& request, const std::string& rel) {
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(tree.root, ec);
  if (ec) return not_found(request);
  // canonical() resolves symlinks, so a link pointing outside the root is caught here too.
  const std::filesystem::path file = std::filesystem::canonical(root / rel, ec);
  if (ec || !is_within(root, file) || !std::filesystem::is_regular_file(file, ec)) {
    return not_found(request);
  }
  std::optional<std::string> data = read_file(file);
  if (!data) {
    spdlog::warn("http: cannot read static file {}", file.string());
    return not_found(request);
  }
  std::string etag = StaticAssets::etag_for(*data);
  Response response =
      file_response(request, StaticAssets::content_type_for(rel), {}, std::move(etag));
  if (response.status == 200) response.body = std::move(*data);
  return response;
}

}  // namespace

struct StaticAssets::Impl {
  std::variant<EmbeddedTree, DiskTree> tree;
};

StaticAssets::StaticAssets(std::span<const EmbeddedFile> files) : impl_(std::make_unique<Impl>()) {
  EmbeddedTree tree;
  for (const EmbeddedFile& file : files) {
    if (file.path.empty()) continue;  // the generator's placeholder for "no files"
    tree.files.emplace(std::string(file.path),
                       EmbeddedEntry{file.data, etag_for(file.data), content_type_for(file.path)});
  }
  impl_->tree = std::move(tree);
}

StaticAssets::StaticAssets(std::filesystem::path root)
    : impl_(std::make_unique<Impl>(Impl{DiskTree{std::move(root)}})) {}

StaticAssets::~StaticAssets() = default;
StaticAssets::StaticAssets(StaticAssets&&) noexcept = default;
StaticAssets& StaticAssets::operator=(StaticAssets&&) noexcept = default;

Response StaticAssets::serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    Response response =
        problem(405, "Method Not Allowed", "Static files only support GET and HEAD.");
    response.set_header("Allow", "GET, HEAD");
    return response;
  }
  std::string rel;
  switch (relative_file(request.path, rel)) {
    case PathError::kBadPath:
      return problem(400, "Bad Request", "The path " + request.path + " is not a valid file path.");
    case PathError::kNotFound:
      return not_found(request);
    case PathError::kNone:
      break;
  }
  try {
    if (const auto* embedded = std::get_if<EmbeddedTree>(&impl_->tree)) {
      const auto it = embedded->files.find(rel);
      if (it == embedded->files.end()) return not_found(request);
      return file_response(request, it->second.content_type, it->second.data, it->second.etag);
    }
    return serve_from_disk(std::get<DiskTree>(impl_->tree), request, rel);
  } catch (const std::exception& e) {  // allocation or filesystem failure
    spdlog::error("http: serving {} failed: {}", request.path, e.what());
    return problem(500, "Internal Server Error", "The file could not be read.");
  }
}

std::string_view StaticAssets::content_type_for(std::string_view file_name) {
  const std::size_t slash = file_name.rfind('/');
  const std::string_view base =
      slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(base.substr(dot + 1));
  for (char& c : ext) c = detail::ascii_lower(c);
  if (ext == "html" || ext == "htm") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string StaticAssets::etag_for(std::string_view content) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64-bit
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  auto hex = [](std::uint64_t v) {
    std::string s;
    do {
      s.insert(s.begin(), kHex[v & 0xF]);
      v >>= 4;
    } while (v != 0);
    return s;
  };
  return "\"" + hex(content.size()) + "-" + hex(hash) + "\"";
}

}  // namespace quantd::http
