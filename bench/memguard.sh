#!/usr/bin/env bash
# What max_memory_restart's guard costs and how fast it acts (a benchmark, not a test). As root:
# bench/memguard.sh
#
# One app of BENCH_INSTANCES instances (a pool of tests/integration/apps/memory_hog.js holding
# nothing) under --max-memory-restart 500M: the guard's (pmctl-memguard's) resident memory and its
# CPU over BENCH_SECONDS. Then a fork app that holds 120 MB under a 50M limit: the time from its
# "holding" line to its "SIGINT" line, both as journald stamped them (the detection and the
# graceful stop; PM2 checks every 30 s).
#
# Knobs: BENCH_INSTANCES (10), BENCH_SECONDS (60), PMCTL_BUILD (build), BENCH_SANDBOX (the
# sandbox's state dir, default /var/tmp/pmctl-bench-sandbox; purged before and after).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
INSTANCES=${BENCH_INSTANCES:-10}
SECONDS_=${BENCH_SECONDS:-60}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$REPO/$BUILD/src/cli/pmctl
HOG=$REPO/tests/integration/apps/memory_hog.js

source bench/lib.sh
bench_lock
bench_build src/cli/pmctl src/cli/pmctl-memguard

export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
trap 'tests/sandbox.sh purge >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
tests/sandbox.sh purge
tests/sandbox.sh up 9>&-
inside() { tests/sandbox.sh exec "$@" 9>&-; }

# shellcheck disable=SC2016  # expanded by the shell inside the sandbox
inside bash -c '
  pmctl=$1 hog=$2 n=$3 secs=$4
  HOG_MB=1 HOG_ONCE=/tmp/bench-none $pmctl start "$hog" --name idle -i "$n" --max-memory-restart 500M -s
  touch /tmp/bench-none
  sleep 2
  pid=$(systemctl show -p MainPID --value pmctl-idle-mem.service)
  rss=$(awk "/VmRSS/ {print \$2}" /proc/"$pid"/status)
  a=$(awk "{print \$14 + \$15}" /proc/"$pid"/stat)
  sleep "$secs"
  b=$(awk "{print \$14 + \$15}" /proc/"$pid"/stat)
  tck=$(getconf CLK_TCK)
  echo "guard of $n instances: ${rss} kB resident, $(( (b - a) * 1000 / tck )) ms CPU in ${secs} s"
  $pmctl delete idle -s
  rm -f /tmp/bench-once
  HOG_MB=120 HOG_ONCE=/tmp/bench-once $pmctl start "$hog" --name hog --max-memory-restart 50M -s 2>/dev/null
  for _ in $(seq 100); do
    journalctl -u pmctl-hog-0.service -o cat | grep -q "hog: SIGINT" && break
    sleep 0.2
  done
  stamp() { journalctl -u pmctl-hog-0.service -o short-unix | grep -m1 "$1" | cut -d" " -f1; }
  held=$(stamp "hog: holding") stopped=$(stamp "hog: SIGINT")
  echo "120 MB under 50M: SIGINT $(awk "BEGIN {printf \"%.0f\", ($stopped - $held) * 1000}") ms after the app held it"
  $pmctl delete hog -s
' _ "$PMCTL" "$HOG" "$INSTANCES" "$SECONDS_"
