// Certificates for TLS tests, made in the test through OpenSSL's C API (no `openssl` command):
// a CA and a server certificate it signed, both valid from an hour ago for a day.
#pragma once

#include <string>
#include <vector>

namespace quantd::http::test {

struct TestPki {
  std::string ca_pem;           // the CA certificate (what a client trusts)
  std::string server_cert_pem;  // the server's certificate, signed by the CA
  std::string server_key_pem;   // the server's private key
};

// A fresh CA and a server certificate whose subjectAltName lists `dns_names` (DNS:) and
// `ip_addresses` (IP:). REQUIRE-fails the test when OpenSSL refuses.
TestPki make_test_pki(const std::vector<std::string>& dns_names,
                      const std::vector<std::string>& ip_addresses);

}  // namespace quantd::http::test
