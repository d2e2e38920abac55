# shellcheck shell=bash
# What bench/run.sh and bench/cluster.sh share (sourced, not run): messages, the one-benchmark
# lock, PM2 from the npm registry into a temporary folder, its cleanup, and waiting for an idle
# machine. The caller sets `tmp` (its temporary folder) before install_pm2 and stop_pm2.

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

# One benchmark at a time (they share the sandbox /var/tmp/pmctl-bench-sandbox); the lock is fd 9,
# which the sandbox and PM2's daemon must not inherit (start them with 9>&-).
bench_lock() {
  [ "$(id -u)" = 0 ] || die "run as root (the sandbox mounts and unshares)"
  exec 9>/var/tmp/pmctl-bench.lock
  flock -n 9 || die "another benchmark is running"
  command -v node >/dev/null || die "node is needed (PM2 runs under it)"
}

# pm2@latest into $tmp (never globally), its home in $tmp too, so ~/.pm2 is never touched.
# Sets PM2_HOME, PM2 and PM2_VERSION.
install_pm2() {
  : "${tmp:?install_pm2: the caller sets tmp (its temporary folder)}"
  command -v npm >/dev/null || die "npm is needed (to install pm2 from the npm registry)"
  export PM2_HOME=$tmp/pm2-home
  PM2=$tmp/node_modules/.bin/pm2
  say "installing pm2@latest into $tmp"
  npm install --prefix "$tmp" pm2@latest --no-audit --no-fund --loglevel=error >/dev/null 2>"$tmp/npm.log" \
    || { cat "$tmp/npm.log" >&2; die "npm install pm2 failed"; }
  # shellcheck disable=SC2034  # used by the scripts that source this one
  PM2_VERSION=$(node -p "require('$tmp/node_modules/pm2/package.json').version")
}
pm2() { "$PM2" "$@" 9>&-; }

# `pm2 kill`, then the daemon this script started, by its pid, if it is still there.
stop_pm2() {
  [ -n "${PM2:-}" ] && [ -x "$PM2" ] && [ -d "${PM2_HOME:-/nonexistent}" ] || return 0
  local god
  god=$(cat "$PM2_HOME/pm2.pid" 2>/dev/null)
  "$PM2" kill >/dev/null 2>&1
  if [ -n "$god" ] && [ -d "/proc/$god" ] && grep -q "$PM2_HOME" "/proc/$god/environ" 2>/dev/null; then
    kill -KILL "$god"
  fi
}

# Waits (at most 30 s) until the whole machine has been at least 90% idle for a second, so that
# what is still starting does not compete with what is measured. BENCH_SETTLE=0 skips it (for
# trying a script, not for figures).
settle() {
  [ "${BENCH_SETTLE:-1}" = 0 ] && return 0
  local tries=0 a b total idle i
  while [ $tries -lt 30 ]; do
    read -r -a a </proc/stat; sleep 1; read -r -a b </proc/stat  # the first line: cpu totals
    total=0; for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
    idle=$((b[4] - a[4] + b[5] - a[5]))
    [ $total -gt 0 ] && [ $((idle * 100 / total)) -ge 90 ] && return 0
    tries=$((tries + 1))
  done
  say "warning: the machine did not settle below 10% busy; measuring anyway"
}
