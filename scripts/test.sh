#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, lints the shell scripts (shellcheck),
# runs the unit tests and the balancer's tests (the real pmctl-balancer, no systemd needed), then
# boots a throwaway systemd (tests/sandbox.sh) and runs the integration tests inside it against
# the real pmctl binary, then the reboot tests on the host against a fresh one (they reboot it:
# pmctl save, startup, resurrect), then the remote tests (pmctl -H and deploy over ssh, on two
# more sandboxes running sshd: tests/remote/). In between, the unit and balancer tests run again
# under ASan + UBSan and the fuzzers of every file and flag parser for a bounded time, both in build-asan/
# (scripts/sanitize.sh --no-integration, tests/fuzz/run.sh). Last, it fails if the tests left files in the checkout that
# git sees. Ends with one line "N passed, N failed" (CI parses it: nothing may follow). Run as root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

# What git sees before the tests, so that only what they leave counts against them (a
# developer's own uncommitted edits do not; in CI the checkout is clean anyway).
in_git() { command -v git >/dev/null && git rev-parse --is-inside-work-tree >/dev/null 2>&1; }
dirty_before=$(if in_git; then git status --porcelain; fi) || true

# The shell scripts that must pass shellcheck at its default severity.
shopt -s nullglob
shell_scripts=(scripts/*.sh tests/*.sh tests/integration/apps/*.sh tests/fuzz/*.sh bench/*.sh
  tests/docs/*.sh tests/packaging/*.sh packaging/*.sh completions/pmctl.bash)
shopt -u nullglob

scripts/setup.sh
results=$root/build/test-results
rm -rf "$results" && mkdir -p "$results"

# One entry in the summary below, in the shape GoogleTest writes, for a check that is not a
# GoogleTest binary: $1 name (and file name), $2 passed|failed, $3 where to look when it failed.
result() {
  local failures='[]'
  if [ "$2" = failed ]; then failures="[{\"failure\": \"$3\"}]"; fi
  echo "{\"testsuites\": [{\"testsuite\": [{\"name\": \"$1\", \"failures\": $failures}]}]}" \
    >"$results/$1.json"
}

status=0
lint_shellcheck() {
  if shellcheck -x "${shell_scripts[@]}"; then result lint-shellcheck passed
  else result lint-shellcheck failed "see the shellcheck output above"; status=1; fi
}
# The C++ sources as .clang-format says (Google, 100 columns).
lint_clang_format() {
  local files
  mapfile -t files < <(git ls-files -- 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 2>/dev/null ||
    find src tests -name '*.[ch]pp')
  if clang-format --dry-run -Werror "${files[@]}"; then result lint-clang-format passed
  else result lint-clang-format failed "run: clang-format -i on the files named above"; status=1; fi
}
# The layers (scripts/check-layers.sh): core's folders in one order, systemd on core/types only.
lint_layers() {
  if scripts/check-layers.sh; then result lint-layers passed
  else result lint-layers failed "see scripts/check-layers.sh's output above"; status=1; fi
}
echo "== lint"
lint_shellcheck
lint_clang_format
lint_layers

echo "== man pages (man --warnings; every command and option of --help in pmctl(1))"
if tests/docs/check-man.sh build/src/cli/pmctl build/man; then result man-pages passed
else result man-pages failed "see check-man's lines above"; status=1; fi

echo "== unit tests"
build/tests/unit/unit-tests --gtest_output="json:$results/unit.json" || status=1

echo "== balancer tests (the real pmctl-balancer, without systemd; a few seconds)"
build/tests/balancer/balancer-tests --gtest_output="json:$results/balancer.json" || status=1

echo "== fuzzers (${PMCTL_FUZZ_SECONDS:-10} s each; PMCTL_FUZZ_SECONDS=0 skips them)"
if [ "${PMCTL_FUZZ_SECONDS:-10}" != 0 ]; then
  if tests/fuzz/run.sh "${PMCTL_FUZZ_SECONDS:-10}"; then result fuzz passed
  else result fuzz failed "see build-asan/*-fuzz.log"; status=1; fi
fi

echo "== unit and balancer tests under ASan + UBSan (build-asan/)"
if scripts/sanitize.sh --no-integration; then result sanitizers passed
else
  result sanitizers failed "see build-asan/test-results/ and build-asan/sanitizer-logs/"
  status=1
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

echo "== remote tests (two sandboxes with sshd, pmctl installed from the build)"
# pmctl -H and pmctl deploy over real ssh, on the host (tests/remote/remote_test.cpp; ~75 s):
# they boot their own two sandboxes (/var/tmp/pmctl-remote-a and -b) and purge them at the end.
tests/sandbox.sh purge  # the reboot tests' sandbox is done with: never more up than needed
build/tests/remote/remote-tests --gtest_output="json:$results/remote.json" \
  ${PMCTL_TEST_FILTER:+--gtest_filter=$PMCTL_TEST_FILTER} || status=1

echo "== packages (.deb and .rpm built, lintian, installed in a fresh sandbox; ~13 min)"
if [ "${PMCTL_PACKAGES:-1}" != 0 ]; then
  tests/sandbox.sh purge  # its own sandbox: never two at once
  tests/packaging/run.sh "$results" || status=1
  grep -l '"failure"' "$results"/package-*.json >/dev/null 2>&1 && status=1
fi

echo "== clean checkout (the tests leave nothing that git sees)"
if in_git; then
  # Lines that were not there before; ignored paths (build*/, bench/results/) never show.
  left=$(git status --porcelain | grep -vxF -f <(printf '%s\n' "$dirty_before") || true)
  if [ -n "$left" ]; then
    echo "the tests left the checkout dirty (git status --porcelain):"
    printf '%s\n' "$left"
    result clean-checkout failed "files the tests left in the checkout, listed above"
    status=1
  else
    result clean-checkout passed
  fi
else
  echo "not a git checkout: skipped"
fi

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
