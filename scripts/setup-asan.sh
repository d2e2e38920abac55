#!/usr/bin/env bash
# Sets up build-asan/ once (it is a no-op when it exists): clang++ with AddressSanitizer and
# UndefinedBehaviorSanitizer (-Db_sanitize=address,undefined, every UB report fatal), -O1 with
# line tables for readable reports, and the libFuzzer targets (-Dfuzz=true). One build dir for
# both users, so core is compiled once: tests/fuzz/run.sh builds the fuzz targets there,
# scripts/sanitize.sh the tests and the binaries they run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="build-asan"  # quoted: shellcheck reads a bare a-b as arithmetic (SC2100)
[ -f "$build/build.ninja" ] && exit 0
CXX=clang++ meson setup "$build" -Dfuzz=true -Dstatic_cxx_runtime=false --buildtype=plain \
  -Db_sanitize=address,undefined -Db_lundef=false \
  -Dcpp_args='-O1 -gline-tables-only -fno-sanitize-recover=all' >/dev/null
