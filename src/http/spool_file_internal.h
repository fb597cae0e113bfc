// SpoolFile: the temporary file a streamed request body (RouteOptions::streams_body) is written
// to, removed when the SpoolFile goes away (the handler returned, the upload failed, or the
// connection closed mid-body), so no path leaves one behind.
#pragma once

#include <string>

#include "quantd/core/status.h"

namespace quantd::http::detail {

class SpoolFile {
 public:
  // Creates an empty file ".quantd-upload-" plus a unique six-character suffix (mkostemp; mode
  // 0600) in `dir` (empty: the system's
  // temporary folder). Errors: internal naming the folder and the reason.
  static Result<SpoolFile> create(const std::string& dir);
  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&&) = delete;
  SpoolFile(const SpoolFile&) = delete;
  ~SpoolFile();

  const std::string& path() const { return path_; }
  // The open descriptor (for writing), once; the caller closes it. -1 when already taken.
  int release_fd();

 private:
  SpoolFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

}  // namespace quantd::http::detail
