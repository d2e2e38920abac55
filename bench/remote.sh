#!/usr/bin/env bash
# What `pmctl -H host ls` costs (a benchmark, not a test). As root: bench/remote.sh. A fresh
# sandbox runs sshd on 127.0.0.1:BENCH_PORT (a key made here, the sandbox's own host key) and
# pmctl installed from the build (meson install inside it), BENCH_APPS idle apps under pmctl and
# the same under PM2 (pm2@latest from the npm registry into a temporary folder, its daemon in the
# sandbox). Then BENCH_RUNS runs each, one after the other, median and p90 of the wall time:
# - `pmctl ls` and `pm2 ls` inside the sandbox: the commands alone, no ssh;
# - `ssh host true`: ssh alone (connect, key exchange, login with its PAM session, a shell);
# - `pmctl -H host ls` from the host;
# - `ssh host pmctl ls` by hand;
# - `ssh host pm2 ls`: PM2 has no remote verb (no -H; its remote view is the paid PM2 Plus), so
#   this is the nearest PM2 user's equivalent;
# - `pmctl -H host ls` again over an open ssh connection (ControlMaster/ControlPersist in the
#   ssh config: what a user who sets it up gets);
# - `pmctl -H host,host2 ls`: two hosts at once (the same sandbox under two names).
# Knobs: BENCH_APPS (10), BENCH_RUNS (20), BENCH_PORT (17796), PMCTL_BUILD (build),
# BENCH_SANDBOX.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
APPS=${BENCH_APPS:-10}
RUNS=${BENCH_RUNS:-20}
PORT=${BENCH_PORT:-17796}
BUILD=${PMCTL_BUILD:-build}
PMCTL=$REPO/$BUILD/src/cli/pmctl

source bench/lib.sh
bench_lock
need_tools ssh sshd
bench_build src/cli/pmctl

tmp=$(mktemp -d /var/tmp/pmctl-bench-remote.XXXXXX)
chmod 755 "$tmp"
export PMCTL_SANDBOX=${BENCH_SANDBOX:-/var/tmp/pmctl-bench-sandbox}
inside() { tests/sandbox.sh exec "$@" 9>&-; }

# sshd as an enabled unit of the sandbox, written into its overlay before it boots.
ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_key" -C bench-host
ssh-keygen -q -t ed25519 -N '' -f "$tmp/client_key" -C bench-client
cp "$tmp/client_key.pub" "$tmp/authorized_keys"
write_sshd_unit() {
  local units=$PMCTL_SANDBOX/upper/etc/systemd/system
  mkdir -p "$units/multi-user.target.wants"
  cat >"$units/pmctl-bench-sshd.service" <<UNIT
[Service]
ExecStart=/usr/sbin/sshd -D -e -p $PORT -o ListenAddress=127.0.0.1 -h $tmp/host_key -o AuthorizedKeysFile=$tmp/authorized_keys -o StrictModes=no -o PasswordAuthentication=no -o PermitRootLogin=prohibit-password
RuntimeDirectory=sshd
[Install]
WantedBy=multi-user.target
UNIT
  ln -sfn ../pmctl-bench-sshd.service "$units/multi-user.target.wants/pmctl-bench-sshd.service"
}
# An ssh config Host block for the sandbox; more lines after the alias.
host_block() {
  printf 'Host %s\n  HostName 127.0.0.1\n  Port %s\n  User root\n  IdentityFile %s\n' "$1" "$PORT" "$tmp/client_key"
  printf '  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking accept-new\n' "$tmp/known_hosts"
  printf '  LogLevel ERROR\n'
  shift
  printf '  %s\n' "$@"
}
{
  host_block bench
  host_block bench2
  host_block bench-mux "ControlMaster auto" "ControlPath $tmp/mux-%C" "ControlPersist 60"
} >"$tmp/ssh_config"

