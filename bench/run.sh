#!/usr/bin/env bash
# pmctl vs PM2, measured in one run (a benchmark, not a test). As root: bench/run.sh
#
# - PM2 is npm's pm2@latest, installed into a `mktemp -d` folder (never globally); its PM2_HOME is
#   in that folder too, so ~/.pm2 is never touched. It runs on the host, with its God daemon.
# - pmctl runs in its own throwaway systemd 252 (tests/sandbox.sh with
#   PMCTL_SANDBOX=/var/tmp/pmctl-bench-sandbox), purged before and after.
# - Both are timed by hyperfine (Debian's, installed if missing) without a shell (-N). pmctl's
#   hyperfine runs *inside* the sandbox, so the nsenter + sh of `tests/sandbox.sh exec` is not
#   counted; PM2's runs on the host.
# - Measured: `ls` with 0 and with N apps, `jlist` with N apps, `start` of one app (a new name
#   each run, deleted after), the manager's memory (PM2's God daemon VmRSS; pmctl has no process,
#   checked with pgrep inside the sandbox), and the apps' own memory.
#
# Prints a markdown report and writes it to bench/results/latest.md (gitignored).
# Knobs: BENCH_APPS (50), BENCH_LS_RUNS (30), BENCH_START_RUNS (15), PMCTL_BUILD (default build,
# built with scripts/setup.sh; another meson build dir of this repo is used as it is, after ninja).
# Everything it starts is stopped on exit: `pm2 kill` (then the daemon's own pid), sandbox purge.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

APPS=${BENCH_APPS:-50}
LS_RUNS=${BENCH_LS_RUNS:-30}
START_RUNS=${BENCH_START_RUNS:-15}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$BUILD/src/cli/pmctl   # relative: the sandbox sees the repository at the same path
APP=bench/app.js
RESULTS=$REPO/bench/results

source bench/lib.sh
bench_lock   # one run at a time: a second one would purge the first one's sandbox

# --- tools and build ---------------------------------------------------------------------------
need_tools hyperfine
bench_build src/cli/pmctl

# --- temp dirs, PM2 and the sandbox, all ended on exit -----------------------------------------
export PMCTL_SANDBOX=/var/tmp/pmctl-bench-sandbox
tmp=$(mktemp -d /tmp/pmctl-bench.XXXXXX)
mkdir -p "$RESULTS"
work=$(mktemp -d "$RESULTS/work.XXXXXX")   # inside the repo: the sandbox writes hyperfine's JSON here
BENCH_REMOVE=("$work")
bench_start

inside() { tests/sandbox.sh exec "$@"; }     # untimed helper commands in the sandbox
pmctl() { inside "$PMCTL" "$@"; }
vmrss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }


