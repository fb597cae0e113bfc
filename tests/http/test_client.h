// A small blocking HTTP client for the server tests, built on Beast. Every operation has a
// timeout (async operations run to completion on a private io_context), so a broken server makes
// a test fail, never hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quantd::http::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Reply {
  bool ok = false;    // false: connection or protocol failure; see error
  std::string error;  // the transport error, when !ok
  int status = 0;
  std::string body;
  Headers headers;
  // The first header with this name (case-insensitive), or "" if absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class Client {
 public:
  // Connects to 127.0.0.1:port; check connected().
  explicit Client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const;

  // Sends one HTTP/1.1 request (keep-alive) and reads its reply. For HEAD, no body is read.
  Reply send(std::string_view method, std::string_view target, std::string body = {},
             const Headers& headers = {});
  // Writes raw bytes; false on failure.
  bool write_raw(std::string_view bytes);
  // Reads one reply to a request written with write_raw().
  Reply read_reply(bool head = false);
  // Reads raw bytes until `delimiter` is in the data read so far (returns everything up to and
  // including it, keeping the rest buffered), or nullopt on timeout, error or close.
  std::optional<std::string> read_until(std::string_view delimiter,
                                        std::chrono::milliseconds timeout);
  // True if the server closes the connection (EOF or reset) within `timeout`, discarding data.
  bool wait_closed(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection.
Reply fetch(std::uint16_t port, std::string_view method, std::string_view target,
            std::string body = {}, const Headers& headers = {});

}  // namespace quantd::http::test
