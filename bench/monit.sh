#!/usr/bin/env bash
# CPU use of `pmctl monit` and of PM2's `pm2 monit` with the same number of apps (a benchmark, not
# a test). As root: bench/monit.sh
#
# Each tool gets BENCH_APPS (200) idle apps (`/bin/sleep`, interpreter none, from one ecosystem
# file). Its monit runs in a detached tmux window of 80x24 for BENCH_SECONDS (60) after a 5 s
# warm-up; the CPU time (utime + stime of /proc/<pid>/stat) of the monit process over that time
# is what it costs. Beside it, the CPU time of what answers it over the same window: the
# sandbox's PID 1 for pmctl (the unit states), PM2's God daemon for PM2, each also measured for
# the same time with no monit running, so that what monit adds to it shows.
# pmctl runs in a sandbox (tests/sandbox.sh), PM2 (from the npm registry, in a temporary folder)
# on the host, as bench/run.sh does.
#
# Knobs: BENCH_APPS (200), BENCH_SECONDS (60), PMCTL_BUILD (build), BENCH_SANDBOX (the sandbox's
# state dir, default /var/tmp/pmctl-bench-sandbox; purged before and after).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
APPS=${BENCH_APPS:-200}
SECS=${BENCH_SECONDS:-60}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$REPO/$BUILD/src/cli/pmctl

source bench/lib.sh
bench_lock
need_tools tmux
bench_build src/cli/pmctl src/monit/pmctl-monit

tmp=$(mktemp -d /var/tmp/pmctl-bench-monit.XXXXXX)
export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
TMUX_HOST=pmctl-bench-monit-$$
bench_cleanup_more() { tmux -L "$TMUX_HOST" kill-server >/dev/null 2>&1; }
bench_start
inside() { tests/sandbox.sh exec "$@" 9>&-; }
hz=$(getconf CLK_TCK)

# The ecosystem file both tools start: APPS sleeps.
node -e '
const n = +process.argv[1];
const apps = [];
for (let i = 1; i <= n; i++)
  apps.push({name: "s" + i, script: "/bin/sleep", args: ["100000"], interpreter: "none"});
console.log(JSON.stringify({apps}));' "$APPS" >"$tmp/apps.json"
chmod a+r "$tmp" "$tmp/apps.json"

ticks() { local st; read -r -a st <"/proc/$1/stat"; echo $((st[13] + st[14])); }
ms() { echo $(($1 * 1000 / hz)); }

say "pmctl: starting $APPS apps in the sandbox"
inside "$PMCTL" start "$tmp/apps.json" >/dev/null
online=$(inside "$PMCTL" jlist | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(p=>p.pm2_env.status==="online").length))')
[ "$online" = "$APPS" ] || die "pmctl: $online of $APPS apps online"

# Inside the sandbox: PID 1's CPU ticks over SECS without monit, then monit's and PID 1's over
# SECS with it. Prints "<pid1 idle> <monit> <pid1 with monit>".
measure_pmctl() {
  # shellcheck disable=SC2016  # expanded by the shell inside the sandbox
  inside bash -c '
    pmctl=$1 secs=$2 sock=pmctl-bench-monit
    t() { read -r -a s <"/proc/$1/stat"; echo $((s[13] + s[14])); }
    a=$(t 1); sleep "$secs"; idle=$(( $(t 1) - a ))
    tmux -L $sock new-session -d -s m -x 80 -y 24 "env LANG=C.UTF-8 $pmctl monit"
    sleep 5
    pid=$(tmux -L $sock display-message -p -t m "#{pane_pid}")
    grep -q pmctl-monit "/proc/$pid/cmdline" || { echo "no pmctl-monit" >&2; exit 1; }
    m=$(t "$pid"); p=$(t 1); sleep "$secs"; m=$(( $(t "$pid") - m )); p=$(( $(t 1) - p ))
    tmux -L $sock capture-pane -p -t m | head -n 4 >&2
    tmux -L $sock send-keys -t m q; sleep 1; tmux -L $sock kill-server 2>/dev/null
    echo "$idle $m $p"
  ' bench "$PMCTL" "$SECS"
}
settle
say "pmctl: PID 1 for ${SECS}s, then pmctl monit for ${SECS}s"
read -r PM_IDLE PM_MONIT PM_SERVER < <(measure_pmctl)
inside "$PMCTL" delete all >/dev/null

say "pm2 $PM2_VERSION: starting $APPS apps"
pm2 start "$tmp/apps.json" >/dev/null
online=$(pm2 jlist | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(p=>p.pm2_env.status==="online").length))')
[ "$online" = "$APPS" ] || die "pm2: $online of $APPS apps online"
god=$(cat "$PM2_HOME/pm2.pid")
settle
say "pm2: its daemon for ${SECS}s, then pm2 monit for ${SECS}s"
g0=$(ticks "$god"); sleep "$SECS"; PM2_IDLE=$(($(ticks "$god") - g0))
tmux -L "$TMUX_HOST" new-session -d -s m -x 80 -y 24 "env LANG=C.UTF-8 $PM2 monit" 9>&-
sleep 5
pid=$(tmux -L "$TMUX_HOST" display-message -p -t m "#{pane_pid}")
m=$(ticks "$pid"); g=$(ticks "$god"); sleep "$SECS"
PM2_MONIT=$(($(ticks "$pid") - m)); PM2_SERVER=$(($(ticks "$god") - g))
tmux -L "$TMUX_HOST" capture-pane -p -t m | head -n 4 >&2
tmux -L "$TMUX_HOST" kill-server >/dev/null 2>&1 || true

pct() { awk -v t="$1" -v hz="$hz" -v s="$SECS" 'BEGIN { printf "%.2f%%", t * 100 / hz / s }'; }
cat <<TABLE

$APPS idle apps, monit in tmux 80x24, ${SECS} s each ($(nproc) CPUs, $(uname -r)); pm2 $PM2_VERSION.

| CPU over ${SECS} s | pmctl monit | pm2 monit |
| --- | --- | --- |
| the monit process | $(ms "$PM_MONIT") ms ($(pct "$PM_MONIT") of one CPU) | $(ms "$PM2_MONIT") ms ($(pct "$PM2_MONIT")) |
| what answers it (PID 1 / PM2's daemon), monit running | $(ms "$PM_SERVER") ms | $(ms "$PM2_SERVER") ms |
| the same, no monit running | $(ms "$PM_IDLE") ms | $(ms "$PM2_IDLE") ms |
TABLE