# hyperfine without a shell; output of the timed commands goes to /dev/null, and a command that
# exits non-zero aborts the run. $1 = where (in|out), $2 = result name, rest = hyperfine args.
hf() {
  local where=$1 name=$2; shift 2
  settle
  local args=(-N --style none --export-json "$work/$name.json" "$@")
  if [ "$where" = in ]; then inside hyperfine "${args[@]}"; else hyperfine "${args[@]}"; fi
}
# "median min p90 max n" in ms over all runs of all commands in one hyperfine JSON.
stats() {
  node -e '
    const t = require(process.argv[1]).results.flatMap(r => r.times).map(s => s * 1000).sort((a, b) => a - b);
    const q = p => t[Math.min(t.length - 1, Math.ceil(p * t.length) - 1)];
    const med = t.length % 2 ? t[(t.length - 1) / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    const f = x => x < 100 ? x.toFixed(1) : x.toFixed(0);
    console.log([med, t[0], q(0.9), t[t.length - 1]].map(f).join(" "), t.length);
  ' "$work/$1.json"
}
start_many() {  # $1 = pmctl|pm2: start $APPS apps named a1..aN, untimed
  if [ "$1" = pmctl ]; then
    # shellcheck disable=SC2016  # $i, $0 and $1 are the inner sh's, inside the sandbox
    inside sh -c 'i=1; while [ $i -le "$1" ]; do "$0" start "$2" --name a$i >/dev/null || exit 1; i=$((i+1)); done' \
      "$PMCTL" "$APPS" "$APP"
  else
    local i; for i in $(seq 1 "$APPS"); do pm2 start "$APP" --name "a$i" >/dev/null; done
  fi
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
  say "warning: load average $LOAD_BEFORE on $(nproc) CPUs; the figures will be noisy"
fi

# --- pmctl -------------------------------------------------------------------------------------
say "pmctl: process start floor, ls with 0 apps"
hf in floor_in --warmup 5 --runs "$LS_RUNS" /bin/true
hf in pmctl_ls0 --warmup 3 --runs "$LS_RUNS" "$PMCTL ls"

say "pmctl: start ($START_RUNS runs)"
pmctl start "$APP" --name bwarm >/dev/null && pmctl delete bwarm >/dev/null
hf in pmctl_start --runs 1 -P n 1 "$START_RUNS" --cleanup "$PMCTL delete b{n}" "$PMCTL start $APP --name b{n}"

SD_PID=$(tests/sandbox.sh pid)
SD_RSS0=$(vmrss_kb "$SD_PID")
say "pmctl: starting $APPS apps"
start_many pmctl
sleep 3
SD_RSS50=$(vmrss_kb "$SD_PID")
[ "$(inside "$PMCTL" jlist | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(p=>p.pm2_env.status==="online").length))')" = "$APPS" ] \
  || die "pmctl: not all $APPS apps are online"
say "pmctl: ls and jlist with $APPS apps"
hf in pmctl_ls50 --warmup 3 --runs "$LS_RUNS" "$PMCTL ls"
hf in pmctl_jlist50 --warmup 3 --runs "$LS_RUNS" "$PMCTL jlist"
PMCTL_APPS_KB=$(inside "$PMCTL" jlist | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Math.round(JSON.parse(s).reduce((a,p)=>a+p.monit.memory,0)/1024)))')
# The proof that pmctl keeps no process: none named pmctl in the sandbox's PID namespace.
PMCTL_PROCS=$(inside pgrep -x pmctl || true)
[ -z "$PMCTL_PROCS" ] || die "a pmctl process is running in the sandbox: $PMCTL_PROCS"
PMCTL_PROCS_CHECK="\`pgrep -x pmctl\` in the sandbox after the commands: nothing"
pmctl delete all >/dev/null

# --- PM2 ---------------------------------------------------------------------------------------
say "pm2 $PM2_VERSION: daemon, process start floor, ls with 0 apps"
pm2 ping >/dev/null
GOD=$(cat "$PM2_HOME/pm2.pid")
hf out floor_out --warmup 5 --runs "$LS_RUNS" /bin/true
hf out pm2_ls0 --warmup 3 --runs "$LS_RUNS" "$PM2 ls"
GOD_RSS0=$(vmrss_kb "$GOD")

say "pm2: start ($START_RUNS runs)"
pm2 start "$APP" --name bwarm >/dev/null && pm2 delete bwarm >/dev/null
hf out pm2_start --runs 1 -P n 1 "$START_RUNS" --cleanup "$PM2 delete b{n}" "$PM2 start $APP --name b{n}"

say "pm2: starting $APPS apps"
start_many pm2
sleep 3
[ "$(pm2 jlist | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).filter(p=>p.pm2_env.status==="online").length))')" = "$APPS" ] \
  || die "pm2: not all $APPS apps are online"
say "pm2: ls and jlist with $APPS apps"
hf out pm2_ls50 --warmup 3 --runs "$LS_RUNS" "$PM2 ls"
hf out pm2_jlist50 --warmup 3 --runs "$LS_RUNS" "$PM2 jlist"
GOD_RSS50=$(vmrss_kb "$GOD")
PM2_APPS_KB=$(pm2 jlist | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Math.round(JSON.parse(s).reduce((a,p)=>a+p.monit.memory,0)/1024)))')
[ "$GOD" = "$(cat "$PM2_HOME/pm2.pid")" ] || die "pm2's daemon changed pid during the run"
pm2 delete all >/dev/null

