#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "tls_context_internal.h"

namespace quantd::http::detail {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2's ciphers in Mozilla's "intermediate" profile (TLS 1.3 has only good ones).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// OpenSSL's queued errors as text ("" when none), clearing the queue: the first is the cause
// ("no start line"), later ones only where it surfaced ("PEM lib").
std::string openssl_reason() {
  std::string reason;
  while (const unsigned long code = ERR_get_error()) {
    const char* text = ERR_reason_error_string(code);
    if (!text) continue;
    if (!reason.empty()) reason += "; ";
    reason += text;
  }
  return reason.empty() ? "unknown OpenSSL error" : reason;
}

}  // namespace

Result<std::unique_ptr<TlsContext>> TlsContext::load(std::string cert_file, std::string key_file,
                                                     std::chrono::milliseconds reload_check) {
  std::unique_ptr<TlsContext> tls(
      new TlsContext(std::move(cert_file), std::move(key_file), reload_check));
  auto context = tls->build();
  if (!context.ok()) return context.status();
  struct stat key_stat {};
  if (::stat(tls->key_file_.c_str(), &key_stat) == 0 && (key_stat.st_mode & S_IROTH) != 0) {
    spdlog::warn("server.tls_key {} is readable by every user on this machine; chmod o-r it",
                 tls->key_file_);
  }
  tls->context_ = std::move(context).value();
  tls->stamp_ = tls->stamp();
  tls->next_check_ = std::chrono::steady_clock::now() + tls->reload_check_;
  return tls;
}

Result<std::shared_ptr<ssl::context>> TlsContext::build() const {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                               SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return Status::internal("cannot set the TLS ciphers: " + openssl_reason());
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file_.c_str()) != 1) {
    return Status::invalid_argument("server.tls_cert: cannot load the certificate chain from '" +
                                    cert_file_ + "' (PEM expected): " + openssl_reason());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file_.c_str(), SSL_FILETYPE_PEM) != 1) {
    const std::string reason = openssl_reason();
    if (reason.find("key values mismatch") != std::string::npos) {
      return Status::invalid_argument("server.tls_key: the key in '" + key_file_ +
                                      "' does not belong to the certificate in '" + cert_file_ +
                                      "'");
    }
    return Status::invalid_argument("server.tls_key: cannot load the private key from '" +
                                    key_file_ + "' (an unencrypted PEM key expected): " + reason);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::invalid_argument("server.tls_key: the key in '" + key_file_ +
                                    "' does not belong to the certificate in '" + cert_file_ +
                                    "': " + openssl_reason());
  }
  return context;
}

std::filesystem::file_time_type TlsContext::stamp() const {
  std::error_code ec;
  const auto cert = std::filesystem::last_write_time(cert_file_, ec);
  if (ec) return std::filesystem::file_time_type::min();
  const auto key = std::filesystem::last_write_time(key_file_, ec);
  if (ec) return std::filesystem::file_time_type::min();
  return std::max(cert, key);
}

std::shared_ptr<ssl::context> TlsContext::current() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return context_;
  next_check_ = now + reload_check_;
  const auto stamp_now = stamp();
  if (stamp_now == stamp_ || stamp_now == std::filesystem::file_time_type::min()) return context_;
  auto fresh = build();
  if (!fresh.ok()) {
    // Likely caught mid-renewal: keep serving the old certificate and look again later.
    spdlog::warn(
        "http: the TLS certificate changed on disk but cannot be loaded, keeping the "
        "previous one: {}",
        fresh.status().message());
    return context_;
  }
  spdlog::info("http: reloaded the TLS certificate from {}", cert_file_);
  context_ = std::move(fresh).value();
  stamp_ = stamp_now;
  return context_;
}

}  // namespace quantd::http::detail
