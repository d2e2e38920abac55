# shellcheck shell=bash
# What the benchmarks share (sourced, not run): messages, the one-benchmark lock, tools from
# Debian, the build, PM2 from the npm registry into a temporary folder, the sandbox, the cleanup
# of all they started, and waiting for an idle machine. The caller sets `tmp` (its temporary
# folder) before bench_start, install_pm2 and stop_pm2.

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

# Debian's packages for the commands named, where missing.
need_tools() {
  local missing=() tool
  for tool in "$@"; do command -v "$tool" >/dev/null || missing+=("$tool"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The build dir $BUILD: the default one through scripts/setup.sh (which installs what is
# missing), another meson build dir of this repository as it is, after ninja builds the targets
# given (all without any).
bench_build() {
  if [ "$BUILD" = build ]; then
    say "building pmctl (scripts/setup.sh)"
    scripts/setup.sh >&2
  else
    [ -f "$BUILD/build.ninja" ] || die "$BUILD is not a meson build dir of this repository"
    ninja -C "$BUILD" "$@" >/dev/null
  fi
  [ -x "$PMCTL" ] || die "no $PMCTL"
}

# PM2 from the npm registry and a fresh sandbox ($PMCTL_SANDBOX), both ended when the script
# exits, with $tmp and the paths in BENCH_REMOVE removed; a script with more to end defines
# bench_cleanup_more.
bench_start() {
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  install_pm2
  say "booting the sandbox ($PMCTL_SANDBOX)"
  tests/sandbox.sh purge
  tests/sandbox.sh up 9>&-   # the lock stays with the script, not with the sandbox
}
bench_cleanup() {
  set +e
  declare -F bench_cleanup_more >/dev/null && bench_cleanup_more
  stop_pm2
  tests/sandbox.sh purge >/dev/null 2>&1
  rm -rf "${tmp:-}" "${BENCH_REMOVE[@]}"
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
