// The protocol's example files (../shared/kis/examples/), read whole for the KIS tests.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace quantd::kis::test {

inline std::string example(const std::string& name) {
  std::ifstream in(std::string(QUANTD_SHARED_DIR) + "/kis/examples/" + name);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace quantd::kis::test
