// `quantd token`: prints a fresh random API token for server.auth_token / QUANTD_AUTH_TOKEN.
// 32 bytes from the kernel's CSPRNG (getrandom), base64url without padding: 43 characters.
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>

#include "quantd/app/commands.h"

namespace quantd::app {

namespace {

constexpr const char* kUsage = R"(usage: quantd token

Prints a fresh random API token (43 characters, 256 bits from the kernel's random source) for
server.auth_token or QUANTD_AUTH_TOKEN. Clients then send 'Authorization: Bearer <token>'.
)";

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (std::size_t i = 0; i < size; ++i) {
    bits = (bits << 8) | data[i];
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kAlphabet[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) out += kAlphabet[(bits << (6 - count)) & 0x3f];
  return out;
}

}  // namespace

int run_token_command(Args args) {
  if (!args.empty()) {
    if (args[0] == "--help" || args[0] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    std::cerr << "quantd token: unexpected argument '" << args[0] << "'\n" << kUsage;
    return 2;
  }
  std::array<unsigned char, 32> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::cerr << "quantd token: cannot read random bytes: " << std::strerror(errno) << "\n";
      return 1;
    }
    filled += static_cast<std::size_t>(n);
  }
  std::cout << base64url(bytes.data(), bytes.size()) << "\n";
  return 0;
}

}  // namespace quantd::app
