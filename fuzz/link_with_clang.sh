#!/bin/sh
# The link launcher of http_fuzzer (fuzz/CMakeLists.txt): runs the link command CMake made for
# the main C++ compiler with clang instead, adding the fuzzer and sanitizer runtimes.
# Usage: link_with_clang.sh CLANG FLAGS COMPILER ARGS...  (COMPILER is dropped)
clang=$1
flags=$2
shift 3
# shellcheck disable=SC2086 # FLAGS is one word or several, on purpose
exec "$clang" $flags "$@"
