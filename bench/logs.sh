#!/usr/bin/env bash
# Log throughput: pmctl's journal, pmctl's `--no-journal` files and PM2's log files, measured in
# one run (a benchmark, not a test). As root: bench/logs.sh
#
# One node app (bench/log_flood.js) writes BENCH_LINES lines of 100 bytes to stdout, one write
# each, and records how long its writes took. Each repetition runs it three ways, in turn:
#   journal   `pmctl start` (default): systemd-cat -> journald, in a throwaway systemd 252
#   files     `pmctl start --no-journal -o F -e F`: pmctl-logwriter alone reads the app's pipes and
#             writes F (no systemd-cat, nothing to the journal)
#   pm2       `pm2 start` (npm's pm2@latest in a temp dir, on the host): PM2's God daemon reads
#             the app's pipe and writes ~/.pm2/logs/<name>-out.log (PM2_HOME in the temp dir)
# and reports: the app's write time; the wall time until the last line is stored (journalctl or
# the file has "bench: done"); CPU seconds the store's process spent (journald, pmctl-logwriter,
# PM2's daemon); bytes stored per line (journal files' growth after a sync, the log file).
#
# Knobs: BENCH_LINES (1000000), BENCH_REPS (3), PMCTL_BUILD (build), BENCH_SANDBOX (the sandbox's
# state dir, default /var/tmp/pmctl-bench-sandbox; purged before and after).
# Prints a markdown table and writes it to bench/results/logs.md (gitignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

LINES=${BENCH_LINES:-1000000}
REPS=${BENCH_REPS:-3}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$BUILD/src/cli/pmctl
APP=$REPO/bench/log_flood.js
RESULTS=$REPO/bench/results

source bench/lib.sh
bench_lock

bench_build src/cli/pmctl src/cli/pmctl-logwriter

export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
tmp=$(mktemp -d /tmp/pmctl-bench-logs.XXXXXX)
mkdir -p "$RESULTS"
work=$(mktemp -d "$RESULTS/work.XXXXXX")  # inside the repo: the sandbox sees it at the same path
BENCH_REMOVE=("$work")
bench_start
inside() { tests/sandbox.sh exec "$@"; }
pmctl() { inside "$PMCTL" "$@"; }
TICKS=$(getconf CLK_TCK)

# CPU seconds (user + system) of a process; $1 = "in" (sandbox PID) or "out" (host PID), $2 = PID.
cpu_ticks() {
  local stat
  if [ "$1" = in ]; then stat=$(inside cat "/proc/$2/stat"); else stat=$(cat "/proc/$2/stat"); fi
  # The name in parentheses may hold spaces (PM2's is "PM2 v7.0.4: God Daemon (...)"): skip it.
  echo "${stat##*) }" | awk '{ print $12 + $13 }'
}
# Polls (every 0.2 s, at most 600 s) until command "$@" succeeds.
until_ok() {
  local i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 3000 ] || die "timed out waiting for: $*"
    sleep 0.2
  done
}
last_line_is_done() { [ "$(tail -n 1 "$1" 2>/dev/null)" = "bench: done" ]; }
journal_done() { [ "$(inside journalctl -u "$1" -n 1 -o cat --no-pager)" = "bench: done" ]; }
journal_bytes() { inside journalctl --sync; inside du -sb /var/log/journal | cut -f1; }
secs() { awk -v t="$1" -v k="$TICKS" 'BEGIN { printf "%.1f", t / k }'; }
per_line() { awk -v b="$1" -v n="$LINES" 'BEGIN { printf "%.0f", b / n }'; }
row() { printf '| %s | %s | %s | %s | %s | %s |\n' "$@" | tee -a "$work/rows"; }
: >"$work/rows"

