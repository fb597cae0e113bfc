// gen_bars: writes N deterministic 1-minute KRX session bars as CSV (see krx_bar_generator.h).
//
//   gen_bars [--bars N] [--seed S] [--start YYYY-MM-DD] [--out FILE]
//
// Defaults: 1,000,000 bars, seed 20240102, from 2015-01-05, to stdout.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "krx_bar_generator.h"

namespace {

int usage(const char* why) {
  std::fprintf(
      stderr,
      "gen_bars: %s\nusage: gen_bars [--bars N] [--seed S] [--start YYYY-MM-DD] [--out FILE]\n",
      why);
  return 2;
}

template <typename T>
bool parse_uint(std::string_view s, T& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

int main(int argc, char** argv) {
  quantd::bench::GeneratorOptions options;
  std::string out_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return usage(("missing value for " + std::string(flag)).c_str());
    const std::string_view value = argv[++i];
    if (flag == "--bars") {
      if (!parse_uint(value, options.bars)) return usage("--bars: not a whole number");
    } else if (flag == "--seed") {
      if (!parse_uint(value, options.seed)) return usage("--seed: not a whole number");
    } else if (flag == "--start") {
      const auto d = quantd::parse_civil_date(value);
      if (!d) return usage("--start: expected YYYY-MM-DD");
      options.start = *d;
    } else if (flag == "--out") {
      out_path = std::string(value);
    } else {
      return usage(("unknown flag " + std::string(flag)).c_str());
    }
  }
  const std::string csv = quantd::bench::generate_krx_bars_csv(options);
  std::FILE* f = out_path.empty() ? stdout : std::fopen(out_path.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "gen_bars: cannot open %s: %s\n", out_path.c_str(), std::strerror(errno));
    return 1;
  }
  const bool ok = std::fwrite(csv.data(), 1, csv.size(), f) == csv.size();
  if ((f != stdout ? std::fclose(f) : std::fflush(f)) != 0 || !ok) {
    std::fprintf(stderr, "gen_bars: write failed: %s\n", std::strerror(errno));
    return 1;
  }
  return 0;
}
