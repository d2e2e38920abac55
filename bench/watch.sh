#!/usr/bin/env bash
# What --watch costs and how fast it acts, pmctl vs PM2 in one run (a benchmark, not a test). As
# root: bench/watch.sh
#
# 1. Latency: a tiny node app (it writes its pid and Date.now() to a stamp file when it starts,
#    then stays up) started with --watch by each tool; a file is written in the watched folder and
#    the stamp polled every 5 ms until a new pid shows: write -> new process running, median and
#    p90 of BENCH_RUNS. pmctl runs in the sandbox (tests/sandbox.sh) and the measuring loop with
#    it, so nsenter is not counted; PM2 (npm's pm2@latest in a temporary folder) on the host.
# 2. The watcher alone (no systemd): pmctl-watch over BENCH_FILES files in BENCH_DIRS folders, with
#    a node_modules of as many files beside them (ignored, so never walked): its resident memory,
#    the time it takes to set up the watches, and its CPU while nothing changes.
#
# Knobs: BENCH_RUNS (10), BENCH_FILES (10000), BENCH_DIRS (500), BENCH_IDLE_SECONDS (10),
# BENCH_LATENCY (1; 0 skips part 1, so neither the sandbox nor PM2 is needed), BENCH_COLD (1: drop
# the page cache before the watcher walks the tree, as after a boot; 0: warm), PMCTL_BUILD (build,
# or another meson build dir of this repository, relative or absolute), BENCH_NO_BUILD (1: use
# PMCTL_BUILD as it is, without ninja), BENCH_SANDBOX.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
RUNS=${BENCH_RUNS:-10}
FILES=${BENCH_FILES:-10000}
DIRS=${BENCH_DIRS:-500}
IDLE=${BENCH_IDLE_SECONDS:-10}
LATENCY=${BENCH_LATENCY:-1}
BUILD=${PMCTL_BUILD:-build}
case $BUILD in /*) BUILD_DIR=$BUILD ;; *) BUILD_DIR=$REPO/$BUILD ;; esac
PMCTL=$BUILD_DIR/src/cli/pmctl
WATCH=$BUILD_DIR/src/cli/pmctl-watch

source bench/lib.sh
bench_lock
if [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
  [ -x "$PMCTL" ] || [ "$LATENCY" = 0 ] || die "no $PMCTL"
elif [ "$LATENCY" = 1 ]; then
  bench_build src/cli/pmctl src/cli/pmctl-watch
else
  PMCTL=$WATCH bench_build src/cli/pmctl-watch   # pmctl itself is not needed
fi
[ -x "$WATCH" ] || die "no $WATCH"

tmp=$(mktemp -d /tmp/pmctl-bench-watch.XXXXXX)
export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
watcher=
bench_cleanup_more() { [ -z "$watcher" ] || kill "$watcher" 2>/dev/null; }
trap bench_cleanup EXIT   # bench_start sets the same; part 2 alone does not call it
trap 'exit 130' INT TERM

# The app: its stamp goes beside the watched folder (DIR/stamp for DIR/app/app.js), by rename,
# so a poll never reads half a line.
# shellcheck disable=SC2016  # JavaScript
APP_JS='const fs = require("fs"), path = require("path");
const stamp = path.join(__dirname, "..", "stamp");
fs.writeFileSync(stamp + ".tmp", `${process.pid} ${Date.now()}\n`);
fs.renameSync(stamp + ".tmp", stamp);
setInterval(() => {}, 1 << 30);
process.on("SIGINT", () => process.exit(0));'

# node -e "$MEASURE" DIR RUNS: waits for the app, then RUNS times writes DIR/app/touched.js and
# polls DIR/stamp until a new pid shows; prints "median p90 n" of (new process's stamp - write).
# shellcheck disable=SC2016  # JavaScript
MEASURE='const fs = require("fs"), path = require("path");
const [dir, runs] = [process.argv[1], +process.argv[2]];
const read = () => {
  try {
    const [pid, ms] = fs.readFileSync(path.join(dir, "stamp"), "utf8").trim().split(" ");
    return pid && ms ? { pid, ms: +ms } : null;
  } catch { return null; }
};
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  let now = null;
  for (let i = 0; i < 6000 && !(now = read()); i++) await sleep(5);
  if (!now) { console.error("the app did not start"); process.exit(1); }
  await sleep(3000);  // the watcher set up (chokidar scans the tree after the app starts)
  const took = [];
  for (let i = 0; i < runs; i++) {
    const before = read(), t0 = Date.now();
    fs.writeFileSync(path.join(dir, "app", "touched.js"), `// ${t0}\n`);
    let after = null;
    while (Date.now() < t0 + 30000 && !((after = read()) && after.pid !== before.pid)) await sleep(5);
    if (!after || after.pid === before.pid) { console.error("no restart within 30 s"); process.exit(1); }
    took.push(after.ms - t0);
    await sleep(1500);  // the new process settled, the watcher idle again
  }
  took.sort((a, b) => a - b);
  const n = took.length, q = p => took[Math.min(n - 1, Math.ceil(p * n) - 1)];
  const median = n % 2 ? took[(n - 1) / 2] : (took[n / 2 - 1] + took[n / 2]) / 2;
  console.log(median, q(0.9), n);
})();'

# --- 1. write -> new process, pmctl and PM2 ------------------------------------------------------
if [ "$LATENCY" = 1 ]; then
  bench_start
  inside() { tests/sandbox.sh exec "$@" 9>&-; }
  say "pmctl: --watch latency ($RUNS runs)"
  settle
  # shellcheck disable=SC2016  # expanded by the shell inside the sandbox
  PMCTL_LAT=$(inside bash -c '
    pmctl=$1 app_js=$2 measure=$3 runs=$4
    dir=$(mktemp -d /var/tmp/pmctl-bench-watch.XXXXXX)
    mkdir "$dir/app" && printf "%s\n" "$app_js" >"$dir/app/app.js"
    (cd "$dir/app" && "$pmctl" start app.js --watch --name w -s) >&2 || exit 1
    node -e "$measure" "$dir" "$runs"; status=$?
    "$pmctl" delete w -s >&2
    rm -rf "$dir"
    exit $status
  ' _ "$PMCTL" "$APP_JS" "$MEASURE" "$RUNS") || die "pmctl: the measure failed"

  say "pm2 $PM2_VERSION: --watch latency ($RUNS runs)"
  mkdir -p "$tmp/pm2/app" && printf '%s\n' "$APP_JS" >"$tmp/pm2/app/app.js"
  (cd "$tmp/pm2/app" && pm2 start app.js --watch --name w >/dev/null)
  settle
  PM2_LAT=$(node -e "$MEASURE" "$tmp/pm2" "$RUNS") || die "pm2: the measure failed"
  pm2 delete w >/dev/null
fi

# --- 2. pmctl-watch over a big tree, alone --------------------------------------------------------
say "making $FILES files in $DIRS folders (and as many in node_modules)"
tree=$tmp/tree
per_dir=$(( (FILES + DIRS - 1) / DIRS ))
top=$(awk -v d="$DIRS" 'BEGIN { t = int(sqrt(d)); print (t < 1 ? 1 : t) }')
made=0
for ((i = 0; made < DIRS; i++)); do
  for ((j = 0; j < DIRS / top && made < DIRS; j++)); do
    d=$tree/d$i/s$j
    [ "$j" = 0 ] && d=$tree/d$i
    mkdir -p "$d" "$tree/node_modules/m$i/s$j"
    for ((f = 0; f < per_dir; f++)); do : >"$d/f$f.js"; : >"$tree/node_modules/m$i/s$j/f$f.js"; done
    made=$((made + 1))
  done
done
dirs_made=$(find "$tree" -path "$tree/node_modules" -prune -o -type d -print | wc -l)
files_made=$(find "$tree" -path "$tree/node_modules" -prune -o -type f -print | wc -l)

settle
cache=warm
if [ "${BENCH_COLD:-1}" = 1 ]; then sync; echo 3 >/proc/sys/vm/drop_caches; cache=cold; fi
log=$tmp/watch.log
"$WATCH" --pmctl /bin/true --name bench --action restart --path "$tree" >"$log" 2>&1 9>&- &
watcher=$!
for _ in $(seq 600); do grep -q '^watching' "$log" && break; sleep 0.05; done
grep -q '^watching' "$log" || die "pmctl-watch did not start: $(cat "$log")"
sleep 1
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$watcher/status")
setup=$(sed -n 's/.*set up in \([0-9]*\) ms.*/\1/p' "$log")
watched=$(sed -n 's/^watching \([0-9]*\) directories.*/\1/p' "$log")
cpu0=$(awk '{ print $14 + $15 }' "/proc/$watcher/stat")
sleep "$IDLE"
cpu1=$(awk '{ print $14 + $15 }' "/proc/$watcher/stat")
idle_ms=$(( (cpu1 - cpu0) * 1000 / $(getconf CLK_TCK) ))
kill "$watcher"; wait "$watcher" || true; watcher=

# --- the table ------------------------------------------------------------------------------------
echo
if [ "$LATENCY" = 1 ]; then
  read -r pm_med pm_p90 pm_n <<<"$PMCTL_LAT"
  read -r p2_med p2_p90 p2_n <<<"$PM2_LAT"
  echo "| file write -> the app's new process | median | p90 | runs |"
  echo "|---|---|---|---|"
  echo "| pmctl --watch | ${pm_med} ms | ${pm_p90} ms | $pm_n |"
  echo "| pm2 $PM2_VERSION --watch | ${p2_med} ms | ${p2_p90} ms | $p2_n |"
  echo
fi
echo "| pmctl-watch over $files_made files in $dirs_made folders (+ an ignored node_modules) | |"
echo "|---|---|"
echo "| directories watched | $watched |"
echo "| resident memory (VmRSS) | $rss kB |"
echo "| time to set up the watches ($cache cache) | $setup ms |"
echo "| CPU while idle | $idle_ms ms in $IDLE s |"
