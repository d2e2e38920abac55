#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs the unit tests and the balancer's
# tests (the real pmctl-balancer, no systemd needed), then boots a throwaway systemd
# (tests/sandbox.sh) and runs the integration tests inside it against the real pmctl binary, then
# the reboot tests on the host against a fresh one (they reboot it: pmctl save, startup, resurrect).
# The ecosystem-file fuzzers run for a bounded time in between (about a minute with their build). Ends with one line "N passed, N failed". Run as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

scripts/setup.sh
results=$root/build/test-results
rm -rf "$results" && mkdir -p "$results"

status=0
echo "== unit tests"
build/tests/unit/unit-tests --gtest_output="json:$results/unit.json" || status=1

echo "== balancer tests (the real pmctl-balancer, without systemd; a few seconds)"
build/tests/balancer/balancer-tests --gtest_output="json:$results/balancer.json" || status=1

echo "== fuzzers (${PMCTL_FUZZ_SECONDS:-20} s each; PMCTL_FUZZ_SECONDS=0 skips them)"
if [ "${PMCTL_FUZZ_SECONDS:-20}" != 0 ]; then
  fuzz=passed
  tests/fuzz/run.sh "${PMCTL_FUZZ_SECONDS:-20}" || { fuzz=failed; status=1; }
  # One entry in the summary below, in the shape GoogleTest writes.
  failures='[]'; [ $fuzz = failed ] && failures='[{"failure": "see build-fuzz/*-fuzz.log"}]'
  echo "{\"testsuites\": [{\"testsuite\": [{\"name\": \"fuzz\", \"failures\": $failures}]}]}" \
    >"$results/fuzz.json"
fi

echo "== integration tests (inside a throwaway systemd)"
export PMCTL_SANDBOX=${PMCTL_SANDBOX:-/var/tmp/pmctl-test-sandbox}
tests/sandbox.sh purge
trap 'tests/sandbox.sh purge' EXIT
tests/sandbox.sh up
tests/sandbox.sh exec build/tests/integration/integration-tests \
  --gtest_output="json:$results/integration.json" ${PMCTL_TEST_FILTER:+--gtest_filter=$PMCTL_TEST_FILTER} \
  || status=1

echo "== reboot tests (on the host, driving a fresh sandbox through real reboots)"
tests/sandbox.sh purge
tests/sandbox.sh up
build/tests/reboot/reboot-tests --gtest_output="json:$results/reboot.json" \
  ${PMCTL_TEST_FILTER:+--gtest_filter=$PMCTL_TEST_FILTER} || status=1

python3 - "$results" <<'PY'
import json, pathlib, sys
passed = failed = skipped = 0
for f in pathlib.Path(sys.argv[1]).glob("*.json"):
    for suite in json.loads(f.read_text()).get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("result") == "SKIPPED" or t.get("status") == "NOTRUN": skipped += 1
            elif t.get("failures"): failed += 1
            else: passed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