# --- report ------------------------------------------------------------------------------------
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
cell() { local m mn p9 mx; read -r m mn p9 mx _ <<<"$(stats "$1")"; echo "**$m** ($mn / $p9 / $mx)"; }
runs() { stats "$1" | awk '{ print $5 }'; }
median() { stats "$1" | awk '{ print $1 }'; }
ratio() { awk -v a="$(median "$1")" -v b="$(median "$2")" 'BEGIN { printf "%.0f×", a / b }'; }
row() { echo "| $1 | $(runs "$2") | $(cell "$2") | $(cell "$3") | ${4:-$(ratio "$3" "$2")} |"; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "**missed**"; fi; }

LS50=$(median pmctl_ls50); PM2LS50=$(median pm2_ls50); START=$(median pmctl_start)
buildtype=$(meson introspect "$BUILD" --buildoptions 2>/dev/null \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).find(o=>o.name==="buildtype").value))' \
  || echo unknown)

report=$(cat <<EOF
## Results ($(date -u '+%Y-%m-%d %H:%M UTC'))

Wall time per command in ms: **median** (min / p90 / max). pmctl timed by hyperfine inside the
sandbox, PM2 by hyperfine on the host with its daemon already running.

| measurement | runs | pmctl | PM2 $PM2_VERSION | PM2 ÷ pmctl |
| --- | ---: | --- | --- | ---: |
$(row "\`ls\`, 0 apps" pmctl_ls0 pm2_ls0)
$(row "\`ls\`, $APPS apps" pmctl_ls50 pm2_ls50)
$(row "\`jlist\`, $APPS apps" pmctl_jlist50 pm2_jlist50)
$(row "\`start\` one app" pmctl_start pm2_start)
$(row "\`/bin/true\` (process start floor: noise check)" floor_in floor_out —)

| memory (VmRSS) | pmctl | PM2 $PM2_VERSION |
| --- | --- | --- |
| manager process, 0 apps | 0 (no process) | $(mib "$GOD_RSS0") (God daemon) |
| manager process, $APPS apps | 0 (no process) | $(mib "$GOD_RSS50") (God daemon) |
| systemd (PID 1, there with or without pmctl), 0 → $APPS apps | $(mib "$SD_RSS0") → $(mib "$SD_RSS50") | not used |
| the $APPS apps together (each tool's jlist \`monit.memory\`) | $(mib "$PMCTL_APPS_KB") | $(mib "$PM2_APPS_KB") |

$PMCTL_PROCS_CHECK.

Targets: \`pmctl ls\` with $APPS apps ≤ 10 ms: $(verdict "$LS50 <= 10") ($LS50 ms);
≥ 30× faster than \`pm2 ls\`: $(verdict "$PM2LS50 / $LS50 >= 30") ($(ratio pm2_ls50 pmctl_ls50));
\`pmctl start\` ≤ 60 ms: $(verdict "$START <= 60") ($START ms).

### Machine

- CPU: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); memory $(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
- kernel $(uname -r); $(/lib/systemd/systemd --version | head -n 1) (in the sandbox)
- node $(node --version); pm2 $PM2_VERSION (npm registry, pm2@latest); $(hyperfine --version)
- pmctl $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD 2>/dev/null || echo ' (with local changes)'), meson buildtype $buildtype
- load average before the run: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg)
EOF
)
echo "$report" > "$RESULTS/latest.md"
echo "$report"
say "written to bench/results/latest.md"
