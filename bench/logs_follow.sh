#!/usr/bin/env bash
# What a following `pmctl logs` costs while other units fill the journal (a benchmark, not a
# test). As root: bench/logs_follow.sh
#
# `pmctl logs` follows every entry journald gets and keeps those of pmctl's units (sd-journal
# matches whole values only, and units that start later must show up too). This measures the CPU
# the follow spends on entries that are not its apps': one idle pmctl app, `pmctl logs --lines 0`
# following all, and a transient unit that is not pmctl's writing BENCH_LINES lines. Reports the
# entries journald stored for that unit and the follower's CPU per entry.
#
# Knobs: BENCH_LINES (200000), BENCH_REPS (3), PMCTL_BUILD (build), BENCH_SANDBOX (the
# sandbox's state dir, default /var/tmp/pmctl-bench-sandbox; purged before and after).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
LINES=${BENCH_LINES:-200000}
REPS=${BENCH_REPS:-3}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$REPO/$BUILD/src/cli/pmctl

source bench/lib.sh
bench_lock
bench_build src/cli/pmctl

export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
trap 'tests/sandbox.sh purge >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
tests/sandbox.sh purge
tests/sandbox.sh up 9>&-
inside() { tests/sandbox.sh exec "$@" 9>&-; }

# One run inside the sandbox: prints "<entries stored> <follower CPU ticks>".
run_once() {
  # shellcheck disable=SC2016  # expanded by the shell inside the sandbox
  inside bash -c '
    pmctl=$1 lines=$2 unit=bench-other-$3
    $pmctl start --name idle -- sleep 100000 >/dev/null 2>&1
    $pmctl logs --lines 0 >/dev/null 2>&1 &
    follower=$!
    sleep 1
    read -r -a before </proc/$follower/stat
    systemd-run --quiet --wait --unit "$unit" seq 1 "$lines"
    sleep 2  # the follower catches up with what journald wrote
    read -r -a after </proc/$follower/stat
    kill $follower
    stored=$(journalctl -u "$unit" -o cat --no-pager | grep -c "^[0-9]")
    $pmctl delete all >/dev/null 2>&1
    echo "$stored $(( after[13] + after[14] - before[13] - before[14] ))"
  ' bench "$PMCTL" "$LINES" "$1"
}

hz=$(getconf CLK_TCK)
echo "| run | entries of another unit | follower CPU (ms) | per entry (µs) |"
echo "| --- | --- | --- | --- |"
for rep in $(seq 1 "$REPS"); do
  settle
  read -r stored ticks < <(run_once "$rep")
  ms=$(( ticks * 1000 / hz ))
  per=$(awk -v ms="$ms" -v n="$stored" 'BEGIN { printf "%.1f", n ? ms * 1000 / n : 0 }')
  echo "| $rep | $stored | $ms | $per |"
done
