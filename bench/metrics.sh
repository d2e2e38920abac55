#!/usr/bin/env bash
# What a scrape of `pmctl metrics` costs with many apps (a benchmark, not a test). As root:
# bench/metrics.sh. In a fresh sandbox: BENCH_APPS idle apps (/bin/sleep, one ecosystem file),
# the endpoint enabled on BENCH_PORT, then
# - BENCH_SCRAPES warm scrapes with curl, one after the other, the handler running (what a
#   scraper faster than its idle timeout sees): median and p90 of curl's total time;
# - BENCH_SCRAPES cold scrapes, the handler stopped before each (a scraper slower than the idle
#   timeout, or the first scrape): connect, systemd starting the hardened service, the answer;
# - the running handler's resident memory after the warm scrapes, and its peak; its syscalls
#   per scrape (strace attached for 10 more);
# - one `pmctl metrics serve` run by hand with a request on stdin, under strace -f -c (its
#   syscalls) and /usr/bin/time (its peak RSS);
# - the size of the answer.
# PM2 has nothing to compare with: `pm2 web` is gone from PM2 7, and the exporters people use
# are resident processes. Knobs: BENCH_APPS (200), BENCH_SCRAPES (30), BENCH_PORT (17670),
# PMCTL_BUILD (build), BENCH_SANDBOX.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
APPS=${BENCH_APPS:-200}
SCRAPES=${BENCH_SCRAPES:-30}
PORT=${BENCH_PORT:-17670}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$REPO/$BUILD/src/cli/pmctl

source bench/lib.sh
bench_lock
need_tools curl strace
bench_build src/cli/pmctl

tmp=$(mktemp -d /var/tmp/pmctl-bench-metrics.XXXXXX)
export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
cleanup() {
  set +e
  tests/sandbox.sh purge >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
inside() { tests/sandbox.sh exec "$@" 9>&-; }
say "booting the sandbox ($PMCTL_SANDBOX)"
tests/sandbox.sh purge
tests/sandbox.sh up 9>&-

node -e '
const n = +process.argv[1];
const apps = [];
for (let i = 1; i <= n; i++)
  apps.push({name: "s" + i, script: "/bin/sleep", args: ["100000"], interpreter: "none"});
console.log(JSON.stringify({apps}));' "$APPS" >"$tmp/apps.json"
chmod a+r "$tmp" "$tmp/apps.json"
say "starting $APPS apps"
inside "$PMCTL" start "$tmp/apps.json" >/dev/null
inside "$PMCTL" metrics enable --port "$PORT" >/dev/null
settle

say "$SCRAPES warm and $SCRAPES cold scrapes"
# shellcheck disable=SC2016  # expanded by the shell inside the sandbox
read -r MEDIAN P90 COLD COLD90 RSS_IDLE RSS_PEAK WARM_CALLS BYTES SAMPLES < <(inside bash -c '
  port=$1 n=$2
  stats() { sort -n | awk -v n="$n" "{t[NR]=\$1} END {printf \"%.1f %.1f \", t[int((n+1)/2)]*1000, t[int(n*0.9+0.5)]*1000}"; }
  scrape() { curl -s -o /tmp/scrape -w "%{time_total}\n" "http://127.0.0.1:$port/metrics"; }
  scrape >/dev/null
  for _ in $(seq "$n"); do scrape; done | stats
  pid=$(systemctl show -P MainPID pmctl-metrics.service)
  rss=$(awk "/^VmRSS/ {print \$2}" "/proc/$pid/status")
  peak=$(awk "/^VmHWM/ {print \$2}" "/proc/$pid/status")
  strace -f -c -o /tmp/strace-warm -p "$pid" 2>/dev/null & tracer=$!
  sleep 1
  for _ in $(seq 10); do scrape >/dev/null; done
  kill -INT "$tracer"; wait "$tracer" || true
  per_scrape=$(awk "\$NF == \"total\" {printf \"%d\", \$4 / 10}" /tmp/strace-warm)
  for _ in $(seq "$n"); do
    systemctl stop pmctl-metrics.service 2>/dev/null  # "can still be activated by the socket"
    sleep 0.2
    scrape
  done | stats
  printf "%s %s %s %s %s\n" "$rss" "$peak" "$per_scrape" "$(wc -c </tmp/scrape)" "$(grep -vc "^#" /tmp/scrape)"
' bench "$PORT" "$SCRAPES")

say "one serve under strace and time"
# shellcheck disable=SC2016
read -r SYSCALLS RSS < <(inside bash -c '
  pmctl=$1
  printf "GET /metrics HTTP/1.1\r\n\r\n" >/tmp/request
  strace -f -c -o /tmp/strace "$pmctl" --system metrics serve </tmp/request >/dev/null
  calls=$(awk "\$NF == \"total\" {print \$4}" /tmp/strace)
  /usr/bin/time -f "%M" -o /tmp/rss "$pmctl" --system metrics serve </tmp/request >/dev/null
  echo "$calls $(cat /tmp/rss)"
' bench "$PMCTL")

cat <<TABLE

| $APPS apps, GET /metrics | figure |
|---|---|
| one scrape, handler running: curl's total time (median of $SCRAPES) | $MEDIAN ms |
| p90 | $P90 ms |
| one scrape that starts the handler (median of $SCRAPES) | $COLD ms |
| p90 | $COLD90 ms |
| the running handler's resident memory between scrapes (its peak) | $RSS_IDLE kB ($RSS_PEAK kB) |
| syscalls per scrape of the running handler (strace -f -c -p, 10 scrapes) | $WARM_CALLS |
| syscalls of one \`pmctl metrics serve\` (strace -f -c) | $SYSCALLS |
| its peak resident memory (run by hand) | $RSS kB |
| the answer | $BYTES bytes, $SAMPLES samples |
TABLE