run_journal() {
  local name=bj$1 result=$work/journal-$1 unit before cpu0 t0
  inside journalctl --rotate >/dev/null 2>&1 && inside journalctl --vacuum-files=1 >/dev/null 2>&1
  before=$(journal_bytes)
  cpu0=$(cpu_ticks in "$(inside pidof systemd-journald)")
  t0=$(date +%s%N)
  inside env BENCH_LINES="$LINES" BENCH_RESULT="$result" "$PMCTL" start "$APP" --name "$name" >/dev/null
  unit=$(pmctl jlist | node -e "const a = JSON.parse(require('fs').readFileSync(0)); \
    console.log(a.find(x => x.name === '$name').pm2_env.unit)")
  until_ok journal_done "$unit"
  local wall=$(( ($(date +%s%N) - t0) / 1000000 ))
  local cpu=$(( $(cpu_ticks in "$(inside pidof systemd-journald)") - cpu0 ))
  local bytes=$(( $(journal_bytes) - before ))
  local kept
  kept=$(inside journalctl -u "$unit" -o cat --no-pager | grep -c '^[0-9]\{9\}x')
  row "journal (pmctl default)" "$(cat "$result")" "$wall" "$(secs "$cpu")" "$(per_line "$bytes")" "$kept"
  pmctl delete "$name" >/dev/null
}

# Waits until file $3 ends with the app's last line, then writes the row: label $1, the app's
# write time (its result file $2), the wall time since $4 (date +%s%N), the store's CPU ticks
# (printed by the command "${@:5}", run after the wait), the file's bytes a line, lines kept.
file_row() {
  local label=$1 result=$2 out=$3 t0=$4 wall cpu
  shift 4
  until_ok last_line_is_done "$out"
  wall=$(( ($(date +%s%N) - t0) / 1000000 ))
  cpu=$("$@")
  row "$label" "$(cat "$result")" "$wall" "$(secs "$cpu")" \
    "$(per_line "$(stat -c %s "$out")")" "$(grep -c '^[0-9]\{9\}x' "$out")"
}

# The writer started with the app: all its CPU time is this run's.
logwriter_ticks() { cpu_ticks in "$(inside pgrep -x pmctl-logwriter | head -n 1)"; }
run_files() {
  local name=bf$1 result=$work/files-$1 out=$work/files-$1.out t0
  t0=$(date +%s%N)
  inside env BENCH_LINES="$LINES" BENCH_RESULT="$result" "$PMCTL" start "$APP" --name "$name" \
    --no-journal -o "$out" -e "$work/files-$1.err" >/dev/null
  file_row "files (pmctl --no-journal)" "$result" "$out" "$t0" logwriter_ticks
  pmctl delete "$name" >/dev/null
  rm -f "$out" "$work/files-$1.err"
}

god_ticks_since() { echo $(( $(cpu_ticks out "$1") - $2 )); }
run_pm2() {
  local name=bp$1 result=$work/pm2-$1 out god t0
  out=$PM2_HOME/logs/$name-out.log
  god=$(cat "$PM2_HOME/pm2.pid")
  local cpu0
  cpu0=$(cpu_ticks out "$god")
  t0=$(date +%s%N)
  BENCH_LINES=$LINES BENCH_RESULT=$result pm2 start "$APP" --name "$name" >/dev/null
  file_row "PM2 $PM2_VERSION" "$result" "$out" "$t0" god_ticks_since "$god" "$cpu0"
  pm2 delete "$name" >/dev/null
  rm -f "$out" "$PM2_HOME/logs/$name-error.log"
}

pm2 ping >/dev/null   # PM2's daemon up before the first measurement
for rep in $(seq 1 "$REPS"); do
  say "repetition $rep of $REPS ($LINES lines)"
  settle; run_journal "$rep"
  settle; run_files "$rep"
  settle; run_pm2 "$rep"
done

{
  echo "$LINES lines of 100 bytes, $REPS repetitions, $(nproc) CPUs, $(date -u +%Y-%m-%d)."
  echo
  echo "| path | app's writes (ms) | until stored (ms) | store's CPU (s) | bytes a line | lines kept |"
  echo "| --- | --- | --- | --- | --- | --- |"
  sort -s -t'|' -k2,2 "$work/rows"
} | tee "$RESULTS/logs.md"
