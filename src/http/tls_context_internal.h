// TlsContext: the server's TLS settings and certificate, reloaded when its files change
// (internal to http).
//
// Certificates are renewed on disk (certbot, acme.sh every 60-90 days) while the daemon runs for
// weeks; so each new connection asks current(), which re-reads the certificate and key when
// either file's modification time changed (checked at most every `reload_check`). A reload that
// fails (a half-written file) keeps the previous certificate and logs why; connections already
// open keep the context they started with.
//
// Settings: TLS 1.2 and 1.3 only, TLS 1.2 with ECDHE and AEAD ciphers only (Mozilla's
// "intermediate" profile), no renegotiation, no compression, no session tickets across restarts
// (OpenSSL's defaults otherwise).
#pragma once

#include <boost/asio/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "quantd/core/status.h"

namespace quantd::http::detail {

class TlsContext {
 public:
  // Loads `cert_file` (PEM: the certificate, then any intermediates) and `key_file` (PEM private
  // key, unencrypted). Errors: invalid_argument naming the setting, the file and OpenSSL's
  // reason (unreadable, not PEM, a key that does not match the certificate).
  static Result<std::unique_ptr<TlsContext>> load(std::string cert_file, std::string key_file,
                                                  std::chrono::milliseconds reload_check);

  // The context for a new connection, reloaded first when the files changed. Thread-safe.
  std::shared_ptr<boost::asio::ssl::context> current();

 private:
  TlsContext(std::string cert_file, std::string key_file, std::chrono::milliseconds reload_check)
      : cert_file_(std::move(cert_file)),
        key_file_(std::move(key_file)),
        reload_check_(reload_check) {}
  // A fresh context from the files, or why not.
  Result<std::shared_ptr<boost::asio::ssl::context>> build() const;
  // The two files' modification times, as one comparable value (min on error).
  std::filesystem::file_time_type stamp() const;

  const std::string cert_file_;
  const std::string key_file_;
  const std::chrono::milliseconds reload_check_;
  std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // guarded by mu_
  std::filesystem::file_time_type stamp_;               // guarded by mu_
  std::chrono::steady_clock::time_point next_check_;    // guarded by mu_
};

}  // namespace quantd::http::detail
