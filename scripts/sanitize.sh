#!/usr/bin/env bash
# The tests under AddressSanitizer + UndefinedBehaviorSanitizer: builds build-asan/
# (scripts/setup-asan.sh) and runs the unit and balancer tests there, then (unless
# --no-integration) the integration tests in a throwaway systemd against the ASan builds of
# pmctl, pmctl-balancer and pmctl-logwriter (the integration tests run the pmctl of their own
# build dir, which finds the other two beside it). Exits non-zero on a failed test or on any
# sanitizer report, wherever it went:
#   - processes the tests start (the test binaries, pmctl, the balancer in its tests) write
#     reports to build-asan/sanitizer-logs/ (ASAN_OPTIONS/UBSAN_OPTIONS log_path), so a report is
#     seen even when a test expected that command to fail;
#   - processes systemd starts (pmctl-balancer and pmctl-logwriter in units) write theirs to
#     stderr, which is the journal: it is searched after the tests. Hardened units may not write
#     to the build dir, and LeakSanitizer's ptrace is outside their SystemCallFilter, so leak
#     checks are off there (detect_leaks=0 in the manager's environment).
# Too slow for every CI run with the integration tests (docs/reliability.md, section 6, has the
# last full run); scripts/test.sh runs it with --no-integration.
#   scripts/sanitize.sh [--no-integration | --integration-only]
#   PMCTL_TEST_FILTER   gtest filter for the integration tests
#   PMCTL_SANDBOX       the sandbox's state dir (default /var/tmp/pmctl-asan-sandbox)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
units=1 integration=1
case ${1:-} in
  --no-integration) integration=0 ;;
  --integration-only) units=0 ;;
  "") ;;
  *) echo "usage: scripts/sanitize.sh [--no-integration | --integration-only]" >&2; exit 2 ;;
esac
build="build-asan"  # quoted: shellcheck reads a bare a-b as arithmetic (SC2100)
# One log and result dir per half, so that the two can run at the same time.
phase=all
[ $integration = 1 ] || phase=units
[ $units = 1 ] || phase=integration
logs=$PWD/$build/sanitizer-logs/$phase
results=$PWD/$build/test-results/$phase
started=$SECONDS

scripts/setup-asan.sh
targets=(src/balancer/pmctl-balancer)
[ $units = 1 ] && targets+=(tests/unit/unit-tests tests/balancer/balancer-tests)
if [ $integration = 1 ]; then
  targets+=(tests/integration/integration-tests src/cli/pmctl src/cli/pmctl-logwriter)
fi
ninja -C "$build" -j2 "${targets[@]}" | tail -n 1
echo "build: $((SECONDS - started)) s"

rm -rf "$logs" "$results" && mkdir -p "$logs" "$results"
chmod 1777 "$logs"  # some tests run pmctl as nobody
# One prefix for both: in the combined runtime the last options read set log_path for all.
export ASAN_OPTIONS="log_path=$logs/report:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$logs/report:print_stacktrace=1"

status=0
run_suite() {  # $1 name, $2... the command
  local name=$1 t0=$SECONDS
  shift
  echo "== $name (ASan + UBSan)"
  "$@" --gtest_output="json:$results/$name.json" >"$results/$name.log" 2>&1 || status=1
  tail -n 3 "$results/$name.log"
  echo "$name: $((SECONDS - t0)) s"
}
if [ $units = 1 ]; then
  run_suite unit "$build/tests/unit/unit-tests"
  # Its resident-size bound measures the release build; ASan's shadow memory and quarantine
  # are most of the balancer's size here.
  run_suite balancer "$build/tests/balancer/balancer-tests" \
    --gtest_filter=-BalancerTest.StaysUnderFourMegabytesWithAHundredConnections
fi

if [ $integration = 1 ]; then
  export PMCTL_SANDBOX=${PMCTL_SANDBOX:-/var/tmp/pmctl-asan-sandbox}
  tests/sandbox.sh purge
  trap 'tests/sandbox.sh purge' EXIT
  tests/sandbox.sh up
  tests/sandbox.sh exec systemctl set-environment ASAN_OPTIONS=detect_leaks=0 \
    UBSAN_OPTIONS=print_stacktrace=1
  run_suite integration tests/sandbox.sh exec "$build/tests/integration/integration-tests" \
    ${PMCTL_TEST_FILTER:+--gtest_filter=$PMCTL_TEST_FILTER}
  # Reports of the processes systemd started (any unit, system or user manager).
  tests/sandbox.sh exec journalctl --no-pager -o short-iso |
    grep -E -A40 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' \
      >"$logs/journal.txt" || true
  [ -s "$logs/journal.txt" ] || rm -f "$logs/journal.txt"
fi

echo "== sanitizer reports"
shopt -s nullglob
reports=("$logs"/*)
if [ ${#reports[@]} -gt 0 ]; then
  for f in "${reports[@]}"; do
    echo "--- $f"
    head -n 30 "$f"
  done
  status=1
else
  echo "none"
fi

python3 - "$results" <<'PY'
import json, pathlib, sys
passed = failed = 0
for f in pathlib.Path(sys.argv[1]).glob("*.json"):
    for suite in json.loads(f.read_text()).get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("failures"): failed += 1
            else: passed += 1
print(f"sanitized tests: {passed} passed, {failed} failed")
PY
echo "total: $((SECONDS - started)) s"
exit $status
