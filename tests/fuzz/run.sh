#!/usr/bin/env bash
# Builds the libFuzzer targets with clang++ (ASan + UBSan) in build-asan/ and runs each for a
# bounded time, starting from the seed corpora in tests/fuzz/corpus/<target>/. One target per
# parser of a file or a flag: ecosystem files (json5 with its JS literal reader, yaml, and the
# app fields behind them), registry.json, dump.json, startup.json, the flag values (durations,
# sizes, counts, exit codes, KEY=VALUE, argument splitting), the environment files units read,
# PM2's start flags, and pmctl-balancer's backend file and flags. Exits non-zero on any
# crash, sanitizer report, leak or input slower than 2 s; the input that did it is left in
# build-asan/ (crash-*, timeout-*, leak-*) to be replayed with build-asan/tests/fuzz/<target>-fuzz FILE.
#   tests/fuzz/run.sh [seconds per target, default 10] [target...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-10}
all_targets=(json5 yaml app_fields registry dump startup flags envfile cron pm2_dump deploy pm2_flags balancer companions)
targets=("${@:2}")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
build="build-asan"  # scripts/setup-asan.sh: clang++, ASan + UBSan, -Dfuzz=true
scripts/setup-asan.sh
ninja_targets=()
for target in "${targets[@]}"; do ninja_targets+=("tests/fuzz/$target-fuzz"); done
ninja -C "$build" -j2 "${ninja_targets[@]}" | tail -n 1

status=0
for target in "${targets[@]}"; do
  dict=() dict_file="tests/fuzz/$target.dict"
  case $target in registry | dump) dict_file=tests/fuzz/state.dict ;; esac
  [ -f "$dict_file" ] && dict=(-dict="$PWD/$dict_file")
  mkdir -p "$build/corpus-$target"
  echo "== fuzz $target for ${seconds}s"
  # Run inside build-asan so that crash-*/timeout-* inputs land there; new inputs go to the
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
