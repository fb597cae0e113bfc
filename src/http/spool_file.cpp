#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "spool_file_internal.h"

namespace quantd::http::detail {

Result<SpoolFile> SpoolFile::create(const std::string& dir) {
  std::error_code ec;
  const std::string folder = dir.empty() ? std::filesystem::temp_directory_path(ec).string() : dir;
  // mkostemp's template: it replaces the six X with a unique suffix and creates the file 0600.
  std::string pattern = (std::filesystem::path(folder) / ".quantd-upload-XXXXXX").string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) {
    return Status::internal("cannot create a file for the upload in " + folder + ": " +
                            std::strerror(errno));
  }
  return SpoolFile(std::string(name.data()), fd);
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.path_.clear();
  other.fd_ = -1;
}

SpoolFile::~SpoolFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!path_.empty()) ::unlink(path_.c_str());
}

int SpoolFile::release_fd() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

}  // namespace quantd::http::detail
