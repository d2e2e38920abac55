#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ (ASan + UBSan) in build-fuzz/ and runs each for a
# bounded time, starting from the seed corpora in tests/fuzz/corpus/. Exits non-zero on any
# crash, sanitizer report, leak or input slower than 2 s; the input that did it is left in
# build-fuzz/ (crash-*, timeout-*, leak-*) to be replayed with build-fuzz/tests/fuzz/<target> FILE.
#   tests/fuzz/run.sh [seconds per target, default 20]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-20}
build="build-fuzz"  # quoted: shellcheck reads a bare a-b as arithmetic (SC2100)

if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++ meson setup "$build" -Dfuzz=true -Dtests=false -Dstatic_cxx_runtime=false \
    --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args=-fno-sanitize-recover=all >/dev/null
fi
ninja -C "$build" -j2 tests/fuzz/json5-fuzz tests/fuzz/yaml-fuzz | tail -n 1

status=0
for target in json5 yaml; do
  dict=()
  [ -f "tests/fuzz/$target.dict" ] && dict=(-dict="$PWD/tests/fuzz/$target.dict")
  mkdir -p "$build/corpus-$target"
  echo "== fuzz $target for ${seconds}s"
  # Run inside build-fuzz so that crash-*/timeout-* inputs land there; new inputs go to the
  # first corpus directory, the seeds in the repository stay as they are.
  if ! (cd "$build" && "./tests/fuzz/$target-fuzz" -max_total_time="$seconds" -timeout=2 \
        -rss_limit_mb=2048 -max_len=8192 -print_final_stats=0 "${dict[@]}" \
        "corpus-$target" "$OLDPWD/tests/fuzz/corpus/$target" 2>"$target-fuzz.log"); then
    echo "fuzz $target: FAILED (see $build/$target-fuzz.log)"
    grep -E "ERROR|SUMMARY|Test unit written" "$build/$target-fuzz.log" | head -n 5 || true
    status=1
  else
    grep -E "^Done [0-9]+ runs" "$build/$target-fuzz.log" | tail -n 1 || true
  fi
done
exit $status