bench_cleanup_more() {
  ssh -F "$tmp/ssh_config" -O exit bench-mux >/dev/null 2>&1
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
install_pm2
say "booting the sandbox ($PMCTL_SANDBOX) with sshd on port $PORT"
tests/sandbox.sh purge
write_sshd_unit
tests/sandbox.sh up 9>&-
say "installing pmctl from $BUILD into the sandbox"
inside meson install -C "$REPO/$BUILD" --no-rebuild --quiet >/dev/null
inside systemctl daemon-reload
# The sandbox's root gets Debian's own .bashrc (it returns at once when not interactive): this
# machine's root sources pyenv in its .bashrc, 0.5 s that every ssh command would pay here and
# no server does. A heavy .bashrc costs each -H what it costs each `ssh host cmd`.
inside cp /etc/skel/.bashrc /root/.bashrc
for _ in $(seq 50); do ssh -F "$tmp/ssh_config" bench true 2>/dev/null && break; sleep 0.2; done

say "starting $APPS apps under pmctl and under PM2"
node -e '
const n = +process.argv[1], apps = [];
for (let i = 1; i <= n; i++) apps.push({name: "s" + i, script: "/bin/sleep", args: ["100000"], interpreter: "none"});
console.log(JSON.stringify({apps}));' "$APPS" >"$tmp/apps.json"
inside pmctl start "$tmp/apps.json" >/dev/null
inside env PM2_HOME="$PM2_HOME" "$PM2" start "$tmp/apps.json" >/dev/null
settle

export PMCTL_SSH_COMMAND="ssh -F $tmp/ssh_config"
# Median and p90 (ms) of RUNS runs of the command given.
measure() {
  local t0 t1
  for _ in $(seq "$RUNS"); do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || die "failed: $*"
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
  done | sort -n | awk -v n="$RUNS" '{t[NR]=$1} END {printf "%.1f | %.1f", t[int((n+1)/2)]/1000, t[int(n*0.9+0.5)]/1000}'
}
# The same, timed inside the sandbox (no nsenter in the figure).
measure_inside() {
  # shellcheck disable=SC2016  # expanded by the shell inside the sandbox
  inside bash -c 'for _ in $(seq "$1"); do s=$(date +%s%N); "${@:2}" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000)); done' \
    measure "$RUNS" "$@" |
    sort -n | awk -v n="$RUNS" '{t[NR]=$1} END {printf "%.1f | %.1f", t[int((n+1)/2)]/1000, t[int(n*0.9+0.5)]/1000}'
}
ssh -F "$tmp/ssh_config" bench-mux true  # opens the shared connection
say "$RUNS runs each"
LOCAL=$(measure_inside pmctl ls)
PM2LOCAL=$(measure_inside env PM2_HOME="$PM2_HOME" "$PM2" ls)
SSH=$(measure ssh -F "$tmp/ssh_config" bench true)
H=$(measure "$PMCTL" -H bench ls)
BYHAND=$(measure ssh -F "$tmp/ssh_config" bench pmctl ls)
PM2LS=$(measure ssh -F "$tmp/ssh_config" bench env PM2_HOME="$PM2_HOME" "$PM2" ls)
MUX=$(measure "$PMCTL" -H bench-mux ls)
TWO=$(measure "$PMCTL" -H bench,bench2 ls)

cat <<TABLE

| $APPS apps, $RUNS runs each, one after the other | median ms | p90 ms |
|---|---|---|
| \`pmctl ls\` on the host itself (no ssh) | $LOCAL |
| \`pm2 ls\` on the host itself | $PM2LOCAL |
| \`ssh host true\` (ssh alone) | $SSH |
| \`pmctl -H host ls\` | $H |
| \`ssh host pmctl ls\` by hand | $BYHAND |
| \`ssh host pm2 ls\` (PM2 $PM2_VERSION has no -H) | $PM2LS |
| \`pmctl -H host ls\` over an open connection (ControlMaster) | $MUX |
| \`pmctl -H host,host2 ls\` (two hosts at once, merged) | $TWO |
TABLE
