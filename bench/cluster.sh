#!/usr/bin/env bash
# Cluster mode measured in one run (a benchmark, not a test), as root: bench/cluster.sh
#
# Throughput of Node's hello world (bench/http.js) with two instances behind one port, by wrk
# with one thread, keep-alive (-c50) and Connection: close (-c20), for:
#   - one plain instance (the ceiling of one process, no balancing);
#   - HAProxy 2.6 (Debian's), L4 round-robin with one thread, over two plain instances;
#   - PM2's cluster mode (pm2@latest from the npm registry, in a temporary folder);
#   - pmctl's proxy mode (`-i 2`: the socket unit + pmctl-balancer) and shared mode
#     (`-i 2 --lb shared`: every instance inherits the listening socket), in the throwaway systemd.
# Then failed requests during two reloads in a 10 s run (PM2 and pmctl), the balancer's RSS with
# 1 and 1000 open connections, and a kill -9 of one instance under load.
#
# Prints a markdown report and writes it to bench/results/cluster.md (gitignored).
# All five setups run at once (idle ones cost nothing); the throughput figures are measured in
# BENCH_ROUNDS rounds that alternate the setups, and the report gives the medians and their ratios.
# Knobs: BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_PORT (18100: setups on 18101-18142), PMCTL_BUILD (default build), BENCH_SETTLE=0
# (do not wait for an idle machine before each figure: for trying the script, not for figures).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
SECONDS_RUN=${BENCH_SECONDS:-10}
PORT=${BENCH_PORT:-18100}   # below the ephemeral range: wrk's own client ports cannot hold it
BUILD=${PMCTL_BUILD:-build}
PMCTL=$BUILD/src/cli/pmctl
APP=$REPO/bench/http.js
RESULTS=$REPO/bench/results

source bench/lib.sh
bench_lock

# --- tools and build ---------------------------------------------------------------------------
need_tools wrk haproxy
bench_build src/cli/pmctl src/cli/pmctl-logwriter src/balancer/pmctl-balancer

export PMCTL_SANDBOX=/var/tmp/pmctl-bench-sandbox
tmp=$(mktemp -d /tmp/pmctl-cluster-bench.XXXXXX)
pids=()   # plain node instances and haproxy started by this script
bench_cleanup_more() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
bench_start
pmctl() { tests/sandbox.sh exec "$PMCTL" "$@"; }

# --- measuring ---------------------------------------------------------------------------------

# Waits until $1 (a port) answers HTTP.
answers() {
  local i
  for i in $(seq 1 100); do
    curl -fsS -m 1 "http://127.0.0.1:$1/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "nothing answers on port $1"
}

# wrk once; prints "rps errors" where errors = socket errors + non-2xx responses.
# $1 = keepalive|close, $2 = port, $3 = seconds.
load() {
  local mode=$1 port=$2 secs=${3:-$SECONDS_RUN} out
  local args=(-t1 -d"${secs}s" --latency)
  if [ "$mode" = close ]; then args+=(-c20 -H "Connection: close"); else args+=(-c50); fi
  out=$(wrk "${args[@]}" "http://127.0.0.1:$port/")
  echo "$out" >>"$tmp/wrk.log"
  local rps errs
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
  errs=$(awk '/Socket errors:/ { gsub(/,/, ""); s += $4 + $6 + $8 + $10 } /Non-2xx/ { s += $NF } END { print s + 0 }' <<<"$out")
  echo "$rps $errs"
}
# A load of $3 seconds on port $2 with `$1` run twice during it (at 30% and 60%).
under_reloads() {
  local cmd=$1 port=$2 mode=$3 secs=$SECONDS_RUN
  settle
  ( sleep "$(awk -v s="$secs" 'BEGIN { print s * 0.3 }')"; eval "$cmd" >/dev/null 2>&1
    sleep "$(awk -v s="$secs" 'BEGIN { print s * 0.3 }')"; eval "$cmd" >/dev/null 2>&1 ) &
  local reloader=$!
  load "$mode" "$port" "$secs"
  wait $reloader
}

# kill -9 of pid $1 (inside the sandbox) 2 s into a 5 s Connection: close run on port $2; a
# second run of 2 s starts 0.1 s after the kill, so its connections are all new ones. Prints
# "rps failed new_rps new_failed".
kill_under_load() {
  local victim=$1 port=$2
  # `kill -9 0` or `-1` would hit this script's own processes.
  if ! { [[ "$victim" =~ ^[0-9]+$ ]] && [ "$victim" -gt 1 ]; }; then die "no process to kill (got pid '$victim')"; fi
  settle
  ( sleep 2; tests/sandbox.sh exec kill -9 "$victim"; sleep 0.1
    load close "$port" 2 >"$tmp/after-kill" ) &
  local killer=$!
  read -r rps failed <<<"$(load close "$port" 5)"
  wait $killer
  echo "$rps $failed $(cat "$tmp/after-kill")"
}

# Opens $2 connections to port $1 and holds them for $3 seconds (node, on the host).
hold_connections() {
  node -e '
    const net = require("net"); const [port, n, secs] = process.argv.slice(1).map(Number);
    const socks = []; for (let i = 0; i < n; i++) socks.push(net.connect(port, "127.0.0.1").on("error", () => {}));
    setTimeout(() => { socks.forEach(s => s.destroy()); process.exit(0); }, secs * 1000);
  ' "$1" "$2" "$3"
}
# shellcheck disable=SC2016  # awk's $2, for the awk inside the sandbox
sandbox_rss_kb() { tests/sandbox.sh exec awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --- every setup at once (idle ones cost nothing), each on its own port -------------------------
P_PLAIN=$((PORT + 1)); P_HAPROXY=$((PORT + 10)); P_PM2=$((PORT + 20)); P_PROXY=$((PORT + 30)); P_SHARED=$((PORT + 40))
say "starting: one plain instance, HAProxy over two, PM2 $PM2_VERSION -i 2, pmctl -i 2 (proxy), pmctl -i 2 --lb shared"
PORT=$P_PLAIN node "$APP" & pids+=($!)
PORT=$((P_HAPROXY + 1)) NODE_APP_INSTANCE=0 node "$APP" & pids+=($!)
PORT=$((P_HAPROXY + 2)) NODE_APP_INSTANCE=1 node "$APP" & pids+=($!)
cat >"$tmp/haproxy.cfg" <<CFG
global
  nbthread 1
  maxconn 4096
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
frontend public
  bind 127.0.0.1:$P_HAPROXY
  default_backend instances
backend instances
  balance roundrobin
  server a 127.0.0.1:$((P_HAPROXY + 1))
  server b 127.0.0.1:$((P_HAPROXY + 2))
CFG
haproxy -f "$tmp/haproxy.cfg" -db >/dev/null 2>&1 & pids+=($!)
HAPROXY_VERSION=$(haproxy -v | head -1 | awk '{ print $3 }')
PORT=$P_PM2 pm2 start "$APP" --name http -i 2 >/dev/null
pmctl start "$APP" --name http -i 2 --port "$P_PROXY" >/dev/null
pmctl start "$APP" --name httpsh -i 2 --port "$P_SHARED" --lb shared >/dev/null
for p in $P_PLAIN $P_HAPROXY $P_PM2 $P_PROXY $P_SHARED; do answers "$p"; done

SETUPS=(plain haproxy pm2 proxy shared)
declare -A SETUP_PORT=([plain]=$P_PLAIN [haproxy]=$P_HAPROXY [pm2]=$P_PM2 [proxy]=$P_PROXY [shared]=$P_SHARED)
declare -A SETUP_NAME=([plain]="one plain instance (no balancing)"
  [haproxy]="HAProxy $HAPROXY_VERSION L4 (1 thread), two instances"
  [pm2]="PM2 $PM2_VERSION cluster, two instances"
  [proxy]="pmctl proxy mode (pmctl-balancer), two instances"
  [shared]="pmctl shared mode (\`--lb shared\`), two instances")
ROUNDS=${BENCH_ROUNDS:-3}
# Rounds alternate the setups (each round starts one setup later), so a slow minute of this
# shared machine does not land on one setup only; the report gives each round and the median.
for round in $(seq 1 "$ROUNDS"); do
  for k in "${!SETUPS[@]}"; do
    setup=${SETUPS[$(((k + round - 1) % ${#SETUPS[@]}))]}
    for mode in keepalive close; do
      settle
      read -r rps errs <<<"$(load "$mode" "${SETUP_PORT[$setup]}")"
      echo "$setup $mode $round $rps $errs" >>"$tmp/rounds"
      say "round $round: $setup $mode: $rps rps ($errs errors)"
    done
  done
done
median() {  # $1 setup, $2 mode: the median rps over the rounds
  awk -v s="$1" -v m="$2" '$1 == s && $2 == m { print $4 }' "$tmp/rounds" | sort -n |
    awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
each_round() {  # $1 setup, $2 mode: "a / b / c"
  awk -v s="$1" -v m="$2" '$1 == s && $2 == m { printf "%s%s", sep, $4; sep = " / " }' "$tmp/rounds"
}
errors_of() { awk -v s="$1" '$1 == s { e += $5 } END { print e + 0 }' "$tmp/rounds"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for setup in "${SETUPS[@]}"; do
  printf '| %s | **%s** (%s) | **%s** (%s) | %s |\n' "${SETUP_NAME[$setup]}" \
    "$(median "$setup" keepalive)" "$(each_round "$setup" keepalive)" \
    "$(median "$setup" close)" "$(each_round "$setup" close)" "$(errors_of "$setup")" >>"$tmp/throughput"
done
KA_HAPROXY=$(median haproxy keepalive); KA_PM2=$(median pm2 keepalive); CL_PM2=$(median pm2 close)
GOALS="| proxy keep-alive ÷ HAProxy (goal ≥ 1.0) | $(ratio "$(median proxy keepalive)" "$KA_HAPROXY") |
| proxy close ÷ PM2 (goal ≥ 1.5) | $(ratio "$(median proxy close)" "$CL_PM2") |
| shared keep-alive ÷ PM2 (goal ≥ 1.0) | $(ratio "$(median shared keepalive)" "$KA_PM2") |
| shared close ÷ PM2 (goal ≥ 2.0) | $(ratio "$(median shared close)" "$CL_PM2") |"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=()

# --- reloads under load --------------------------------------------------------------------------
# Only the failed requests are reported; the rps of these runs goes to _.
read -r _ PM2_RL_KA_ERR <<<"$(under_reloads "$PM2 reload http" "$P_PM2" keepalive)"
read -r _ PM2_RL_CL_ERR <<<"$(under_reloads "$PM2 reload http" "$P_PM2" close)"
say "pm2: reloads under keep-alive: $PM2_RL_KA_ERR failed; under close: $PM2_RL_CL_ERR failed"
pm2 delete all >/dev/null
read -r _ PMCTL_RL_KA_ERR <<<"$(under_reloads "tests/sandbox.sh exec $PMCTL reload http" "$P_PROXY" keepalive)"
read -r _ PMCTL_RL_CL_ERR <<<"$(under_reloads "tests/sandbox.sh exec $PMCTL reload http" "$P_PROXY" close)"
say "pmctl: reloads under keep-alive: $PMCTL_RL_KA_ERR failed; under close: $PMCTL_RL_CL_ERR failed"
read -r _ SH_RL_KA_ERR <<<"$(under_reloads "tests/sandbox.sh exec $PMCTL reload httpsh" "$P_SHARED" keepalive)"
read -r _ SH_RL_CL_ERR <<<"$(under_reloads "tests/sandbox.sh exec $PMCTL reload httpsh" "$P_SHARED" close)"
say "pmctl shared: reloads under keep-alive: $SH_RL_KA_ERR failed; under close: $SH_RL_CL_ERR failed"

# --- the balancer's memory -----------------------------------------------------------------------
LB_PID=$(tests/sandbox.sh exec systemctl show -P MainPID pmctl-http-lb.service)
hold_connections "$P_PROXY" 1 6 & holder=$!; sleep 3; LB_RSS1=$(sandbox_rss_kb "$LB_PID"); wait $holder
hold_connections "$P_PROXY" 1000 8 & holder=$!; sleep 5; LB_RSS1000=$(sandbox_rss_kb "$LB_PID"); wait $holder
say "balancer RSS: $LB_RSS1 kB with 1 connection, $LB_RSS1000 kB with 1000"

# --- kill -9 under load: new connections must not fail ----------------------------------------------
# The pid of the first online instance of app $1 (0 when none is online).
first_pid() {
  # shellcheck disable=SC2016  # a JavaScript program: its ${...} are template literals
  tests/sandbox.sh exec "$PMCTL" jlist | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const a = JSON.parse(s).find((p) => p.name === process.argv[1] && p.pm2_env.status === "online" && p.pid > 1);
    if (!a) console.error("bench: no online instance of " + process.argv[1] + ": " +
      JSON.parse(s).map((p) => `${p.name}/${p.pm_id} ${p.pm2_env.status} pid ${p.pid}`).join(", "));
    console.log(a ? a.pid : 0); })' "$1"
}
read -r KILL_RPS KILL_ERR KILL_NEW_RPS KILL_NEW_ERR <<<"$(kill_under_load "$(first_pid http)" "$P_PROXY")"
say "pmctl: kill -9 of an instance under load: $KILL_ERR failed requests; opened after the kill: $KILL_NEW_ERR"
read -r SH_KILL_RPS SH_KILL_ERR SH_KILL_NEW_RPS SH_KILL_NEW_ERR <<<"$(kill_under_load "$(first_pid httpsh)" "$P_SHARED")"
say "pmctl shared: kill -9 of an instance under load: $SH_KILL_ERR failed requests; opened after the kill: $SH_KILL_NEW_ERR"
# The balancer itself: systemd restarts it; what waits in the socket's queue is served, the
# connections the killed balancer carried break (at most the 20 wrk holds open).
read -r LBKILL_RPS LBKILL_ERR LBKILL_NEW_RPS LBKILL_NEW_ERR <<<"$(kill_under_load "$LB_PID" "$P_PROXY")"
LB_RESTARTS=$(tests/sandbox.sh exec systemctl show -P NRestarts pmctl-http-lb.service)
say "pmctl: kill -9 of the balancer under load: $LBKILL_ERR failed requests, NRestarts=$LB_RESTARTS"
pmctl delete all >/dev/null

# --- report --------------------------------------------------------------------------------------
table=$(cat "$tmp/throughput")
report=$(cat <<MD
## Cluster mode ($(date -u '+%Y-%m-%d %H:%M UTC'))

wrk 4.1 with one thread, ${SECONDS_RUN} s per figure, Node's hello world (bench/http.js), two instances.
Requests per second: the **median** of $ROUNDS rounds (each round's figure in brackets; the rounds
alternate the setups); failed requests (socket errors + non-2xx) over all of them.

| setup | keep-alive -c50 rps | Connection: close -c20 rps | errors |
| --- | --- | --- | ---: |
$table

| ratio of the medians | |
| --- | ---: |
$GOALS

Two reloads during a ${SECONDS_RUN} s run (an app that closes its server on SIGINT):

| | keep-alive -c50: failed requests | Connection: close -c20: failed requests |
| --- | ---: | ---: |
| PM2 $PM2_VERSION (\`pm2 reload\`) | $PM2_RL_KA_ERR | $PM2_RL_CL_ERR |
| pmctl proxy mode (\`pmctl reload\`) | $PMCTL_RL_KA_ERR | $PMCTL_RL_CL_ERR |
| pmctl shared mode (\`pmctl reload\`) | $SH_RL_KA_ERR | $SH_RL_CL_ERR |

pmctl-balancer's VmRSS: $LB_RSS1 kB with 1 open connection, $LB_RSS1000 kB with 1000.
kill -9 2 s into a 5 s Connection: close run (-c20, so at most 20 requests in flight), and a second
2 s run started 0.1 s after the kill (only connections opened after it):

| killed | failed requests in the 5 s run | failed requests opened after the kill |
| --- | ---: | ---: |
| one instance, proxy mode | $KILL_ERR ($KILL_RPS rps) | $KILL_NEW_ERR ($KILL_NEW_RPS rps) |
| one instance, shared mode | $SH_KILL_ERR ($SH_KILL_RPS rps) | $SH_KILL_NEW_ERR ($SH_KILL_NEW_RPS rps) |
| pmctl-balancer (systemd restarted it: NRestarts=$LB_RESTARTS) | $LBKILL_ERR ($LBKILL_RPS rps) | $LBKILL_NEW_ERR ($LBKILL_NEW_RPS rps) |

Machine: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r),
node $(node --version), pmctl $(git -C "$REPO" rev-parse --short HEAD), load average after: $(cut -d' ' -f1-3 /proc/loadavg).
MD
)
mkdir -p "$RESULTS"
echo "$report" >"$RESULTS/cluster.md"
echo "$report"
